"""Encrypted events Kring could not decrypt yet: parked until their keys arrive, or dropped after a bounded time."""

from __future__ import annotations

import sqlite3
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

    async def count(self) -> int:
        row = await self.db.fetch_one("SELECT count(*) FROM encrypted_pending")
        return 0 if row is None else int(row[0])

    async def drop_parked_before(self, moment: datetime, now: datetime) -> list[str]:
        """Drop the events parked before `moment`, ciphertext and all (in the caller's transaction), and note them
        as processed, so that a copy decrypted later counts for nothing too; their ids."""

        def drop(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                "SELECT event_id, room_id FROM encrypted_pending WHERE first_seen < ?", (to_db(moment),)
            ).fetchall()
            conn.executemany(
                "INSERT OR IGNORE INTO processed_events (event_id, room_id, processed_at) VALUES (?, ?, ?)",
                [(r[0], r[1], to_db(now)) for r in rows],
            )
            conn.executemany("DELETE FROM encrypted_pending WHERE event_id = ?", [(r[0],) for r in rows])
            return [str(r[0]) for r in rows]

        return await self.db.run(drop)

    async def mark_explained(self, event_ids: list[str]) -> None:
        await self.db.executemany(
            "UPDATE encrypted_pending SET explained = 1 WHERE event_id = ?", [(e,) for e in event_ids]
        )
