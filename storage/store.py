"""The store facade: one database (which owns the connection and its lock) and the query modules that share it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from storage.db import Database
from storage.key_values import KeyValueQueries
from storage.queries.board import BoardQueries
from storage.queries.bot_messages import BotMessageQueries
from storage.queries.credits import CreditQueries
from storage.queries.digests import DigestQueries
from storage.queries.encrypted import EncryptedQueries
from storage.queries.intake import IntakeQueries
from storage.queries.member_data import MemberDataQueries
from storage.queries.members import MemberQueries
from storage.queries.messages import MessageQueries
from storage.queries.outbox import OutboxQueries
from storage.queries.payments import PaymentQueries
from storage.queries.proposals import ProposalQueries
from storage.queries.room_settings import RoomSettingQueries
from storage.queries.schedule import ScheduleQueries
from storage.queries.talents import TalentQueries
from storage.queries.underway import UnderwayQueries


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.key_values = KeyValueQueries(db)
        self.intake = IntakeQueries(db)
        self.members = MemberQueries(db)
        self.messages = MessageQueries(db)
        self.encrypted = EncryptedQueries(db)
        self.credits = CreditQueries(db)
        self.proposals = ProposalQueries(db)
        self.schedule = ScheduleQueries(db)
        self.outbox = OutboxQueries(db)
        self.bot_messages = BotMessageQueries(db)
        self.room_settings = RoomSettingQueries(db)
        self.underway = UnderwayQueries(db)
        self.talents = TalentQueries(db)
        self.member_data = MemberDataQueries(db)
        self.board = BoardQueries(db)
        self.payments = PaymentQueries(db)
        self.digests = DigestQueries(db)

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One unit of work under the database's lock; no other transaction or savepoint can open beside it."""
        async with self.db.transaction():
            yield

    @asynccontextmanager
    async def savepoint(self, first: Callable[[sqlite3.Connection], object] | None = None) -> AsyncIterator[None]:
        """A nested unit of the current transaction; `first` runs just before it, in the same round trip."""
        async with self.db.savepoint(first):
            yield
