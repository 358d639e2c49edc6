"""The contract with aiosqlite that storage.sqlite_thread relies on (its private `_execute` and `_conn`).

If an aiosqlite release changes them, these fail before anything else does.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from storage.sqlite_thread import SqliteThread


async def test_work_runs_on_the_worker_thread_with_one_connection_and_its_transaction(tmp_path: Path) -> None:
    thread = await SqliteThread.connect(str(tmp_path / "t.db"))
    try:
        loop_thread = threading.get_ident()
        ran_on = await thread.call(lambda conn: threading.get_ident())
        assert ran_on != loop_thread
        await thread.call(lambda conn: conn.execute("CREATE TABLE t (x)"))
        await thread.call(lambda conn: conn.execute("BEGIN"))
        await thread.call(lambda conn: conn.execute("INSERT INTO t VALUES (1)"))
        assert thread.in_transaction  # autocommit mode: only our own BEGIN opens one, and it stays open
        row = await thread.call(lambda conn: conn.execute("SELECT x FROM t").fetchone())
        assert isinstance(row, sqlite3.Row) and row["x"] == 1
        await thread.call(lambda conn: conn.execute("ROLLBACK"))
        assert not thread.in_transaction
        assert await thread.call(lambda conn: conn.execute("SELECT COUNT(*) FROM t").fetchone()[0]) == 0
    finally:
        await thread.close()


async def test_an_error_in_the_work_reaches_the_caller_and_the_connection_goes_on(tmp_path: Path) -> None:
    thread = await SqliteThread.connect(str(tmp_path / "t.db"))
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await thread.call(lambda conn: conn.execute("SELECT * FROM missing"))
        assert await thread.call(lambda conn: conn.execute("SELECT 41 + 1").fetchone()[0]) == 42
    finally:
        await thread.close()
