"""The board's web server (`[board] listen`): sign-in links, sessions, the page, and the Element widget's way in.

Only members of a room see its board. Nothing in a URL names a user or a room: a sign-in link carries a one-time
token, a session lives in a cookie, the widget's address names the room's opaque board key. A link's GET only shows
a button (so link previewers do not spend it); its POST signs in. Both POSTs that change a session carry a token
of the board's own page (CSRF). Every number a request carries is bounded, every answer has the same headers, and
the server's limits (bot.board.limits) keep a visitor from holding the bot's sockets.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot.board.cache import RoomSectionsCache
from bot.board.limits import CappedSite, RateLimit, connection_cap, raise_file_limit
from bot.board.page import RoomSections, notice_page, render_board, render_room, sign_in_page
from bot.clock import Clock
from bot.config import parse_listen
from handlers.board import read_room_board
from handlers.settings import BoardSettings, CommunitySettings
from handlers.wording.catalog import Texts
from storage.queries.board import Viewer
from storage.store import Store

log = logging.getLogger(__name__)

COOKIE = "kring_board"
CSRF_COOKIE = "kring_sign_in"  # the sign-in page's token, sent back with its form (double submit)
MAX_PAGE = 10_000  # the archive's pages a request may ask for
MAX_BODY = 16 * 1024  # the largest request body the board reads (a widget's token, a form)
WIDGET_SCRIPT = Path(__file__).with_name("widget.js")
IsMember = Callable[[str, str], Awaitable[bool]]
MemberServers = Callable[[str], Awaitable[frozenset[str]]]  # room id -> the server names of its current members
VerifyOpenId = Callable[[str, str], Awaitable[str | None]]  # (access token, server name) -> user id or None
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Server": "Kring",  # not the web library and its version
}


class BoardServer:
    """Serves `/board` for the rooms the bot serves, to their members."""

    def __init__(
        self,
        store: Store,
        settings: CommunitySettings,
        clock: Clock,
        texts_for: Callable[[str], Awaitable[Texts]],
        is_member: IsMember,
        verify_openid: VerifyOpenId | None = None,
        member_servers: MemberServers | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.board = settings.board
        self.clock = clock
        self.texts_for = texts_for
        self.is_member = is_member
        self.verify_openid = verify_openid
        self.member_servers = member_servers  # None: no server name is accepted for a widget's token
        self._openid_rate = RateLimit(self.board.openid_per_minute)
        self.secure = self.board.base_url.startswith("https://")
        self._runner: web.AppRunner | None = None
        self._rooms = RoomSectionsCache()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=MAX_BODY)
        app.router.add_get("/board", self.page)
        app.router.add_get("/board/in/{token}", self.sign_in_page)
        app.router.add_post("/board/in/{token}", self.sign_in)
        app.router.add_post("/board/out", self.sign_out)
        app.router.add_get("/board/widget/{key}", self.widget)
        app.router.add_get("/board/widget.js", self.widget_script)
        app.router.add_post("/board/widget/{key}/openid", self.widget_sign_in)
        return app

    async def start(self) -> None:
        host, port = parse_listen(self.board.listen)
        # The log never holds a token. aiohttp's keep-alive timer runs from a connection's start and between
        # requests: a connection that sends nothing, or half a request, is closed after header_timeout_s.
        self._runner = web.AppRunner(self.app(), access_log=None, keepalive_timeout=self.board.header_timeout_s)
        await self._runner.setup()
        raise_file_limit()
        cap = connection_cap(self.board.max_connections)
        if cap < self.board.max_connections:
            log.warning("board: at most %d connections at once (the process may open few files)", cap)
        await CappedSite(self._runner, host, port, max_connections=cap).start()
        log.info("board: serving on %s (links go to %s)", self.board.listen, self.board.base_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _headers(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            async with asyncio.timeout(self.board.request_timeout_s):
                response = await handler(request)
        except web.HTTPException as error:  # a 404 or 405 gets the same headers as a page
            self._secure(error)
            raise
        except TimeoutError:
            response = web.Response(status=503, text="took too long")
        self._secure(response)
        return response

    def _secure(self, response: web.StreamResponse) -> None:
        response.headers.update(SECURITY_HEADERS)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
                f"frame-ancestors {self._ancestors()}"
            )

    def _ancestors(self) -> str:
        return " ".join(["'self'", *self.board.widget_origins]) if self.board.widget else "'none'"

    # who is looking
    async def _viewer(self, request: web.Request) -> Viewer | None:
        token = request.cookies.get(COOKIE) or _bearer(request)
        if not token:
            return None
        return await self.store.board.session(token, self.clock.now())

    async def _may_see(self, viewer: Viewer) -> bool:
        if await self.store.member_data.forgotten_among([viewer.user_id]):
            return False
        return await self.is_member(viewer.room_id, viewer.user_id)

    async def _notice(self, status: int, key: str, room_id: str | None = None) -> web.Response:
        texts = await self.texts_for(room_id) if room_id else self._default_texts()
        return web.Response(status=status, text=notice_page(texts, key), content_type="text/html")

    def _default_texts(self) -> Texts:
        return Texts(self.settings.bot.language, self.settings.proposals.zone, self.settings.bot.command_prefix)

    # the pages
    async def page(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if viewer is None:
            return await self._notice(401, "board.signed_out")
        if not await self._may_see(viewer):
            return await self._notice(403, "board.not_member", viewer.room_id)
        page = _bounded(request.query.get("page", "0"), MAX_PAGE)
        now, texts = self.clock.now(), await self.texts_for(viewer.room_id)
        written = await self.store.board.written()  # before the room is read: see RoomSectionsCache.get

        async def make() -> RoomSections:
            room = await read_room_board(self.store, self.settings, viewer.room_id, now, page)
            return render_room(texts, room)

        room = await self._rooms.get(viewer.room_id, page, texts.language, written, now, make)
        own = await self.store.board.own(viewer.room_id, viewer.user_id)
        out = sign_out_token(request.cookies.get(COOKIE) or _bearer(request) or "")
        return web.Response(text=render_board(texts, room, own, now, sign_out=out), content_type="text/html")

    async def sign_in_page(self, request: web.Request) -> web.Response:
        """A link's GET spends nothing: it shows one button, whose POST signs in (a previewer does not press it)."""
        now = self.clock.now()
        await self.store.board.drop_expired(now)  # links and sessions are kept no longer than they work
        room_id = await self.store.board.link_room(request.match_info["token"], now)
        if room_id is None:
            return await self._notice(401, "board.link_spent")
        check = secrets.token_urlsafe(24)
        page = sign_in_page(await self.texts_for(room_id), request.path, check)
        response = web.Response(text=page, content_type="text/html")
        response.set_cookie(
            CSRF_COOKIE,
            check,
            max_age=self.board.link_minutes * 60,
            path="/board/in",
            httponly=True,
            secure=self.secure,
            samesite="Strict",
        )
        return response

    async def sign_in(self, request: web.Request) -> web.Response:
        now = self.clock.now()
        form = await request.post()
        sent, kept = str(form.get("check", "")), request.cookies.get(CSRF_COOKIE, "")
        if not self._same_origin(request) or not kept or not hmac.compare_digest(sent, kept):
            return await self._notice(403, "board.sign_in_again")
        viewer = await self.store.board.use_link(request.match_info["token"], now)
        if viewer is None:
            return await self._notice(401, "board.link_spent")
        if not await self._may_see(viewer):
            return await self._notice(403, "board.not_member", viewer.room_id)
        token = await self.store.board.new_session(viewer, now + timedelta(hours=self.board.session_hours))
        response = web.Response(status=303, headers={"Location": "/board"})
        self._set_cookie(response, token, widget=False)
        response.del_cookie(CSRF_COOKIE, path="/board/in")
        return response

    async def sign_out(self, request: web.Request) -> web.Response:
        token = request.cookies.get(COOKIE) or _bearer(request)
        form = await request.post()
        if token and (
            not self._same_origin(request) or not hmac.compare_digest(str(form.get("check", "")), sign_out_token(token))
        ):
            return await self._notice(403, "board.sign_in_again")
        if token:
            await self.store.board.end_session(token)
        response = web.Response(status=303, headers={"Location": "/board"})
        response.del_cookie(COOKIE, path="/board")
        return response

    def _same_origin(self, request: web.Request) -> bool:
        """A form posted from the board's own pages: the board's own Origin, or none to compare (an old browser, or
        "null", which browsers send under the board's `no-referrer` policy; the form's token decides then)."""
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            return True
        own = {f"{request.scheme}://{request.host}", "/".join(self.board.base_url.split("/", 3)[:3])}
        return origin in own

    def _set_cookie(self, response: web.StreamResponse, token: str, *, widget: bool) -> None:
        # In a widget the page is framed by the client, another site: a Lax cookie would not be sent there.
        same_site = "None" if widget and self.secure else "Lax"
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.board.session_hours * 3600,
            path="/board",
            httponly=True,
            secure=self.secure,
            samesite=same_site,
        )

    # the Element widget
    async def widget(self, request: web.Request) -> web.Response:
        room_id = await self.store.board.room_of_key(request.match_info["key"])
        if room_id is None or not self.board.widget:
            raise web.HTTPNotFound()
        texts = await self.texts_for(room_id)
        waiting, refused = texts.t("board.widget_waiting").html, texts.t("board.widget_refused").html
        html = (
            f'<!DOCTYPE html><html lang="{texts.language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{texts.t('board.title').html}</title></head><body>"
            f'<p id="status" data-refused="{refused}">{waiting}</p>'
            '<script src="/board/widget.js"></script></body></html>'
        )
        response = web.Response(text=html, content_type="text/html")
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; "
            f"frame-ancestors {self._ancestors()}"
        )
        return response

    async def widget_script(self, request: web.Request) -> web.Response:
        return web.Response(text=WIDGET_SCRIPT.read_text(encoding="utf-8"), content_type="text/javascript")

    async def widget_sign_in(self, request: web.Request) -> web.Response:
        """The widget's OpenID token, checked at the member's homeserver; then a session, if they are a member."""
        key = request.match_info["key"]
        room_id = await self.store.board.room_of_key(key)
        if room_id is None or self.verify_openid is None:
            raise web.HTTPNotFound()
        if request.content_type != "application/json":  # what a form on another site cannot send without asking
            return web.json_response({"error": "expected application/json"}, status=415)
        if not self._openid_rate.allow(f"key {key}", f"address {request.remote}"):
            return web.json_response({"error": "too many sign-ins: try again in a minute"}, status=429)
        try:
            body = await request.json()
            token, server = str(body["access_token"]), str(body["matrix_server_name"]).lower()
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "expected access_token and matrix_server_name"}, status=400)
        # Like a homeserver: only the servers of the room's own members are asked (no other host is contacted).
        servers = await self.member_servers(room_id) if self.member_servers is not None else frozenset()
        if server not in servers:
            return web.json_response({"error": "the homeserver did not confirm this token"}, status=401)
        user_id = await self.verify_openid(token, server)
        if user_id is None:
            return web.json_response({"error": "the homeserver did not confirm this token"}, status=401)
        viewer = Viewer(room_id, user_id)
        if not await self._may_see(viewer):
            return web.json_response({"error": "not a member of this room"}, status=403)
        session = await self.store.board.new_session(
            viewer, self.clock.now() + timedelta(hours=self.board.session_hours)
        )
        response = web.json_response({"session": session})
        self._set_cookie(response, session, widget=True)
        return response


async def sign_in_link(store: Store, board: BoardSettings, clock: Clock, room_id: str, user_id: str) -> str:
    """A new one-time link that signs `user_id` in to the board of `room_id` (made as it is sent)."""
    async with store.transaction():
        token = await store.board.new_link(room_id, user_id, clock.now() + timedelta(minutes=board.link_minutes))
    return f"{board.base_url}/board/in/{token}"


def sign_out_token(session: str) -> str:
    """The sign-out form's token: derived from the session, so only its own page knows it."""
    return hashlib.sha256(b"kring sign-out " + session.encode()).hexdigest()[:32]


def _bounded(value: str, most: int) -> int:
    """A number from a request, 0 when unreadable, never beyond `most`."""
    digits = value.isascii() and value.isdigit()  # "²" and "٣" are digits to Python, not to int() or a person
    if not digits or len(value) > 9:
        return most if digits else 0
    return min(int(value), most)


def _bearer(request: web.Request) -> str | None:
    """The widget's session, where the client's frame keeps no cookie: `Authorization: Bearer <session>`."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() or None if header.startswith("Bearer ") else None
