"""Queries for the credit ledger (append-only; a redaction writes a reversal) and the reputation totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from storage.timeconv import from_db, to_db


class CreditReason(StrEnum):
    REACTION = "reaction"
    REVERSAL = "reversal"
    GO_PROPOSER = "go_proposer"
    GO_BACKER = "go_backer"


@dataclass(frozen=True)
class Credit:
    id: int
    room_id: str
    giver: str | None
    receiver: str
    delta: int
    reason: CreditReason
    source_event_id: str | None
    target_event_id: str | None
    emoji: str | None
    at: datetime


@dataclass(frozen=True)
class Standing:
    user_id: str
    credits: int
    rank: int


_CREDIT_COLUMNS = "id, room_id, giver, receiver, delta, reason, source_event_id, target_event_id, emoji, at"


class CreditQueries:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        *,
        room_id: str,
        giver: str | None,
        receiver: str,
        delta: int,
        reason: CreditReason,
        at: datetime,
        source_event_id: str | None = None,
        target_event_id: str | None = None,
        emoji: str | None = None,
        proposal_id: int | None = None,
        reverses: int | None = None,
    ) -> None:
        """Append one ledger row and keep the reputation total in step, in the caller's transaction."""
        await self.conn.execute(
            "INSERT INTO credits (room_id, giver, receiver, delta, reason, source_event_id, target_event_id, "
            "emoji, proposal_id, reverses, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                room_id,
                giver,
                receiver,
                delta,
                reason.value,
                source_event_id,
                target_event_id,
                emoji,
                proposal_id,
                reverses,
                to_db(at),
            ),
        )
        await self.conn.execute(
            "INSERT INTO reputation (room_id, user_id, credits) VALUES (?, ?, ?) "
            "ON CONFLICT (room_id, user_id) DO UPDATE SET credits = credits + excluded.credits",
            (room_id, receiver, delta),
        )

    async def active_reaction(self, giver: str, target_event_id: str, emoji: str) -> Credit | None:
        """The unreversed credit this giver gave this message with this emoji, if any."""
        async with self.conn.execute(
            f"SELECT {_CREDIT_COLUMNS} FROM credits c WHERE c.reason = 'reaction' AND c.target_event_id = ? "
            "AND c.giver = ? AND c.emoji = ? AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id)",
            (target_event_id, giver, emoji),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else _credit(row)

    async def unreversed_by_reaction_event(self, reaction_event_id: str) -> Credit | None:
        async with self.conn.execute(
            f"SELECT {_CREDIT_COLUMNS} FROM credits c WHERE c.reason = 'reaction' AND c.source_event_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id)",
            (reaction_event_id,),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else _credit(row)

    async def given_between(self, room_id: str, giver: str, start: datetime, end: datetime) -> int:
        """How many reaction credits (up or down, reversed or not) a giver gave in [start, end)."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM credits WHERE reason = 'reaction' AND room_id = ? AND giver = ? "
            "AND at >= ? AND at < ?",
            (room_id, giver, to_db(start), to_db(end)),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def balance(self, room_id: str, user_id: str) -> int:
        async with self.conn.execute(
            "SELECT credits FROM reputation WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def standing(self, room_id: str, user_id: str) -> Standing | None:
        """A member's credits and rank (1 = most), or None if they never received any credit."""
        async with self.conn.execute(
            "SELECT credits FROM reputation WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        credits = int(row[0])
        async with self.conn.execute(
            "SELECT COUNT(*) FROM reputation WHERE room_id = ? AND credits > ?", (room_id, credits)
        ) as cur:
            above = await cur.fetchone()
        return Standing(user_id, credits, 1 + (int(above[0]) if above else 0))

    async def leaderboard(self, room_id: str, limit: int) -> list[Standing]:
        async with self.conn.execute(
            "SELECT user_id, credits, RANK() OVER (ORDER BY credits DESC) FROM reputation "
            "WHERE room_id = ? AND credits != 0 ORDER BY credits DESC, user_id LIMIT ?",
            (room_id, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [Standing(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def all_balances(self, room_id: str) -> dict[str, int]:
        async with self.conn.execute(
            "SELECT user_id, credits FROM reputation WHERE room_id = ? ORDER BY user_id", (room_id,)
        ) as cur:
            rows = await cur.fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    async def ledger(self, room_id: str) -> list[Credit]:
        async with self.conn.execute(
            f"SELECT {_CREDIT_COLUMNS} FROM credits WHERE room_id = ? ORDER BY id", (room_id,)
        ) as cur:
            rows = await cur.fetchall()
        return [_credit(r) for r in rows]


def _credit(row: aiosqlite.Row) -> Credit:
    return Credit(
        id=row[0],
        room_id=row[1],
        giver=row[2],
        receiver=row[3],
        delta=row[4],
        reason=CreditReason(row[5]),
        source_event_id=row[6],
        target_event_id=row[7],
        emoji=row[8],
        at=from_db(row[9]),
    )
