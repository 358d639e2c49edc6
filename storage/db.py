"""The SQLite database: one connection, the lock that guards it, pragmas on connect, transactions and savepoints,
and what runs in memory when a unit of work commits or rolls back."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from storage.checkpointer import Checkpointer
from storage.file_modes import create_private_file, database_files, tighten_all
from storage.migrations import apply_migrations, refuse_newer_schema
from storage.sqlite_thread import SqliteThread

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Sequence[object]
BUSY_TIMEOUT_MS = 5000
WAL_CHECKPOINT_PAGES = 10_000
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # above what WAL_CHECKPOINT_PAGES lets it reach


class StoreLockedError(Exception):
    """Another process holds the database; two bots must not share one store."""


class NestedTransactionError(RuntimeError):
    """A task asked for a transaction while it already holds one: a programming error, never retried."""


def hold_exclusive_lock(database: str | Path) -> IO[bytes]:
    """Take `<database>.lock` for this process; a second `kring run` on the same file is refused.

    The lock sits beside the real file: a symlink or another spelling of the path must find the same lock.
    """
    path = Path(f"{Path(database).resolve()}.lock")
    create_private_file(path)
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreLockedError(
            f"another Kring is already running on {database} (it holds {path}); two bots must not share a database"
        ) from None
    return handle


def _pragmas(location: str, conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten content is zeroed, not left in free space: erased text (a forgotten member's, old
    # messages') must be gone from the file (storage.queries.member_data; the WAL is emptied after such an erasure).
    conn.execute("PRAGMA secure_delete = ON")
    refuse_newer_schema(conn)  # before WAL mode, which would already change the file
    if location != ":memory:":
        tighten_all(database_files(location))  # found readable by others: owner-only before it is written
        conn.execute("PRAGMA journal_mode = WAL")
        # Checkpoint every ~40 MB of WAL instead of 4 MB: a busy batch dirties pages all over the event-id
        # indexes, and copying them back (with an fsync) every other batch made ingest a third slower on a
        # 100 000-event store (docs/PERFORMANCE.md).
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        # …and shrink it back after an outlier (a long reader holding off checkpoints). Not lower: regrowing a
        # truncated WAL made every batch's COMMIT slower.
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
    conn.execute("PRAGMA synchronous = NORMAL")


Hook = Callable[[], object]
Work = Callable[[sqlite3.Connection], object]


@dataclass(eq=False)  # told apart by identity
class _Hooks:
    """What to do in memory when one unit of work (the transaction, or a savepoint in it) ends."""

    on_commit: list[Hook] = field(default_factory=list)
    on_rollback: list[Hook] = field(default_factory=list)

    def merge_into(self, outer: _Hooks) -> None:
        """A savepoint that ended well: its hooks now wait for the unit around it."""
        outer.on_commit += self.on_commit
        outer.on_rollback += self.on_rollback

    def committed(self) -> None:
        _run_all(self.on_commit)

    def rolled_back(self) -> None:
        _run_all(reversed(self.on_rollback))  # undone in the opposite order they were done


def _run_all(hooks: Iterable[Hook]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:  # the store's outcome is settled: one faulty hook must not keep the others from running
            log.exception("a hook after a transaction ended failed")


class Database:
    """The one connection, and the lock every use of it takes.

    A transaction holds the lock from BEGIN to COMMIT, so no other task can open a transaction or a savepoint
    beside it, nor read its uncommitted rows (they share the connection). A statement sent outside a
    transaction takes the lock for itself; inside, the task that holds the transaction goes straight on.

    What a task keeps in memory about rows it writes (a cache, a pending change) follows the unit of work through
    `on_commit` and `on_rollback`: a batch that fails leaves memory as it left the store.
    """

    def __init__(self, thread: SqliteThread, path: str, checkpointer: Checkpointer | None = None) -> None:
        self.thread = thread
        self.path = path
        self.checkpointer = checkpointer  # None for a database in memory
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._savepoints = 0
        # Work sent ahead of the next statement this class sends, in the same round trip (see `savepoint`): the
        # openings of nested savepoints (with their `first`) and the RELEASEs of those that ended well.
        self._ahead: list[Work] = []
        self._failed_opening: BaseException | None = None  # the transaction must not commit after it
        self._hooks: list[_Hooks] = []  # the transaction's, then one per savepoint open inside it, innermost last

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        location = str(path)
        if location != ":memory:":
            # Owner-only before SQLite writes a byte: it gives its -wal and -shm files the database's own mode.
            await asyncio.to_thread(create_private_file, Path(location))
        thread = await SqliteThread.connect(location)
        try:
            await thread.call(functools.partial(_pragmas, location))
            await thread.call(apply_migrations)
        except BaseException:
            await thread.close()
            raise
        log.info("database open: %s", location)
        if location == ":memory:":
            return cls(thread, location)
        checkpointer = Checkpointer(location)
        checkpointer.start()
        return cls(thread, location, checkpointer)

    async def close(self) -> None:
        async with self._lock:
            if self.checkpointer is not None:
                await asyncio.to_thread(self.checkpointer.stop)  # before the writer's close, which checkpoints last
            await self.thread.close()

    async def empty_wal(self) -> bool:
        """Copy the write-ahead log into the database file and truncate it; False if a reader held it off."""

        def truncate(conn: sqlite3.Connection) -> bool:
            with self.checkpointer.exclusive() if self.checkpointer is not None else contextlib.nullcontext():
                row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return row is None or int(row[0]) == 0

        return await self.run(truncate)

    def _committed(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.nudge()

    @property
    def in_transaction(self) -> bool:
        return self.thread.in_transaction

    @property
    def opening_failed(self) -> bool:
        """Whether the work sent ahead of a savepoint in the current transaction failed (see `savepoint`)."""
        return self._failed_opening is not None

    def _holds_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    # memory that follows the store
    def on_commit(self, done: Hook) -> None:
        """Run `done` once the caller's transaction has committed (at once when the caller holds none: what it
        wrote is committed already). Inside a savepoint that is rolled back, it never runs."""
        if self._holds_transaction() and self._hooks:
            self._hooks[-1].on_commit.append(done)
        else:
            done()

    def on_rollback(self, undo: Hook) -> None:
        """Run `undo` if the caller's unit of work is rolled back: the transaction, or the innermost savepoint
        open when it was registered. Outside a transaction there is nothing left to roll back."""
        if self._holds_transaction() and self._hooks:
            self._hooks[-1].on_rollback.append(undo)

    # statements
    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` with the plain sqlite3 connection on the database thread, in one round trip: at once for the
        transaction's own task, else after the lock."""
        if self._holds_transaction():
            return await self._call(work)
        async with self._lock:
            return await self._call(work)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement; the number of rows it changed."""
        return await self.run(lambda conn: conn.execute(sql, params).rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        listed = list(rows)
        if listed:
            await self.run(lambda conn: conn.executemany(sql, listed))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self.run(lambda conn: conn.execute(sql, params).fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows: sqlite3.Row | None = await self.run(lambda conn: conn.execute(sql, params).fetchone())
        return rows

    async def _undo_if_open(self) -> None:
        """Roll back a transaction that a cancelled BEGIN (or outer SAVEPOINT) opened after all."""
        self._ahead.clear()
        await _undo_if_open_impl(self.thread)

    async def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        ahead, self._ahead = self._ahead, []
        if ahead:
            work = functools.partial(_after, ahead, work)
        return await self.thread.call(work)

    # units of work
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE … COMMIT under the lock, rolled back on any exception, a failed COMMIT included."""
        if self._holds_transaction():
            raise NestedTransactionError("this task already holds a transaction; use a savepoint inside it")
        async with self._lock:
            self._owner = asyncio.current_task()
            hooks = _Hooks()
            try:
                try:
                    await self._call(_begin)
                except BaseException:
                    await self._undo_if_open()  # cancelled while BEGIN was on its way: it may run all the same
                    raise
                self._hooks = [hooks]
                self._failed_opening = None
                try:
                    yield
                    if self._failed_opening is not None:  # however the caller went on after it
                        raise self._failed_opening
                    await self._call(_commit)  # after what is still ahead: openings' `first` writes count
                except BaseException:
                    self._ahead.clear()
                    self._hooks = []
                    try:
                        await self._call(_rollback)
                    finally:
                        hooks.rolled_back()
                    raise
                self._hooks = []
                self._committed()
                hooks.committed()
            finally:
                self._hooks = []
                self._failed_opening = None
                self._owner = None

    @asynccontextmanager
    async def savepoint(self, first: Work | None = None) -> AsyncIterator[None]:
        """A nested unit inside the caller's transaction: on error only its own writes are undone.

        Outside a transaction it is a unit of its own, under the lock, opened at once and committed by its RELEASE.

        `first` runs on the database thread just before the SAVEPOINT, in the same round trip; its writes are
        not part of the unit. Inside a transaction no statement goes out for the unit itself: its opening
        (`first`, then SAVEPOINT) is sent with the first statement sent through this class inside it, and if it
        ends well its RELEASE with the next one after it. Until then it only sits on SQLite's savepoint stack,
        where COMMIT releases it and a ROLLBACK (TO an enclosing savepoint) cancels it, exactly as if it had been
        released. A unit that fails before sending anything is never opened; its `first` is still sent.

        If `first` fails, the transaction cannot commit any more: its error is raised by the statement it went
        out with (`opening_failed` tells it apart from a failure of that statement) and again when the
        transaction ends, however the caller went on.
        """
        if self._holds_transaction():
            async with self._nested_savepoint(first):
                yield
            return
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                async with self._own_savepoint(first):
                    yield
            finally:
                self._owner = None

    async def _roll_back_to(self, name: str) -> None:
        """Undo a savepoint that was sent; what waits ahead lies inside it, and ROLLBACK TO cancels that too."""
        self._ahead.clear()
        await self._call(functools.partial(_roll_back_to, name))

    def _next_name(self) -> str:
        self._savepoints += 1
        return f"sp{self._savepoints}"

    @asynccontextmanager
    async def _nested_savepoint(self, first: Work | None) -> AsyncIterator[None]:
        opening = _Opening(self._next_name(), first, self)
        hooks = _Hooks()
        try:
            self._ahead.append(opening)
            self._hooks.append(hooks)
            try:
                yield
            except BaseException:
                self._hooks.remove(hooks)
                try:
                    if opening in self._ahead:  # never sent: `first` still goes, nothing queued inside it does
                        del self._ahead[self._ahead.index(opening) + 1 :]
                        opening.wanted = False
                    elif opening.opened:
                        await self._roll_back_to(opening.name)
                finally:
                    hooks.rolled_back()
                raise
            self._hooks.remove(hooks)
        finally:
            self._savepoints -= 1
        self._ahead.append(functools.partial(_release, opening.name))
        hooks.merge_into(self._hooks[-1])

    @asynccontextmanager
    async def _own_savepoint(self, first: Work | None) -> AsyncIterator[None]:
        name = self._next_name()
        hooks = _Hooks()

        def begin(conn: sqlite3.Connection) -> None:
            if first is not None:
                first(conn)
            conn.execute(f"SAVEPOINT {name}")

        try:
            try:
                await self._call(begin)
            except BaseException:
                await self._undo_if_open()
                raise
            self._hooks.append(hooks)
            self._failed_opening = None
            try:
                yield
                if self._failed_opening is not None:  # a unit inside it could not open: as in `transaction`
                    raise self._failed_opening
            except BaseException:
                self._hooks.remove(hooks)
                try:
                    await self._roll_back_to(name)
                finally:
                    hooks.rolled_back()
                raise
            self._hooks.remove(hooks)
        finally:
            self._savepoints -= 1
            self._failed_opening = None
        try:
            await self._call(functools.partial(_release, name))
        except BaseException:
            hooks.rolled_back()
            raise
        self._committed()
        hooks.committed()


@dataclass(eq=False)  # told apart by identity
class _Opening:
    """A nested savepoint's opening, waiting to go out with the next statement: `first`, then the SAVEPOINT
    (unless the unit ended in failure before anything was sent: then `first` alone)."""

    name: str
    first: Work | None
    db: Database
    wanted: bool = True
    opened: bool = False

    def __call__(self, conn: sqlite3.Connection) -> None:
        try:
            if self.first is not None:
                self.first(conn)
            if self.wanted:
                conn.execute(f"SAVEPOINT {self.name}")
                self.opened = True
        except BaseException as error:
            self.db._failed_opening = error
            raise


async def _undo_if_open_impl(thread: SqliteThread) -> None:
    # The worker runs calls in order: once this one returns, a BEGIN queued before it has run too.
    if await asyncio.shield(thread.call(_in_transaction)):
        await asyncio.shield(thread.call(_rollback))


def _in_transaction(conn: sqlite3.Connection) -> bool:
    return conn.in_transaction


def _begin(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def _commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def _rollback(conn: sqlite3.Connection) -> None:
    # After SQLITE_FULL or an I/O error SQLite may have rolled back already; then ROLLBACK fails harmlessly.
    # Left open, the transaction would keep its writes visible to this connection and refuse every BEGIN.
    try:
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        if conn.in_transaction:
            raise


def _release(name: str, conn: sqlite3.Connection) -> None:
    conn.execute(f"RELEASE {name}")


def _roll_back_to(name: str, conn: sqlite3.Connection) -> None:
    conn.execute(f"ROLLBACK TO {name}")
    conn.execute(f"RELEASE {name}")


def _after(ahead: list[Work], work: Callable[[sqlite3.Connection], T], conn: sqlite3.Connection) -> T:
    for step in ahead:
        step(conn)
    return work(conn)
