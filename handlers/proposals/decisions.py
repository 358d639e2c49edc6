"""Scheduled announcements: the reminder before a deadline and the GO / NO-GO decision at it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from handlers.events import Say
from handlers.payments.requests import request_payments
from handlers.proposals.go_rules import announced_late, is_go, shortfall
from handlers.proposals.nudges import fire_nudge
from handlers.proposals.underway import schedule_nudges
from handlers.reputation.effort import go_rewards
from handlers.settings import CommunitySettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import (
    NAMED,
    ProposalFacts,
    backers_block,
    gap,
    load_facts,
    objections_block,
    progress,
)
from handlers.wording.markup import Rendered, lines
from handlers.wording.room_language import room_texts
from storage.records import (
    Announcement,
    AnnouncementKind,
    Credit,
    MessageKind,
    Priority,
    Proposal,
    Status,
)
from storage.store import Store


def _announce(proposal: Proposal, text: Rendered, mentions: tuple[str, ...], *, reaches: bool = False) -> Say:
    return Say(
        room_id=proposal.room_id,
        text=text,
        kind=MessageKind.ANNOUNCE,
        proposal_id=proposal.id,
        mentions=tuple(sorted(set(mentions))),
        reaches=reaches,
    )


async def fire_announcement(
    store: Store, settings: CommunitySettings, announcement: Announcement, now: datetime, *, late: bool = False
) -> list[Say]:
    """Build what a claimed announcement says, applying a decision's effects; [] if nothing is due.

    `late`: the bot was offline at the deadline (fired at start-up), so a decision says it is late
    however short the downtime was; otherwise it says so only when it comes over LATE_AFTER after it.
    A decision goes out before anything else queued, a reminder or nudge before replies to commands.
    """
    says = await _announcement_says(store, settings, announcement, now, late=late)
    priority = Priority.DECISION if announcement.kind is AnnouncementKind.DEADLINE else Priority.REMINDER
    return [say if say.priority is Priority.PRIVATE else replace(say, priority=priority) for say in says]


async def _announcement_says(
    store: Store, settings: CommunitySettings, announcement: Announcement, now: datetime, *, late: bool
) -> list[Say]:
    proposal = await store.proposals.get(announcement.proposal_id)
    if proposal is None:
        return []
    texts = await room_texts(store, settings, proposal.room_id)
    if announcement.kind in (
        AnnouncementKind.UPDATE_NUDGE,
        AnnouncementKind.DELIVERY_NUDGE,
        AnnouncementKind.CONFIRM_NUDGE,
    ):
        return await fire_nudge(store, settings.proposals, texts, proposal, announcement, now, late=late)
    if not proposal.is_open:
        return []
    if announcement.kind is AnnouncementKind.REMINDER:
        return await _reminder(store, texts, proposal, now)
    return await _decide(store, settings, texts, proposal, announcement, now, late=late)


async def _reminder(store: Store, texts: Texts, proposal: Proposal, now: datetime) -> list[Say]:
    if now >= proposal.deadline:
        return []  # the decision itself follows
    facts = await load_facts(store, proposal)
    missing = shortfall(proposal, facts.totals)
    parts = [
        texts.t(
            "reminder.announce",
            number=proposal.number,
            title=proposal.title,
            deadline=texts.when(proposal.deadline),
            left=texts.time_left(proposal.deadline - now),
        ),
        texts.t("reminder.met") if missing.none else texts.t("reminder.gap", gap=gap(texts, missing)),
        progress(texts, proposal, facts.totals, now),
    ]
    return [_announce(proposal, lines(parts), facts.mentioned)]


async def _decide(
    store: Store,
    settings: CommunitySettings,
    texts: Texts,
    proposal: Proposal,
    announcement: Announcement,
    now: datetime,
    *,
    late: bool,
) -> list[Say]:
    facts = await load_facts(store, proposal)
    totals = facts.totals
    go = is_go(proposal, totals)
    await store.proposals.set_status(proposal.id, Status.GO if go else Status.NO_GO, now)
    rewarded: dict[str, int] = {}
    if go:
        rewarded = await _reward(store, settings, facts, now)
        await schedule_nudges(store, settings.proposals, proposal, now)
    decided = await store.proposals.get(proposal.id)
    assert decided is not None
    facts = ProposalFacts(decided, facts.pledges, facts.objections, facts.names)
    headline = texts.t("decision.go" if go else "decision.no_go", number=proposal.number, title=proposal.title)
    parts = [headline]
    if announced_late(announcement.due_at, now, offline=late):
        parts.append(texts.t("decision.late", deadline=texts.when(announcement.due_at)))
    if go:
        summary = progress(texts, decided, totals, now)
        parts.append(texts.t("decision.go_reason", totals=summary))
        backer_reward = texts.tn("credits.reward", settings.proposals.go_reward_backer)
        if rewarded.get(proposal.proposer):
            parts.append(
                texts.t(
                    "decision.rewards",
                    proposer=facts.who(proposal.proposer),
                    proposer_reward=texts.tn("credits.reward", rewarded[proposal.proposer]),
                    backer_reward=backer_reward,
                )
            )
        elif rewarded:  # the proposer earns nothing (too new, or the day's cap reached), the backers do
            parts.append(texts.t("decision.rewards_backers", backer_reward=backer_reward))
    else:
        parts.append(texts.t("decision.no_go_reason", gap=gap(texts, shortfall(proposal, totals))))
        parts.append(progress(texts, decided, totals, now))
        if facts.pledges:
            parts.append(texts.t("decision.no_go_owes"))  # a pledge binds only on GO
    requests: list[Say] = []
    if go and settings.money is not None:
        requests, requested = await request_payments(store, settings.money, texts, facts, now)
        if requested is not None:
            parts.append(requested)
    parts.append(backers_block(texts, facts))
    if proposal.proposer not in {p.user_id for p in facts.pledges[:NAMED]} and not rewarded.get(proposal.proposer):
        # the decision names its proposer too (the rewards line names her only when she earns one): it reaches her
        parts.append(texts.t("decision.proposer", proposer=facts.who(proposal.proposer)))
    objections = objections_block(texts, facts)
    if objections.plain:
        parts.append(objections)
    if go:  # what backers do now: money asked for by a payment request is confirmed by the bank, not reported
        next_step = "decision.go_next" if not requests else "decision.go_next_money"
        parts.append(texts.t(next_step, number=proposal.number))
    return [_announce(decided, lines(parts), facts.mentioned, reaches=True), *requests]


async def _reward(store: Store, settings: CommunitySettings, facts: ProposalFacts, now: datetime) -> dict[str, int]:
    """Effort is rewarded: credits for the proposer and every backer of a GO, bounded like votes
    (handlers.reputation.effort): guests and accounts too new to vote receive none, and a proposal that only such
    accounts carried rewards no proposer. Returns what each received."""
    proposal = facts.proposal
    backers = [pledge.user_id for pledge in facts.backing]
    rewards = await go_rewards(store, settings, proposal.room_id, proposal.proposer, backers, proposal.min_backers, now)
    await store.credits.add(
        Credit(proposal.room_id, None, receiver, amount, reason, now, proposal_id=proposal.id)
        for receiver, amount, reason in rewards
    )
    return {receiver: amount for receiver, amount, _ in rewards}
