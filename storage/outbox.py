"""The outbox of messages to send, in order, each sent exactly once.

A message is `pending` until it went out (`sent`, with its event id) or can never go out (`dropped`: the room
was left, or the homeserver refuses it for good).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from storage.db import Database
from storage.records import MessageKind, OutboxMessage, Outgoing, Priority, is_user_id
from storage.sent import remember_sent
from storage.timeconv import to_db

_COLUMNS = (
    "room_id, kind, proposal_id, body, html, reply_to, mentions, thread_root, opens_thread, delivery_id, priority"
)


class OutboxQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, messages: list[Outgoing], at: datetime) -> None:
        """Queue messages to send, in order, in the caller's transaction."""
        await self.db.executemany(
            f"INSERT INTO outbox ({_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    to_db(at),
                )
                for m in messages
            ],
        )

    async def pending(self, limit: int = 100) -> list[OutboxMessage]:
        rows = await self.db.fetch_all(
            f"SELECT id, {_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT ?", (limit,)
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
            remember_sent(conn, event_id, queued.message)
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
        (seconds), not in that long (a "slow down" once a minute)."""
        row = (room_id, user_id, topic, to_db(at))
        if every is None:
            return (
                await self.db.execute(
                    "INSERT OR IGNORE INTO told (room_id, user_id, topic, told_at) VALUES (?, ?, ?, ?)", row
                )
                == 1
            )
        again = (
            "INSERT INTO told (room_id, user_id, topic, told_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (room_id, user_id, topic) DO UPDATE SET told_at = excluded.told_at "
            "WHERE excluded.told_at - told.told_at >= ?"
        )
        return await self.db.execute(again, (*row, every)) == 1

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
