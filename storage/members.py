"""Members' display names per room, learnt from their messages (written per batch by storage.intake)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.db import Database
from storage.timeconv import from_db


class MemberQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        return await self.db.run(lambda conn: names_in_room(conn, room_id, user_ids))

    async def joined_at(self, room_id: str, user_id: str) -> datetime | None:
        """When Kring first saw the member join the room; None if it never did."""
        row = await self.db.fetch_one(
            "SELECT joined_at FROM joins WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        )
        return from_db(row[0]) if row else None

    async def is_known(self, room_id: str, user_id: str) -> bool:
        """Whether Kring knows the user as a member of the room: it saw them join, or speak there."""
        row = await self.db.fetch_one(
            "SELECT 1 FROM joins WHERE room_id = ? AND user_id = ? "
            "UNION ALL SELECT 1 FROM members WHERE room_id = ? AND user_id = ? LIMIT 1",
            (room_id, user_id, room_id, user_id),
        )
        return row is not None


def names_in_room(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """`display_names` for code already on the database thread (see Database.run)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = conn.execute(
        f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})", (room_id, *user_ids)
    )
    return {str(r[0]): str(r[1]) for r in rows}
