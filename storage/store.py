"""The store facade: one database connection and the query modules that share it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from storage.announcements import AnnouncementQueries
from storage.credits import CreditQueries
from storage.db import Database
from storage.events import EventQueries
from storage.intake import IntakeQueries
from storage.proposals import ProposalQueries


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.events = EventQueries(db.conn)
        self.credits = CreditQueries(db.conn)
        self.proposals = ProposalQueries(db)
        self.announcements = AnnouncementQueries(db.conn)
        self.intake = IntakeQueries(db)

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.db.transaction():
            yield

    @asynccontextmanager
    async def savepoint(self, first: Callable[[sqlite3.Connection], object] | None = None) -> AsyncIterator[None]:
        """A nested unit of the current transaction; `first` runs just before it, in the same round trip."""
        async with self.db.savepoint(first):
            yield
