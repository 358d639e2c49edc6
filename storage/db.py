"""The SQLite connection: pragmas on connect, explicit transactions, migrations applied at open."""

from __future__ import annotations

import fcntl
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, TypeVar, cast

import aiosqlite

from storage.migrations import apply_migrations, refuse_newer_schema

log = logging.getLogger(__name__)

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000
WAL_CHECKPOINT_PAGES = 10_000
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # above what WAL_CHECKPOINT_PAGES lets it reach


class StoreLockedError(Exception):
    """Another process holds the database; two bots must not share one store."""


def hold_exclusive_lock(database: str | Path) -> IO[bytes]:
    """Take `<database>.lock` for this process; a second `kring run` on the same file is refused.

    The lock sits beside the real file: a symlink or another spelling of the path must find the same lock.
    """
    path = Path(f"{Path(database).resolve()}.lock")
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreLockedError(
            f"another Kring is already running on {database} (it holds {path}); two bots must not share a database"
        ) from None
    return handle


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Row | None:
    """The first row, or None, in one round trip to the database thread (`async with conn.execute(…)`,
    `fetchone` and the cursor's close are three)."""
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


class Database:
    """One aiosqlite connection in autocommit mode; every write happens inside `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._savepoints = 0
        # Savepoints that ended well inside a transaction, innermost first: released together with the next
        # statement this class sends (see `savepoint`), not on a round trip of their own.
        self._unreleased: list[str] = []

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        location = str(path)
        conn = await aiosqlite.connect(location, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await refuse_newer_schema(conn)  # before WAL mode, which would already change the file
            if location != ":memory:":
                await conn.execute("PRAGMA journal_mode = WAL")
                # Checkpoint every ~40 MB of WAL instead of 4 MB: a busy batch dirties pages all over the
                # event-id indexes, and copying them back (with an fsync) every other batch made ingest a third
                # slower on a 100 000-event store (docs/PERFORMANCE.md).
                await conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
                # …and shrink it back after an outlier (a long reader holding off checkpoints). Not lower: regrowing
                # a truncated WAL made every batch's COMMIT slower.
                await conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await apply_migrations(conn)
        except BaseException:
            await conn.close()
            raise
        log.info("database open: %s", location)
        return cls(conn, location)

    async def close(self) -> None:
        await self.conn.close()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` with the plain sqlite3 connection on the database thread, inside the current transaction.

        Every aiosqlite call is one round trip to its worker thread (tens of µs, far more than a small indexed
        query); `work` may run hundreds of statements for that one round trip. aiosqlite has no public call for
        this, so we queue `work` on its worker the way its own methods do (tests/unit/test_store_batch.py checks
        that this still works).
        """
        raw: sqlite3.Connection = self.conn._conn
        release = self._take_unreleased()
        if release:
            work = functools.partial(_after_releasing, release, work)
        result = await self.conn._execute(work, raw)  # type: ignore[no-untyped-call]
        return cast(T, result)

    def _take_unreleased(self) -> list[str]:
        release, self._unreleased = self._unreleased, []
        return release

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception, a failed COMMIT included."""
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self._unreleased.clear()  # COMMIT releases every savepoint still open
            await self.conn.execute("COMMIT")
        except BaseException:
            self._unreleased.clear()
            await self._rollback()
            raise

    async def _rollback(self) -> None:
        # After SQLITE_FULL or an I/O error SQLite may have rolled back already; then ROLLBACK fails harmlessly.
        # Left open, the transaction would keep its writes visible to this connection and refuse every BEGIN.
        try:
            await self.conn.execute("ROLLBACK")
        except sqlite3.OperationalError:
            if self.conn.in_transaction:
                raise

    @asynccontextmanager
    async def savepoint(self, first: Callable[[sqlite3.Connection], object] | None = None) -> AsyncIterator[None]:
        """A nested unit inside a transaction: on error only its own writes are undone.

        `first` runs on the database thread just before the SAVEPOINT, in the same round trip; its writes are
        not part of the unit. Inside a transaction, a unit that ended well is RELEASEd with the next statement
        sent through this class (`run`, the next savepoint) instead of on a round trip of its own: until then
        it only sits on SQLite's savepoint stack, where COMMIT releases it and a ROLLBACK (TO an enclosing
        savepoint) cancels it, exactly as if it had been released. Outside a transaction RELEASE commits, so
        it is sent at once.
        """
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        nested = self.conn.in_transaction

        def begin(conn: sqlite3.Connection) -> None:
            if first is not None:
                first(conn)
            conn.execute(f"SAVEPOINT {name}")

        try:
            await self.run(begin)
            try:
                yield
            except BaseException:
                self._unreleased.clear()  # savepoints inside this one: ROLLBACK TO cancels them
                await self.run(functools.partial(_roll_back_to, name))
                raise
        finally:
            self._savepoints -= 1
        if nested:
            self._unreleased.append(name)
        else:
            await self.run(functools.partial(_release, name))


def _release(name: str, conn: sqlite3.Connection) -> None:
    conn.execute(f"RELEASE {name}")


def _roll_back_to(name: str, conn: sqlite3.Connection) -> None:
    conn.execute(f"ROLLBACK TO {name}")
    conn.execute(f"RELEASE {name}")


def _after_releasing(names: list[str], work: Callable[[sqlite3.Connection], T], conn: sqlite3.Connection) -> T:
    for name in names:
        _release(name, conn)
    return work(conn)
