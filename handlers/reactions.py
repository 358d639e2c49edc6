"""Reactions as reputation credits: up/down emoji, no self-credit, one per key, daily cap, redaction undoes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.config import ReputationSettings
from handlers.events import Reaction, Redaction, SayKind
from storage.credits import CreditReason
from storage.store import Store

log = logging.getLogger(__name__)

VARIATION_SELECTOR = "\ufe0f"


def normalize_emoji(key: str) -> str:
    """❤️ and ❤ are the same reaction to people; compare without variation selectors."""
    return key.replace(VARIATION_SELECTOR, "").strip()


def credit_delta(key: str, settings: ReputationSettings) -> int:
    emoji = normalize_emoji(key)
    if emoji in {normalize_emoji(e) for e in settings.up}:
        return 1
    if emoji in {normalize_emoji(e) for e in settings.down}:
        return -1
    return 0


def utc_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC calendar day a moment falls in, as [start, end)."""
    start = datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Target:
    receiver: str
    message_event_id: str | None
    proposal_id: int | None


async def _target(store: Store, reaction: Reaction, bot_user_id: str) -> Target | None:
    """Who a reaction credits: the message's author, or the proposer for the bot's announcements."""
    message = await store.events.get_message(reaction.target_event_id)
    if message is not None:
        if message.redacted or message.room_id != reaction.room_id or message.author == bot_user_id:
            return None
        return Target(message.author, message.event_id, None)
    sent = await store.announcements.bot_message(reaction.target_event_id)
    if sent is None or sent.kind is not SayKind.ANNOUNCE or sent.proposal_id is None:
        return None
    proposal = await store.proposals.get(sent.proposal_id)
    if proposal is None or proposal.room_id != reaction.room_id:
        return None
    return Target(proposal.proposer, None, proposal.id)


async def on_reaction(store: Store, settings: ReputationSettings, reaction: Reaction, bot_user_id: str) -> bool:
    """Apply a reaction's credit if the rules allow; True when a credit was given."""
    delta = credit_delta(reaction.key, settings)
    if delta == 0:
        return False
    target = await _target(store, reaction, bot_user_id)
    if target is None or target.receiver == reaction.sender:
        return False
    emoji = normalize_emoji(reaction.key)
    if await store.credits.active_reaction(reaction.sender, reaction.target_event_id, emoji) is not None:
        return False
    day_start, day_end = utc_day(reaction.at)
    given = await store.credits.given_between(reaction.room_id, reaction.sender, day_start, day_end)
    if given >= settings.daily_cap:
        log.info("daily cap reached for %s; reaction %s gives nothing", reaction.sender, reaction.event_id)
        return False
    await store.credits.add(
        room_id=reaction.room_id,
        giver=reaction.sender,
        receiver=target.receiver,
        delta=delta,
        reason=CreditReason.REACTION,
        at=reaction.at,
        source_event_id=reaction.event_id,
        target_event_id=reaction.target_event_id,
        emoji=emoji,
        proposal_id=target.proposal_id,
    )
    if target.message_event_id is not None:
        await store.events.add_to_score(target.message_event_id, delta)
    return True


async def on_redaction(store: Store, redaction: Redaction) -> None:
    """A removed reaction takes its credit back (once); a removed message leaves !ideas."""
    credit = await store.credits.unreversed_by_reaction_event(redaction.redacts)
    if credit is not None:
        if credit.room_id != redaction.room_id:
            return
        await store.credits.add(
            room_id=credit.room_id,
            giver=credit.giver,
            receiver=credit.receiver,
            delta=-credit.delta,
            reason=CreditReason.REVERSAL,
            at=redaction.at,
            source_event_id=redaction.event_id,
            target_event_id=credit.target_event_id,
            emoji=credit.emoji,
            reverses=credit.id,
        )
        if credit.target_event_id is not None:
            await store.events.add_to_score(credit.target_event_id, -credit.delta)
        return
    await store.events.mark_redacted(redaction.redacts)
