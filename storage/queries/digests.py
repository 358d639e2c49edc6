"""The weekly digest: what a room's week held, read in a few queries, and which weekly moments were claimed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database
from storage.queries.proposals import _PROPOSAL_COLUMNS, _proposal
from storage.records import Proposal, Totals
from storage.timeconv import from_db, to_db


@dataclass(frozen=True)
class WorkWeek:
    """What happened to one GO proposal's work in the week, and what is still to deliver."""

    updates: int = 0
    reported: int = 0  # deliveries reported in the week
    confirmed: int = 0  # deliveries confirmed in the week
    open_money_cents: int = 0  # pledged and not yet reported
    open_minutes: int = 0


@dataclass(frozen=True)
class Week:
    """A room's week, for its digest: [since, until), and the deadlines of the week after `until`."""

    new: list[Proposal]
    closing: list[Proposal]  # open, with a deadline in the coming week
    decided: list[Proposal]  # GO or NO-GO in the week (a GO may be done or dropped since)
    underway: list[Proposal]  # GO, not closed, with something done in the week
    totals: dict[int, Totals]  # of `closing`
    backers: dict[int, list[str]] = field(default_factory=dict)  # of `decided`: who pledged, in pledge order
    work: dict[int, WorkWeek] = field(default_factory=dict)  # of `underway`


class DigestQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def rooms(self) -> list[str]:
        """Every room Kring knows members or proposals of: each may have a week to tell."""
        rows = await self.db.fetch_all("SELECT room_id FROM members UNION SELECT room_id FROM proposals ORDER BY 1")
        return [str(r[0]) for r in rows]

    async def claimed(self) -> dict[str, datetime]:
        """Each room's latest weekly moment that was claimed (its digest sent, or nothing to say)."""
        rows = await self.db.fetch_all("SELECT room_id, MAX(due_at) FROM digests GROUP BY room_id")
        return {str(r[0]): from_db(r[1]) for r in rows}

    async def claim(self, room_id: str, due_at: datetime, *, sent: bool, at: datetime) -> bool:
        """Claim a room's weekly moment, in the caller's transaction; False if it was claimed before."""
        changed = await self.db.execute(
            "INSERT INTO digests (room_id, due_at, state, done_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (room_id, due_at) DO NOTHING",
            (room_id, to_db(due_at), "sent" if sent else "empty", to_db(at)),
        )
        return changed == 1

    async def week(self, room_id: str, since: datetime, until: datetime, ahead: datetime) -> Week:
        """Proposals new, decided and worked on in [since, until), and those open with a deadline before `ahead`."""
        start, end = to_db(since), to_db(until)
        rows = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS}, status = 'go' AND closed IS NULL FROM proposals WHERE room_id = ? AND ("
            "(created_at >= ? AND created_at < ?) OR (status = 'open' AND deadline < ?) "
            "OR (decided_at >= ? AND decided_at < ?) OR (status = 'go' AND closed IS NULL)) ORDER BY number",
            (room_id, start, end, to_db(ahead), start, end),
        )
        proposals = [(_proposal(r), bool(r[-1])) for r in rows]
        new = [p for p, _ in proposals if since <= p.created_at < until]
        closing = [p for p, _ in proposals if p.is_open and p.deadline < ahead]
        decided = [
            p
            for p, _ in proposals
            if p.decided_at is not None and since <= p.decided_at < until and p.status.value != "cancelled"
        ]
        going = [p for p, underway in proposals if underway]
        totals = await self._totals([p.id for p in closing])
        backers = await self._backers([p.id for p in decided])
        work = await self._work([p.id for p in going], start, end)
        underway = [p for p in going if (w := work.get(p.id)) and (w.updates or w.reported or w.confirmed)]
        return Week(new, closing, decided, underway, totals, backers, work)

    async def _totals(self, ids: list[int]) -> dict[int, Totals]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetch_all(
            "SELECT g.proposal_id, SUM(g.user_id != p.proposer), SUM(g.money_cents), SUM(g.minutes) "
            f"FROM pledges g JOIN proposals p ON p.id = g.proposal_id WHERE g.proposal_id IN ({marks}) "
            "GROUP BY g.proposal_id",
            tuple(ids),
        )
        found = {int(r[0]): Totals(int(r[1]), int(r[2]), int(r[3])) for r in rows}
        return {pid: found.get(pid, Totals(0, 0, 0)) for pid in ids}

    async def _backers(self, ids: list[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetch_all(
            "SELECT g.proposal_id, g.user_id FROM pledges g JOIN proposals p ON p.id = g.proposal_id "
            f"WHERE g.proposal_id IN ({marks}) AND g.user_id != p.proposer ORDER BY g.pledged_at, g.user_id",
            tuple(ids),
        )
        found: dict[int, list[str]] = defaultdict(list)
        for row in rows:
            found[int(row[0])].append(str(row[1]))
        return {pid: found.get(pid, []) for pid in ids}

    async def _work(self, ids: list[int], start: int, end: int) -> dict[int, WorkWeek]:
        """Per GO proposal: updates, deliveries reported and confirmed in the week; pledged minus reported."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetch_all(
            "SELECT p.id, "
            "(SELECT COUNT(*) FROM updates u WHERE u.proposal_id = p.id AND u.at >= ? AND u.at < ?), "
            "(SELECT COUNT(*) FROM deliveries d WHERE d.proposal_id = p.id AND d.at >= ? AND d.at < ?), "
            "(SELECT COUNT(*) FROM deliveries d WHERE d.proposal_id = p.id AND d.confirmed_at >= ? "
            " AND d.confirmed_at < ?), "
            "(SELECT COALESCE(SUM(money_cents), 0) FROM pledges g WHERE g.proposal_id = p.id) "
            " - (SELECT COALESCE(SUM(money_cents), 0) FROM deliveries d WHERE d.proposal_id = p.id), "
            "(SELECT COALESCE(SUM(minutes), 0) FROM pledges g WHERE g.proposal_id = p.id) "
            " - (SELECT COALESCE(SUM(minutes), 0) FROM deliveries d WHERE d.proposal_id = p.id) "
            f"FROM proposals p WHERE p.id IN ({marks})",
            (start, end, start, end, start, end, *ids),
        )
        return {
            int(r[0]): WorkWeek(int(r[1]), int(r[2]), int(r[3]), max(0, int(r[4])), max(0, int(r[5]))) for r in rows
        }
