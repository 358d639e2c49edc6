"""The one place that reaches into aiosqlite: run a function on its worker thread with the plain sqlite3 connection.

aiosqlite has no public call for "run this function on your thread"; every one of its own methods is built on
the private `Connection._execute`. Going through it lets a function run hundreds of statements for one round
trip to the worker thread (tens of µs each). tests/unit/storage/test_sqlite_thread.py is the contract that says this
still works with the installed aiosqlite, whose version pyproject.toml bounds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar, cast

import aiosqlite

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


class SqliteThread:
    """An SQLite connection that lives on its own worker thread; `call` runs work there, one call at a time."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    async def connect(cls, path: str) -> SqliteThread:
        connection = await aiosqlite.connect(path, isolation_level=None)  # autocommit: we say BEGIN ourselves
        connection.row_factory = sqlite3.Row
        return cls(connection)

    async def call(self, work: Work[T]) -> T:
        """Run `work` on the worker thread. Every statement Kring sends goes through here (tests wrap it)."""
        raw: sqlite3.Connection = self._connection._conn
        result = await self._connection._execute(work, raw)  # type: ignore[no-untyped-call]
        return cast(T, result)

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    async def close(self) -> None:
        await self._connection.close()
