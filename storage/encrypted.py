"""Encrypted events Kring could not decrypt yet: parked until their keys arrive, never dropped."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.records import ParkedEvent
from storage.timeconv import from_db, to_db


class EncryptedQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def park(self, event_id: str, room_id: str, sender: str, source: str, at: datetime) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO encrypted_pending (event_id, room_id, sender, source, first_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            (event_id, room_id, sender, source, to_db(at)),
        )

    async def parked(self) -> list[ParkedEvent]:
        rows = await self.db.fetch_all(
            "SELECT event_id, room_id, sender, source, first_seen, explained FROM encrypted_pending "
            "ORDER BY first_seen, event_id"
        )
        return [ParkedEvent(r[0], r[1], r[2], r[3], from_db(r[4]), bool(r[5])) for r in rows]

    async def unpark(self, event_id: str) -> None:
        await self.db.execute("DELETE FROM encrypted_pending WHERE event_id = ?", (event_id,))

    async def mark_explained(self, event_ids: list[str]) -> None:
        await self.db.executemany(
            "UPDATE encrypted_pending SET explained = 1 WHERE event_id = ?", [(e,) for e in event_ids]
        )
