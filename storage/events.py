"""Queries for what the bot has seen: processed event ids, members' names, messages, and small state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timeconv import from_db, to_db

EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class SeenMessage:
    event_id: str
    room_id: str
    author: str
    sent_at: datetime
    excerpt: str
    score: int
    redacted: bool


@dataclass(frozen=True)
class ParkedEvent:
    event_id: str
    room_id: str
    sender: str
    source: str
    first_seen: datetime
    explained: bool


class EventQueries:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # processed events: the at-most-once key
    async def is_processed(self, event_id: str) -> bool:
        async with self.conn.execute("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)) as cur:
            return await cur.fetchone() is not None

    async def mark_processed(self, event_id: str, room_id: str, at: datetime) -> bool:
        """Record the event id; False if it was already there (then the caller must not apply effects)."""
        cursor = await self.conn.execute(
            "INSERT OR IGNORE INTO processed_events (event_id, room_id, processed_at) VALUES (?, ?, ?)",
            (event_id, room_id, to_db(at)),
        )
        return cursor.rowcount == 1

    # key-value state (sync token, console counters, login)
    async def get_state(self, key: str) -> str | None:
        async with self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set_state(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete_state(self, key: str) -> None:
        await self.conn.execute("DELETE FROM kv WHERE key = ?", (key,))

    # encrypted events waiting for their keys
    async def park_encrypted(self, event_id: str, room_id: str, sender: str, source: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT OR IGNORE INTO encrypted_pending (event_id, room_id, sender, source, first_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            (event_id, room_id, sender, source, to_db(at)),
        )

    async def parked_encrypted(self) -> list[ParkedEvent]:
        async with self.conn.execute(
            "SELECT event_id, room_id, sender, source, first_seen, explained FROM encrypted_pending "
            "ORDER BY first_seen, event_id"
        ) as cur:
            rows = await cur.fetchall()
        return [ParkedEvent(r[0], r[1], r[2], r[3], from_db(r[4]), bool(r[5])) for r in rows]

    async def unpark_encrypted(self, event_id: str) -> None:
        await self.conn.execute("DELETE FROM encrypted_pending WHERE event_id = ?", (event_id,))

    async def mark_explained(self, event_ids: list[str]) -> None:
        await self.conn.executemany(
            "UPDATE encrypted_pending SET explained = 1 WHERE event_id = ?", [(e,) for e in event_ids]
        )

    # members' display names, learnt from their messages
    async def remember_member(self, room_id: str, user_id: str, display_name: str) -> None:
        await self.conn.execute(
            "INSERT INTO members (room_id, user_id, display_name) VALUES (?, ?, ?) "
            "ON CONFLICT (room_id, user_id) DO UPDATE SET display_name = excluded.display_name",
            (room_id, user_id, display_name),
        )

    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        async with self.conn.execute(
            f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})",
            (room_id, *user_ids),
        ) as cur:
            rows = await cur.fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    # messages: authors for credits, excerpts for !ideas
    async def add_message(
        self, event_id: str, room_id: str, author: str, sent_at: datetime, text: str, *, is_idea: bool
    ) -> None:
        excerpt = " ".join(text.split())
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[: EXCERPT_LENGTH - 1] + "…"
        await self.conn.execute(
            "INSERT OR IGNORE INTO messages (event_id, room_id, author, sent_at, excerpt, is_idea) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, room_id, author, to_db(sent_at), excerpt, int(is_idea)),
        )

    async def get_message(self, event_id: str) -> SeenMessage | None:
        async with self.conn.execute(
            "SELECT event_id, room_id, author, sent_at, excerpt, score, redacted FROM messages WHERE event_id = ?",
            (event_id,),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else _message(row)

    async def mark_redacted(self, event_id: str) -> bool:
        cursor = await self.conn.execute(
            "UPDATE messages SET redacted = 1 WHERE event_id = ? AND redacted = 0", (event_id,)
        )
        return cursor.rowcount == 1

    async def add_to_score(self, event_id: str, delta: int) -> None:
        await self.conn.execute("UPDATE messages SET score = score + ? WHERE event_id = ?", (delta, event_id))

    async def top_ideas(self, room_id: str, since: datetime, limit: int) -> list[SeenMessage]:
        """Most credited idea messages since `since` that no proposal links to yet."""
        async with self.conn.execute(
            "SELECT m.event_id, m.room_id, m.author, m.sent_at, m.excerpt, m.score, m.redacted "
            "FROM messages m WHERE m.room_id = ? AND m.sent_at >= ? AND m.is_idea = 1 AND m.redacted = 0 "
            "AND m.score > 0 AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.idea_event_id = m.event_id) "
            "ORDER BY m.score DESC, m.sent_at DESC LIMIT ?",
            (room_id, to_db(since), limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_message(r) for r in rows]


def _message(row: aiosqlite.Row) -> SeenMessage:
    return SeenMessage(
        event_id=row[0],
        room_id=row[1],
        author=row[2],
        sent_at=from_db(row[3]),
        excerpt=row[4],
        score=row[5],
        redacted=bool(row[6]),
    )
