"""What each room chose for itself: its language (`!language`), and whether it gets the weekly digest.

Every command reads its room's language: it is kept in memory once read, and follows the transaction that
changes it (`Database.on_rollback`).
"""

from __future__ import annotations

import sqlite3

from storage.db import Database


def language_in(conn: sqlite3.Connection, room_id: str) -> str | None:
    """The language a moderator chose for the room, for code already on the database thread; None if none."""
    row = conn.execute("SELECT language FROM room_settings WHERE room_id = ?", (room_id,)).fetchone()
    return None if row is None else str(row[0])


class RoomSettingQueries:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._languages: dict[str, str | None] = {}  # room → its chosen language (None: none chosen), once read

    async def language(self, room_id: str) -> str | None:
        if room_id not in self._languages:
            self._languages[room_id] = await self.db.run(lambda conn: language_in(conn, room_id))
        return self._languages[room_id]

    async def set_language(self, room_id: str, language: str) -> None:
        await self.db.execute(
            "INSERT INTO room_settings (room_id, language) VALUES (?, ?) "
            "ON CONFLICT (room_id) DO UPDATE SET language = excluded.language",
            (room_id, language),
        )
        self._languages[room_id] = language
        self.db.on_rollback(lambda: self._languages.pop(room_id, None))  # read again from what was kept

    async def move_room(self, old_room: str, new_room: str) -> None:
        """Follow a room upgrade: the old room's choices become the new room's (unless it made its own)."""
        await self.db.execute("UPDATE OR IGNORE room_settings SET room_id = ? WHERE room_id = ?", (new_room, old_room))
        for room_id in (old_room, new_room):
            self._languages.pop(room_id, None)  # read again from the moved rows

    async def digest(self, room_id: str) -> bool | None:
        """Whether the room switched its weekly digest on or off; None: as configured."""
        row = await self.db.fetch_one("SELECT digest FROM room_settings WHERE room_id = ?", (room_id,))
        return None if row is None or row[0] is None else bool(row[0])

    async def set_digest(self, room_id: str, enabled: bool) -> None:
        await self.db.execute(
            "INSERT INTO room_settings (room_id, digest) VALUES (?, ?) "
            "ON CONFLICT (room_id) DO UPDATE SET digest = excluded.digest",
            (room_id, int(enabled)),
        )
