"""Members' display names per room, learnt from their messages (written per batch by storage.intake)."""

from __future__ import annotations

import sqlite3

from storage.db import Database


class MemberQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        return await self.db.run(lambda conn: names_in_room(conn, room_id, user_ids))


def names_in_room(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """`display_names` for code already on the database thread (see Database.run)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = conn.execute(
        f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})", (room_id, *user_ids)
    )
    return {str(r[0]): str(r[1]) for r in rows}
