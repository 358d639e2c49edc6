"""How proposals, pledges, gaps and backers read in a message: shared by status, reminders and decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.proposals.go_rules import Shortfall, progress_ratio, shortfall
from handlers.wording.catalog import Texts
from handlers.wording.markup import EMPTY, Rendered, bullet_list, lines, markup, mention, user_text
from storage.records import Delivery, Objection, Pledge, Proposal, Status, Totals, Update
from storage.store import Store

DOT = markup(" · ", " · ")
# A message names (and mentions) at most this many backers and counts the rest: thousands of names would not fit
# one Matrix event, and no member reads them.
NAMED = 100


@dataclass(frozen=True)
class ProposalFacts:
    """Everything a message about one proposal may show, read once from the store."""

    proposal: Proposal
    pledges: list[Pledge]
    objections: list[Objection]
    names: dict[str, str]

    @property
    def totals(self) -> Totals:
        return Totals.of(self.pledges, self.proposal.proposer)

    @property
    def backers(self) -> tuple[str, ...]:
        """Everyone who pledged, the proposer's own pledge included (whom updates and decisions mention)."""
        return tuple(p.user_id for p in self.pledges)

    @property
    def mentioned(self) -> tuple[str, ...]:
        """Whom a message about the proposal mentions: the proposer and the backers it names."""
        return (self.proposal.proposer, *(p.user_id for p in self.pledges[:NAMED]))

    @property
    def backing(self) -> list[Pledge]:
        """The pledges of backers: everyone's but the proposer's own, which is no backer's."""
        return [p for p in self.pledges if p.user_id != self.proposal.proposer]

    def who(self, user_id: str) -> Rendered:
        return mention(user_id, self.names.get(user_id, user_id))


async def load_facts(
    store: Store, proposal: Proposal, *others: str, first: Callable[[sqlite3.Connection], object] | None = None
) -> ProposalFacts:
    """The proposal's pledges and objections, with the names of everyone involved (and of `others`); after
    `first` (a write they should show), in the same round trip."""
    involved = await store.proposals.involvement(proposal, others, first=first)
    return ProposalFacts(proposal, involved.pledges, involved.objections, involved.names)


def goals(texts: Texts, proposal: Proposal) -> Rendered:
    parts: list[Rendered] = []
    if proposal.money_goal_cents:
        parts.append(user_text(texts.money(proposal.money_goal_cents)))
    if proposal.hours_goal_minutes:
        parts.append(user_text(texts.hours(proposal.hours_goal_minutes)))
    parts.append(texts.tn("goal.backers", proposal.min_backers))
    return Rendered.join(DOT, parts)


def backers_progress(texts: Texts, count: int, needed: int) -> Rendered:
    """`1 of 4 backers` while short, `5 backers (at least 4)` once met: never a fraction over one."""
    if count >= needed:
        return texts.tn("progress.backers_met", count, needed=needed)
    return texts.tn("progress.backers", needed, count=count, needed=needed)


def progress(texts: Texts, proposal: Proposal, totals: Totals, now: datetime) -> Rendered:
    """`▓▓▓▓▓▓░░░░ 60% · €1,500 of €2,500 · 12 of 40h · 4 of 5 backers · 3 days left`: the bar is the least-met
    goal (100% means GO if decided now), the figures each goal's own progress."""
    parts = [user_text(texts.bar(progress_ratio(proposal, totals)))]
    if proposal.money_goal_cents:
        money = texts.money(totals.money_cents)
        parts.append(texts.t("value.money_of", done=money, goal=texts.money(proposal.money_goal_cents)))
        if totals.money_cents > proposal.money_goal_cents:  # over-funding in words: the bar stops at 100%
            extra = texts.money(totals.money_cents - proposal.money_goal_cents)
            parts.append(texts.t("progress.over", amount=extra))
    elif totals.money_cents:
        parts.append(user_text(texts.money(totals.money_cents)))
    if proposal.hours_goal_minutes:
        parts.append(user_text(texts.hours_of(totals.minutes, proposal.hours_goal_minutes)))
        if totals.minutes > proposal.hours_goal_minutes:
            parts.append(texts.t("progress.over", amount=texts.hours(totals.minutes - proposal.hours_goal_minutes)))
    elif totals.minutes:
        parts.append(user_text(texts.hours(totals.minutes)))
    parts.append(backers_progress(texts, totals.backers, proposal.min_backers))
    if proposal.is_open:
        parts.append(texts.time_left(proposal.deadline - now))
    return Rendered.join(DOT, parts)


def gap(texts: Texts, missing: Shortfall) -> Rendered:
    parts: list[Rendered] = []
    if missing.money_cents:
        parts.append(user_text(texts.money(missing.money_cents)))
    if missing.minutes:
        parts.append(user_text(texts.hours(missing.minutes)))
    if missing.backers:
        parts.append(texts.tn("gap.backers", missing.backers))
    return Rendered.join(DOT, parts)


def pledge_amount(texts: Texts, pledge: Pledge) -> Rendered:
    parts: list[Rendered] = []
    if pledge.money_cents:
        parts.append(user_text(texts.money(pledge.money_cents)))
    if pledge.minutes:
        parts.append(user_text(texts.hours(pledge.minutes)))
    if not parts:
        return texts.t("pledge.support")
    return Rendered.join(markup(" + ", " + "), parts)


def backers_block(texts: Texts, facts: ProposalFacts) -> Rendered:
    """`Backers (2):` and exactly those two, then the proposer's own pledge apart: a count matches its list."""
    own = next((p for p in facts.pledges if p.user_id == facts.proposal.proposer), None)
    backing = facts.backing
    if not backing:
        block = texts.t("proposal.no_backers")
    else:
        items = [_pledge_line(texts, facts, pledge) for pledge in backing[:NAMED]]
        if len(backing) > NAMED:
            items.append(texts.tn("proposal.backers_more", len(backing) - NAMED))
        block = texts.t("proposal.backers_title", count=len(backing)) + bullet_list(items)
    if own is None:
        return block
    amount = pledge_amount(texts, own)
    if own.note:
        line = texts.t("proposal.own_pledge_note", user=facts.who(own.user_id), pledge=amount, note=own.note)
    else:
        line = texts.t("proposal.own_pledge", user=facts.who(own.user_id), pledge=amount)
    return lines([block, line])


def _pledge_line(texts: Texts, facts: ProposalFacts, pledge: Pledge) -> Rendered:
    amount, who = pledge_amount(texts, pledge), facts.who(pledge.user_id)
    if pledge.note:
        return texts.t("pledge.line_note", user=who, pledge=amount, note=pledge.note)
    return texts.t("pledge.line", user=who, pledge=amount)


def objections_block(texts: Texts, facts: ProposalFacts) -> Rendered:
    if not facts.objections:
        return EMPTY
    items = [texts.t("proposal.objection", user=facts.who(o.user_id), reason=o.reason) for o in facts.objections]
    return texts.t("proposal.objections_title", count=len(items)) + bullet_list(items)


def amount_of(texts: Texts, money_cents: int, minutes: int) -> Rendered:
    return pledge_amount(texts, Pledge("", money_cents, minutes, "", datetime.min))


def backer_ledger(
    texts: Texts, pledges: list[Pledge], deliveries: list[Delivery], who: Callable[[str], Rendered]
) -> Rendered:
    """`Bob: pledged €50 + 4h · delivered €50 + 2h · confirmed €50`, one line per backer."""
    rows = [texts.t("report.backers_title")]
    backers = [p.user_id for p in pledges] + sorted({d.user_id for d in deliveries} - {p.user_id for p in pledges})
    for backer in backers[:NAMED]:
        pledged = next((p for p in pledges if p.user_id == backer), None)
        theirs = [d for d in deliveries if d.user_id == backer]
        confirmed = [d for d in theirs if d.confirmed]
        row = texts.t(
            "report.backer",
            user=who(backer),
            pledged=amount_of(texts, pledged.money_cents, pledged.minutes) if pledged else texts.t("report.none"),
            delivered=_sum(texts, theirs),
            confirmed=_sum(texts, confirmed),
        )
        by_bank = [d for d in confirmed if d.by_bank]
        if by_bank:  # the bank statement confirmed it, not a member
            part = len(by_bank) < len(confirmed)
            said = texts.t("report.part_by_bank", amount=_sum(texts, by_bank)) if part else texts.t("report.by_bank")
            row = row + Rendered(" (", " (") + said + Rendered(")", ")")
        rows.append(row)
    if len(backers) > NAMED:
        rows.append(texts.tn("proposal.backers_more", len(backers) - NAMED))
    return lines(rows)


def _sum(texts: Texts, deliveries: list[Delivery]) -> Rendered:
    if not deliveries:
        return texts.t("report.none")
    return amount_of(texts, sum(d.money_cents for d in deliveries), sum(d.minutes for d in deliveries))


UPDATES_SHOWN = 3


def underway_block(texts: Texts, facts: ProposalFacts, updates: list[Update], deliveries: list[Delivery]) -> Rendered:
    """After GO, in !proposal: how far it is (or that it is closed, and how), the latest updates, and per backer
    pledged / reported / confirmed."""
    proposal = facts.proposal
    parts = []
    if proposal.closed_at is not None:
        status = texts.t(f"status.{proposal.status.value}")
        parts.append(texts.t("proposal.closed_on", when=texts.when(proposal.closed_at), status=status))
        if proposal.close_reason:
            parts.append(texts.t("underway.quote", text=proposal.close_reason))
    parts.append(underway_line(texts, facts.totals, updates, deliveries, closed=proposal.closed_at is not None))
    if updates:
        parts.append(texts.t("underway.updates_title"))
        for update in reversed(updates[-UPDATES_SHOWN:]):
            when, user = texts.when(update.at), facts.who(update.user_id)
            if not update.text:  # its writer was forgotten: an empty quote would read as a blank message
                parts.append(texts.t("underway.update_erased", when=when, user=user))
            else:
                parts.append(texts.t("underway.update_line", when=when, user=user, text=update.text))
        if len(updates) > UPDATES_SHOWN:
            parts.append(texts.tn("underway.more_updates", len(updates) - UPDATES_SHOWN))
    parts.append(backer_ledger(texts, facts.pledges, deliveries, facts.who))
    return lines(parts)


def underway_line(
    texts: Texts, totals: Totals, updates: list[Update], deliveries: list[Delivery], *, closed: bool = False
) -> Rendered:
    """`60% done · 2 updates · €300 of €500 confirmed · 6/10h confirmed` for a GO proposal being carried out; once
    `closed`, without the percentage its last update gave."""
    parts: list[Rendered] = []
    percent = None if closed else next((u.percent for u in reversed(updates) if u.percent is not None), None)
    if percent is not None:
        parts.append(texts.t("underway.done_percent", percent=percent))
    parts.append(texts.tn("report.updates", len(updates)))
    confirmed = [d for d in deliveries if d.confirmed]
    if totals.money_cents:
        done = texts.money(sum(d.money_cents for d in confirmed))
        parts.append(texts.t("underway.money_confirmed", done=done, pledged=texts.money(totals.money_cents)))
    if totals.minutes:
        done_hours = texts.hours_of(sum(d.minutes for d in confirmed), totals.minutes)
        parts.append(texts.t("underway.hours_confirmed", hours=done_hours))
    return Rendered.join(DOT, parts)


def status_message(texts: Texts, facts: ProposalFacts, now: datetime, idea: Rendered | None = None) -> Rendered:
    """!proposal: title and status, proposer, the linked `idea`, description, goals, the deadline or decision, …"""
    proposal = facts.proposal
    parts = [
        texts.t(
            "proposal.status_title",
            number=proposal.number,
            title=proposal.title,
            status=texts.t(f"status.{proposal.status.value}"),
        ),
        texts.t(
            "proposal.proposer",
            proposer=facts.who(proposal.proposer),
            created=texts.when(proposal.created_at),
        ),
    ]
    if idea is not None:
        parts.append(idea)
    if proposal.description:
        parts.append(user_text(proposal.description))
    parts.append(texts.t("proposal.goals", goals=goals(texts, proposal)))
    if proposal.is_open:
        parts.append(
            texts.t(
                "proposal.deadline",
                deadline=texts.deadline(proposal.deadline),
                left=texts.time_left(proposal.deadline - now),
            )
        )
        missing = shortfall(proposal, facts.totals)
        if not missing.none:
            parts.append(texts.t("reminder.gap", gap=gap(texts, missing)))
    elif proposal.decided_at is not None:
        closed = "proposal.cancelled_on" if proposal.status is Status.CANCELLED else "proposal.decided"
        parts.append(texts.t(closed, when=texts.when(proposal.decided_at)))
    if proposal.cancel_reason:
        parts.append(texts.t("proposal.cancelled_reason", reason=proposal.cancel_reason))
    parts.append(progress(texts, proposal, facts.totals, now))
    parts.append(backers_block(texts, facts))
    objections = objections_block(texts, facts)
    if objections.plain:
        parts.append(objections)
    return lines(parts)
