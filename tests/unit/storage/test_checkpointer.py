"""The write-ahead log is copied into the database file beside the writer, woken by commits, and stops with the
store; emptying the log for an erasure is never refused because that copy happens to run."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.checkpointer import Checkpointer
from storage.db import Database
from storage.store import Store


def _wait_until(condition: Callable[[], bool], what: str, within: float = 10.0) -> None:
    """Poll what the checkpoint thread changes (a file, a counter) until it holds, on a thread of the test's own."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


async def _until(condition: Callable[[], bool], what: str) -> None:
    await asyncio.to_thread(_wait_until, condition, what)


def _wal_bytes(path: Path) -> int | None:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else None


def _in_database_file(path: Path, key: str) -> bool:
    """Whether the database file itself (not the log beside it) holds the kv row."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)  # immutable: the -wal file is not read
    try:
        return conn.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


async def test_a_commit_reaches_the_database_file_without_the_writer_checkpointing(tmp_path: Path) -> None:
    path = tmp_path / "kring.db"
    store = await Store.open(path)
    try:
        assert store.db.checkpointer is not None
        async with store.transaction():
            await store.db.execute("INSERT INTO kv (key, value) VALUES ('written', 'yes')")
        # One small commit is far below the writer's own automatic checkpoint: only the background one copies it.
        await _until(lambda: _in_database_file(path, "written"), "the row to reach the database file")
    finally:
        await store.close()


async def test_reading_does_not_wake_the_checkpoint_thread(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "kring.db")
    try:
        checkpointer = store.db.checkpointer
        assert checkpointer is not None
        for _ in range(20):
            await store.db.fetch_all("SELECT * FROM kv")
        async with store.transaction():
            await store.db.execute("INSERT INTO kv (key, value) VALUES ('a', 'b')")
        await _until(lambda: checkpointer.checkpoints >= 1, "the checkpoint after the commit")
        assert checkpointer.checkpoints == 1  # the twenty reads ran none
    finally:
        await store.close()


async def test_closing_the_store_ends_the_thread_and_removes_the_log(tmp_path: Path) -> None:
    path = tmp_path / "kring.db"
    store = await Store.open(path)
    checkpointer = store.db.checkpointer
    assert checkpointer is not None and checkpointer.running
    async with store.transaction():
        await store.db.execute("INSERT INTO kv (key, value) VALUES ('kept', 'yes')")
    await store.close()
    assert not checkpointer.running
    assert _wal_bytes(path) is None  # the last connection closed cleanly and took the log with it
    assert _in_database_file(path, "kept")


async def test_emptying_the_log_succeeds_while_commits_keep_the_checkpoint_thread_busy(tmp_path: Path) -> None:
    path = tmp_path / "kring.db"
    store = await Store.open(path)
    try:
        for round_number in range(30):
            async with store.transaction():
                await store.db.executemany(
                    "INSERT INTO kv (key, value) VALUES (?, ?)",
                    [(f"k{round_number}-{i}", "x" * 200) for i in range(50)],
                )
            assert await store.db.empty_wal(), f"refused in round {round_number}"
            assert _wal_bytes(path) == 0
    finally:
        await store.close()


def test_a_checkpointer_that_cannot_open_the_database_says_so_once_and_stops(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = Checkpointer(str(tmp_path))  # a folder: SQLite cannot open it
    with caplog.at_level(logging.WARNING, logger="storage.checkpointer"):
        checkpointer.start()
        _wait_until(lambda: not checkpointer.running, "the thread to end")
        checkpointer.nudge()
        checkpointer.stop()
    assert [record.getMessage() for record in caplog.records] == [
        "no background checkpoints: the database could not be opened a second time"
    ]


def test_failing_checkpoints_are_told_once_and_their_recovery_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Flaky:
        """A connection whose checkpoints fail twice, then work."""

        def __init__(self) -> None:
            self.calls = 0

        def execute(self, sql: str) -> sqlite3.Cursor:
            self.calls += 1
            if self.calls <= 2:
                raise sqlite3.OperationalError("disk I/O error")
            return sqlite3.connect(":memory:").execute("SELECT 0, 0, 0")

    checkpointer = Checkpointer(str(tmp_path / "unused.db"))
    flaky = Flaky()
    with caplog.at_level(logging.INFO, logger="storage.checkpointer"):
        for _ in range(4):
            checkpointer._checkpoint(flaky)  # type: ignore[arg-type]
    assert [record.getMessage() for record in caplog.records] == [
        "background checkpoints fail; the writer checkpoints itself meanwhile",
        "background checkpoints work again",
    ]
    assert checkpointer.checkpoints == 2


async def test_a_database_in_memory_has_no_checkpoint_thread() -> None:
    db = await Database.open(":memory:")
    try:
        assert db.checkpointer is None
        assert await db.empty_wal()
    finally:
        await db.close()
