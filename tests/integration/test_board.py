"""The board with `kring run` on Synapse: the widget in the room, a member's OpenID token accepted and a made-up
one refused, and `!board`'s sign-in link sent in a direct room."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from aiohttp import web
from nio import AsyncClient, RoomGetStateEventResponse, RoomMessageNotice
from playwright.async_api import async_playwright

from tests.browser.conftest import CHROMIUM, FLAGS, chromium_or_skip

from .community import BotWatcher, send_text, served_room, set_power
from .helpers import MakeMember, free_port, invited_by, wait_for_event
from .kring_process import KringProcess
from .synapse_server import SynapseServer

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    """Status, body text and headers of one request (redirects not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def openid_token(synapse: SynapseServer, client: AsyncClient) -> dict[str, Any]:
    """What a member's client gets for a widget's `get_openid`."""
    user = urllib.parse.quote(str(client.user_id))
    status, body, _ = http(
        "POST",
        f"{synapse.url}/_matrix/client/v3/user/{user}/openid/request_token",
        {},
        {"Authorization": f"Bearer {client.access_token}"},
    )
    assert status == 200, body
    token: dict[str, Any] = json.loads(body)
    return token


async def test_the_board_as_a_widget_and_through_a_sign_in_link(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Any, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    outsider = await make_member("outsider")
    port = free_port()
    # other.test is answered by this Synapse too: it vouches for @…:localhost users only, never for other.test's.
    servers = {synapse.server_name: synapse.url, "other.test": synapse.url}
    board = {"listen": f"127.0.0.1:{port}", "openid_servers": servers}
    # The link goes to bob's direct room; bob's client here does not decrypt (encrypted rooms: test_element_*).
    tables: dict[str, dict[str, Any]] = {"board": board, "matrix": {"encryption": False}}
    room_id, kring = await served_room(
        synapse, anna, [bob], tmp_path / "bot", processes, "kring-board", start=False, tables=tables
    )
    await set_power(anna, room_id, kring.user_id, 50)  # enough to add a widget to the room
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    await asyncio.to_thread(kring.wait_for_log, "board: widget added")

    widget = await anna.room_get_state_event(room_id, "im.vector.modular.widgets", "kring_board")
    assert isinstance(widget, RoomGetStateEventResponse), widget
    url = str(widget.content["url"])
    assert url.startswith(f"http://127.0.0.1:{port}/board/widget/")
    assert room_id not in url and urllib.parse.quote(room_id) not in url and "@" not in url  # no ids in the URL
    layout = await anna.room_get_state_event(room_id, "io.element.widgets.layout", "")
    assert isinstance(layout, RoomGetStateEventResponse) and "kring_board" in layout.content["widgets"]

    status, page, headers = http("GET", url)
    assert status == 200 and "frame-ancestors" in headers["Content-Security-Policy"]

    # A member's real OpenID token opens the board; a made-up one, or a non-member's real one, does not.
    await send_text(anna, room_id, "!propose Widget courier €100 in 3 days")
    await BotWatcher(bob, room_id, kring.user_id).wait_for("New proposal #1")
    token = openid_token(synapse, bob)
    status, body, _ = http(
        "POST",
        f"{url}/openid",
        {"access_token": token["access_token"], "matrix_server_name": token["matrix_server_name"]},
    )
    assert status == 200, body
    session = json.loads(body)["session"]
    status, page, _ = http("GET", f"http://127.0.0.1:{port}/board", headers={"Authorization": f"Bearer {session}"})
    assert status == 200 and "Widget courier" in page
    status, body, _ = http(
        "POST", f"{url}/openid", {"access_token": "made-up-token", "matrix_server_name": synapse.server_name}
    )
    assert status == 401 and "Widget courier" not in body
    stranger = openid_token(synapse, outsider)
    status, body, _ = http(
        "POST", f"{url}/openid", {"access_token": stranger["access_token"], "matrix_server_name": synapse.server_name}
    )
    assert status == 403, body
    status, body, _ = http(
        "POST", f"{url}/openid", {"access_token": token["access_token"], "matrix_server_name": "elsewhere.example"}
    )
    assert status == 401  # a token is only ever checked at the server it names, which must vouch for its user

    # !board: a one-time link in bob's direct room with the bot.
    await send_text(bob, room_id, "!board")
    direct, _ = await invited_by(bob, kring.user_id)
    await bob.join(direct)
    notice = await wait_for_event(
        bob, direct, lambda e: isinstance(e, RoomMessageNotice) and "/board/in/" in e.body, within=30
    )
    assert isinstance(notice, RoomMessageNotice)
    [link] = re.findall(r"http://127\.0\.0\.1:\d+/board/in/[A-Za-z0-9_-]+", notice.body)
    status, _, headers = sign_in(link)
    assert status == 303 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]
    cookie = headers["Set-Cookie"].split(";")[0]
    status, page, _ = http("GET", f"http://127.0.0.1:{port}/board", headers={"Cookie": cookie})
    assert status == 200 and "Widget courier" in page
    assert http("GET", link)[0] == 401  # used once


def sign_in(link: str) -> tuple[int, str, Any]:
    """Open a sign-in link (a page with one button: opening it spends nothing), then press the button."""
    status, page, headers = http("GET", link)
    assert status == 200, page
    [check] = re.findall(r'name="check" value="([^"]+)"', page)
    cookie = headers["Set-Cookie"].split(";")[0]
    form = urllib.parse.urlencode({"check": check}).encode()
    request = urllib.request.Request(
        link,
        data=form,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


CLIENT_PAGE = """<!DOCTYPE html><html><body>
<iframe id="widget" src="{url}?widgetId=kring_board" style="width: 1000px; height: 700px"></iframe>
<script>
// The client's side of the widget API, as Element speaks it: capabilities, then the member's OpenID token.
const credentials = {credentials};
const frame = document.getElementById("widget");
const send = (message) => frame.contentWindow.postMessage(message, "*");
window.addEventListener("message", (event) => {{
    const message = event.data;
    if (message.api === "toWidget" && message.action === "capabilities" && message.response) {{
        send({{ api: "toWidget", widgetId: "kring_board", requestId: "client-2", action: "notify_capabilities",
               data: {{ requested: [], approved: [] }} }});
    }} else if (message.api === "fromWidget") {{
        const response = message.action === "get_openid" ? credentials : {{}};
        send({{ ...message, response }});
    }}
}});
frame.addEventListener("load", () => send({{ api: "toWidget", widgetId: "kring_board", requestId: "client-1",
                                             action: "capabilities", data: {{}} }}));
</script></body></html>"""


async def test_the_widget_in_a_browser_opens_the_board_with_the_clients_openid_token(
    synapse: SynapseServer,
    make_member: MakeMember,
    tmp_path: Any,
    processes: list[KringProcess],
) -> None:
    chromium_or_skip()
    anna = await make_member("anna")
    bob = await make_member("bob")
    port, client_port = free_port(), free_port()
    client_origin = f"http://127.0.0.1:{client_port}"
    board = {
        "listen": f"127.0.0.1:{port}",
        "openid_servers": {synapse.server_name: synapse.url},
        "widget_origins": [client_origin],
    }
    tables: dict[str, dict[str, Any]] = {"board": board, "matrix": {"encryption": False}}
    room_id, kring = await served_room(
        synapse, anna, [bob], tmp_path / "bot", processes, "kring-widget", start=False, tables=tables
    )
    await set_power(anna, room_id, kring.user_id, 50)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "board: widget added")
    await send_text(anna, room_id, "!propose Widget courier €100 in 3 days")
    await BotWatcher(bob, room_id, kring.user_id).wait_for("New proposal #1")
    widget = await anna.room_get_state_event(room_id, "im.vector.modular.widgets", "kring_board")
    assert isinstance(widget, RoomGetStateEventResponse)
    url = str(widget.content["url"])

    async def client_page(credentials: dict[str, Any]) -> web.AppRunner:
        page = CLIENT_PAGE.format(url=url, credentials=json.dumps(credentials))

        async def serve(request: web.Request) -> web.Response:
            return web.Response(text=page, content_type="text/html")

        app = web.Application()
        app.router.add_get("/", serve)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", client_port).start()
        return runner

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        # The member's client hands over a real token: the board opens inside the widget.
        runner = await client_page({"state": "allowed", **openid_token(synapse, bob)})
        try:
            page = await browser.new_page()
            await page.goto(client_origin)
            frame = page.frame_locator("#widget")
            assert "#1 Widget courier" in await frame.locator("#proposal-1 h3").inner_text(timeout=15000)
            assert "bob" in await frame.locator("header p").inner_text()  # the member the client vouched for
        finally:
            await runner.cleanup()

        # A client that will not say who the member is: the widget stays closed and says why.
        runner = await client_page({"state": "blocked"})
        try:
            page = await browser.new_page()
            await page.goto(client_origin)
            frame = page.frame_locator("#widget")
            await frame.get_by_text("did not say who you are").wait_for(timeout=15000)
            assert await frame.locator("#open").count() == 0
        finally:
            await runner.cleanup()
            await browser.close()


async def test_a_hostile_visitor_reaches_nothing_through_the_board(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Any, processes: list[KringProcess]
) -> None:
    """Issue 31 against `kring run`: a widget sign-in naming a loopback server makes no connection (nor one that
    names the members' own server when it resolves to loopback and the operator did not name it), and a connection
    that sends half a request is closed within the header timeout."""
    anna = await make_member("anna")
    port = free_port()
    board = {"listen": f"127.0.0.1:{port}", "header_timeout_s": 2}
    tables: dict[str, dict[str, Any]] = {"board": board, "matrix": {"encryption": False}}
    room_id, kring = await served_room(
        synapse, anna, [], tmp_path / "bot", processes, "kring-hostile", start=False, tables=tables
    )
    await set_power(anna, room_id, kring.user_id, 50)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "board: widget added")
    widget = await anna.room_get_state_event(room_id, "im.vector.modular.widgets", "kring_board")
    assert isinstance(widget, RoomGetStateEventResponse)
    url = str(widget.content["url"])

    connections = 0

    def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    internal_port = free_port()
    internal = await asyncio.start_server(counted, "127.0.0.1", internal_port)
    try:
        token = openid_token(synapse, anna)
        for server in (f"127.0.0.1:{internal_port}", f"localhost:{internal_port}", f"127.0.0.1:{port}"):
            status, _, _ = await asyncio.to_thread(
                http, "POST", f"{url}/openid", {"access_token": token["access_token"], "matrix_server_name": server}
            )
            assert status == 401, server
        # The members' own server name, but on a loopback address the operator did not name: not asked either.
        status, _, _ = await asyncio.to_thread(
            http, "POST", f"{url}/openid", {"access_token": token["access_token"], "matrix_server_name": "localhost"}
        )
        assert status == 401
        assert connections == 0
    finally:
        internal.close()
        await internal.wait_closed()

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /board HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # half a request, then nothing
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed after header_timeout_s, not kept forever
    writer.close()
    status, _, headers = await asyncio.to_thread(http, "GET", f"http://127.0.0.1:{port}/nothing")
    assert status == 404 and headers["X-Content-Type-Options"] == "nosniff" and headers["Server"] == "Kring"
