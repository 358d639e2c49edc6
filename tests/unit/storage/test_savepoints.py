"""Savepoints in the store: a failed unit undoes only its own writes, whenever its opening and its RELEASE are
actually sent (a nested unit costs no round trip of its own)."""

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
    """Through `Database.run` (which sends what waits ahead first: openings, RELEASEs) or straight to the database
    thread (which does not: a unit's opening has gone out with an earlier statement)."""
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
                    await write(store, f"in{number}")
                    await write(store, f"more{number}", direct=number % 2 == 0)
                    if refused:
                        raise Refused
        await write(store, "end")
    assert await rows(store) == [
        *("before0", "in0", "more0", "before1", "before2", "in2", "more2"),
        *("before3", "before4", "in4", "more4", "end"),
    ]
    assert not store.db.in_transaction


async def test_rolling_back_an_outer_unit_undoes_the_inner_ones_it_holds(store: Store) -> None:
    async with store.transaction():
        await write(store, "a")
        with pytest.raises(Refused):
            async with store.savepoint():
                await write(store, "o1")
                async with store.savepoint():
                    await write(store, "i1")
                await write(store, "o2", direct=True)
                async with store.savepoint():
                    await write(store, "i2")
                raise Refused
        async with store.savepoint():
            await write(store, "b")
            with pytest.raises(Refused):
                async with store.savepoint():
                    await write(store, "c")
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


async def test_a_failure_before_the_unit_opens_fails_the_whole_transaction(store: Store) -> None:
    def half_written(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES ('partial')")
        raise Refused

    with pytest.raises(Refused):
        async with store.transaction():
            async with store.savepoint():
                await write(store, "a")
            assert not store.db.opening_failed
            with pytest.raises(Refused):
                async with store.savepoint(first=half_written):
                    await write(store, "never")  # the statement `first` goes out with
            assert store.db.opening_failed  # not the statement's own failure
            async with store.savepoint():
                await write(store, "b")  # a caller that goes on anyway cannot commit what it has half written
    assert await rows(store) == []
    async with store.transaction():  # the next transaction starts clean
        await write(store, "next")
    assert await rows(store) == ["next"]


async def test_a_nested_unit_costs_no_round_trip_of_its_own(store: Store) -> None:
    sent: list[str] = []
    through_thread = store.db.thread.call

    async def counted(work: Callable[[sqlite3.Connection], object]) -> object:
        sent.append("call")
        return await through_thread(work)

    store.db.thread.call = counted  # type: ignore[assignment,method-assign]
    async with store.transaction():
        sent.clear()  # BEGIN
        for number in range(5):
            async with store.savepoint(first=insert(f"before{number}")):
                await write(store, f"in{number}")
        assert len(sent) == 5  # one per unit: its opening and the last one's RELEASE ride with its statement
        async with store.savepoint(first=insert("quiet")):
            pass  # sends nothing: its `first` still goes, with the next statement
        with pytest.raises(Refused):
            async with store.savepoint(first=insert("refused before anything")):
                raise Refused  # nothing to roll back, no round trip; its `first` still counts
        assert len(sent) == 5
    assert await rows(store) == [
        *(f"{kind}{number}" for number in range(5) for kind in ("before", "in")),
        "quiet",
        "refused before anything",
    ]


async def test_a_failed_transaction_takes_its_ended_units_with_it(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with store.transaction():
            async with store.savepoint():
                await write(store, "gone")
            await store.db.execute("INSERT INTO no_such_table VALUES (1)")
    async with store.transaction():
        async with store.savepoint():
            await write(store, "kept")
        with pytest.raises(Refused):
            async with store.savepoint():
                await write(store, "refused")
                raise Refused
    assert await rows(store) == ["kept"]
