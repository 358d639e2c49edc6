"""The board keeps its room part across writes that cannot change it, and no write that can is missed: every
table the board reads is counted by triggers, and every table of the schema is counted or named blind."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.board.server as board_server
from bot.board.page import render_room
from bot.board.server import COOKIE, BoardServer, sign_in_link
from handlers.board import read_room_board
from storage.migrations import BOARD_BLIND
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness
from tests.unit.test_board import sign_in

ANNA, BOB = "@anna:test", "@bob:test"


def counted_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables with all three triggers that count their writes in board_writes."""
    triggers = [
        r[0]
        for r in conn.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'board_writes_%'"
        )
    ]
    return {table for table in set(triggers) if triggers.count(table) == 3}


async def test_every_table_the_board_reads_is_counted_and_every_other_is_named_blind(room: Harness) -> None:
    await room.say(ANNA, "!propose Shared courier €100 in 2 days\nneeds: driver")
    await room.say(BOB, "!backme 1 €100")
    await room.say(BOB, "!skills add driver")
    await room.say(ANNA, "!need a van for: driver")
    await room.say(ANNA, "!object 1 too dear")
    read: set[str] = set()

    def note(action: int, table: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    await room.store.db.run(lambda conn: conn.set_authorizer(note))
    try:
        texts = await room.kring.texts_for(ROOM)
        render_room(texts, await read_room_board(room.store, room.kring.settings, ROOM, room.clock.now()))
    finally:
        await room.store.db.run(lambda conn: conn.set_authorizer(None))
    counted = await room.store.db.run(counted_tables)
    assert {"proposals", "pledges", "members", "reputation", "needs", "talents"} <= read
    assert read - {"sqlite_master"} <= counted  # the board reads nothing whose writes go uncounted
    tables = await room.store.db.run(
        lambda conn: {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    )
    assert tables == counted | (BOARD_BLIND & tables)  # a new table is counted, or named blind on purpose
    assert not counted & BOARD_BLIND


@pytest.fixture
async def looks(
    make_room: MakeRoom, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Harness, Callable[[], Awaitable[str]], list[int]]]:
    """A room, a look at its board as Anna, and how often the room's part was read from the store."""
    room = await make_room(board={"listen": "127.0.0.1:8090"})
    reads: list[int] = []
    real = read_room_board

    async def counting(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(board_server, "read_room_board", counting)

    async def is_member(room_id: str, user_id: str) -> bool:
        return True

    server = BoardServer(room.store, room.kring.settings, room.clock, room.kring.texts_for, is_member)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app()))
    await client.start_server()
    link = await sign_in_link(room.store, room.kring.settings.board, room.clock, ROOM, ANNA)
    signed_in = await sign_in(client, "/board/" + link.split("/board/", 1)[1])
    cookies = {COOKIE: signed_in.cookies[COOKIE].value}

    async def look() -> str:
        return await (await client.get("/board", cookies=cookies)).text()

    yield room, look, reads
    await client.close()


async def test_chat_and_a_sync_token_keep_the_page_and_a_pledge_does_not(
    looks: tuple[Harness, Callable[[], Awaitable[str]], list[int]],
) -> None:
    room, look, reads = looks
    await room.say(BOB, "hello")  # Bob's first message makes him a member of the room: that is on the board
    await room.say(ANNA, "!propose Shared courier €500 in 3 days")
    assert "Shared courier" in await look()
    assert len(reads) == 1
    await room.say(BOB, "good morning all")  # a chat message: stored, nothing on the board changes
    async with room.store.transaction():
        await room.store.key_values.set("sync.token", "s123")
    assert "Shared courier" in await look()
    assert len(reads) == 1  # kept
    await room.say(BOB, "!backme 1 €70")
    assert "€70" in await look()
    assert len(reads) == 2  # read anew: a pledge is on the board
    await room.say(BOB, "I pledged!")
    room.clock.advance(timedelta(minutes=1))  # the time left changes with the minute
    assert "€70" in await look()
    assert len(reads) == 3
