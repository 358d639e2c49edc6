"""A copy of everything Kring holds about a member (`!mydata`), the rooms it is in, and every user id held."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from storage.queries.member_data.tables import DIRECT_ROOM, FORGET_REQUEST, MINE, MOMENTS, TABLES
from storage.timeconv import from_db


def _row_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for (name, *_), value in zip(cursor.description, row, strict=True):
        if isinstance(value, int) and (name in MOMENTS or name.endswith("_at")):
            value = from_db(value).isoformat()
        item[name] = value
    return item


def data_of(conn: sqlite3.Connection, user_id: str) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for section, table, columns in MINE:
        where = " OR ".join(f"{column} = ?" for column in columns)
        cursor = conn.execute(f"SELECT * FROM {table} WHERE {where}", (user_id,) * len(columns))
        data[section] = [_row_dict(cursor, row) for row in cursor.fetchall()]
    cursor = conn.execute(
        # which of its own messages Kring keeps that mention them; not their text, which names others too
        "SELECT id, room_id, kind, event_id, created_at, sent_at, state FROM outbox WHERE instr(mentions, ?) > 0",
        (json.dumps(user_id),),
    )
    data["bot_messages_naming_you"] = [_row_dict(cursor, row) for row in cursor.fetchall()]
    cursor = conn.execute(
        "SELECT key, value FROM kv WHERE key IN (?, ?)", (FORGET_REQUEST + user_id, DIRECT_ROOM + user_id)
    )
    data["requests"] = [_row_dict(cursor, row) for row in cursor.fetchall()]
    return data


def rooms_of(conn: sqlite3.Connection, user_id: str) -> set[str]:
    """Every room of a row in the member's copy: where Kring holds anything about them (a row without a room
    of its own is in its proposal's; one with neither, such as an opt-out, is in no room)."""
    rooms: set[str] = set()
    for table in TABLES:
        if not table.members:
            continue
        where = " OR ".join(f"t.{column} = ?" for column in table.members)
        if "room_id" in table.own:
            query = f"SELECT DISTINCT t.room_id FROM {table.name} t WHERE {where}"
        elif "proposal_id" in table.own:
            query = (
                f"SELECT DISTINCT p.room_id FROM {table.name} t JOIN proposals p ON p.id = t.proposal_id WHERE {where}"
            )
        else:
            continue
        rooms.update(str(r[0]) for r in conn.execute(query, (user_id,) * len(table.members)))
    return rooms


def held_user_ids(conn: sqlite3.Connection) -> set[str]:
    """Every user id this database holds anywhere a member is named."""
    held: set[str] = set()
    for _, table, columns in MINE:
        for column in columns:
            held.update(str(r[0]) for r in conn.execute(f"SELECT DISTINCT {column} FROM {table}") if r[0])
    for (mentions,) in conn.execute("SELECT DISTINCT mentions FROM outbox WHERE mentions != '[]'"):
        held.update(str(m) for m in json.loads(mentions))
    for prefix in (FORGET_REQUEST, DIRECT_ROOM):
        rows = conn.execute(
            "SELECT substr(key, ?) FROM kv WHERE substr(key, 1, ?) = ?", (len(prefix) + 1, len(prefix), prefix)
        )
        held.update(str(r[0]) for r in rows)
    return held
