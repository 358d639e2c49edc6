"""Effort credits bounded like votes: GO rewards and confirmed deliveries that no pair of accounts can farm.

A confirmation grants credits the way a vote does: what one member's confirmations grant in a (UTC) day counts
against that member's `daily_cap`, and one backer earns at most `max_credits_per_backer` from one proposal's
deliveries. A GO reward counts against its receiver's own `daily_cap`, and the proposer's needs as many backers who
could vote as the proposal's minimum. Accounts that may not vote yet (too new, guests) and members who opted out
neither earn nor grant effort credits. So a pair of accounts mints no more in a day than the two could vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handlers.reputation.reactions import utc_day
from handlers.reputation.standing import vote_refusal
from handlers.settings import CommunitySettings
from storage.records import BANK, CreditReason
from storage.store import Store


async def may_take_part(store: Store, settings: CommunitySettings, room_id: str, user_id: str, at: datetime) -> bool:
    """Whether a member's vote would count at `at`: on a community homeserver, in the room long enough, not opted
    out. Only such a member earns or grants effort credits."""
    if user_id in await store.member_data.opted_out():
        return False
    joined_at = await store.members.joined_at(room_id, user_id)
    return vote_refusal(room_id, user_id, at, joined_at, settings.reputation) is None


async def left_today(store: Store, settings: CommunitySettings, room_id: str, user_id: str, at: datetime) -> int:
    """What is left of the member's `daily_cap` on the UTC day of `at` (votes, helper credits and effort credits
    granted, GO rewards received)."""
    spent = await store.intake.votes_given(room_id, user_id, utc_day(at)[0])
    return max(0, settings.reputation.daily_cap - spent)


@dataclass(frozen=True)
class Grant:
    """What a confirmation grants now, and what it holds back (and why)."""

    credits: list[tuple[int, CreditReason]] = field(default_factory=list)
    held_back: int = 0  # owed, not granted now: the confirmer's daily cap, or a member who may not vote yet
    not_voting: str | None = None  # the member whose votes do not count yet, when that held it all back


async def bounded_effort(
    store: Store,
    settings: CommunitySettings,
    room_id: str,
    confirmer: str,
    backer: str,
    owed: list[tuple[int, CreditReason]],
    at: datetime,
) -> Grant:
    """The part of the effort credits `owed` to `backer` that `confirmer` may grant now: none when either may not
    vote, and in all no more than what is left of the confirmer's daily cap. What is held back stays owed."""
    wanted = [(delta, reason) for delta, reason in owed if delta > 0]
    total = sum(delta for delta, _ in wanted)
    if not wanted:
        return Grant()
    by_bank = confirmer == BANK  # a bank statement proves the money: no member's vote is spent on it
    for member in (backer,) if by_bank else (confirmer, backer):
        if not await may_take_part(store, settings, room_id, member, at):
            return Grant(held_back=total, not_voting=member)
    if by_bank:
        return Grant(wanted)
    room = await left_today(store, settings, room_id, confirmer, at)
    granted = []
    for delta, reason in wanted:
        part = min(delta, room)
        if part > 0:
            granted.append((part, reason))
            room -= part
    return Grant(granted, total - sum(delta for delta, _ in granted))


async def go_rewards(
    store: Store,
    settings: CommunitySettings,
    room_id: str,
    proposer: str,
    backers: list[str],
    min_backers: int,
    at: datetime,
) -> list[tuple[str, int, CreditReason]]:
    """Who earns what for a GO: each backer who could vote `go_reward_backer`, the proposer `go_reward_proposer`
    when at least `min_backers` (and one) of them could vote; each within what is left of their own daily cap."""
    rules = settings.proposals
    voters = [b for b in backers if await may_take_part(store, settings, room_id, b, at)]
    wanted = [(backer, rules.go_reward_backer, CreditReason.GO_BACKER) for backer in voters]
    if len(voters) >= max(1, min_backers):
        wanted.insert(0, (proposer, rules.go_reward_proposer, CreditReason.GO_PROPOSER))
    rewards = []
    for receiver, amount, reason in wanted:
        if amount <= 0 or not await may_take_part(store, settings, room_id, receiver, at):
            continue
        part = min(amount, await left_today(store, settings, room_id, receiver, at))
        if part > 0:
            rewards.append((receiver, part, reason))
    return rewards
