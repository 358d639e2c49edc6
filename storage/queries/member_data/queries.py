"""The store's queries on members' own data: opting out of reputation, a copy, being forgotten, and how long
message text is kept."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.queries.member_data.copies import data_of, held_user_ids, rooms_of
from storage.queries.member_data.forgetting import (
    Forgetting,
    digest,
    forget_member,
    forgotten_since,
    next_former_number,
    remember_forgotten,
)
from storage.queries.member_data.tables import FORGET_REQUEST, KEY, TEXTS_CLEARED_ON
from storage.records import is_user_id
from storage.timeconv import from_db, to_db

log = logging.getLogger(__name__)


class MemberDataQueries:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._forgotten: frozenset[str] | None = None  # digests, read once and kept until the next forgetting
        self._key: bytes | None = None
        # Moves on every opt-out, opt-in and forgetting, and again when one is rolled back: what the engine read
        # may be stale.
        self.generation = 0
        self._opted_out: frozenset[str] | None = None
        self.scrub_due = False  # a forgetting was committed: empty the WAL

    # opting out of reputation
    async def opt_out(self, user_id: str, at: datetime) -> bool:
        """True when they were not opted out yet."""
        self._changed()
        return (
            await self.db.execute(
                "INSERT OR IGNORE INTO opted_out (user_id, opted_out_at) VALUES (?, ?)", (user_id, to_db(at))
            )
            == 1
        )

    async def opt_in(self, user_id: str) -> bool:
        """True when they were opted out."""
        self._changed()
        return await self.db.execute("DELETE FROM opted_out WHERE user_id = ?", (user_id,)) == 1

    async def opted_out(self) -> frozenset[str]:
        """Who opted out, read once and kept until an opt-out, opt-in, forgetting or rollback (every batch with
        reactions asks)."""
        if self._opted_out is None:
            self._opted_out = frozenset(str(r[0]) for r in await self.db.fetch_all("SELECT user_id FROM opted_out"))
        return self._opted_out

    # a copy
    async def data_of(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row that names the member, by section (names, messages, credits, pledges, …)."""
        return await self.db.run(lambda conn: data_of(conn, user_id))

    async def rooms_of(self, user_id: str) -> set[str]:
        """The rooms where Kring holds anything about the member."""
        return await self.db.run(lambda conn: rooms_of(conn, user_id))

    # being forgotten
    async def ask_to_forget(self, user_id: str, at: datetime) -> None:
        await self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (FORGET_REQUEST + user_id, str(to_db(at))),
        )

    async def asked_to_forget(self, user_id: str) -> datetime | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (FORGET_REQUEST + user_id,))
        return None if row is None else from_db(int(row[0]))

    async def next_former_number(self) -> int:
        """The number of the next pseudonym ("former member 7"); call it in the forgetting's transaction."""
        return await self.db.run(next_former_number)

    async def forget(self, user_id: str, number: int, names_in_rooms: dict[str, str], at: datetime) -> None:
        """Replace the member by pseudonym `number` everywhere, erase their free text, drop what the books do not
        need, and remember a keyed hash of their user id only. `names_in_rooms`: the pseudonym as each room shows
        it. Call `scrub` after the transaction commits."""
        self._changed()
        await self.db.run(lambda conn: forget_member(conn, user_id, number, names_in_rooms, to_db(at)))
        self.db.on_commit(self._scrub_after_commit)

    async def held_user_ids(self) -> set[str]:
        """Every member's user id the database holds (how ids look in it, for an operator who mistyped one)."""
        return {u for u in await self.db.run(held_user_ids) if is_user_id(u)}

    async def forgotten_since(self, earlier: Forgetting) -> dict[str, int]:
        """On a restored copy, inside a transaction: the user ids it holds that `earlier` (the forgetting of the
        database it replaces) forgot, each with the number of their pseudonym; the copy takes over `earlier`'s
        key. KeyMismatchError when the copy hashes with another key (a backup of another database)."""
        self._forgotten = None
        self._key = None
        return await self.db.run(lambda conn: forgotten_since(conn, earlier))

    async def remember_forgotten(self, earlier: Forgetting) -> None:
        """…then keep `earlier`'s hashes too (members it forgot that the copy does not hold), and number new
        pseudonyms after its own."""
        self._forgotten = None
        await self.db.run(lambda conn: remember_forgotten(conn, earlier))

    async def forgotten_among(self, user_ids: Iterable[str]) -> set[str]:
        """Which of these user ids belong to forgotten members."""
        if self._forgotten is None:
            self._forgotten = frozenset(str(r[0]) for r in await self.db.fetch_all("SELECT digest FROM forgotten"))
        if not self._forgotten:
            return set()
        if self._key is None:
            row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (KEY,))
            if row is None:
                return set()
            self._key = bytes.fromhex(str(row[0]))
        return {u for u in set(user_ids) if digest(self._key, u) in self._forgotten}

    def _changed(self) -> None:
        """Someone opts out or in, or is forgotten: what was read before is stale now, and again if the unit of
        work that changed it is rolled back (then it is read from the committed rows when next needed)."""
        self._forget_what_was_read()
        self.db.on_rollback(self._forget_what_was_read)

    def _forget_what_was_read(self) -> None:
        self._forgotten = None
        self._key = None
        self._opted_out = None
        self.generation += 1

    def _scrub_after_commit(self) -> None:
        self.scrub_due = True

    async def scrub(self) -> None:
        """After erasing: copy the WAL into the database file and empty it, so the old bytes are nowhere
        (`secure_delete` has zeroed them in the database's pages)."""
        busy = not await self.db.empty_wal()
        self.scrub_due = busy  # a reader held it off (an export, say): try again after the next batch
        if busy:
            log.warning(
                "could not empty the write-ahead log yet (a reader holds it); trying again after the next batch"
            )

    # retention
    async def texts_cleared_on(self) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (TEXTS_CLEARED_ON,))
        return None if row is None else str(row[0])

    async def clear_texts(self, before: datetime, day: str, requests_before: datetime) -> int:
        """Erase the remembered text of messages sent before `before` (ids, authors and scores stay) and requests
        to be forgotten made before `requests_before` (they have lapsed), and note `day` as done; the number of
        messages cleared."""

        def clear(conn: sqlite3.Connection) -> int:
            cleared = conn.execute(
                "UPDATE messages SET excerpt = '' WHERE sent_at < ? AND excerpt != ''", (to_db(before),)
            ).rowcount
            conn.execute(
                "DELETE FROM kv WHERE substr(key, 1, ?) = ? AND CAST(value AS INTEGER) < ?",
                (len(FORGET_REQUEST), FORGET_REQUEST, to_db(requests_before)),
            )
            conn.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (TEXTS_CLEARED_ON, day),
            )
            return int(cleared)

        return await self.db.run(clear)
