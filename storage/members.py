"""Members' display names per room, learnt from their messages (written per batch by storage.intake)."""

from __future__ import annotations

import sqlite3

from storage.db import Database


class MemberQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        return await self.db.run(lambda conn: names_in_room(conn, room_id, user_ids))

    async def pseudonyms(self, room_id: str) -> dict[str, str]:
        """Forgotten members' pseudonyms as the room shows them, in its language ("former member 7": "oud-lid 7")."""
        rows = await self.db.fetch_all(
            "SELECT user_id, display_name FROM members WHERE room_id = ? AND substr(user_id, 1, 1) != '@'", (room_id,)
        )
        return {str(r[0]): str(r[1]) for r in rows}


def names_in_room(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """`display_names` for code already on the database thread (see Database.run)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = conn.execute(
        f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})", (room_id, *user_ids)
    )
    return {str(r[0]): str(r[1]) for r in rows}
