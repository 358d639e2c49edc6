"""Members' talents per room, who wants to be asked, and the needs members post."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import datetime

from storage.db import Database
from storage.records import Need, Talent
from storage.timeconv import from_db, from_db_optional, to_db

_NEED_COLUMNS = "id, room_id, number, user_id, text, talents, at, solved_at, helped_by"


def _need(row: sqlite3.Row) -> Need:
    return Need(
        id=row[0],
        room_id=row[1],
        number=row[2],
        user_id=row[3],
        text=row[4],
        talents=tuple(json.loads(row[5])),
        at=from_db(row[6]),
        solved_at=from_db_optional(row[7]),
        helped_by=row[8],
    )


class TalentQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    # talents
    async def of(self, room_id: str, user_id: str) -> list[Talent]:
        rows = await self.db.fetch_all(
            "SELECT user_id, talent, key FROM talents WHERE room_id = ? AND user_id = ? ORDER BY rowid",
            (room_id, user_id),
        )
        return [Talent(r[0], r[1], r[2]) for r in rows]

    async def in_room(self, room_id: str) -> list[Talent]:
        rows = await self.db.fetch_all(
            "SELECT user_id, talent, key FROM talents WHERE room_id = ? ORDER BY user_id, rowid", (room_id,)
        )
        return [Talent(r[0], r[1], r[2]) for r in rows]

    async def add(self, room_id: str, talents: Collection[Talent], at: datetime) -> None:
        await self.db.executemany(
            "INSERT INTO talents (room_id, user_id, talent, key, added_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (room_id, user_id, key) DO NOTHING",
            [(room_id, t.user_id, t.talent, t.key, to_db(at)) for t in talents],
        )

    async def remove(self, room_id: str, user_id: str, key: str) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM talents WHERE room_id = ? AND user_id = ? AND key = ?", (room_id, user_id, key)
            )
            > 0
        )

    # being asked
    async def askable(self, room_id: str) -> set[str]:
        rows = await self.db.fetch_all("SELECT user_id FROM askable WHERE room_id = ?", (room_id,))
        return {str(r[0]) for r in rows}

    async def set_askable(self, room_id: str, user_id: str, askable: bool) -> None:
        if askable:
            await self.db.execute("INSERT OR IGNORE INTO askable (room_id, user_id) VALUES (?, ?)", (room_id, user_id))
        else:
            await self.db.execute("DELETE FROM askable WHERE room_id = ? AND user_id = ?", (room_id, user_id))

    # needs
    async def add_need(
        self, room_id: str, user_id: str, text: str, talents: Collection[str], at: datetime, event_id: str
    ) -> Need:
        def insert(conn: sqlite3.Connection) -> Need:
            cursor = conn.execute(
                "INSERT INTO needs (room_id, number, user_id, text, talents, at, event_id) VALUES "
                "(?, (SELECT COALESCE(MAX(number), 0) + 1 FROM needs WHERE room_id = ?), ?, ?, ?, ?, ?)",
                (room_id, room_id, user_id, text, json.dumps(list(talents)), to_db(at), event_id),
            )
            return _need(
                conn.execute(f"SELECT {_NEED_COLUMNS} FROM needs WHERE id = ?", (cursor.lastrowid,)).fetchone()
            )

        return await self.db.run(insert)

    async def need(self, room_id: str, number: int) -> Need | None:
        row = await self.db.fetch_one(
            f"SELECT {_NEED_COLUMNS} FROM needs WHERE room_id = ? AND number = ?", (room_id, number)
        )
        return None if row is None else _need(row)

    async def open_needs(self, room_id: str, since: datetime) -> list[Need]:
        rows = await self.db.fetch_all(
            f"SELECT {_NEED_COLUMNS} FROM needs WHERE room_id = ? AND solved_at IS NULL AND at >= ? ORDER BY number",
            (room_id, to_db(since)),
        )
        return [_need(r) for r in rows]

    async def all_needs(self, room_id: str) -> list[Need]:
        rows = await self.db.fetch_all(
            f"SELECT {_NEED_COLUMNS} FROM needs WHERE room_id = ? ORDER BY number", (room_id,)
        )
        return [_need(r) for r in rows]

    async def solve(self, need_id: int, at: datetime, helped_by: str | None) -> bool:
        """Close a need once; False if it was closed already."""
        changed = await self.db.execute(
            "UPDATE needs SET solved_at = ?, helped_by = ? WHERE id = ? AND solved_at IS NULL",
            (to_db(at), helped_by, need_id),
        )
        return changed == 1

    async def first_seen(self, room_id: str, user_id: str) -> datetime | None:
        row = await self.db.fetch_one(
            "SELECT MIN(sent_at) FROM messages WHERE room_id = ? AND author = ?", (room_id, user_id)
        )
        return None if row is None or row[0] is None else from_db(row[0])
