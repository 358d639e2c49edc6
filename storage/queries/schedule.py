"""The schedule of announcements: a reminder before and the decision at each open proposal's deadline."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.db import Database
from storage.records import Announcement, AnnouncementKind
from storage.timeconv import from_db, to_db

_COLUMNS = "id, proposal_id, kind, due_at"


class ScheduleQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def schedule(self, proposal_id: int, kind: AnnouncementKind, due_at: datetime) -> None:
        """Plan (or re-plan, after an extension) a reminder or the deadline of an open proposal."""
        await self.db.execute(
            "INSERT INTO announcements (proposal_id, kind, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT (proposal_id, kind) DO UPDATE SET due_at = excluded.due_at, state = 'pending', "
            "done_at = NULL",
            (proposal_id, kind.value, to_db(due_at)),
        )

    async def schedule_unless_pending(self, proposal_id: int, kind: AnnouncementKind, due_at: datetime) -> None:
        """Plan an announcement unless one of its kind is pending already (an earlier one is not put off)."""
        await self.db.execute(
            "INSERT INTO announcements (proposal_id, kind, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT (proposal_id, kind) DO UPDATE SET due_at = excluded.due_at, state = 'pending', "
            "done_at = NULL WHERE state != 'pending'",
            (proposal_id, kind.value, to_db(due_at)),
        )

    async def cancel_pending(self, proposal_id: int) -> None:
        await self.db.execute(
            "UPDATE announcements SET state = 'cancelled' WHERE proposal_id = ? AND state = 'pending'",
            (proposal_id,),
        )

    async def cancel_pending_in_room(self, room_id: str) -> int:
        return await self.db.execute(
            "UPDATE announcements SET state = 'cancelled' WHERE state = 'pending' AND proposal_id IN "
            "(SELECT id FROM proposals WHERE room_id = ?)",
            (room_id,),
        )

    async def pending(self, due_before: datetime | None = None) -> list[Announcement]:
        query = f"SELECT {_COLUMNS} FROM announcements WHERE state = 'pending'"
        params: tuple[int, ...] = ()
        if due_before is not None:
            query += " AND due_at <= ?"
            params = (to_db(due_before),)
        rows = await self.db.fetch_all(query + " ORDER BY due_at, id", params)
        return [_announcement(r) for r in rows]

    async def claim(self, announcement_id: int, at: datetime) -> Announcement | None:
        """Mark a pending announcement done; None if it was not pending (so it is posted exactly once)."""
        row = await self.db.fetch_one(
            f"UPDATE announcements SET state = 'done', done_at = ? WHERE id = ? AND state = 'pending' "
            f"RETURNING {_COLUMNS}",
            (to_db(at), announcement_id),
        )
        return None if row is None else _announcement(row)


def _announcement(row: sqlite3.Row) -> Announcement:
    return Announcement(row[0], row[1], AnnouncementKind(row[2]), from_db(row[3]))
