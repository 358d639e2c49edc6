"""Reading a database beside a running bot, without its lock: read-only state, online backups, integrity checks."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from storage.file_modes import create_private_file

READ_TIMEOUT_S = 5.0
T = TypeVar("T")


def _read_only(database: str | Path) -> sqlite3.Connection:
    """A connection that can never write (nor take the writer's lock); a running `kring run` goes on beside it."""
    uri = f"{Path(database).resolve().as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=READ_TIMEOUT_S)


def read_with(database: str | Path, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` on a read-only connection to `database` (safe beside a running bot)."""
    with contextlib.closing(_read_only(database)) as conn:
        return work(conn)


def read_state(database: str | Path, keys: Iterable[str]) -> dict[str, str]:
    """The values of `keys` in the key-value table (missing keys are left out); empty for a database without it."""
    wanted = list(keys)
    if not wanted:
        return {}
    with contextlib.closing(_read_only(database)) as conn:
        try:
            rows = conn.execute(
                f"SELECT key, value FROM kv WHERE key IN ({', '.join('?' for _ in wanted)})", wanted
            ).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return {}
            raise
    return {str(key): str(value) for key, value in rows}


def read_parked(database: str | Path) -> list[tuple[int, str, int, str]]:
    """The outbox messages parked after repeated refusals: (id, room, attempts, last error); empty before the
    outbox could park any."""
    with contextlib.closing(_read_only(database)) as conn:
        try:
            rows = conn.execute(
                "SELECT id, room_id, attempts, last_error FROM outbox WHERE state = 'parked' ORDER BY id"
            ).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error) or "no such column" in str(error):
                return []
            raise
    return [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]


def backup_database(source: str | Path, target: Path) -> None:
    """A consistent copy of `source` as it is at one moment (SQLite's online backup), written owner-only.

    The copy is made in one step under a read transaction, so a bot writing meanwhile neither waits for it nor
    tears it: it holds every transaction committed before that moment and none after. The copy is a single
    file (rollback journal), ready to be restored or opened anywhere.
    """
    create_private_file(target)
    with contextlib.closing(_read_only(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        dst.commit()


def integrity_problems(database: str | Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong; empty when the database is sound."""
    with contextlib.closing(_read_only(database)) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found
