"""Queries for what the bot has seen: processed event ids, members' names, messages, and small state."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import fetch_one
from storage.timeconv import from_db, to_db

EXCERPT_LENGTH = 140
MESSAGE_COLUMNS = "event_id, room_id, author, sent_at, excerpt, score, redacted"


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

    # processed events: the at-most-once key (recorded per batch by storage.intake)
    async def is_processed(self, event_id: str) -> bool:
        rows = await self.conn.execute_fetchall("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,))
        return bool(rows)

    # key-value state (sync token, console counters, login)
    async def get_state(self, key: str) -> str | None:
        row = await fetch_one(self.conn, "SELECT value FROM kv WHERE key = ?", (key,))
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
        rows = await self.conn.execute_fetchall(
            "SELECT event_id, room_id, sender, source, first_seen, explained FROM encrypted_pending "
            "ORDER BY first_seen, event_id"
        )
        return [ParkedEvent(r[0], r[1], r[2], r[3], from_db(r[4]), bool(r[5])) for r in rows]

    async def unpark_encrypted(self, event_id: str) -> None:
        await self.conn.execute("DELETE FROM encrypted_pending WHERE event_id = ?", (event_id,))

    async def mark_explained(self, event_ids: list[str]) -> None:
        await self.conn.executemany(
            "UPDATE encrypted_pending SET explained = 1 WHERE event_id = ?", [(e,) for e in event_ids]
        )

    # members' display names, learnt from their messages (written per batch by storage.intake)
    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        if not user_ids:
            return {}
        rows = await self.conn.execute_fetchall(*_names_query(room_id, user_ids))
        return {str(r[0]): str(r[1]) for r in rows}

    # messages: authors for credits, excerpts for !ideas (written per batch by storage.intake)
    async def get_message(self, event_id: str) -> SeenMessage | None:
        row = await fetch_one(self.conn, f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE event_id = ?", (event_id,))
        return None if row is None else message_from_row(row)

    async def top_ideas(self, room_id: str, since: datetime, limit: int) -> list[SeenMessage]:
        """Most credited idea messages since `since` that no proposal links to yet."""
        rows = await self.conn.execute_fetchall(
            "SELECT m.event_id, m.room_id, m.author, m.sent_at, m.excerpt, m.score, m.redacted "
            "FROM messages m WHERE m.room_id = ? AND m.sent_at >= ? AND m.is_idea = 1 AND m.redacted = 0 "
            "AND m.score > 0 AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.idea_event_id = m.event_id) "
            "ORDER BY m.score DESC, m.sent_at DESC LIMIT ?",
            (room_id, to_db(since), limit),
        )
        return [message_from_row(r) for r in rows]


def _names_query(room_id: str, user_ids: list[str]) -> tuple[str, tuple[str, ...]]:
    marks = ",".join("?" * len(user_ids))
    return f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})", (room_id, *user_ids)


def names_in_room(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """`display_names` for code already on the database thread (see Database.run)."""
    if not user_ids:
        return {}
    return {str(r[0]): str(r[1]) for r in conn.execute(*_names_query(room_id, user_ids))}


def excerpt_of(text: str) -> str:
    """What !ideas shows of a message: its words on one line, at most EXCERPT_LENGTH characters."""
    excerpt = " ".join(text.split())
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[: EXCERPT_LENGTH - 1] + "…"
    return excerpt


def message_from_row(row: sqlite3.Row) -> SeenMessage:
    return SeenMessage(
        event_id=row[0],
        room_id=row[1],
        author=row[2],
        sent_at=from_db(row[3]),
        excerpt=row[4],
        score=row[5],
        redacted=bool(row[6]),
    )
