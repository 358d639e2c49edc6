"""Small key-value state: the sync token, the stored login, the served rooms, counters."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping

from storage.db import Database

_SET = "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


class KeyValueQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(_SET, (key, value))

    async def set_many(self, values: Mapping[str, str]) -> None:
        """Several keys in one round trip."""
        await self.db.executemany(_SET, values.items())

    @staticmethod
    def writer(values: Mapping[str, str]) -> Callable[[sqlite3.Connection], None]:
        """`set_many`, for code already on the database thread."""
        return functools.partial(_set_many, list(values.items()))

    async def delete(self, key: str) -> None:
        await self.db.execute("DELETE FROM kv WHERE key = ?", (key,))


def _set_many(rows: list[tuple[str, str]], conn: sqlite3.Connection) -> None:
    if rows:
        conn.executemany(_SET, rows)
