"""Running the numbered schema migrations, each in its own transaction together with PRAGMA user_version.

They run on the database thread with the plain sqlite3 connection, before the database is handed to anyone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: dict[int, Migration] = {}
REBUILDS_TABLES: set[int] = set()  # migrations that copy a table into a new one: foreign keys off meanwhile


class SchemaTooNewError(Exception):
    """The database was written by a newer Kring; refuse rather than guess."""


def migration(version: int, *, rebuilds_tables: bool = False) -> Callable[[Migration], Migration]:
    def register(step: Migration) -> Migration:
        if version in MIGRATIONS:
            raise RuntimeError(f"migration {version} registered twice")
        MIGRATIONS[version] = step
        if rebuilds_tables:
            REBUILDS_TABLES.add(version)
        return step

    return register


def latest_version() -> int:
    return max(MIGRATIONS)


def check_numbering() -> None:
    """The registered versions run 1, 2, … without a gap: a missing one would leave databases half migrated."""
    expected = list(range(1, len(MIGRATIONS) + 1))
    if sorted(MIGRATIONS) != expected:
        missing = sorted(set(expected) - set(MIGRATIONS))
        raise RuntimeError(f"schema migrations are not numbered 1 to {len(MIGRATIONS)}: missing {missing}")


def current_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def refuse_newer_schema(conn: sqlite3.Connection) -> int:
    """The database's schema version; SchemaTooNewError if a newer Kring wrote it."""
    version = current_version(conn)
    newest = latest_version()
    if version > newest:
        raise SchemaTooNewError(
            f"the database has schema version {version} but this Kring knows only up to {newest}; "
            "upgrade Kring or use a backup"
        )
    return version


def apply_migrations(conn: sqlite3.Connection) -> None:
    version = refuse_newer_schema(conn)
    for target in range(version + 1, latest_version() + 1):
        rebuild = target in REBUILDS_TABLES
        keys_were_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if rebuild:
            conn.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction does this take effect
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) >= target:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            MIGRATIONS[target](conn)
            if rebuild and conn.execute("PRAGMA foreign_key_check").fetchall():
                raise sqlite3.IntegrityError(f"migration {target} would break a foreign key")
            conn.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if rebuild and keys_were_on and not conn.in_transaction:
                conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("COMMIT")
        if rebuild and keys_were_on:
            conn.execute("PRAGMA foreign_keys = ON")
        log.info("database migrated to schema version %d", target)


def statements(script: str) -> Iterator[str]:
    """The SQL statements of `script`, in order, each ended where SQLite's own tokenizer says it is complete: a `;`
    inside a string literal, a comment or a trigger's body stays in its statement."""
    statement = ""
    pieces = script.split(";")
    for index, piece in enumerate(pieces):
        statement += f"{piece};" if index < len(pieces) - 1 else f"{piece}\n;"  # a last line comment ends too
        if sqlite3.complete_statement(statement):
            if statement.strip(" \t\r\n;"):
                yield statement.strip()[:-1].rstrip()  # without its `;`: SQLite keeps none in the schema either
            statement = ""
    if statement.strip(" \t\r\n;"):
        raise ValueError(f"an incomplete SQL statement ends the script: {statement.strip()[:60]!r}")


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of `script` inside the migration's transaction (`executescript` would COMMIT it first)."""
    for statement in statements(script):
        conn.execute(statement)
