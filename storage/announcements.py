"""Queries for scheduled announcements, the outbox of messages to send, and the bot's sent messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from handlers.events import Say, SayKind
from handlers.text import Rendered
from storage.db import fetch_one
from storage.timeconv import from_db, to_db


class AnnouncementKind(StrEnum):
    REMINDER = "reminder"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class Announcement:
    id: int
    proposal_id: int
    kind: AnnouncementKind
    due_at: datetime


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    say: Say


@dataclass(frozen=True)
class BotMessage:
    event_id: str
    room_id: str
    kind: SayKind
    proposal_id: int | None


class AnnouncementQueries:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.schedule_changed = False

    # the schedule
    async def schedule(self, proposal_id: int, kind: AnnouncementKind, due_at: datetime) -> None:
        """Plan (or re-plan, after an extension) a reminder or the deadline of an open proposal."""
        await self.conn.execute(
            "INSERT INTO announcements (proposal_id, kind, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT (proposal_id, kind) DO UPDATE SET due_at = excluded.due_at, state = 'pending', "
            "done_at = NULL",
            (proposal_id, kind.value, to_db(due_at)),
        )
        self.schedule_changed = True

    async def cancel_pending(self, proposal_id: int) -> None:
        await self.conn.execute(
            "UPDATE announcements SET state = 'cancelled' WHERE proposal_id = ? AND state = 'pending'",
            (proposal_id,),
        )
        self.schedule_changed = True

    async def cancel_pending_in_room(self, room_id: str) -> int:
        cursor = await self.conn.execute(
            "UPDATE announcements SET state = 'cancelled' WHERE state = 'pending' AND proposal_id IN "
            "(SELECT id FROM proposals WHERE room_id = ?)",
            (room_id,),
        )
        self.schedule_changed = True
        return cursor.rowcount

    async def pending(self, due_before: datetime | None = None) -> list[Announcement]:
        query = "SELECT id, proposal_id, kind, due_at FROM announcements WHERE state = 'pending'"
        params: tuple[int, ...] = ()
        if due_before is not None:
            query += " AND due_at <= ?"
            params = (to_db(due_before),)
        rows = await self.conn.execute_fetchall(query + " ORDER BY due_at, id", params)
        return [Announcement(r[0], r[1], AnnouncementKind(r[2]), from_db(r[3])) for r in rows]

    async def claim(self, announcement_id: int, at: datetime) -> Announcement | None:
        """Mark a pending announcement done; None if it was not pending (so it is posted exactly once)."""
        row = await fetch_one(
            self.conn,
            "UPDATE announcements SET state = 'done', done_at = ? WHERE id = ? AND state = 'pending' "
            "RETURNING id, proposal_id, kind, due_at",
            (to_db(at), announcement_id),
        )
        return None if row is None else Announcement(row[0], row[1], AnnouncementKind(row[2]), from_db(row[3]))

    # the outbox
    async def enqueue(self, says: list[Say], at: datetime) -> None:
        """Queue messages to send, in order, in the caller's transaction."""
        await self.conn.executemany(
            "INSERT INTO outbox (room_id, kind, proposal_id, body, html, reply_to, mentions, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    say.room_id,
                    say.kind.value,
                    say.proposal_id,
                    say.text.plain,
                    say.text.html,
                    say.reply_to,
                    json.dumps(list(say.mentions)),
                    to_db(at),
                )
                for say in says
            ],
        )

    async def unsent(self, limit: int = 100) -> list[OutboxMessage]:
        rows = await self.conn.execute_fetchall(
            "SELECT id, room_id, kind, proposal_id, body, html, reply_to, mentions FROM outbox "
            "WHERE sent_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            OutboxMessage(
                r[0],
                Say(
                    room_id=r[1],
                    kind=SayKind(r[2]),
                    proposal_id=r[3],
                    text=Rendered(r[4], r[5]),
                    reply_to=r[6],
                    mentions=tuple(json.loads(r[7])),
                ),
            )
            for r in rows
        ]

    async def mark_sent(self, message: OutboxMessage, event_id: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE outbox SET sent_at = ?, event_id = ? WHERE id = ?", (to_db(at), event_id, message.id)
        )
        await self.conn.execute(
            "INSERT OR IGNORE INTO bot_messages (event_id, room_id, kind, proposal_id) VALUES (?, ?, ?, ?)",
            (event_id, message.say.room_id, message.say.kind.value, message.say.proposal_id),
        )

    async def drop_unsent_in_room(self, room_id: str) -> int:
        cursor = await self.conn.execute(
            "UPDATE outbox SET sent_at = -1 WHERE room_id = ? AND sent_at IS NULL", (room_id,)
        )
        return cursor.rowcount

    async def bot_message(self, event_id: str) -> BotMessage | None:
        row = await fetch_one(
            self.conn, "SELECT event_id, room_id, kind, proposal_id FROM bot_messages WHERE event_id = ?", (event_id,)
        )
        return None if row is None else BotMessage(row[0], row[1], SayKind(row[2]), row[3])
