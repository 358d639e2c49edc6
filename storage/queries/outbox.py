"""The outbox of messages to send, in order, each sent exactly once.

A message is `pending` until it went out (`sent`, with its event id) or can never go out (`dropped`: the room
was left, or the homeserver refuses it for good). One the homeserver refuses with an error Kring does not know
is tried again later, less and less often, while the others go ahead; after MAX_ATTEMPTS it is `parked`.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from storage.db import Database
from storage.queries.bot_messages import remember_bot_message
from storage.queries.members import names_in_room
from storage.queries.room_settings import language_in
from storage.records import MessageKind, OutboxMessage, Outgoing, ParkedMessage, Priority, is_user_id
from storage.timeconv import from_db, to_db

MAX_ATTEMPTS = 12  # refusals of one message before it is parked: about an hour of them
RETRY_FIRST = timedelta(seconds=5)  # then twice as long after each refusal, at most RETRY_MAX
RETRY_MAX = timedelta(minutes=10)

_COLUMNS = (
    "room_id, kind, proposal_id, body, html, reply_to, mentions, thread_root, opens_thread, delivery_id, priority, "
    "reaches"
)


class Telling(NamedTuple):
    """Something a member hears once: about `topic` in a room, or again after `every` seconds (see `tell_once`)."""

    room_id: str
    user_id: str
    topic: str
    at: datetime
    every: int | None = None


class Told(NamedTuple):
    """For each telling, whether it is to be told now; the names of those members as the room shows them, and the
    language each of their rooms chose (None: the configured one)."""

    told: list[bool]
    names: dict[tuple[str, str], str]
    languages: dict[str, str | None]


def _tell_once(conn: sqlite3.Connection, telling: Telling) -> bool:
    row = (telling.room_id, telling.user_id, telling.topic, to_db(telling.at))
    if telling.every is None:
        told = conn.execute("INSERT OR IGNORE INTO told (room_id, user_id, topic, told_at) VALUES (?, ?, ?, ?)", row)
        return told.rowcount == 1
    again = (
        "INSERT INTO told (room_id, user_id, topic, told_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (room_id, user_id, topic) DO UPDATE SET told_at = excluded.told_at "
        "WHERE excluded.told_at - told.told_at >= ?"
    )
    return conn.execute(again, (*row, telling.every)).rowcount == 1


def tell_each_once_in(conn: sqlite3.Connection, tellings: Sequence[Telling]) -> Told:
    """`OutboxQueries.tell_each_once`, for code already on the database thread."""
    told = [_tell_once(conn, telling) for telling in tellings]
    to_tell = [telling for telling, tell in zip(tellings, told, strict=True) if tell]
    names: dict[tuple[str, str], str] = {}
    languages: dict[str, str | None] = {}
    for room_id in dict.fromkeys(telling.room_id for telling in to_tell):
        users = sorted({telling.user_id for telling in to_tell if telling.room_id == room_id})
        found = names_in_room(conn, room_id, users)
        names.update({(room_id, user): found.get(user, user) for user in users})
        languages[room_id] = language_in(conn, room_id)
    return Told(told, names, languages)


def _enqueue(messages: list[Outgoing], at: int, conn: sqlite3.Connection) -> None:
    conn.executemany(
        f"INSERT INTO outbox ({_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                m.room_id,
                m.kind.value,
                m.proposal_id,
                m.body,
                m.html,
                m.reply_to,
                json.dumps([user for user in m.mentions if is_user_id(user)]),  # never a pseudonym
                m.thread_root,
                int(m.opens_thread),
                m.delivery_id,
                int(m.priority),
                int(m.reaches),
                at,
            )
            for m in messages
        ],
    )


class OutboxQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, messages: list[Outgoing], at: datetime) -> None:
        """Queue messages to send, in order, in the caller's transaction."""
        if messages:
            await self.db.run(self.enqueuer(messages, at))

    @staticmethod
    def enqueuer(messages: list[Outgoing], at: datetime) -> Callable[[sqlite3.Connection], None]:
        """`enqueue`, for code already on the database thread (e.g. `Store.savepoint(first=…)`)."""
        return functools.partial(_enqueue, messages, to_db(at))

    async def pending(self, limit: int = 100, *, now: datetime | None = None) -> list[OutboxMessage]:
        """The next messages to send, most urgent first; with `now`, leaving out those refused a moment ago."""
        due, params = (
            ("", (limit,)) if now is None else ("AND (retry_at IS NULL OR retry_at <= ?)", (to_db(now), limit))
        )
        rows = await self.db.fetch_all(
            f"SELECT id, {_COLUMNS} FROM outbox WHERE state = 'pending' {due} ORDER BY priority, id LIMIT ?", params
        )
        return [
            OutboxMessage(
                r[0],
                Outgoing(
                    room_id=r[1],
                    kind=MessageKind(r[2]),
                    proposal_id=r[3],
                    body=r[4],
                    html=r[5],
                    reply_to=r[6],
                    mentions=tuple(json.loads(r[7])),
                    thread_root=r[8],
                    opens_thread=bool(r[9]),
                    delivery_id=r[10],
                    priority=Priority(r[11]),
                    reaches=bool(r[12]),
                ),
            )
            for r in rows
        ]

    async def mark_sent(self, queued: OutboxMessage, event_id: str, at: datetime) -> None:
        """It went out as `event_id`: remembered, so reactions and replies to it resolve locally."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, event_id = ? WHERE id = ?",
                (to_db(at), event_id, queued.id),
            )
            remember_bot_message(conn, event_id, queued.message)
            message = queued.message
            if message.opens_thread and message.proposal_id is not None:
                conn.execute("UPDATE proposals SET thread_root = ? WHERE id = ?", (event_id, message.proposal_id))
            if message.thread_root is not None:
                conn.execute(
                    "UPDATE proposals SET thread_latest = ? WHERE thread_root = ?", (event_id, message.thread_root)
                )

        await self.db.run(write)

    async def tell_once(
        self, room_id: str, user_id: str, topic: str, at: datetime, *, every: int | None = None
    ) -> bool:
        """True, and noted, when the member was not told about `topic` in this room before — or, with `every`
        (seconds), not in that long; with `every=0`, a later `at` replaces the moment noted before."""
        telling = Telling(room_id, user_id, topic, at, every)
        return await self.db.run(lambda conn: _tell_once(conn, telling))

    async def tell_each_once(
        self, tellings: Sequence[Telling], *, first: Callable[[sqlite3.Connection], object] | None = None
    ) -> Told:
        """`tell_once` for each, in order, with what telling the members needs, in one round trip; `first` (e.g.
        writing the names a batch learnt) runs just before, in the same round trip."""

        def tell(conn: sqlite3.Connection) -> Told:
            if first is not None:
                first(conn)
            return tell_each_once_in(conn, tellings)

        return await self.db.run(tell)

    async def told_at(self, room_id: str, user_id: str, topic: str) -> datetime | None:
        """The moment noted with `topic` for the member in this room (see `tell_once`), or None. For the "slow
        down" that is when the pause it announced ends."""
        row = await self.db.fetch_one(
            "SELECT told_at FROM told WHERE room_id = ? AND user_id = ? AND topic = ?", (room_id, user_id, topic)
        )
        return None if row is None else from_db(row[0])

    async def refused(self, queued: OutboxMessage, error: str, at: datetime) -> bool:
        """The homeserver refused the message: counted, and tried again after a growing pause; True when that was
        its last attempt and it is parked now."""
        row = await self.db.fetch_one("SELECT attempts FROM outbox WHERE id = ?", (queued.id,))
        attempts = (int(row[0]) if row else 0) + 1
        if attempts >= MAX_ATTEMPTS:
            await self.db.execute(
                "UPDATE outbox SET state = 'parked', attempts = ?, retry_at = NULL, last_error = ? WHERE id = ?",
                (attempts, error, queued.id),
            )
            return True
        pause = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)
        await self.db.execute(
            "UPDATE outbox SET attempts = ?, retry_at = ?, last_error = ? WHERE id = ?",
            (attempts, to_db(at + pause), error, queued.id),
        )
        return False

    async def next_retry(self) -> datetime | None:
        """When the earliest message refused a moment ago may be tried again; None if there is none."""
        row = await self.db.fetch_one(
            "SELECT MIN(retry_at) FROM outbox WHERE state = 'pending' AND retry_at IS NOT NULL"
        )
        return from_db(row[0]) if row and row[0] is not None else None

    async def parked(self) -> list[ParkedMessage]:
        rows = await self.db.fetch_all(
            "SELECT id, room_id, attempts, last_error, created_at FROM outbox WHERE state = 'parked' ORDER BY id"
        )
        return [ParkedMessage(int(r[0]), str(r[1]), int(r[2]), str(r[3]), from_db(r[4])) for r in rows]

    async def parked_count(self) -> int:
        row = await self.db.fetch_one("SELECT COUNT(*) FROM outbox WHERE state = 'parked'")
        return int(row[0]) if row else 0

    async def mark_dropped(self, queued: OutboxMessage) -> None:
        await self.db.execute("UPDATE outbox SET state = 'dropped' WHERE id = ?", (queued.id,))

    async def drop_pending_in_room(self, room_id: str) -> int:
        return await self.db.execute(
            "UPDATE outbox SET state = 'dropped' WHERE room_id = ? AND state = 'pending'", (room_id,)
        )

    async def pending_count(self) -> int:
        """How many messages wait to go out (the partial index on pending rows keeps this cheap)."""
        row = await self.db.fetch_one("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        return int(row[0]) if row else 0
