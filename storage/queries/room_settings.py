"""What each room chose for itself: its language (`!language`)."""

from __future__ import annotations

from storage.db import Database


class RoomSettingQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def language(self, room_id: str) -> str | None:
        row = await self.db.fetch_one("SELECT language FROM room_settings WHERE room_id = ?", (room_id,))
        return None if row is None else row[0]

    async def set_language(self, room_id: str, language: str) -> None:
        await self.db.execute(
            "INSERT INTO room_settings (room_id, language) VALUES (?, ?) "
            "ON CONFLICT (room_id) DO UPDATE SET language = excluded.language",
            (room_id, language),
        )
