"""The bot's own sent messages by event id, so reactions and replies to them resolve with no request to the server."""

from __future__ import annotations

import sqlite3

from storage.db import Database
from storage.records import BotMessage, MessageKind, Outgoing


class BotMessageQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def bot_message(self, event_id: str) -> BotMessage | None:
        row = await self.db.fetch_one(
            "SELECT event_id, room_id, kind, proposal_id, delivery_id FROM bot_messages WHERE event_id = ?", (event_id,)
        )
        return None if row is None else BotMessage(row[0], row[1], MessageKind(row[2]), row[3], row[4])


def remember_bot_message(conn: sqlite3.Connection, event_id: str, message: Outgoing) -> None:
    """On the database thread, with the outbox row it belongs to (see OutboxQueries.mark_sent)."""
    conn.execute(
        "INSERT OR IGNORE INTO bot_messages (event_id, room_id, kind, proposal_id, delivery_id) VALUES (?, ?, ?, ?, ?)",
        (event_id, message.room_id, message.kind.value, message.proposal_id, message.delivery_id),
    )
