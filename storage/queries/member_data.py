"""Members' own data: opting out of reputation, a copy of everything held about a member, being forgotten
(a pseudonym in place of the user id, free text erased, amounts kept), and how long message text is kept.

A forgotten member is recognised later only by a keyed hash of their user id (the key is this database's own),
so Kring can ignore their events without keeping the id itself.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from storage.db import Database
from storage.records import is_user_id
from storage.timeconv import from_db, to_db

log = logging.getLogger(__name__)

KEY = "privacy.key"  # the key of the hash that recognises forgotten members
FORMER_COUNT = "privacy.former_count"
FORGET_REQUEST = "privacy.forget_request:"  # + user id: when they asked (until they confirm or it lapses)
DIRECT_ROOM = "privacy.direct_room:"  # + user id: the member's direct room with the bot
TEXTS_CLEARED_ON = "privacy.texts_cleared_on"  # the UTC day message text was last cleared
MIN_QUOTED_TEXT = 12  # a member's text shorter than this ("ok", "I can drive") is not looked for in bot messages
MIN_RENAMED_NAME = 4  # a display name shorter than this is not looked for in others' text

PSEUDONYM = "former member {number}"  # what a forgotten member's user id becomes in every table


class Forget(Enum):
    """What forgetting a member does to a table's rows that name them."""

    RENAME = "rename"  # the user id becomes the pseudonym, their text is erased: the books need the row
    DELETE = "delete"  # the rows go: nothing in them is needed for the books
    KEEP = "keep"  # names no member (or is scrubbed by its own rule: the outbox, the key-value table)


@dataclass(frozen=True)
class Table:
    """One table as members' data: every column is in exactly one place here (tests/unit/storage/test_member_columns.py
    walks the migrated schema). The copy (`!mydata`), the renaming and the erasing are derived from it."""

    name: str
    forget: Forget
    members: tuple[str, ...] = ()  # columns holding a member's user id; the first is the author of `their_text`
    # Text the author wrote: (column, what it becomes when they are forgotten). Text that becomes '' is also looked
    # for in the bot's messages that quote it; in a table whose rows are deleted only that mark matters.
    their_text: tuple[tuple[str, str], ...] = ()
    free_text: tuple[str, ...] = ()  # text where others may have named the member: the pseudonym replaces them
    own: tuple[str, ...] = ()  # neither: ids, amounts, moments, flags, the bot's own text, scrubbed by own rules
    section: str = ""  # the copy's section for this table (its name when empty)

    @property
    def columns(self) -> set[str]:
        return {*self.members, *(c for c, _ in self.their_text), *self.free_text, *self.own}

    @property
    def quoted(self) -> tuple[str, ...]:
        """Their text that a bot message may quote: what is looked for in the outbox when they are forgotten."""
        return tuple(c for c, erased in self.their_text if erased == "''")


TABLES: tuple[Table, ...] = (
    Table("members", Forget.DELETE, ("user_id",), (("display_name", "NULL"),), own=("room_id",), section="names"),
    Table("joins", Forget.DELETE, ("user_id",), own=("room_id", "joined_at"), section="joined"),
    Table("reputation", Forget.RENAME, ("user_id",), own=("room_id", "credits")),
    Table(
        "messages",
        Forget.RENAME,
        ("author",),
        (("excerpt", "''"),),
        ("excerpt",),
        ("event_id", "room_id", "sent_at", "is_idea", "score", "redacted", "held_back"),
    ),
    Table(
        "reactions",
        Forget.RENAME,
        ("giver",),
        own=("event_id", "room_id", "target_event_id", "emoji", "direction", "at", "removed"),
    ),
    Table(
        "credits",
        Forget.RENAME,
        ("giver", "receiver"),
        own=(
            "id",
            "room_id",
            "delta",
            "reason",
            "source_event_id",
            "target_event_id",
            "emoji",
            "proposal_id",
            "reverses",
            "at",
        ),
    ),
    Table(
        "proposals",
        Forget.RENAME,
        ("proposer",),
        (("cancel_reason", "NULL"), ("close_reason", "NULL")),
        ("title", "description", "cancel_reason", "close_reason"),  # title and description stay: the record
        (
            "id",
            "room_id",
            "number",
            "money_goal_cents",
            "hours_goal_minutes",
            "min_backers",
            "deadline",
            "created_at",
            "source_event_id",
            "idea_event_id",
            "status",
            "decided_at",
            "fully_backed_at",
            "closed",
            "closed_at",
            "thread_root",
            "thread_latest",
            "needs",
        ),
    ),
    Table(
        "pledges",
        Forget.RENAME,
        ("user_id",),
        (("note", "''"),),
        ("note",),
        ("proposal_id", "money_cents", "minutes", "pledged_at"),
    ),
    Table(
        "pledge_history",
        Forget.RENAME,
        ("user_id",),
        (("note", "''"),),
        ("note",),
        ("id", "proposal_id", "action", "money_cents", "minutes", "event_id", "at"),
    ),
    Table("objections", Forget.RENAME, ("user_id",), (("reason", "''"),), ("reason",), ("proposal_id", "at")),
    Table(
        "updates",
        Forget.RENAME,
        ("user_id",),
        (("text", "''"),),
        ("text",),
        ("id", "proposal_id", "percent", "at", "event_id"),
    ),
    Table(
        "deliveries",
        Forget.RENAME,
        ("user_id", "confirmed_by"),
        (("note", "''"),),
        ("note",),
        ("id", "proposal_id", "money_cents", "minutes", "at", "event_id", "confirmed_at", "confirm_event_id"),
    ),
    Table(
        "talents",
        Forget.DELETE,
        ("user_id",),
        (("talent", "''"), ("key", "NULL")),
        own=("room_id", "added_at"),
    ),
    Table("askable", Forget.DELETE, ("user_id",), own=("room_id",)),
    Table(
        "needs",
        Forget.RENAME,
        ("user_id", "helped_by"),
        (("text", "''"), ("talents", "'[]'")),
        ("text",),
        ("id", "room_id", "number", "at", "event_id", "solved_at"),
    ),
    Table("opted_out", Forget.DELETE, ("user_id",), own=("opted_out_at",)),
    Table("told", Forget.DELETE, ("user_id",), own=("room_id", "topic", "told_at")),
    Table(
        "encrypted_pending",
        Forget.DELETE,
        ("sender",),
        (("source", "NULL"),),  # the ciphertext event, which names its sender
        own=("event_id", "room_id", "first_seen", "explained"),
    ),
    # The bot's own messages: their text and mentions are scrubbed by name and quote (`_scrub_outbox`), and the
    # copy lists which of them mention the member.
    Table(
        "outbox",
        Forget.KEEP,
        own=(
            "id",
            "room_id",
            "kind",
            "proposal_id",
            "body",
            "html",
            "reply_to",
            "mentions",
            "created_at",
            "sent_at",
            "event_id",
            "state",
            "thread_root",
            "opens_thread",
            "delivery_id",
            "priority",
            "reaches",  # whether it was sent so that the members it mentions are notified
            "attempts",
            "retry_at",
            "last_error",  # the homeserver's refusal (errcode and message), never a member's text
        ),
    ),
    # Keys that hold a user id (a request to be forgotten, a direct room) are named by FORGET_REQUEST and
    # DIRECT_ROOM: copied, and deleted when the member is forgotten.
    Table("kv", Forget.KEEP, own=("key", "value")),
    Table("forgotten", Forget.KEEP, own=("digest", "pseudonym", "forgotten_at")),  # keyed hashes, no ids
    Table("processed_events", Forget.KEEP, own=("event_id", "room_id", "processed_at")),
    Table("bot_messages", Forget.KEEP, own=("event_id", "room_id", "kind", "proposal_id", "delivery_id")),
    Table("announcements", Forget.KEEP, own=("id", "proposal_id", "kind", "due_at", "state", "done_at")),
    Table("room_settings", Forget.KEEP, own=("room_id", "language", "digest")),
    Table("digests", Forget.KEEP, own=("room_id", "due_at", "state", "done_at")),  # when each room's digest went
    Table("board_writes", Forget.KEEP, own=("n",)),  # a count of writes, nothing of anyone
    # The board's ways in: a forgotten member's sign-in links and sessions go (only digests of tokens are kept).
    Table("board_links", Forget.DELETE, ("user_id",), own=("digest", "room_id", "expires_at", "used_at")),
    Table("board_sessions", Forget.DELETE, ("user_id",), own=("digest", "room_id", "expires_at")),
    Table("board_rooms", Forget.KEEP, own=("room_id", "key")),
)
_MOMENTS = frozenset({"at", "sent_at", "deadline", "created_at", "decided_at", "closed_at", "fully_backed_at"})

# Derived from TABLES. The copy: (section, table, the columns that name them); every row that names them is in it.
_MINE = tuple((t.section or t.name, t.name, t.members) for t in TABLES if t.members)
# Forgetting: the user id becomes the pseudonym here, and the author's text columns are erased…
_RENAMED = tuple(
    (t.name, column, dict(t.their_text) if index == 0 else {})
    for t in TABLES
    if t.forget is Forget.RENAME
    for index, column in enumerate(t.members)
)
# …and their rows here are deleted.
_DELETED = tuple((t.name, column) for t in TABLES if t.forget is Forget.DELETE for column in t.members)
# Their own text, looked for in the bot's own messages that quote it.
_THEIR_TEXTS = tuple(f"SELECT {column} FROM {t.name} WHERE {t.members[0]} = :u" for t in TABLES for column in t.quoted)
# Free text anyone wrote, where others may have named the member (by user id or display name).
_FREE_TEXT = tuple((t.name, column) for t in TABLES for column in t.free_text)


def unclassified_columns(conn: sqlite3.Connection) -> list[str]:
    """What the schema and TABLES disagree on: a table or column no declaration names, or one declared that the
    schema lacks. Empty when every column is classified."""
    declared = {t.name: t.columns for t in TABLES}
    found: list[str] = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        if table.startswith("sqlite_"):
            continue
        if table not in declared:
            found.append(f"{table} (a table no declaration names)")
            continue
        present = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
        found += [f"{table}.{column}" for column in sorted(present - declared[table])]
        found += [f"{table}.{column} (declared, not in the schema)" for column in sorted(declared[table] - present)]
    found += [f"{name} (declared, not in the schema)" for name in sorted(set(declared) - set(tables))]
    return sorted(found)


def _rename_in_texts(conn: sqlite3.Connection, needles: set[str], pseudonym: str) -> None:
    """Where others named the member in what they wrote, the pseudonym stands instead (whole words only)."""
    pattern = _whole_words(needles)
    assert pattern is not None
    for table, column in _FREE_TEXT:
        for needle in needles:
            rows = conn.execute(f"SELECT rowid, {column} FROM {table} WHERE instr({column}, ?) > 0", (needle,))
            for rowid, text in rows.fetchall():
                renamed = pattern.sub(pseudonym, text)
                if renamed != text:
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (renamed, rowid))


def digest(key: bytes, user_id: str) -> str:
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()


def _row_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for (name, *_), value in zip(cursor.description, row, strict=True):
        if isinstance(value, int) and (name in _MOMENTS or name.endswith("_at")):
            value = from_db(value).isoformat()
        item[name] = value
    return item


def _data_of(conn: sqlite3.Connection, user_id: str) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for section, table, columns in _MINE:
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


def _rooms_of(conn: sqlite3.Connection, user_id: str) -> set[str]:
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


def _whole_words(needles: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({n for n in needles if n}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in ordered))


def _scrub_outbox(conn: sqlite3.Connection, user_id: str, pseudonym: str, names: set[str], texts: set[str]) -> None:
    """The bot's own messages that name the member: a pending one names the pseudonym instead; a sent one (it is
    in the room's history already, Kring only kept a copy) loses its text. Names and ids match as whole words
    (HTML-escaped in the HTML body); their own texts only when long enough not to be a common phrase."""
    plain_names = _whole_words({user_id, *names})
    html_names = _whole_words({user_id, *(html.escape(n, quote=False) for n in names)})
    quoted = {t for t in texts if len(t) >= MIN_QUOTED_TEXT}
    quoted_html = {html.escape(t, quote=False) for t in quoted}
    assert plain_names is not None and html_names is not None
    rows = conn.execute("SELECT id, state, body, html, mentions FROM outbox").fetchall()
    for row_id, state, body, html_body, mentions in rows:
        named = (
            user_id in json.loads(mentions)
            or plain_names.search(body) is not None
            or html_names.search(html_body) is not None
            or any(t in body for t in quoted)
            or any(t in html_body for t in quoted_html)
        )
        if not named:
            continue
        if state == "pending":
            kept = [m for m in json.loads(mentions) if m != user_id]
            body, html_body = plain_names.sub(pseudonym, body), html_names.sub(pseudonym, html_body)
            conn.execute(
                "UPDATE outbox SET body = ?, html = ?, mentions = ? WHERE id = ?",
                (body, html_body, json.dumps(kept), row_id),
            )
        else:
            conn.execute("UPDATE outbox SET body = '', html = '', mentions = '[]' WHERE id = ?", (row_id,))


def _own_names(conn: sqlite3.Connection, user_id: str) -> set[str]:
    """The member's display names that only they hold and that are long enough to stand for them in others' text
    ("Al" or a name another member also has would rename other people)."""
    rows = conn.execute(
        "SELECT DISTINCT display_name FROM members m WHERE user_id = ? AND length(display_name) >= ? AND NOT EXISTS "
        "(SELECT 1 FROM members o WHERE o.display_name = m.display_name AND o.user_id != m.user_id)",
        (user_id, MIN_RENAMED_NAME),
    )
    return {str(r[0]) for r in rows}


def _forget(conn: sqlite3.Connection, user_id: str, number: int, names_in_rooms: dict[str, str], at: int) -> None:
    pseudonym = PSEUDONYM.format(number=number)
    key = _key(conn)
    texts = {str(r[0]) for query in _THEIR_TEXTS for r in conn.execute(query, {"u": user_id}) if r[0]}
    names = _own_names(conn, user_id)
    _scrub_outbox(conn, user_id, pseudonym, names, texts)
    _rename_in_texts(conn, {user_id, *names}, pseudonym)
    for table, column, erased in _RENAMED:
        sets = ", ".join([f"{column} = :p", *(f"{c} = {v}" for c, v in erased.items())])
        conn.execute(f"UPDATE {table} SET {sets} WHERE {column} = :u", {"p": pseudonym, "u": user_id})
    for table, column in _DELETED:
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
    conn.executemany("DELETE FROM kv WHERE key = ?", [(FORGET_REQUEST + user_id,), (DIRECT_ROOM + user_id,)])
    conn.executemany(
        "INSERT INTO members (room_id, user_id, display_name) VALUES (?, ?, ?)",
        [(room_id, pseudonym, name) for room_id, name in names_in_rooms.items()],
    )
    conn.execute(
        "INSERT INTO forgotten (digest, pseudonym, forgotten_at) VALUES (?, ?, ?)",
        (digest(key, user_id), pseudonym, at),
    )


class KeyMismatchError(Exception):
    """A restored copy hashes forgotten members' ids with another key than the database it replaces."""


@dataclass(frozen=True)
class Forgetting:
    """What a database knows of the members it forgot: the key of its hashes, each hash with the pseudonym and
    moment, and how many pseudonyms it handed out."""

    key: str | None
    forgotten: tuple[tuple[str, str, int], ...]
    former_count: int


def forgetting_in(conn: sqlite3.Connection) -> Forgetting:
    """The forgetting a database holds (none in one made before forgetting existed)."""
    try:
        rows = conn.execute("SELECT digest, pseudonym, forgotten_at FROM forgotten ORDER BY forgotten_at").fetchall()
        values = dict(conn.execute("SELECT key, value FROM kv WHERE key IN (?, ?)", (KEY, FORMER_COUNT)).fetchall())
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return Forgetting(None, (), 0)
        raise
    return Forgetting(
        values.get(KEY),
        tuple((str(d), str(p), int(at)) for d, p, at in rows),
        int(values.get(FORMER_COUNT, 0)),
    )


def _held_user_ids(conn: sqlite3.Connection) -> set[str]:
    """Every user id this database holds anywhere a member is named."""
    held: set[str] = set()
    for _, table, columns in _MINE:
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


def _forgotten_since(conn: sqlite3.Connection, earlier: Forgetting) -> dict[str, int]:
    own = conn.execute("SELECT value FROM kv WHERE key = ?", (KEY,)).fetchone()
    if own is not None and earlier.key is not None and str(own[0]) != earlier.key:
        raise KeyMismatchError("it hashes forgotten members' user ids with another key than the database it replaces")
    if own is None and earlier.key is not None:
        conn.execute("INSERT INTO kv (key, value) VALUES (?, ?)", (KEY, earlier.key))
    if earlier.key is None:
        return {}
    key = bytes.fromhex(earlier.key)
    numbers = {d: int(m.group(1)) for d, p, _ in earlier.forgotten if (m := re.search(r"(\d+)$", p))}
    return {u: numbers[digest(key, u)] for u in _held_user_ids(conn) if digest(key, u) in numbers}


def _remember_forgotten(conn: sqlite3.Connection, earlier: Forgetting) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO forgotten (digest, pseudonym, forgotten_at) VALUES (?, ?, ?)", earlier.forgotten
    )
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (FORMER_COUNT,)).fetchone()
    count = max(int(row[0]) if row else 0, earlier.former_count)
    conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (FORMER_COUNT, str(count)),
    )


def _key(conn: sqlite3.Connection) -> bytes:
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (KEY,)).fetchone()
    if row is None:
        value = secrets.token_hex(32)
        conn.execute("INSERT INTO kv (key, value) VALUES (?, ?)", (KEY, value))
        return bytes.fromhex(value)
    return bytes.fromhex(str(row[0]))


def _next_former_number(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (FORMER_COUNT,)).fetchone()
    number = 1 + (int(row[0]) if row else 0)
    conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (FORMER_COUNT, str(number)),
    )
    return number


class PrivacyQueries:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._forgotten: frozenset[str] | None = None  # digests, read once and kept until the next forgetting
        self._key: bytes | None = None
        self.generation = 0  # moves on every opt-out, opt-in and forgetting: what the engine read may be stale
        self._opted_out: frozenset[str] | None = None
        self.scrub_due = False  # set by a forgetting: empty the WAL once its transaction is committed

    # opting out of reputation
    async def opt_out(self, user_id: str, at: datetime) -> bool:
        """True when they were not opted out yet."""
        self.generation += 1
        self._opted_out = None
        return (
            await self.db.execute(
                "INSERT OR IGNORE INTO opted_out (user_id, opted_out_at) VALUES (?, ?)", (user_id, to_db(at))
            )
            == 1
        )

    async def opt_in(self, user_id: str) -> bool:
        """True when they were opted out."""
        self.generation += 1
        self._opted_out = None
        return await self.db.execute("DELETE FROM opted_out WHERE user_id = ?", (user_id,)) == 1

    async def opted_out(self) -> frozenset[str]:
        """Who opted out, read once and kept until an opt-out, opt-in, forgetting or rollback (every batch with
        reactions asks)."""
        if self._opted_out is None:
            self._opted_out = frozenset(str(r[0]) for r in await self.db.fetch_all("SELECT user_id FROM opted_out"))
        return self._opted_out

    # a copy
    async def data_of(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row that names the member, by section (names, messages, credits, pledges, …)."""
        return await self.db.run(lambda conn: _data_of(conn, user_id))

    async def rooms_of(self, user_id: str) -> set[str]:
        """The rooms where Kring holds anything about the member."""
        return await self.db.run(lambda conn: _rooms_of(conn, user_id))

    # being forgotten
    async def ask_to_forget(self, user_id: str, at: datetime) -> None:
        await self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (FORGET_REQUEST + user_id, str(to_db(at))),
        )

    async def asked_to_forget(self, user_id: str) -> datetime | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (FORGET_REQUEST + user_id,))
        return None if row is None else from_db(int(row[0]))

    async def next_former_number(self) -> int:
        """The number of the next pseudonym ("former member 7"); call it in the forgetting's transaction."""
        return await self.db.run(_next_former_number)

    async def forget(self, user_id: str, number: int, names_in_rooms: dict[str, str], at: datetime) -> None:
        """Replace the member by pseudonym `number` everywhere, erase their free text, drop what the books do not
        need, and remember a keyed hash of their user id only. `names_in_rooms`: the pseudonym as each room shows
        it. Call `scrub` after the transaction commits."""
        self._forgotten = None
        self._opted_out = None
        self.generation += 1
        self.scrub_due = True
        await self.db.run(lambda conn: _forget(conn, user_id, number, names_in_rooms, to_db(at)))

    async def held_user_ids(self) -> set[str]:
        """Every member's user id the database holds (how ids look in it, for an operator who mistyped one)."""
        return {u for u in await self.db.run(_held_user_ids) if is_user_id(u)}

    async def forgotten_since(self, earlier: Forgetting) -> dict[str, int]:
        """On a restored copy, inside a transaction: the user ids it holds that `earlier` (the forgetting of the
        database it replaces) forgot, each with the number of their pseudonym; the copy takes over `earlier`'s
        key. KeyMismatchError when the copy hashes with another key (a backup of another database)."""
        self._forgotten = None
        self._key = None
        return await self.db.run(lambda conn: _forgotten_since(conn, earlier))

    async def remember_forgotten(self, earlier: Forgetting) -> None:
        """…then keep `earlier`'s hashes too (members it forgot that the copy does not hold), and number new
        pseudonyms after its own."""
        self._forgotten = None
        await self.db.run(lambda conn: _remember_forgotten(conn, earlier))

    async def forgotten_among(self, user_ids: Iterable[str]) -> set[str]:
        """Which of these user ids belong to forgotten members."""
        if self._forgotten is None:
            self._forgotten = frozenset(str(r[0]) for r in await self.db.fetch_all("SELECT digest FROM forgotten"))
        if not self._forgotten:
            return set()
        if self._key is None:
            row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (KEY,))
            if row is None:
                return set()
            self._key = bytes.fromhex(str(row[0]))
        return {u for u in set(user_ids) if digest(self._key, u) in self._forgotten}

    def rolled_back(self) -> None:
        """The transaction that may have forgotten someone or opted them out was rolled back: forget what was
        cached from it (read again from the committed rows when next needed)."""
        self._forgotten = None
        self._key = None
        self._opted_out = None
        self.generation += 1
        self.scrub_due = False

    async def scrub(self) -> None:
        """After erasing: copy the WAL into the database file and empty it, so the old bytes are nowhere
        (`secure_delete` has zeroed them in the database's pages)."""
        row = await self.db.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = row is not None and int(row[0]) != 0
        self.scrub_due = busy  # a reader held it off (an export, say): try again after the next batch
        if busy:
            log.warning(
                "could not empty the write-ahead log yet (a reader holds it); trying again after the next batch"
            )

    # retention
    async def texts_cleared_on(self) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM kv WHERE key = ?", (TEXTS_CLEARED_ON,))
        return None if row is None else str(row[0])

    async def clear_texts(self, before: datetime, day: str, requests_before: datetime) -> int:
        """Erase the remembered text of messages sent before `before` (ids, authors and scores stay) and requests
        to be forgotten made before `requests_before` (they have lapsed), and note `day` as done; the number of
        messages cleared."""

        def clear(conn: sqlite3.Connection) -> int:
            cleared = conn.execute(
                "UPDATE messages SET excerpt = '' WHERE sent_at < ? AND excerpt != ''", (to_db(before),)
            ).rowcount
            conn.execute(
                "DELETE FROM kv WHERE substr(key, 1, ?) = ? AND CAST(value AS INTEGER) < ?",
                (len(FORGET_REQUEST), FORGET_REQUEST, to_db(requests_before)),
            )
            conn.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (TEXTS_CLEARED_ON, day),
            )
            return int(cleared)

        return await self.db.run(clear)
