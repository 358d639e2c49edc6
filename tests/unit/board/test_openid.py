"""The widget's OpenID check reaches only what a homeserver would (issue 31): no loopback or private address, no
redirect, no endless body; and the board asks only the servers of the room's own members, at a bounded rate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.board.openid import MAX_BODY, OpenIdVerifier, is_public
from bot.board.server import BoardServer
from tests.integration.helpers import free_port
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM


class Listener:
    """A plain TCP port on 127.0.0.1 that counts the connections made to it (and answers nothing)."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = free_port()

    async def __aenter__(self) -> Listener:
        def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            writer.close()

        self.server = await asyncio.start_server(counted, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0.0.0.0"])
async def test_a_server_name_on_a_loopback_or_unspecified_address_is_never_contacted(host: str) -> None:
    async with Listener() as kring_itself:
        verifier = OpenIdVerifier()
        assert await verifier.user_of("token", f"{host}:{kring_itself.port}") is None
        assert kring_itself.connections == 0


def test_only_global_unicast_addresses_are_public() -> None:
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"):
        assert not is_public(address), address
    for address in ("::1", "fe80::1", "fc00::1", "::", "::ffff:10.0.0.1", "ff02::1", "224.0.0.1"):
        assert not is_public(address), address
    assert is_public("8.8.8.8") and is_public("2001:4860:4860::8888") and is_public("::ffff:8.8.8.8")


@pytest.fixture
async def homeserver() -> AsyncIterator[tuple[str, dict[str, int]]]:
    """A federation API on 127.0.0.1 that redirects, answers too much, or answers well; with its hit counts."""
    hits: dict[str, int] = {}

    async def userinfo(request: web.Request) -> web.StreamResponse:
        token = request.query.get("access_token", "")
        hits[token] = hits.get(token, 0) + 1
        if token == "redirect":
            raise web.HTTPFound("/internal/admin/users")
        if token == "huge":
            padding = "x" * (MAX_BODY * 32)
            return web.Response(text=json.dumps({"sub": "@mallory:home.test", "padding": padding}))
        return web.json_response({"sub": "@anna:home.test"})

    async def admin(request: web.Request) -> web.Response:
        hits["admin"] = hits.get("admin", 0) + 1
        return web.json_response({"sub": "@admin:home.test"})

    app = web.Application()
    app.router.add_get("/_matrix/federation/v1/openid/userinfo", userinfo)
    app.router.add_get("/internal/admin/users", admin)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", hits
    await runner.cleanup()


async def test_no_redirect_is_followed_and_no_answer_is_read_beyond_its_cap(
    homeserver: tuple[str, dict[str, int]],
) -> None:
    url, hits = homeserver
    verifier = OpenIdVerifier({"home.test": url})  # named by the operator: a loopback address is fine then
    assert await verifier.user_of("redirect", "home.test") is None
    assert hits == {"redirect": 1}  # the redirect's target was never asked
    assert await verifier.user_of("huge", "home.test") is None
    assert await verifier.user_of("good", "home.test") == "@anna:home.test"
    assert await verifier.user_of("good", "home.test") == "@anna:home.test"
    assert hits["good"] == 1  # a good answer is kept for a while


@pytest.fixture
async def widget(make_room: MakeRoom) -> AsyncIterator[tuple[TestClient[Any, Any], list[tuple[str, str]], str]]:
    """The board's widget sign-in with a recording OpenID check; the room's members are on home.test."""
    room = await make_room(board={"listen": "127.0.0.1:8090", "openid_per_minute": 5})
    asked: list[tuple[str, str]] = []

    async def is_member(room_id: str, user_id: str) -> bool:
        return room_id == ROOM and user_id == "@anna:home.test"

    async def verify(token: str, server: str) -> str | None:
        asked.append((token, server))
        return "@anna:home.test" if token == "good" else None

    async def member_servers(room_id: str) -> frozenset[str]:
        return frozenset({"home.test"}) if room_id == ROOM else frozenset()

    server = BoardServer(
        room.store, room.kring.settings, room.clock, room.kring.texts_for, is_member, verify, member_servers
    )
    key = await room.store.board.room_key(ROOM)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app()))
    await client.start_server()
    yield client, asked, f"/board/widget/{key}/openid"
    await client.close()


async def test_a_widget_token_is_checked_only_at_a_server_of_the_rooms_members(
    widget: tuple[TestClient[Any, Any], list[tuple[str, str]], str],
) -> None:
    client, asked, path = widget
    for server in ("127.0.0.1:8090", "internal.example", "localhost"):
        answer = await client.post(path, json={"access_token": "good", "matrix_server_name": server})
        assert answer.status == 401
    assert asked == []  # nothing was contacted for a server no member is on
    answer = await client.post(path, json={"access_token": "good", "matrix_server_name": "home.test"})
    assert answer.status == 200 and asked == [("good", "home.test")]


async def test_widget_sign_ins_are_limited_per_room_key_and_address(
    widget: tuple[TestClient[Any, Any], list[tuple[str, str]], str],
) -> None:
    client, asked, path = widget
    statuses = [
        (await client.post(path, json={"access_token": "bad", "matrix_server_name": "home.test"})).status
        for _ in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2 and len(asked) == 5


async def test_a_widget_sign_in_is_json_that_another_sites_form_cannot_send(
    widget: tuple[TestClient[Any, Any], list[tuple[str, str]], str],
) -> None:
    client, asked, path = widget
    body = json.dumps({"access_token": "good", "matrix_server_name": "home.test"})
    answer = await client.post(path, data=body, headers={"Content-Type": "text/plain"})
    assert answer.status == 415 and asked == [] and "kring_board" not in answer.cookies
