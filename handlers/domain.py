"""Kring's domain: proposals, pledges, objections and the pure GO / NO-GO rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction


class Status(StrEnum):
    OPEN = "open"
    GO = "go"
    NO_GO = "no-go"
    CANCELLED = "cancelled"


class Goal(StrEnum):
    BACKERS = "backers"
    MONEY = "money"
    HOURS = "hours"


@dataclass(frozen=True)
class Proposal:
    id: int
    room_id: str
    number: int
    title: str
    description: str
    proposer: str
    money_goal_cents: int | None
    hours_goal_minutes: int | None
    min_backers: int
    deadline: datetime
    created_at: datetime
    idea_event_id: str | None
    status: Status
    decided_at: datetime | None = None
    cancel_reason: str | None = None
    fully_backed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN


@dataclass(frozen=True)
class Pledge:
    user_id: str
    money_cents: int
    minutes: int
    note: str
    pledged_at: datetime


@dataclass(frozen=True)
class Objection:
    user_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Totals:
    backers: int
    money_cents: int
    minutes: int

    @classmethod
    def of(cls, pledges: Iterable[Pledge]) -> Totals:
        listed = list(pledges)
        return cls(
            backers=len(listed),
            money_cents=sum(p.money_cents for p in listed),
            minutes=sum(p.minutes for p in listed),
        )


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


def in_withdraw_lock(proposal: Proposal, now: datetime, lock_hours: int) -> bool:
    return lock_hours > 0 and now >= proposal.deadline - timedelta(hours=lock_hours)


def progress_ratio(proposal: Proposal, totals: Totals) -> Fraction:
    """The headline progress: money if a money goal is set, else hours, else backers (display only).

    Exact, so €29 of €100 reads 29% rather than the 28.999…% a float would give.
    """
    if proposal.money_goal_cents:
        return Fraction(totals.money_cents, proposal.money_goal_cents)
    if proposal.hours_goal_minutes:
        return Fraction(totals.minutes, proposal.hours_goal_minutes)
    return Fraction(totals.backers, proposal.min_backers)
