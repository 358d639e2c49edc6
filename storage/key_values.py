"""Small key-value state: the sync token, the stored login, the served rooms, counters."""

from __future__ import annotations

from collections.abc import Mapping

from storage.db import Database


class KeyValueQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def set_many(self, values: Mapping[str, str]) -> None:
        """Several keys in one round trip."""
        await self.db.executemany(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            values.items(),
        )

    async def delete(self, key: str) -> None:
        await self.db.execute("DELETE FROM kv WHERE key = ?", (key,))
