"""Queries for proposals, pledges (current and history) and objections."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection
from datetime import datetime
from typing import NamedTuple

from storage.db import Database
from storage.queries.members import names_in_room
from storage.records import Involvement, NewProposal, Objection, Pledge, Proposal, Status, Totals
from storage.timeconv import from_db, from_db_optional, to_db

_PROPOSAL_COLUMNS = (
    "id, room_id, number, title, description, proposer, money_goal_cents, hours_goal_minutes, min_backers, "
    "deadline, created_at, idea_event_id, COALESCE(closed, status), decided_at, cancel_reason, fully_backed_at, "
    "closed_at, close_reason, thread_root, needs"
)


class Listing(NamedTuple):
    """What `!proposals` shows: the open proposals, the latest underway, how many are underway, their totals."""

    open_ones: list[Proposal]
    underway: list[Proposal]
    underway_count: int
    totals: dict[int, Totals]


class ProposalQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, new: NewProposal) -> Proposal:
        """Store a new proposal; it gets the next number in its room."""

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO proposals (room_id, number, title, description, proposer, money_goal_cents, "
                "hours_goal_minutes, min_backers, deadline, created_at, source_event_id, idea_event_id, needs) "
                "VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM proposals WHERE room_id = ?), "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.room_id,
                    new.room_id,
                    new.title,
                    new.description,
                    new.proposer,
                    new.money_goal_cents,
                    new.hours_goal_minutes,
                    new.min_backers,
                    to_db(new.deadline),
                    to_db(new.created_at),
                    new.source_event_id,
                    new.idea_event_id,
                    json.dumps(list(new.needs)),
                ),
            )
            return int(cursor.lastrowid or 0)

        created = await self.get(await self.db.run(insert))
        assert created is not None
        return created

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetch_one(f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE id = ?", (proposal_id,))
        return None if row is None else _proposal(row)

    async def by_number(self, room_id: str, number: int) -> Proposal | None:
        row = await self.db.fetch_one(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND number = ?", (room_id, number)
        )
        return None if row is None else _proposal(row)

    async def underway_in_room(self, room_id: str, limit: int) -> tuple[list[Proposal], int]:
        """The `limit` proposals decided GO most recently and not closed yet (oldest of them first), and how many
        are underway in all: a room may carry on hundreds, and a listing shows the latest."""
        return await self.db.run(lambda conn: _underway_in_room(conn, room_id, limit))

    async def listing(self, room_id: str, underway_limit: int) -> Listing:
        """What `!proposals` shows, in one round trip: the open proposals, those underway (as `underway_in_room`)
        and the totals pledged to each."""

        def read(conn: sqlite3.Connection) -> Listing:
            open_ones = _open_in_room(conn, room_id)
            underway, count = _underway_in_room(conn, room_id, underway_limit)
            return Listing(open_ones, underway, count, _totals(conn, [p.id for p in (*open_ones, *underway)]))

        return await self.db.run(read)

    async def underway_backed_by(self, room_id: str, user_id: str) -> list[Proposal]:
        """The proposals underway (GO, not closed) that `user_id` pledged to, oldest decision first."""
        rows = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND status = 'go' AND closed IS NULL "
            "AND id IN (SELECT proposal_id FROM pledges WHERE user_id = ?) ORDER BY decided_at, number",
            (room_id, user_id),
        )
        return [_proposal(r) for r in rows]

    async def of_proposer(self, room_id: str, user_id: str, recent: int) -> list[Proposal]:
        """The member's proposals in the room: every open or underway one, and the `recent` latest of the others
        (decided, cancelled or closed); by number."""
        current = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND proposer = ? "
            "AND status IN ('open', 'go') AND closed IS NULL",
            (room_id, user_id),
        )
        past = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND proposer = ? "
            "AND (status NOT IN ('open', 'go') OR closed IS NOT NULL) ORDER BY number DESC LIMIT ?",
            (room_id, user_id, recent),
        )
        return sorted((_proposal(r) for r in (*current, *past)), key=lambda p: p.number)

    async def finished_in_room(self, room_id: str, limit: int, offset: int) -> tuple[list[Proposal], int]:
        """The decided and closed proposals (NO-GO, cancelled, done, dropped), newest first, `limit` of them from
        `offset` on, and how many there are in all."""
        finished = "room_id = ? AND status != 'open' AND NOT (status = 'go' AND closed IS NULL)"
        rows = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE {finished} "
            "ORDER BY COALESCE(closed_at, decided_at, created_at) DESC, number DESC LIMIT ? OFFSET ?",
            (room_id, limit, offset),
        )
        count = await self.db.fetch_one(f"SELECT COUNT(*) FROM proposals WHERE {finished}", (room_id,))
        return [_proposal(r) for r in rows], int(count[0]) if count else 0

    async def by_thread_root(self, event_id: str) -> Proposal | None:
        row = await self.db.fetch_one(f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE thread_root = ?", (event_id,))
        return None if row is None else _proposal(row)

    async def thread_latest(self, thread_root: str) -> str:
        """The latest event in a proposal's thread (its root when nothing followed): what a message posted in the
        thread quotes for clients that show no threads."""
        row = await self.db.fetch_one("SELECT thread_latest FROM proposals WHERE thread_root = ?", (thread_root,))
        return str(row[0]) if row is not None and row[0] else thread_root

    async def close(self, proposal_id: int, status: Status, at: datetime, reason: str | None) -> None:
        """Done or dropped: a GO proposal carried out, or given up."""
        await self.db.execute(
            "UPDATE proposals SET closed = ?, closed_at = ?, close_reason = ? WHERE id = ? AND closed IS NULL",
            (status.value, to_db(at), reason, proposal_id),
        )

    async def open_in_room(self, room_id: str) -> list[Proposal]:
        return await self.db.run(lambda conn: _open_in_room(conn, room_id))

    async def in_room(self, room_id: str) -> list[Proposal]:
        rows = await self.db.fetch_all(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? ORDER BY number", (room_id,)
        )
        return [_proposal(r) for r in rows]

    async def backed_by(self, room_id: str, user_id: str) -> int:
        """How many proposals of the room the member backs (or backed, once decided); a proposer's own pledge is no
        backer's."""
        row = await self.db.fetch_one(
            "SELECT COUNT(*) FROM pledges g JOIN proposals p ON p.id = g.proposal_id WHERE p.room_id = ? "
            "AND g.user_id = ? AND g.user_id != p.proposer",
            (room_id, user_id),
        )
        return int(row[0]) if row else 0

    async def rooms(self) -> list[str]:
        rows = await self.db.fetch_all("SELECT room_id FROM proposals UNION SELECT room_id FROM reputation ORDER BY 1")
        return [str(r[0]) for r in rows]

    async def move_room(self, old_room: str, new_room: str) -> None:
        """Follow a room upgrade: proposals, credits and remembered messages move to the new room id (the room's own
        settings move with `RoomSettingQueries.move_room`)."""
        await self.db.execute(  # days in the room count from the first join in either (the rejoin is newer)
            "UPDATE joins SET joined_at = (SELECT MIN(o.joined_at) FROM joins o WHERE o.user_id = joins.user_id "
            "AND o.room_id IN (?, ?)) WHERE room_id = ?",
            (old_room, new_room, new_room),
        )
        tables = ("proposals", "credits", "messages", "members", "talents", "askable", "needs")
        for table in (*tables, "joins", "told"):
            await self.db.execute(f"UPDATE OR IGNORE {table} SET room_id = ? WHERE room_id = ?", (new_room, old_room))
        await self.db.execute(
            "UPDATE outbox SET room_id = ? WHERE room_id = ? AND state = 'pending'", (new_room, old_room)
        )
        await self.db.execute("DELETE FROM reputation WHERE room_id IN (?, ?)", (old_room, new_room))
        await self.db.execute(
            "INSERT INTO reputation (room_id, user_id, credits) "
            "SELECT room_id, receiver, SUM(delta) FROM credits WHERE room_id = ? GROUP BY receiver",
            (new_room,),
        )

    async def set_status(
        self, proposal_id: int, status: Status, at: datetime, cancel_reason: str | None = None
    ) -> None:
        await self.db.execute(
            "UPDATE proposals SET status = ?, decided_at = ?, cancel_reason = ? WHERE id = ?",
            (status.value, to_db(at), cancel_reason, proposal_id),
        )

    async def set_deadline(self, proposal_id: int, deadline: datetime) -> None:
        await self.db.execute("UPDATE proposals SET deadline = ? WHERE id = ?", (to_db(deadline), proposal_id))

    async def mark_fully_backed(self, proposal_id: int, at: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE proposals SET fully_backed_at = ? WHERE id = ? AND fully_backed_at IS NULL",
            (to_db(at), proposal_id),
        )
        return changed == 1

    # pledges
    async def pledges(self, proposal_id: int) -> list[Pledge]:
        rows = await self.db.fetch_all(_PLEDGES, (proposal_id,))
        return [_pledge(r) for r in rows]

    async def involvement(
        self,
        proposal: Proposal,
        others: Collection[str] = (),
        *,
        first: Callable[[sqlite3.Connection], object] | None = None,
    ) -> Involvement:
        """Pledges, objections and the names of the proposer, backers, objectors and `others`: one round trip,
        after `first` (e.g. a `pledge_writer`) in the same round trip."""

        def read(conn: sqlite3.Connection) -> Involvement:
            if first is not None:
                first(conn)
            pledges = [_pledge(r) for r in conn.execute(_PLEDGES, (proposal.id,))]
            objections = [_objection(r) for r in conn.execute(_OBJECTIONS, (proposal.id,))]
            people = {proposal.proposer, *(p.user_id for p in pledges), *(o.user_id for o in objections), *others}
            return Involvement(pledges, objections, names_in_room(conn, proposal.room_id, sorted(people)))

        return await self.db.run(read)

    async def totals(self, proposal_ids: Collection[int]) -> dict[int, Totals]:
        """Backers, money and hours pledged to each of several proposals, in one query."""
        if not proposal_ids:
            return {}
        return await self.db.run(lambda conn: _totals(conn, proposal_ids))

    async def pledge(self, proposal_id: int, pledge: Pledge, event_id: str) -> None:
        """Place or replace a member's pledge, and append it to the history (one round trip)."""
        await self.db.run(self.pledge_writer(proposal_id, pledge, event_id))

    @staticmethod
    def pledge_writer(proposal_id: int, pledge: Pledge, event_id: str) -> Callable[[sqlite3.Connection], None]:
        """`pledge`, for code already on the database thread (e.g. `involvement(first=…)`)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO pledges (proposal_id, user_id, money_cents, minutes, note, pledged_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id, user_id) DO UPDATE SET "
                "money_cents = excluded.money_cents, minutes = excluded.minutes, note = excluded.note, "
                "pledged_at = excluded.pledged_at",
                (
                    proposal_id,
                    pledge.user_id,
                    pledge.money_cents,
                    pledge.minutes,
                    pledge.note,
                    to_db(pledge.pledged_at),
                ),
            )
            _history(conn, proposal_id, pledge, "pledge", event_id)

        return write

    async def withdraw(self, proposal_id: int, pledge: Pledge, event_id: str, at: datetime) -> None:
        """Take a member's pledge back, and append that to the history (one round trip)."""
        await self.db.run(self.withdrawer(proposal_id, pledge, event_id, at))

    @staticmethod
    def withdrawer(
        proposal_id: int, pledge: Pledge, event_id: str, at: datetime
    ) -> Callable[[sqlite3.Connection], None]:
        """`withdraw`, for code already on the database thread (e.g. `involvement(first=…)`)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM pledges WHERE proposal_id = ? AND user_id = ?", (proposal_id, pledge.user_id))
            _history(conn, proposal_id, Pledge(pledge.user_id, 0, 0, "", at), "withdraw", event_id)

        return write

    # objections
    async def object(self, proposal_id: int, objection: Objection) -> None:
        await self.db.execute(
            "INSERT INTO objections (proposal_id, user_id, reason, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (proposal_id, user_id) DO UPDATE SET reason = excluded.reason, at = excluded.at",
            (proposal_id, objection.user_id, objection.reason, to_db(objection.at)),
        )

    async def edit(
        self,
        proposal_id: int,
        *,
        title: str,
        description: str,
        money_goal_cents: int | None,
        hours_goal_minutes: int | None,
        min_backers: int,
    ) -> None:
        """New terms for a proposal nobody has pledged to yet."""
        await self.db.execute(
            "UPDATE proposals SET title = ?, description = ?, money_goal_cents = ?, hours_goal_minutes = ?, "
            "min_backers = ? WHERE id = ?",
            (title, description, money_goal_cents, hours_goal_minutes, min_backers, proposal_id),
        )

    async def withdraw_objection(self, proposal_id: int, user_id: str) -> None:
        await self.db.execute("DELETE FROM objections WHERE proposal_id = ? AND user_id = ?", (proposal_id, user_id))

    async def objections(self, proposal_id: int) -> list[Objection]:
        rows = await self.db.fetch_all(_OBJECTIONS, (proposal_id,))
        return [_objection(r) for r in rows]


def _open_in_room(conn: sqlite3.Connection, room_id: str) -> list[Proposal]:
    rows = conn.execute(
        f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND status = 'open' ORDER BY deadline, number",
        (room_id,),
    )
    return [_proposal(r) for r in rows]


def _underway_in_room(conn: sqlite3.Connection, room_id: str, limit: int) -> tuple[list[Proposal], int]:
    rows = conn.execute(
        f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE room_id = ? AND status = 'go' AND closed IS NULL "
        "ORDER BY decided_at DESC, number DESC LIMIT ?",
        (room_id, limit),
    ).fetchall()
    count = conn.execute(
        "SELECT COUNT(*) FROM proposals WHERE room_id = ? AND status = 'go' AND closed IS NULL", (room_id,)
    ).fetchone()
    return [_proposal(r) for r in reversed(rows)], int(count[0]) if count else 0


def _totals(conn: sqlite3.Connection, proposal_ids: Collection[int]) -> dict[int, Totals]:
    if not proposal_ids:
        return {}
    marks = ",".join("?" * len(proposal_ids))
    rows = conn.execute(
        "SELECT g.proposal_id, SUM(g.user_id != p.proposer), SUM(g.money_cents), SUM(g.minutes) "
        f"FROM pledges g JOIN proposals p ON p.id = g.proposal_id WHERE g.proposal_id IN ({marks}) "
        "GROUP BY g.proposal_id",  # the proposer's own pledge is money and hours, not a backer
        tuple(proposal_ids),
    )
    found = {int(r[0]): Totals(int(r[1]), int(r[2]), int(r[3])) for r in rows}
    return {pid: found.get(pid, Totals(0, 0, 0)) for pid in proposal_ids}


def _history(conn: sqlite3.Connection, proposal_id: int, pledge: Pledge, action: str, event_id: str) -> None:
    conn.execute(
        "INSERT INTO pledge_history (proposal_id, user_id, action, money_cents, minutes, note, event_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            proposal_id,
            pledge.user_id,
            action,
            pledge.money_cents,
            pledge.minutes,
            pledge.note,
            event_id,
            to_db(pledge.pledged_at),
        ),
    )


_PLEDGES = (
    "SELECT user_id, money_cents, minutes, note, pledged_at FROM pledges WHERE proposal_id = ? "
    "ORDER BY pledged_at, user_id"
)
_OBJECTIONS = "SELECT user_id, reason, at FROM objections WHERE proposal_id = ? ORDER BY at, user_id"


def _pledge(row: sqlite3.Row) -> Pledge:
    return Pledge(row[0], row[1], row[2], row[3], from_db(row[4]))


def _objection(row: sqlite3.Row) -> Objection:
    return Objection(row[0], row[1], from_db(row[2]))


def _proposal(row: sqlite3.Row) -> Proposal:
    return Proposal(
        id=row[0],
        room_id=row[1],
        number=row[2],
        title=row[3],
        description=row[4],
        proposer=row[5],
        money_goal_cents=row[6],
        hours_goal_minutes=row[7],
        min_backers=row[8],
        deadline=from_db(row[9]),
        created_at=from_db(row[10]),
        idea_event_id=row[11],
        status=Status(row[12]),
        decided_at=from_db_optional(row[13]),
        cancel_reason=row[14],
        fully_backed_at=from_db_optional(row[15]),
        closed_at=from_db_optional(row[16]),
        close_reason=row[17],
        thread_root=row[18],
        needs=tuple(json.loads(row[19])),
    )
