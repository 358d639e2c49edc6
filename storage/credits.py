"""Queries for the credit ledger (append-only; a redaction writes a reversal) and the reputation totals."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from storage.db import fetch_one
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


CREDIT_COLUMNS = "id, room_id, giver, receiver, delta, reason, source_event_id, target_event_id, emoji, at"


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

    async def balance(self, room_id: str, user_id: str) -> int:
        row = await fetch_one(
            self.conn, "SELECT credits FROM reputation WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        )
        return int(row[0]) if row else 0

    async def standing(self, room_id: str, user_id: str) -> Standing | None:
        """A member's credits and rank (1 = most), or None if they never received any credit."""
        row = await fetch_one(
            self.conn,
            "SELECT r.credits, (SELECT COUNT(*) FROM reputation a WHERE a.room_id = r.room_id "
            "AND a.credits > r.credits) FROM reputation r WHERE r.room_id = ? AND r.user_id = ?",
            (room_id, user_id),
        )
        return None if row is None else Standing(user_id, int(row[0]), 1 + int(row[1]))

    async def leaderboard(self, room_id: str, limit: int) -> list[Standing]:
        """The `limit` members with most credits, read from the top of the index, not ranked over the whole room.

        Ties share a rank (1, 2, 2, 4): rows come in descending order, so everyone above a row is before it.
        """
        rows = await self.conn.execute_fetchall(
            "SELECT user_id, credits FROM reputation WHERE room_id = ? AND credits != 0 "
            "ORDER BY credits DESC, user_id LIMIT ?",
            (room_id, limit),
        )
        board: list[Standing] = []
        for position, (user_id, credits) in enumerate(rows, start=1):
            rank = board[-1].rank if board and board[-1].credits == credits else position
            board.append(Standing(str(user_id), int(credits), rank))
        return board

    async def all_balances(self, room_id: str) -> dict[str, int]:
        rows = await self.conn.execute_fetchall(
            "SELECT user_id, credits FROM reputation WHERE room_id = ? ORDER BY user_id", (room_id,)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def ledger(self, room_id: str) -> list[Credit]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {CREDIT_COLUMNS} FROM credits WHERE room_id = ? ORDER BY id", (room_id,)
        )
        return [credit_from_row(r) for r in rows]


def credit_from_row(row: sqlite3.Row) -> Credit:
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
