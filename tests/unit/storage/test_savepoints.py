"""Savepoints in the store: a failed unit undoes only its own writes, whenever its RELEASE is actually sent."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from storage.store import Store


class Refused(Exception):
    """What a command raises when it refuses: its savepoint is rolled back, the transaction goes on."""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "kring.db")
    await opened.db.execute("CREATE TABLE t (x TEXT)")
    yield opened
    await opened.close()


def insert(value: str) -> Callable[[sqlite3.Connection], object]:
    return lambda conn: conn.execute("INSERT INTO t VALUES (?)", (value,))


async def write(store: Store, value: str, *, direct: bool = False) -> None:
    """Through `Database.run` (which sends pending RELEASEs first) or straight to the database thread (which does
    not)."""
    if direct:
        await store.db.thread.call(insert(value))
    else:
        await store.db.run(insert(value))


async def rows(store: Store) -> list[str]:
    return [row[0] for row in await store.db.fetch_all("SELECT x FROM t ORDER BY rowid")]


async def test_refused_units_in_a_row_undo_only_themselves(store: Store) -> None:
    async with store.transaction():
        for number, refused in enumerate([False, True, False, True, False]):
            with pytest.raises(Refused) if refused else contextlib.nullcontext():
                async with store.savepoint(first=insert(f"before{number}")):
                    await write(store, f"in{number}", direct=number % 2 == 0)
                    if refused:
                        raise Refused
        await write(store, "end", direct=True)
    assert await rows(store) == ["before0", "in0", "before1", "before2", "in2", "before3", "before4", "in4", "end"]
    assert not store.db.in_transaction


async def test_rolling_back_an_outer_unit_undoes_the_inner_ones_it_holds(store: Store) -> None:
    async with store.transaction():
        await write(store, "a")
        with pytest.raises(Refused):
            async with store.savepoint():
                await write(store, "o1", direct=True)
                async with store.savepoint():
                    await write(store, "i1", direct=True)
                await write(store, "o2", direct=True)
                async with store.savepoint():
                    await write(store, "i2", direct=True)
                raise Refused
        async with store.savepoint():
            await write(store, "b", direct=True)
            with pytest.raises(Refused):
                async with store.savepoint():
                    await write(store, "c", direct=True)
                    async with store.savepoint():
                        await write(store, "d")
                    raise Refused
            await write(store, "e", direct=True)
        await write(store, "f")
    assert await rows(store) == ["a", "b", "e", "f"]


async def test_outside_a_transaction_a_unit_commits_when_it_ends(store: Store) -> None:
    async with store.savepoint():
        await write(store, "x", direct=True)
        async with store.savepoint():
            await write(store, "y", direct=True)
    assert not store.db.in_transaction  # released at once: committed
    with pytest.raises(Refused):
        async with store.savepoint():
            await write(store, "no", direct=True)
            async with store.savepoint():
                await write(store, "no2", direct=True)
            raise Refused
    assert await rows(store) == ["x", "y"]


async def test_a_failure_before_the_unit_opens_leaves_the_transaction_usable(store: Store) -> None:
    def half_written(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES ('partial')")
        raise Refused

    async with store.transaction():
        async with store.savepoint():
            await write(store, "a", direct=True)
        with pytest.raises(Refused):
            async with store.savepoint(first=half_written):
                await write(store, "never", direct=True)
        async with store.savepoint():
            await write(store, "b", direct=True)
    assert await rows(store) == ["a", "partial", "b"]  # the caller decides: the engine aborts the whole batch


async def test_a_failed_transaction_takes_its_ended_units_with_it(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with store.transaction():
            async with store.savepoint():
                await write(store, "gone", direct=True)
            await store.db.execute("INSERT INTO no_such_table VALUES (1)")
    async with store.transaction():
        async with store.savepoint():
            await write(store, "kept", direct=True)
        with pytest.raises(Refused):
            async with store.savepoint():
                await write(store, "refused", direct=True)
                raise Refused
    assert await rows(store) == ["kept"]
