"""Members' display names per room, learnt from their messages (storage.queries.intake), and how Kring shows them."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from datetime import datetime

from storage.db import Database
from storage.timeconv import from_db

NAME_MAX = 80  # characters of a display name that Kring repeats
_LOOKS_LIKE_ID = re.compile(r"@[^\s:]*:\S")


def clean_name(name: str) -> str:
    """A display name as Kring keeps and shows it, as titles are: line breaks and other control characters become
    spaces, bidi controls and invisible characters go, spacing is single, and it is at most NAME_MAX long."""
    if len(name) <= NAME_MAX and name.isprintable() and "  " not in name and name == name.strip():
        return name  # already clean (as stored names are): printable means none of the characters dealt with below
    kept = []
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp") or ch.isspace():
            kept.append(" ")
        elif category not in ("Cf", "Co", "Cs", "Cn"):
            kept.append(ch)
    return " ".join("".join(kept).split())[:NAME_MAX].strip()


def shown_name(user_id: str, name: str, *, shared: bool = False) -> str:
    """The name a message shows for a member: their clean display name, with the user id beside it when the name
    looks like a user id (another's, typically) or another member of the room has it too."""
    clean = clean_name(name)
    beside = f" ({user_id})"
    if clean.endswith(beside):  # a client library may have set it beside already (nio does for shared names)
        clean, shared = clean.removesuffix(beside).strip(), True
    if not clean or clean == user_id:
        return user_id
    if shared or _LOOKS_LIKE_ID.search(clean):
        return clean + beside
    return clean


class MemberQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def display_names(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        """The members' names as messages show them (`shown_name`)."""
        return await self.db.run(lambda conn: names_in_room(conn, room_id, user_ids))

    async def names_as_typed(self, room_id: str, user_ids: list[str]) -> dict[str, str]:
        """The members' clean display names, as a client puts them in a pill's text."""
        return await self.db.run(lambda conn: _stored_names(conn, room_id, user_ids))

    async def pseudonyms(self, room_id: str) -> dict[str, str]:
        """Forgotten members' pseudonyms as the room shows them, in its language ("former member 7": "oud-lid 7")."""
        rows = await self.db.fetch_all(
            "SELECT user_id, display_name FROM members WHERE room_id = ? AND substr(user_id, 1, 1) != '@'", (room_id,)
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def joined_at(self, room_id: str, user_id: str) -> datetime | None:
        """When Kring first saw the member join the room; None if it never did."""
        row = await self.db.fetch_one(
            "SELECT joined_at FROM joins WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        )
        return from_db(row[0]) if row else None

    async def is_known(self, room_id: str, user_id: str) -> bool:
        """Whether Kring knows the user as a member of the room: it saw them join, or speak there."""
        row = await self.db.fetch_one(
            "SELECT 1 FROM joins WHERE room_id = ? AND user_id = ? "
            "UNION ALL SELECT 1 FROM members WHERE room_id = ? AND user_id = ? LIMIT 1",
            (room_id, user_id, room_id, user_id),
        )
        return row is not None


NAMES_PER_QUERY = 250  # ids per `IN (…)`: a message may mention a thousand, an old SQLite binds at most 999


def _stored_names(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    wanted = sorted(set(user_ids))
    names: dict[str, str] = {}
    for start in range(0, len(wanted), NAMES_PER_QUERY):
        chunk = wanted[start : start + NAMES_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT user_id, display_name FROM members WHERE room_id = ? AND user_id IN ({marks})", (room_id, *chunk)
        )
        names.update((str(r[0]), clean_name(str(r[1]))) for r in rows)
    return names


def names_in_room(conn: sqlite3.Connection, room_id: str, user_ids: list[str]) -> dict[str, str]:
    """`display_names` for code already on the database thread (see Database.run)."""
    names = _stored_names(conn, room_id, user_ids)
    wanted = sorted({form for name in names.values() if name for form in (name, name.casefold())})
    holders: dict[str, set[str]] = {}
    for start in range(0, len(wanted), 250):
        chunk = wanted[start : start + 250]
        marks = ",".join("?" * len(chunk))
        # Names are stored clean (storage.queries.intake), so the database can compare them; one query per index
        # (members_by_name, members_by_folded_name), not an OR that reads every member of the room.
        for column in ("display_name", "lower(display_name)"):
            rows = conn.execute(
                f"SELECT user_id, display_name FROM members WHERE room_id = ? AND {column} IN ({marks})",
                (room_id, *chunk),
            )
            for user_id, name in rows:
                holders.setdefault(clean_name(str(name)).casefold(), set()).add(str(user_id))
    return {
        user_id: shown_name(user_id, name, shared=len(holders.get(name.casefold(), set()) | {user_id}) > 1)
        for user_id, name in names.items()
    }
