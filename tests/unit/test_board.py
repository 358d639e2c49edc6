"""The board's rules, through its web server on a real store: who gets in, for how long, and what it shows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.board.cache import RoomSectionsCache
from bot.board.page import RoomSections
from bot.board.server import COOKIE, CSRF_COOKIE, BoardServer, sign_in_link
from handlers.members.own_data import forget_member
from storage.queries.board import digest
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

ANNA, BOB = "@anna:test", "@bob:test"
Open = Callable[..., Awaitable[tuple[Harness, TestClient[Any, Any], set[str]]]]


@pytest.fixture
async def board(make_room: MakeRoom) -> AsyncIterator[Open]:
    """A room with the board on, and an HTTP client for its server; the set holds who is in the room."""
    clients: list[TestClient[Any, Any]] = []

    async def open_board(
        proposals: dict[str, Any] | None = None, **board: Any
    ) -> tuple[Harness, TestClient[Any, Any], set[str]]:
        room = await make_room(board={"listen": "127.0.0.1:8090", **board}, proposals=proposals or {})
        members = {ANNA, BOB}

        async def is_member(room_id: str, user_id: str) -> bool:
            return room_id == ROOM and user_id in members

        server = BoardServer(room.store, room.kring.settings, room.clock, room.kring.texts_for, is_member)
        client: TestClient[Any, Any] = TestClient(TestServer(server.app()))
        await client.start_server()
        clients.append(client)
        return room, client, members

    yield open_board
    for client in clients:
        await client.close()


async def link_for(room: Harness, user: str) -> str:
    link = await sign_in_link(room.store, room.kring.settings.board, room.clock, ROOM, user)
    return "/board/" + link.split("/board/", 1)[1]  # the path: the test client talks to the server directly


async def sign_in(client: TestClient[Any, Any], link: str) -> ClientResponse:
    """What a member does with a link: open it (a page with one button), then press the button."""
    opened = await client.get(link, allow_redirects=False)
    assert opened.status == 200, await opened.text()
    found = re.search(r'name="check" value="([^"]+)"', await opened.text())
    assert found is not None
    return await client.post(
        link, data={"check": found[1]}, cookies={CSRF_COOKIE: opened.cookies[CSRF_COOKIE].value}, allow_redirects=False
    )


async def test_a_link_works_once_and_only_within_its_minutes(board: Open) -> None:
    room, client, _ = await board()
    link = await link_for(room, ANNA)
    # Only a digest of a token is stored: the database opens no board.
    [(stored,)] = await room.rows("SELECT digest FROM board_links")
    assert stored == digest(link.rsplit("/", 1)[-1]) and stored not in link
    first = await sign_in(client, link)
    assert first.status == 303 and first.headers["Location"] == "/board"
    assert COOKIE in first.cookies
    again = await client.get(link, allow_redirects=False)
    assert again.status == 401 and "used already" in await again.text()

    late = await link_for(room, ANNA)
    room.clock.advance(timedelta(minutes=10, seconds=1))
    expired = await client.get(late, allow_redirects=False)
    assert expired.status == 401
    assert await room.rows("SELECT digest FROM board_links") == []  # kept no longer than they work


async def test_a_session_ends_with_its_hours_a_departure_or_a_forgetting(board: Open) -> None:
    room, client, members = await board(session_hours=2)
    await room.say(ANNA, "!propose A shared courier €500 in 3 days")
    signed = await sign_in(client, await link_for(room, BOB))
    cookie = {COOKIE: signed.cookies[COOKIE].value}
    page = await client.get("/board", cookies=cookie)
    assert page.status == 200 and "A shared courier" in await page.text()

    members.discard(BOB)  # bob left the room
    left = await client.get("/board", cookies=cookie)
    assert left.status == 403 and "A shared courier" not in await left.text()
    members.add(BOB)

    room.clock.advance(timedelta(hours=2, seconds=1))
    assert (await client.get("/board", cookies=cookie)).status == 401

    signed = await sign_in(client, await link_for(room, BOB))
    cookie = {COOKIE: signed.cookies[COOKIE].value}
    unused = await link_for(room, BOB)
    async with room.store.transaction():
        await forget_member(room.store, room.kring.settings, BOB, room.clock.now())
    assert (await client.get("/board", cookies=cookie)).status == 401  # the session is gone with the member
    assert (await client.get(unused, allow_redirects=False)).status == 401


async def test_cookies_and_headers_keep_the_board_to_its_members(board: Open) -> None:
    room, client, _ = await board(public_url="https://kring.example.org", widget_origins=["https://chat.example.org"])
    signed = await sign_in(client, await link_for(room, ANNA))
    header = signed.headers["Set-Cookie"]
    assert "HttpOnly" in header and "Secure" in header and "SameSite=Lax" in header and "Path=/board" in header
    page = await client.get("/board", cookies={COOKIE: signed.cookies[COOKIE].value})
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://chat.example.org" in policy and "script-src" not in policy
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    nobody = await client.get("/board")
    assert nobody.status == 401 and "not signed in" in await nobody.text()


async def test_what_members_typed_is_shown_as_text(board: Open) -> None:
    room, client, _ = await board()
    await room.say(ANNA, "!propose <script>alert(1)</script> & co €500 in 3 days")
    await room.say(BOB, "!backme 1 €50 <b>gladly</b>")
    signed = await sign_in(client, await link_for(room, BOB))
    html = await (await client.get("/board", cookies={COOKIE: signed.cookies[COOKIE].value})).text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<b>gladly" not in html and "&lt;b&gt;gladly" in html


async def test_the_archive_is_paged_newest_first(board: Open) -> None:
    room, client, _ = await board(proposals={"max_open_per_member": 0})
    for number in range(1, 26):
        await room.say(ANNA, f"!propose Plan {number:02d}x €10 in 1 day")
    await room.wait(timedelta(days=2))  # all 25 are NO-GO now
    signed = await sign_in(client, await link_for(room, ANNA))
    cookie = {COOKIE: signed.cookies[COOKIE].value}
    first = await (await client.get("/board", cookies=cookie)).text()
    assert first.count('class="closed" id="proposal-') == 20
    assert "Plan 25x" in first and "Plan 05x" not in first and "Page 1 of 2" in first and "?page=1" in first
    second = await (await client.get("/board?page=1", cookies=cookie)).text()
    assert second.count('class="closed" id="proposal-') == 5 and "Plan 05x" in second and "Plan 25x" not in second


async def test_each_look_shows_the_room_as_it_is_now_and_the_viewers_own_part(board: Open) -> None:
    """The room's part of the page is made once and kept: a pledge, a withdrawal or the clock moving on must still
    show on the next look, and one member's own pledges never on another's page."""
    room, client, _ = await board(session_hours=48)
    await room.say(ANNA, "!propose Shared courier €500 in 3 days")
    anna = {COOKIE: (await sign_in(client, await link_for(room, ANNA))).cookies[COOKIE].value}
    bob = {COOKIE: (await sign_in(client, await link_for(room, BOB))).cookies[COOKIE].value}

    def yours(page: str) -> str:
        return page.split('<section id="yours">', 1)[1].split("</section>", 1)[0]

    before = await (await client.get("/board", cookies=anna)).text()
    assert "3 days left" in before and "€70" not in before

    await room.say(BOB, "!backme 1 €70")
    for_bob = await (await client.get("/board", cookies=bob)).text()
    for_anna = await (await client.get("/board", cookies=anna)).text()
    assert "Bob" in for_anna.split('<section id="yours">', 1)[0] and "€70" in for_anna
    assert "€70" in yours(for_bob) and "€70" not in yours(for_anna)

    room.clock.advance(timedelta(days=1))  # nothing written: only the time left changed
    assert "2 days left" in await (await client.get("/board", cookies=anna)).text()

    await room.say(BOB, "!withdraw 1")
    after = await (await client.get("/board", cookies=bob)).text()
    assert "€70" not in after and "back no proposal" in yours(after)


async def test_a_page_read_before_a_write_is_never_served_after_it() -> None:
    """Two looks at once around a write: the one that counted the writes before it may see the older room, but
    no later look is given that page."""
    cache = RoomSectionsCache()
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    made: list[str] = []

    def maker(label: str) -> Callable[[], Awaitable[RoomSections]]:
        async def make() -> RoomSections:
            made.append(label)
            return RoomSections(label, "")

        return make

    assert (await cache.get(ROOM, 0, "en", 5, now, maker("before"))).main == "before"
    assert (await cache.get(ROOM, 0, "en", 5, now, maker("unused"))).main == "before"  # kept
    assert (await cache.get(ROOM, 0, "en", 6, now, maker("after"))).main == "after"  # written since: made anew
    assert (await cache.get(ROOM, 0, "en", 5, now, maker("late"))).main == "late"  # counted before the write
    assert (await cache.get(ROOM, 0, "en", 6, now, maker("unused"))).main == "after"  # the late one kept nothing
    assert (await cache.get(ROOM, 0, "en", 6, now + timedelta(minutes=1), maker("next"))).main == "next"
    assert made == ["before", "after", "late", "next"]


async def test_yours_shows_a_payment_request_beside_what_arrived(make_room: MakeRoom) -> None:
    from handlers.payments.references import formatted

    room = await make_room(
        board={"listen": "127.0.0.1:8090"},
        money={"iban": "NL91ABNA0417164300", "account_name": "Kring"},
    )
    server = BoardServer(room.store, room.kring.settings, room.clock, room.kring.texts_for, _anyone)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app()))
    await client.start_server()
    try:
        await room.say(ANNA, "!propose Shared courier €50 in 2 days min 1")
        await room.say(BOB, "!backme 1 €60")
        await room.wait(timedelta(days=2, minutes=1))
        (reference,) = await room.rows("SELECT reference FROM payment_requests")
        bob = {COOKIE: (await sign_in(client, await link_for(room, BOB))).cookies[COOKIE].value}
        page = await (await client.get("/board", cookies=bob)).text()
        yours = page.split('<section id="yours">', 1)[1].split("</section>", 1)[0]
        paid = f"payment request €60, €0 arrived · reference {formatted(reference[0])}"
        # beside what bob pledged, reported and had confirmed: the proposal is listed once
        assert f"<li>#1 Shared courier: pledged €60 · reported nothing · confirmed nothing · {paid}</li>" in yours
        assert yours.count("#1 Shared courier") == 1
    finally:
        await client.close()


async def _anyone(room_id: str, user_id: str) -> bool:
    return room_id == ROOM
