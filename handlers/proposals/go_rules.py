"""The pure GO / NO-GO rules over proposals and their pledges: goals, shortfall, the withdraw lock, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from storage.records import Proposal, Totals


class Goal(StrEnum):
    BACKERS = "backers"
    MONEY = "money"
    HOURS = "hours"


@dataclass(frozen=True)
class Shortfall:
    """What is still missing for each goal; zero where the goal is met (or was not set)."""

    backers: int
    money_cents: int
    minutes: int

    @property
    def none(self) -> bool:
        return self.backers == 0 and self.money_cents == 0 and self.minutes == 0


def shortfall(proposal: Proposal, totals: Totals) -> Shortfall:
    money_goal = proposal.money_goal_cents or 0
    hours_goal = proposal.hours_goal_minutes or 0
    return Shortfall(
        backers=max(0, proposal.min_backers - totals.backers),
        money_cents=max(0, money_goal - totals.money_cents),
        minutes=max(0, hours_goal - totals.minutes),
    )


def is_go(proposal: Proposal, totals: Totals) -> bool:
    """GO when backers ≥ min, money ≥ goal and hours ≥ goal; a goal that was not set is met."""
    return shortfall(proposal, totals).none


def goals_reached(proposal: Proposal, totals: Totals) -> frozenset[Goal]:
    """The goals a proposal has set and reached (unset money/hours goals are not listed)."""
    gap = shortfall(proposal, totals)
    reached = set()
    if gap.backers == 0:
        reached.add(Goal.BACKERS)
    if proposal.money_goal_cents and gap.money_cents == 0:
        reached.add(Goal.MONEY)
    if proposal.hours_goal_minutes and gap.minutes == 0:
        reached.add(Goal.HOURS)
    return frozenset(reached)


def goals_broken(proposal: Proposal, before: Totals, after: Totals) -> frozenset[Goal]:
    """Reached goals that a change of pledges would drop below again."""
    return goals_reached(proposal, before) - goals_reached(proposal, after)


LATE_AFTER = timedelta(minutes=2)


def announced_late(due_at: datetime, now: datetime, *, offline: bool) -> bool:
    """Whether a decision, reminder or nudge says it comes late: the bot was offline when it fell due (it is
    posted at start-up), or it comes more than LATE_AFTER after its moment."""
    return (offline and now > due_at) or now - due_at > LATE_AFTER


def withdraw_lock_start(proposal: Proposal, lock_hours: int) -> datetime | None:
    """When the lock window before the deadline opens (Kickstarter's rule): the shorter of `lock_hours` and a
    quarter of the proposal's run, so a short proposal is not locked from its first minute; None when off."""
    if lock_hours <= 0:
        return None
    window = min(timedelta(hours=lock_hours), (proposal.deadline - proposal.created_at) / 4)
    return proposal.deadline - window


def lock_moment(at: datetime, proven_by: datetime | None) -> datetime:
    """The moment a pledge change counts as made for the withdraw lock: its time `at`, unless the room's timeline
    proves no more than that it was sent by `proven_by`, well after (a delivery's usual delay, LATE_AFTER, aside)."""
    if proven_by is not None and proven_by - LATE_AFTER > at:
        return proven_by - LATE_AFTER
    return at


def in_withdraw_lock(proposal: Proposal, now: datetime, lock_hours: int) -> bool:
    start = withdraw_lock_start(proposal, lock_hours)
    return start is not None and now >= start


def progress_ratio(proposal: Proposal, totals: Totals) -> Fraction:
    """How far the least-met goal is (money, hours and backers each count), at most 1: the bar reads 100% exactly
    when GO would be decided now.

    Exact, so €29 of €100 reads 29% rather than the 28.999…% a float would give.
    """
    ratios = [Fraction(totals.backers, proposal.min_backers)]
    if proposal.money_goal_cents:
        ratios.append(Fraction(totals.money_cents, proposal.money_goal_cents))
    if proposal.hours_goal_minutes:
        ratios.append(Fraction(totals.minutes, proposal.hours_goal_minutes))
    return min([Fraction(1), *ratios])
