"""Gentle nudges after GO, each posted once in the proposal's thread: an update asked for when none came for a
while, and a reminder to backers who delivered nothing yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.events import Say
from handlers.proposals.go_rules import announced_late
from handlers.proposals.underway import in_thread, schedule_update_nudge
from handlers.settings import ProposalSettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import NAMED, amount_of, load_facts
from handlers.wording.markup import Rendered, lines
from storage.records import Announcement, AnnouncementKind, Proposal, is_user_id
from storage.store import Store


async def fire_nudge(
    store: Store,
    settings: ProposalSettings,
    texts: Texts,
    proposal: Proposal,
    announcement: Announcement,
    now: datetime,
    *,
    late: bool,
) -> list[Say]:
    if not proposal.is_underway:
        return []  # done or dropped meanwhile: no nudge
    parts: list[Rendered]
    if announcement.kind is AnnouncementKind.CONFIRM_NUDGE:
        return await _confirm_nudge(store, settings, texts, proposal, announcement, now, late=late)
    if announcement.kind is AnnouncementKind.UPDATE_NUDGE:
        if not is_user_id(proposal.proposer):
            return []  # its proposer was forgotten: nobody to ask (and no next nudge)
        facts = await load_facts(store, proposal)
        parts = [
            texts.tn(
                "nudge.update",
                settings.update_every_days,
                number=proposal.number,
                title=proposal.title,
                proposer=facts.who(proposal.proposer),
                days=settings.update_every_days,
            )
        ]
        mentions: tuple[str, ...] = (proposal.proposer,)
        # The next one a period later, unless an update comes first (it moves the nudge).
        await schedule_update_nudge(store, settings, proposal.id, now)
    else:
        delivered = {d.user_id for d in await store.underway.deliveries([proposal.id])}
        # [money]: money asked by a payment request is confirmed by the bank and reminded of by its own reminder
        asked = {request.user_id for request in await store.payments.requests_of([proposal.id])}
        facts = await load_facts(store, proposal)
        waiting = [
            pledge.user_id
            for pledge in facts.pledges
            if (pledge.minutes or (pledge.money_cents and pledge.user_id not in asked))
            and pledge.user_id not in delivered
            and is_user_id(pledge.user_id)  # a forgotten backer (a pseudonym) is reminded of nothing
        ]
        if not waiting:
            return []
        shown = [facts.who(backer) for backer in waiting[:NAMED]]
        if len(waiting) > NAMED:
            more = texts.tn("proposal.backers_more", len(waiting) - NAMED)
            backers = Rendered.join(Rendered(", ", ", "), shown) + Rendered(" ", " ") + more
        elif len(shown) > 1:
            backers = Rendered.join(Rendered(", ", ", "), shown[:-1]) + texts.t("list.and") + shown[-1]
        else:
            backers = shown[0]
        parts = [texts.tn("nudge.deliver", len(waiting), number=proposal.number, title=proposal.title, backers=backers)]
        mentions = tuple(waiting[:NAMED])
    if announced_late(announcement.due_at, now, offline=late):
        parts.append(texts.t("nudge.late", due=texts.when(announcement.due_at)))
    return [in_thread(proposal, lines(parts), mentions=mentions, reaches=True)]


async def _confirm_nudge(
    store: Store,
    settings: ProposalSettings,
    texts: Texts,
    proposal: Proposal,
    announcement: Announcement,
    now: datetime,
    *,
    late: bool,
) -> list[Say]:
    """Remind the proposer of the deliveries reported `confirm_reminder_days` ago or earlier and still unconfirmed
    (her own delivery a moderator confirms: not hers to be reminded of); later ones get their own reminder. A
    forgotten proposer is asked nothing."""
    if not is_user_id(proposal.proposer):
        return []
    wait = timedelta(days=settings.confirm_reminder_days)
    waiting = [
        d for d in await store.underway.deliveries([proposal.id]) if not d.confirmed and d.user_id != proposal.proposer
    ]
    due = [d for d in waiting if d.at <= now - wait]
    later = [d.at for d in waiting if d.at > now - wait]
    if later:
        await store.schedule.schedule(proposal.id, AnnouncementKind.CONFIRM_NUDGE, min(later) + wait)
    if not due:
        return []
    facts = await load_facts(store, proposal, *(d.user_id for d in due))
    backers = sorted({d.user_id for d in due})
    each = []
    for backer in backers:
        theirs = [d for d in due if d.user_id == backer]
        amount = amount_of(texts, sum(d.money_cents for d in theirs), sum(d.minutes for d in theirs))
        each.append(facts.who(backer) + Rendered(" ", " ") + amount)
    parts = [
        texts.tn(
            "nudge.confirm",
            len(backers),
            proposer=facts.who(proposal.proposer),
            number=proposal.number,
            title=proposal.title,
            deliveries=Rendered.join(Rendered(", ", ", "), each),
            backer=backers[0],
        )
    ]
    if announced_late(announcement.due_at, now, offline=late):
        parts.append(texts.t("nudge.late", due=texts.when(announcement.due_at)))
    return [in_thread(proposal, lines(parts), mentions=(proposal.proposer,), reaches=True)]
