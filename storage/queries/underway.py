"""After GO: the updates told in a proposal's thread, and the deliveries of its backers and their confirmation."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import datetime

from storage.db import Database
from storage.records import Delivery, Update
from storage.timeconv import from_db, from_db_optional, to_db

_DELIVERY_COLUMNS = (
    "id, proposal_id, user_id, money_cents, minutes, note, at, confirmed_by, confirmed_at, confirm_event_id"
)


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row[0],
        proposal_id=row[1],
        user_id=row[2],
        money_cents=row[3],
        minutes=row[4],
        note=row[5],
        at=from_db(row[6]),
        confirmed_by=row[7],
        confirmed_at=from_db_optional(row[8]),
        confirm_event_id=row[9],
    )


class UnderwayQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    # updates
    async def add_update(self, proposal_id: int, update: Update, event_id: str) -> None:
        await self.db.execute(
            "INSERT INTO updates (proposal_id, user_id, text, percent, at, event_id) VALUES (?, ?, ?, ?, ?, ?)",
            (proposal_id, update.user_id, update.text, update.percent, to_db(update.at), event_id),
        )

    async def updates(self, proposal_id: int) -> list[Update]:
        """Oldest first."""
        rows = await self.db.fetch_all(
            "SELECT user_id, text, percent, at FROM updates WHERE proposal_id = ? ORDER BY at, id", (proposal_id,)
        )
        return [Update(r[0], r[1], r[2], from_db(r[3])) for r in rows]

    # deliveries
    async def add_delivery(
        self, proposal_id: int, user_id: str, money_cents: int, minutes: int, note: str, at: datetime, event_id: str
    ) -> Delivery:
        def insert(conn: sqlite3.Connection) -> Delivery:
            cursor = conn.execute(
                "INSERT INTO deliveries (proposal_id, user_id, money_cents, minutes, note, at, event_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (proposal_id, user_id, money_cents, minutes, note, to_db(at), event_id),
            )
            row = conn.execute(f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?", (cursor.lastrowid,))
            return _delivery(row.fetchone())

        return await self.db.run(insert)

    async def delivery(self, delivery_id: int) -> Delivery | None:
        row = await self.db.fetch_one(f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?", (delivery_id,))
        return None if row is None else _delivery(row)

    async def deliveries(self, proposal_ids: Collection[int]) -> list[Delivery]:
        """Of one or more proposals, oldest first."""
        if not proposal_ids:
            return []
        marks = ",".join("?" * len(proposal_ids))
        rows = await self.db.fetch_all(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE proposal_id IN ({marks}) ORDER BY at, id",
            tuple(proposal_ids),
        )
        return [_delivery(r) for r in rows]

    async def confirmed_minutes_by_member(self, room_id: str) -> dict[str, int]:
        """Hours worked and confirmed, per member, over every proposal of the room."""
        rows = await self.db.fetch_all(
            "SELECT d.user_id, SUM(d.minutes) FROM deliveries d JOIN proposals p ON p.id = d.proposal_id "
            "WHERE p.room_id = ? AND d.confirmed_by IS NOT NULL GROUP BY d.user_id",
            (room_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def confirm(self, delivery_ids: Collection[int], by: str, at: datetime, event_id: str) -> None:
        await self.db.executemany(
            "UPDATE deliveries SET confirmed_by = ?, confirmed_at = ?, confirm_event_id = ? "
            "WHERE id = ? AND confirmed_by IS NULL",
            [(by, to_db(at), event_id, delivery_id) for delivery_id in delivery_ids],
        )

    async def unconfirm(self, delivery_ids: Collection[int]) -> None:
        await self.db.executemany(
            "UPDATE deliveries SET confirmed_by = NULL, confirmed_at = NULL, confirm_event_id = NULL WHERE id = ?",
            [(delivery_id,) for delivery_id in delivery_ids],
        )
