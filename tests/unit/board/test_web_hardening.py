"""The board's web server against a hostile visitor (issue 31): bounded numbers, link previewers, CSRF, headers,
and connections that send nothing or half a request."""

from __future__ import annotations

import asyncio
import re
import resource
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.board.limits import RESERVED_FILES, connection_cap
from bot.board.server import COOKIE, BoardServer, sign_in_link
from tests.integration.helpers import free_port
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

ANNA = "@anna:test"
Board = tuple[Harness, TestClient[Any, Any], BoardServer]


@pytest.fixture
async def board(make_room: MakeRoom) -> AsyncIterator[Board]:
    room = await make_room(board={"listen": f"127.0.0.1:{free_port()}", "header_timeout_s": 1, "max_connections": 3})

    async def is_member(room_id: str, user_id: str) -> bool:
        return room_id == ROOM and user_id == ANNA

    server = BoardServer(room.store, room.kring.settings, room.clock, room.kring.texts_for, is_member)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app()))
    await client.start_server()
    yield room, client, server
    await client.close()


async def link_path(room: Harness) -> str:
    link = await sign_in_link(room.store, room.kring.settings.board, room.clock, ROOM, ANNA)
    return "/board/" + link.split("/board/", 1)[1]


async def test_opening_a_link_spends_nothing_only_its_button_signs_in(board: Board) -> None:
    room, client, _ = board
    link = await link_path(room)
    for _ in range(3):  # a link previewer, a scanner, the member's own click
        opened = await client.get(link, allow_redirects=False)
        assert opened.status == 200 and COOKIE not in opened.cookies
        assert '<button id="sign-in">Sign in</button>' in await opened.text()
    check = re.search(r'name="check" value="([^"]+)"', await opened.text())
    assert check is not None
    signed = await client.post(link, data={"check": check[1]}, allow_redirects=False)
    assert signed.status == 303 and COOKIE in signed.cookies


async def test_sign_in_and_sign_out_come_only_from_the_boards_own_pages(board: Board) -> None:
    room, client, _ = board
    link = await link_path(room)
    await client.get(link)  # the sign-in page's token is now a cookie; a forged form does not know it
    forged = await client.post(link, data={"check": "guess"}, allow_redirects=False)
    assert forged.status == 403 and COOKIE not in forged.cookies
    page = await (await client.get(link)).text()
    check = re.search(r'name="check" value="([^"]+)"', page)
    assert check is not None
    elsewhere = await client.post(
        link, data={"check": check[1]}, headers={"Origin": "https://evil.example"}, allow_redirects=False
    )
    assert elsewhere.status == 403
    signed = await client.post(link, data={"check": check[1]}, allow_redirects=False)
    assert signed.status == 303  # the link was not spent by the refused attempts
    session = {COOKIE: signed.cookies[COOKIE].value}
    board_page = await (await client.get("/board", cookies=session)).text()
    assert (await client.post("/board/out", cookies=session, allow_redirects=False)).status == 403
    assert (await client.get("/board", cookies=session)).status == 200  # still signed in
    out = re.search(r'action="/board/out"><input type="hidden" name="check" value="([^"]+)"', board_page)
    assert out is not None
    signed_out = await client.post("/board/out", data={"check": out[1]}, cookies=session, allow_redirects=False)
    assert signed_out.status == 303 and (await client.get("/board", cookies=session)).status == 401


async def test_every_number_a_request_carries_is_bounded(board: Board) -> None:
    room, client, _ = board
    link = await link_path(room)
    page = await (await client.get(link)).text()
    check = re.search(r'name="check" value="([^"]+)"', page)
    assert check is not None
    session = {COOKIE: (await client.post(link, data={"check": check[1]}, allow_redirects=False)).cookies[COOKIE].value}
    for number in ("1000000000000000000", "9" * 5000, "-1", "1e9", "٣", "²", ""):
        answer = await client.get("/board", params={"page": number}, cookies=session)
        assert answer.status == 200, number


async def test_every_answer_has_the_same_headers_and_names_no_library(board: Board) -> None:
    _, client, _ = board
    for path in ("/board", "/nothing-here", "/board/widget/unknown"):
        answer = await client.get(path)
        assert "default-src 'none'" in answer.headers["Content-Security-Policy"], path
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["Server"] == "Kring", path
    wrong_method = await client.delete("/board")
    assert wrong_method.status == 405 and wrong_method.headers["X-Content-Type-Options"] == "nosniff"


def test_the_connection_cap_leaves_the_bot_its_files() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        assert connection_cap(1000) == (128 - RESERVED_FILES) // 2  # 130 idle visitors no longer starve the bot
        assert connection_cap(10) == 10
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


async def test_idle_and_half_sent_connections_are_closed_and_the_rest_refused(board: Board) -> None:
    room, _, server = board
    await server.start()
    host, port = room.kring.settings.board.listen.split(":")
    try:
        opened = [await asyncio.open_connection(host, int(port)) for _ in range(3)]
        opened[1][1].write(b"GET /board HTTP/1.1\r\nHost: x\r\n")  # half a request
        await asyncio.sleep(0.2)
        reader, writer = await asyncio.open_connection(host, int(port))  # one over the cap: refused at once
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 503")
        writer.close()
        for reader, writer in opened:  # nothing, or half a request: closed after header_timeout_s (1 s)
            assert await asyncio.wait_for(reader.read(), 10) == b""
            writer.close()
        reader, writer = await asyncio.open_connection(host, int(port))  # room again
        writer.write(b"GET /board HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 401")
        writer.close()
    finally:
        await server.stop()
