"""Members' messages as Kring remembers them: authors for credits, excerpts and scores for !ideas."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.queries.members import names_in_room
from storage.records import SeenMessage
from storage.timeconv import from_db, to_db

EXCERPT_LENGTH = 140
MESSAGE_COLUMNS = "event_id, room_id, author, sent_at, excerpt, score, redacted, is_idea"


@dataclass(frozen=True)
class Spent:
    """A command that counts against its sender's budget: when it was sent, and whether it was a look-up."""

    at: datetime
    look_up: bool


class MessageQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def commands_since(self, room_id: str, user_id: str, since: datetime, *, besides: str) -> list[Spent]:
        """The commands the member sent in the room after `since`, besides the one `besides`, that Kring did not
        hold back, oldest first: when each was sent and whether it was a look-up (commands are remembered as
        messages)."""
        rows = await self.db.fetch_all(
            "SELECT sent_at, look_up FROM messages WHERE room_id = ? AND author = ? AND is_idea = 0 "
            "AND held_back = 0 AND sent_at > ? AND event_id != ? ORDER BY sent_at",
            (room_id, user_id, to_db(since), besides),
        )
        return [Spent(from_db(row[0]), bool(row[1])) for row in rows]

    async def hold_back(self, event_id: str) -> None:
        """The command was not run over the member's budget: it does not count against it."""
        await self.db.execute("UPDATE messages SET held_back = 1 WHERE event_id = ?", (event_id,))

    async def count_as_look_up(self, event_id: str) -> None:
        """The command was a look-up: it costs half in the member's budget."""
        await self.db.execute("UPDATE messages SET look_up = 1 WHERE event_id = ?", (event_id,))

    async def spoke_between(self, room_id: str, user_id: str, after: datetime, before: datetime) -> bool:
        """Whether the member sent anything in the room after `after` and before `before` (both excluded)."""
        row = await self.db.fetch_one(
            "SELECT 1 FROM messages WHERE room_id = ? AND author = ? AND sent_at > ? AND sent_at < ? LIMIT 1",
            (room_id, user_id, to_db(after), to_db(before)),
        )
        return row is not None

    async def get(self, event_id: str) -> SeenMessage | None:
        row = await self.db.fetch_one(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE event_id = ?", (event_id,))
        return None if row is None else message_from_row(row)

    async def top_ideas(self, room_id: str, since: datetime, limit: int) -> list[SeenMessage]:
        """Most credited idea messages since `since` that no proposal links to yet, by members who did not opt out
        of reputation."""
        return await self.db.run(lambda conn: _top_ideas(conn, room_id, since, limit))

    async def top_ideas_named(
        self, room_id: str, since: datetime, limit: int
    ) -> tuple[list[SeenMessage], dict[str, str]]:
        """`top_ideas`, with their authors' names as messages show them (`display_names`): one round trip."""

        def read(conn: sqlite3.Connection) -> tuple[list[SeenMessage], dict[str, str]]:
            found = _top_ideas(conn, room_id, since, limit)
            return found, names_in_room(conn, room_id, sorted({m.author for m in found})) if found else {}

        return await self.db.run(read)


def _top_ideas(conn: sqlite3.Connection, room_id: str, since: datetime, limit: int) -> list[SeenMessage]:
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages m "
        "WHERE m.room_id = ? AND m.sent_at >= ? AND m.is_idea = 1 AND m.redacted = 0 AND m.score > 0 "
        "AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.idea_event_id = m.event_id) "
        "AND m.excerpt != '' AND m.author NOT IN (SELECT user_id FROM opted_out) "
        "ORDER BY m.score DESC, m.sent_at DESC LIMIT ?",
        (room_id, to_db(since), limit),
    )
    return [message_from_row(r) for r in rows]


def excerpt_of(text: str) -> str:
    """What !ideas shows of a message: its words on one line, at most EXCERPT_LENGTH characters."""
    excerpt = " ".join(text.split())
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[: EXCERPT_LENGTH - 1] + "…"
    return excerpt


def message_seen(
    event_id: str, room_id: str, author: str, sent_at: datetime, text: str, *, is_idea: bool
) -> SeenMessage:
    """A message as the store will keep it (its excerpt), before it is written."""
    return SeenMessage(event_id, room_id, author, sent_at, excerpt_of(text), score=0, redacted=False, is_idea=is_idea)


def message_from_row(row: sqlite3.Row) -> SeenMessage:
    return SeenMessage(
        event_id=row[0],
        room_id=row[1],
        author=row[2],
        sent_at=from_db(row[3]),
        excerpt=row[4],
        score=row[5],
        redacted=bool(row[6]),
        is_idea=bool(row[7]),
    )
