"""The database owns its lock: no transaction, savepoint or read of another task runs beside an open transaction."""

from __future__ import annotations

import asyncio

import pytest
from nio import AsyncClient

from bot.config import MatrixSettings
from bot.matrix.homeserver import Patience
from bot.matrix.rooms import EXTRA_ROOMS_KEY, Rooms
from handlers.events import Message
from storage.db import NestedTransactionError
from storage.records import OutboxMessage
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"


async def test_membership_writes_and_outbox_sends_run_concurrently_without_clashing(room: Harness) -> None:
    """The sync loop stores membership changes while the outbox task marks messages sent: both open
    transactions on the one connection. Before the lock moved into the database, this failed with
    `cannot start a transaction within a transaction`."""
    for number in range(30):
        await room.kring.handle(Message(f"$help{number}", ROOM, ANN, "!help", room.clock.now()))
    client = AsyncClient("http://127.0.0.1:9", "@kring:test")  # never contacted: only the store is used
    rooms = Rooms(MatrixSettings(user_id="@kring:test"), room.store, client, Patience(asyncio.Event()))
    sent: list[int] = []

    async def send(queued: OutboxMessage) -> str:
        await asyncio.sleep(0)  # a real send waits for the homeserver: the other task runs meanwhile
        sent.append(queued.id)
        return f"$sent{queued.id}"

    async def membership() -> None:
        for number in range(30):
            rooms.served.add(f"!joined{number}:test")
            rooms.changes.served = True
            async with room.store.transaction():
                await rooms.write_changes()
            await asyncio.sleep(0)

    try:
        delivered, _ = await asyncio.gather(room.kring.deliver(send), membership())
    finally:
        await client.close()
    assert delivered == 30 and len(set(sent)) == 30
    assert await room.store.outbox.pending() == []
    extra = await room.store.key_values.get(EXTRA_ROOMS_KEY)
    assert extra is not None and "!joined29:test" in extra


async def test_another_task_never_reads_rows_of_a_transaction_still_open(room: Harness) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def batch() -> None:
        async with room.store.transaction():
            await room.store.key_values.set("draft", "uncommitted")
            inside.set()
            await release.wait()
            raise RuntimeError("the batch fails: its write is rolled back")

    writer = asyncio.create_task(batch())
    await inside.wait()
    reader = asyncio.create_task(room.store.key_values.get("draft"))
    await asyncio.sleep(0.05)
    assert not reader.done()  # it waits for the transaction instead of reading its uncommitted row
    release.set()
    with pytest.raises(RuntimeError):
        await writer
    assert await reader is None


async def test_a_second_transaction_in_the_same_task_is_refused_not_deadlocked(room: Harness) -> None:
    async with room.store.transaction():
        with pytest.raises(NestedTransactionError):
            async with room.store.transaction():
                pass
        await room.store.key_values.set("still", "usable")
    assert await room.store.key_values.get("still") == "usable"


async def test_a_savepoint_of_another_task_waits_for_the_open_transaction(room: Harness) -> None:
    order: list[str] = []
    inside = asyncio.Event()

    async def first() -> None:
        async with room.store.transaction():
            inside.set()
            await asyncio.sleep(0.02)
            order.append("first committed")

    async def second() -> None:
        await inside.wait()
        async with room.store.savepoint():
            order.append("second's unit")

    await asyncio.wait_for(asyncio.gather(first(), second()), timeout=5)
    assert order == ["first committed", "second's unit"]


async def test_a_task_cancelled_while_its_begin_is_on_its_way_leaves_no_transaction_open(room: Harness) -> None:
    """Shutting down cancels the outbox task wherever it is; the connection must stay usable for the others."""
    for attempt in range(20):  # the cancellation lands at different points of BEGIN's round trip
        task = asyncio.create_task(_write_in_a_transaction(room, f"key{attempt}"))
        for _ in range(attempt % 4):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert not room.store.db.in_transaction
        async with room.store.transaction():  # the next transaction opens as usual
            await room.store.key_values.set("after", str(attempt))
    assert await room.store.key_values.get("after") == "19"


async def _write_in_a_transaction(room: Harness, key: str) -> None:
    async with room.store.transaction():
        await room.store.key_values.set(key, "value")
