"""Forgetting a member: a pseudonym in place of the user id, their text erased, amounts kept, the bot's messages
that name them scrubbed; a keyed hash of the id is all that stays, also across a restore from a backup."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from storage.queries.member_data.copies import held_user_ids
from storage.queries.member_data.tables import (
    DELETED,
    DIRECT_ROOM,
    FORGET_REQUEST,
    FORMER_COUNT,
    FREE_TEXT,
    KEY,
    MIN_QUOTED_TEXT,
    MIN_RENAMED_NAME,
    PSEUDONYM,
    RENAMED,
    THEIR_TEXTS,
)


def _rename_in_texts(conn: sqlite3.Connection, needles: set[str], pseudonym: str) -> None:
    """Where others named the member in what they wrote, the pseudonym stands instead (whole words only)."""
    pattern = _whole_words(needles)
    assert pattern is not None
    for table, column in FREE_TEXT:
        for needle in needles:
            rows = conn.execute(f"SELECT rowid, {column} FROM {table} WHERE instr({column}, ?) > 0", (needle,))
            for rowid, text in rows.fetchall():
                renamed = pattern.sub(pseudonym, text)
                if renamed != text:
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (renamed, rowid))


def digest(key: bytes, user_id: str) -> str:
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()


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


def forget_member(conn: sqlite3.Connection, user_id: str, number: int, names_in_rooms: dict[str, str], at: int) -> None:
    pseudonym = PSEUDONYM.format(number=number)
    key = _key(conn)
    texts = {str(r[0]) for query in THEIR_TEXTS for r in conn.execute(query, {"u": user_id}) if r[0]}
    names = _own_names(conn, user_id)
    _scrub_outbox(conn, user_id, pseudonym, names, texts)
    _rename_in_texts(conn, {user_id, *names}, pseudonym)
    for table, column, erased in RENAMED:
        sets = ", ".join([f"{column} = :p", *(f"{c} = {v}" for c, v in erased.items())])
        conn.execute(f"UPDATE {table} SET {sets} WHERE {column} = :u", {"p": pseudonym, "u": user_id})
    for table, column in DELETED:
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


def forgotten_since(conn: sqlite3.Connection, earlier: Forgetting) -> dict[str, int]:
    own = conn.execute("SELECT value FROM kv WHERE key = ?", (KEY,)).fetchone()
    if own is not None and earlier.key is not None and str(own[0]) != earlier.key:
        raise KeyMismatchError("it hashes forgotten members' user ids with another key than the database it replaces")
    if own is None and earlier.key is not None:
        conn.execute("INSERT INTO kv (key, value) VALUES (?, ?)", (KEY, earlier.key))
    if earlier.key is None:
        return {}
    key = bytes.fromhex(earlier.key)
    numbers = {d: int(m.group(1)) for d, p, _ in earlier.forgotten if (m := re.search(r"(\d+)$", p))}
    return {u: numbers[digest(key, u)] for u in held_user_ids(conn) if digest(key, u) in numbers}


def remember_forgotten(conn: sqlite3.Connection, earlier: Forgetting) -> None:
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


def next_former_number(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (FORMER_COUNT,)).fetchone()
    number = 1 + (int(row[0]) if row else 0)
    conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (FORMER_COUNT, str(number)),
    )
    return number
