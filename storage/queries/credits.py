"""The credit ledger (append-only; a redaction writes a reversal) and the reputation totals kept in step with it.

The ledger's columns, and how a row maps to a `Credit`, are written down once, here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from datetime import datetime

from storage.db import Database
from storage.queries.members import names_in_room
from storage.records import Credit, CreditReason, Standing
from storage.timeconv import from_db, to_db

# A reversal stores the row id of the credit it reverses; a `Credit` names that credit's reaction instead.
_REVERSED_REACTION = "(SELECT r.source_event_id FROM credits r WHERE r.id = c.reverses)"
CREDIT_SELECT = (
    "SELECT c.room_id, c.giver, c.receiver, c.delta, c.reason, c.at, c.source_event_id, c.target_event_id, "
    f"c.emoji, c.proposal_id, {_REVERSED_REACTION} FROM credits c"
)
_CREDIT_INSERT = (
    "INSERT INTO credits (room_id, giver, receiver, delta, reason, at, source_event_id, target_event_id, emoji, "
    "proposal_id, reverses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "(SELECT id FROM credits WHERE reason = 'reaction' AND source_event_id = ?))"
)
_REPUTATION_ADD = (
    "INSERT INTO reputation (room_id, user_id, credits) VALUES (?, ?, ?) "
    "ON CONFLICT (room_id, user_id) DO UPDATE SET credits = credits + excluded.credits"
)


def credit_from_row(row: sqlite3.Row) -> Credit:
    return Credit(
        room_id=row[0],
        giver=row[1],
        receiver=row[2],
        delta=row[3],
        reason=CreditReason(row[4]),
        at=from_db(row[5]),
        source_event_id=row[6],
        target_event_id=row[7],
        emoji=row[8],
        proposal_id=row[9],
        reverses=row[10],
    )


def _credit_values(credit: Credit) -> tuple[object, ...]:
    return (
        credit.room_id,
        credit.giver,
        credit.receiver,
        credit.delta,
        credit.reason.value,
        to_db(credit.at),
        credit.source_event_id,
        credit.target_event_id,
        credit.emoji,
        credit.proposal_id,
        credit.reverses,
    )


def add_credits(conn: sqlite3.Connection, credits: Iterable[Credit]) -> None:
    """Append ledger rows, numbered by SQLite, and move the receivers' totals by the same amounts."""
    listed = list(credits)
    conn.executemany(_CREDIT_INSERT, [_credit_values(credit) for credit in listed])
    totals: dict[tuple[str, str], int] = {}
    for credit in listed:
        key = (credit.room_id, credit.receiver)
        totals[key] = totals.get(key, 0) + credit.delta
    conn.executemany(_REPUTATION_ADD, [(room_id, user_id, delta) for (room_id, user_id), delta in totals.items()])


class CreditQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, credits: Iterable[Credit]) -> None:
        """Append to the ledger and keep the reputation totals in step, in the caller's transaction."""
        listed = list(credits)
        if listed:
            await self.db.run(lambda conn: add_credits(conn, listed))

    async def reverse_from(
        self, source_event_ids: Collection[str], reasons: Collection[CreditReason], cause: str, at: datetime
    ) -> None:
        """Take back every credit of `reasons` that the events `source_event_ids` caused and that stands: a reversal
        row each (from `cause`), and the totals moved back."""
        if not source_event_ids:
            return

        def reverse(conn: sqlite3.Connection) -> None:
            sources, kinds = ",".join("?" * len(source_event_ids)), ",".join("?" * len(reasons))
            rows = conn.execute(
                "SELECT c.id, c.room_id, c.giver, c.receiver, c.delta, c.target_event_id, c.proposal_id "
                f"FROM credits c WHERE c.source_event_id IN ({sources}) AND c.reason IN ({kinds}) "
                "AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id) ORDER BY c.id",
                (*source_event_ids, *(reason.value for reason in reasons)),
            ).fetchall()
            conn.executemany(
                "INSERT INTO credits (room_id, giver, receiver, delta, reason, at, source_event_id, target_event_id, "
                "proposal_id, reverses) VALUES (?, ?, ?, ?, 'reversal', ?, ?, ?, ?, ?)",
                [(r[1], r[2], r[3], -r[4], to_db(at), cause, r[5], r[6], r[0]) for r in rows],
            )
            conn.executemany(_REPUTATION_ADD, [(r[1], r[3], -r[4]) for r in rows])

        await self.db.run(reverse)

    async def standing_for(self, proposal_id: int, receiver: str, reason: CreditReason) -> int:
        """What `receiver` holds, for one proposal, from credits of one `reason` that were not taken back."""
        row = await self.db.fetch_one(
            "SELECT COALESCE(SUM(c.delta), 0) FROM credits c WHERE c.proposal_id = ? AND c.receiver = ? "
            "AND c.reason = ? AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id)",
            (proposal_id, receiver, reason.value),
        )
        return int(row[0]) if row else 0

    async def balance(self, room_id: str, user_id: str) -> int:
        row = await self.db.fetch_one(
            "SELECT credits FROM reputation WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        )
        return int(row[0]) if row else 0

    async def standing(self, room_id: str, user_id: str) -> Standing | None:
        """A member's credits and rank (1 = most), or None if they never received any credit."""
        row = await self.db.fetch_one(
            "SELECT r.credits, (SELECT COUNT(*) FROM reputation a WHERE a.room_id = r.room_id "
            "AND a.credits > r.credits) FROM reputation r WHERE r.room_id = ? AND r.user_id = ?",
            (room_id, user_id),
        )
        return None if row is None else Standing(user_id, int(row[0]), 1 + int(row[1]))

    async def leaderboard(self, room_id: str, limit: int, *, show_negative: bool = True) -> list[Standing]:
        """The `limit` members with most credits, read from the top of the index, not ranked over the whole room;
        members who opted out of reputation are left out, and negative totals unless `show_negative`.

        Ties share a rank (1, 2, 2, 4): rows come in descending order, so everyone above a row is before it.
        """
        return await self.db.run(lambda conn: _leaderboard(conn, room_id, limit, show_negative))

    async def leaderboard_named(
        self, room_id: str, limit: int, *, show_negative: bool = True
    ) -> tuple[list[Standing], dict[str, str]]:
        """`leaderboard`, with the names of those on it as messages show them (`display_names`): one round trip."""

        def read(conn: sqlite3.Connection) -> tuple[list[Standing], dict[str, str]]:
            board = _leaderboard(conn, room_id, limit, show_negative)
            return board, names_in_room(conn, room_id, [s.user_id for s in board]) if board else {}

        return await self.db.run(read)

    async def all_balances(self, room_id: str) -> dict[str, int]:
        rows = await self.db.fetch_all(
            "SELECT user_id, credits FROM reputation WHERE room_id = ? ORDER BY user_id", (room_id,)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def ledger(self, room_id: str) -> list[Credit]:
        rows = await self.db.fetch_all(f"{CREDIT_SELECT} WHERE c.room_id = ? ORDER BY c.id", (room_id,))
        return [credit_from_row(r) for r in rows]

    async def given_after(self, after_id: int | None) -> tuple[int, int]:
        """Credits given (positive entries) in ledger rows after `after_id`, and the last row id: counted on from
        there next time, a short range scan on the primary key. `None`: only the last row id, nothing counted."""
        if after_id is None:
            row = await self.db.fetch_one("SELECT COALESCE(MAX(id), 0) FROM credits")
            return 0, int(row[0]) if row else 0
        row = await self.db.fetch_one(
            "SELECT COALESCE(SUM(MAX(delta, 0)), 0), COALESCE(MAX(id), ?) FROM credits WHERE id > ?",
            (after_id, after_id),
        )
        return (int(row[0]), int(row[1])) if row else (0, after_id)


def _leaderboard(conn: sqlite3.Connection, room_id: str, limit: int, show_negative: bool) -> list[Standing]:
    rows = conn.execute(
        f"SELECT user_id, credits FROM reputation WHERE room_id = ? AND credits {'!=' if show_negative else '>'} 0 "
        "AND user_id NOT IN (SELECT user_id FROM opted_out) ORDER BY credits DESC, user_id LIMIT ?",
        (room_id, limit),
    )
    board: list[Standing] = []
    for position, (user_id, credits) in enumerate(rows, start=1):
        rank = board[-1].rank if board and board[-1].credits == credits else position
        board.append(Standing(str(user_id), int(credits), rank))
    return board
