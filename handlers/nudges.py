"""Gentle nudges after GO, each posted once in the proposal's thread: an update asked for when none came for a
while, and a reminder to backers who delivered nothing yet."""

from __future__ import annotations

from datetime import datetime

from handlers.domain import announced_late
from handlers.events import Say
from handlers.settings import ProposalSettings
from handlers.text import Rendered, lines
from handlers.texts import Texts
from handlers.underway import in_thread, schedule_update_nudge
from handlers.views import load_facts
from storage.records import Announcement, AnnouncementKind, Proposal
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
    if announcement.kind is AnnouncementKind.UPDATE_NUDGE:
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
        facts = await load_facts(store, proposal)
        waiting = [
            pledge.user_id
            for pledge in facts.pledges
            if (pledge.money_cents or pledge.minutes) and pledge.user_id not in delivered
        ]
        if not waiting:
            return []
        names = [facts.who(backer) for backer in waiting]
        listed = Rendered.join(Rendered(", ", ", "), names[:-1]) + texts.t("list.and") if len(names) > 1 else None
        backers = names[-1] if listed is None else listed + names[-1]
        parts = [texts.tn("nudge.deliver", len(waiting), number=proposal.number, title=proposal.title, backers=backers)]
        mentions = tuple(waiting)
    if announced_late(announcement.due_at, now, offline=late):
        parts.append(texts.t("nudge.late", due=texts.when(announcement.due_at)))
    return [in_thread(proposal, lines(parts), mentions=mentions)]
