"""`kring run`: log in once, sync with our own loop, back-fill gaps, fire what fell due, send, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MessageDirection,
    RoomMessagesResponse,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)
from nio import (
    Event as NioEvent,
)

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, check_ready_for_matrix
from bot.crypto import EncryptedBacklog, Undecrypted, crypto_store_file, keep_keys_flowing
from bot.engine import Kring
from bot.matrix_events import notice_content, to_kring_event
from bot.scheduler import DueAnnouncements, WakeUps
from handlers.events import Event
from storage.announcements import OutboxMessage
from storage.db import hold_exclusive_lock
from storage.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

SYNC_TOKEN = "sync.next_batch"
LOGIN_KEY = "matrix.login"
EXTRA_ROOMS_KEY = "matrix.extra_rooms"
TXN_PREFIX_KEY = "outbox.txn_prefix"
CRYPTO_DEVICE_KEY = "matrix.crypto_device"
BACKFILL_PAGE = 500
BACKOFF_START_S = 2.0
BACKOFF_MAX_S = 300.0
HIGHEST_POWER = 2**53
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 100},
        "state": {"lazy_load_members": False},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}


class FatalMatrixError(Exception):
    """The homeserver refuses us for good (e.g. the access token was revoked)."""


class ShuttingDown(Exception):
    """Asked to stop while still waiting for the homeserver at start-up."""


# Answers that mean "not now" rather than "no": no Matrix error code at all (a proxy's 502, an empty body),
# a server error, or a rate limit.
TRANSIENT_CODES = frozenset({None, "M_UNKNOWN", "M_LIMIT_EXCEEDED"})
UNSENDABLE = frozenset({"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON"})  # a message the homeserver never takes


def is_transient(response: object) -> bool:
    """Whether nio's answer is an error that may pass if asked again (as opposed to a success or a refusal)."""
    if not isinstance(response, ErrorResponse):
        return False
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return getattr(response, "status_code", None) in TRANSIENT_CODES or (isinstance(status, int) and status >= 500)


class Backoff:
    """Seconds to wait after consecutive failures: 2, 4, 8 … capped at five minutes."""

    def __init__(self, start: float = BACKOFF_START_S, cap: float = BACKOFF_MAX_S) -> None:
        self.start = start
        self.cap = cap
        self.failures = 0

    def next_delay(self) -> float:
        self.failures += 1
        return float(min(self.cap, self.start * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


@dataclass
class RoomCreators:
    """Room creators per room: in room version 12 they outrank every power level."""

    by_room: dict[str, set[str]] = field(default_factory=dict)

    def learn(self, room_id: str, source: Mapping[str, Any]) -> None:
        if source.get("type") != "m.room.create":
            return
        content = source.get("content") or {}
        version = str(content.get("room_version", "1"))
        if not (version.isascii() and version.isdigit()) or int(version) < 12:
            return
        creators = {str(source.get("sender"))}
        extra = content.get("additional_creators")
        if isinstance(extra, list):
            creators.update(str(user) for user in extra)
        self.by_room[room_id] = creators

    def is_creator(self, room_id: str, user_id: str) -> bool:
        return user_id in self.by_room.get(room_id, set())


class MatrixBot:
    def __init__(self, settings: Settings, store: Store, client: AsyncClient) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.kring = Kring(store, settings, SystemClock(), settings.matrix.user_id)
        self.due = DueAnnouncements(self.kring)
        self.wake_ups = WakeUps(self.kring)
        self.served: set[str] = set()
        self.configured: set[str] = set()  # matrix.rooms, aliases resolved
        self.creators = RoomCreators()
        self.stopping = asyncio.Event()
        self.backoff = Backoff()
        self._tasks: set[asyncio.Task[None]] = set()
        self._txn_prefix = ""
        self.backlog = EncryptedBacklog(client, store, self.kring.texts)

    # start-up
    async def login(self) -> None:
        matrix = self.settings.matrix
        stored = await self.store.events.get_state(LOGIN_KEY)
        if stored:
            saved = json.loads(stored)
            if saved.get("user_id") == matrix.user_id and saved.get("homeserver") == matrix.homeserver:
                await self._check_crypto_store(saved["device_id"])
                self.client.restore_login(matrix.user_id, saved["device_id"], saved["access_token"])
                # A homeserver that is down or behind a failing proxy is waited for: logging in again would
                # make a new device (and lose the old one's encryption keys) for nothing.
                whoami = await self._until_answered("checking the stored login", self.client.whoami)
                if isinstance(whoami, WhoamiResponse):
                    log.info("restored login for %s, device %s", matrix.user_id, saved["device_id"])
                    return
                log.warning("the stored login is no longer valid (%s); logging in again", whoami.status_code)
        if matrix.access_token:
            self.client.access_token = matrix.access_token
            whoami = await self._until_answered("checking the access token", self.client.whoami)
            if not isinstance(whoami, WhoamiResponse):
                raise FatalMatrixError(f"the access token was refused: {getattr(whoami, 'message', whoami)}")
            await self._check_crypto_store(whoami.device_id or "")
            self.client.restore_login(whoami.user_id, whoami.device_id or "", matrix.access_token)
            log.info("logged in with access token as %s, device %s", whoami.user_id, whoami.device_id)
            return
        response = await self._until_answered(
            "logging in", lambda: self.client.login(matrix.password, device_name=matrix.device_name)
        )
        if not isinstance(response, LoginResponse):
            raise FatalMatrixError(f"login failed: {getattr(response, 'message', response)}")
        record = {
            "user_id": matrix.user_id,
            "homeserver": matrix.homeserver,
            "device_id": response.device_id,
            "access_token": response.access_token,
        }
        async with self.store.transaction():
            await self.store.events.set_state(LOGIN_KEY, json.dumps(record))
        log.info("logged in as %s with new device %s (stored for restarts)", matrix.user_id, response.device_id)

    async def _until_answered(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """`call` again, with back-off, until the homeserver gives a real answer (a success or a refusal)."""
        while True:
            if self.stopping.is_set():
                raise ShuttingDown(what)
            try:
                response = await call()
            except Exception as error:  # connection refused, reset, timeout
                reason = repr(error)
            else:
                if not is_transient(response):
                    self.backoff.reset()
                    return response
                reason = f"{getattr(response, 'status_code', None) or 'no Matrix answer'}"
            await self._back_off(f"{what} failed ({reason})")

    async def _check_crypto_store(self, device_id: str) -> None:
        """A device whose encryption keys were lost cannot be resumed: say so instead of failing silently."""
        if self.client.store_path is None or not self.settings.matrix.encryption:
            return
        if await self.store.events.get_state(CRYPTO_DEVICE_KEY) != device_id:
            return  # this device never had keys here: nio creates them
        path = crypto_store_file(self.client.store_path, self.settings.matrix.user_id, device_id)
        if await asyncio.to_thread(path.exists):
            return
        raise FatalMatrixError(
            f"the encryption store of device {device_id} is missing ({path}). Without it Kring cannot read "
            "encrypted rooms as that device. Restore the store directory from a backup, or start once with "
            "`kring run --new-device` to log in as a new device (members will see a new, unverified device)."
        )

    async def remember_crypto_device(self) -> None:
        if self.client.olm is not None and self.client.device_id:
            async with self.store.transaction():
                await self.store.events.set_state(CRYPTO_DEVICE_KEY, self.client.device_id)

    async def resolve_rooms(self) -> None:
        for room in self.settings.matrix.rooms:
            if room.startswith("#"):
                resolved = await self._until_answered(
                    f"resolving {room}", functools.partial(self.client.room_resolve_alias, room)
                )
                if not isinstance(resolved, RoomResolveAliasResponse):
                    raise ConfigError(f"config error at matrix.rooms: cannot resolve alias {room}")
                self.configured.add(resolved.room_id)
            else:
                self.configured.add(room)
        self.served.update(self.configured)
        extra = await self.store.events.get_state(EXTRA_ROOMS_KEY)
        if extra:
            self.served.update(json.loads(extra))
        prefix = await self.store.events.get_state(TXN_PREFIX_KEY)
        if prefix is None:
            prefix = secrets.token_hex(4)
            async with self.store.transaction():
                await self.store.events.set_state(TXN_PREFIX_KEY, prefix)
        self._txn_prefix = prefix
        log.info("serving %d rooms", len(self.served))

    async def join_served(self) -> None:
        for room_id in sorted(self.served):
            if room_id in self.client.rooms:
                continue
            response = await self.client.join(room_id)
            if isinstance(response, JoinError):
                log.warning("could not join %s: %s", room_id, response.message)

    # the sync loop
    async def run(self) -> None:
        token = await self.store.events.get_state(SYNC_TOKEN)
        first_sync = True
        self.wake_ups.start()
        await self.wake_ups.plan()
        while not self.stopping.is_set():
            self.wake_ups.woken.clear()  # a wake-up from before this sync started is answered by this sync
            started = self.kring.clock.now()
            timeout_ms = await self.due.poll_timeout_ms(started)
            response = await self._sync(token, full_state=first_sync, timeout_ms=timeout_ms)
            if response is None:
                continue
            log.debug("sync batch received (%s); handling it", response.next_batch)
            try:
                await keep_keys_flowing(self.client)
                await self._process(response, since=token)
                if first_sync:
                    await self.join_served()
                    self.kring.outbox_ready.set()
                # Everything sent before `started` is handled now, so what was due by then can be decided on it.
                await self.due.fire(started)
                await self.wake_ups.plan()
            except FatalMatrixError:
                raise
            except Exception as error:
                # Nothing of a failed batch was committed (disk full, database locked, homeserver gone during
                # back-fill): sync again from the same token and handle the same events again.
                log.exception("handling a sync batch failed; it will be retried")
                await self._back_off(f"batch not stored ({error!r})")
                continue
            self.backoff.reset()
            log.debug("sync batch stored (%s)", response.next_batch)
            if first_sync:
                first_sync = False
                log.info("ready: first sync handled, serving %s", ", ".join(sorted(self.served)))
            token = response.next_batch

    async def _sync(self, token: str | None, *, full_state: bool, timeout_ms: int) -> SyncResponse | None:
        if token is None:
            # nio syncs from its own last token when `since` is empty; a very first sync that failed to be
            # stored must start from scratch again, or the room's history would be skipped.
            self.client.next_batch = ""
        sync = asyncio.ensure_future(
            self.client.sync(timeout=timeout_ms, since=token, full_state=full_state, sync_filter=SYNC_FILTER)
        )
        stop = asyncio.ensure_future(self.stopping.wait())
        # An announcement falling due ends the long poll: the next sync starts after its moment, then it fires.
        woken = asyncio.ensure_future(self.wake_ups.woken.wait())
        done, _ = await asyncio.wait({sync, stop, woken}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (stop, woken):
            waiter.cancel()
        if sync not in done:
            sync.cancel()
            await asyncio.gather(sync, return_exceptions=True)
            return None
        try:
            response = sync.result()
        except Exception as error:  # connection refused, reset, timeout
            await self._back_off(f"sync failed: {error!r}")
            return None
        if isinstance(response, SyncError):
            if response.status_code == "M_UNKNOWN_TOKEN":
                raise FatalMatrixError("the homeserver no longer accepts our access token (M_UNKNOWN_TOKEN)")
            await self._back_off(f"sync error {response.status_code or 'without status'}: {response.message}")
            return None
        return response

    async def _back_off(self, reason: str) -> None:
        delay = self.backoff.next_delay()
        log.warning("%s; retrying in %.0f s", reason, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=delay)

    async def _process(self, response: SyncResponse, since: str | None) -> None:
        await self._invites(response)
        await self._leaves(response)
        history = since is None
        events: list[Event] = []
        before_join: list[Event] = []  # said in a room before we joined it: history, never executed
        undecrypted: list[Undecrypted] = []
        decrypted = [] if history else await self.backlog.retry()
        for room_id, source in decrypted:
            event = self._convert(room_id, source) if room_id in self.served else None
            if event is not None:
                events.append(event)
        for room_id, joined in response.rooms.join.items():
            for state_event in joined.state:
                self.creators.learn(room_id, state_event.source)
            if room_id not in self.served:
                continue
            nio_events = list(joined.timeline.events)
            if joined.timeline.limited and since is not None and joined.timeline.prev_batch:
                nio_events = await self._backfill(room_id, joined.timeline.prev_batch, since) + nio_events
            cut = _after_own_join(nio_events, self.settings.matrix.user_id)
            earlier, _ = self.backlog.split(room_id, nio_events[:cut])
            timeline, still_encrypted = self.backlog.split(room_id, nio_events[cut:])
            if not history:
                undecrypted += still_encrypted
            for index, source in enumerate(earlier + timeline):
                self.creators.learn(room_id, source)
                if source.get("type") == "m.room.tombstone":
                    await self._follow_upgrade(room_id, source)
                event = self._convert(room_id, source)
                if event is not None:
                    (before_join if index < len(earlier) else events).append(event)
        if before_join:
            remembered = await self.kring.handle_batch(before_join, history=True)
            log.info("remembered %d events from before we joined (history, not executed)", remembered)
        now = self.kring.clock.now()
        handled = await self.kring.handle_batch(
            events,
            {SYNC_TOKEN: response.next_batch},
            history=history,
            also=lambda: self.backlog.store_changes(undecrypted, decrypted, now),
        )
        await self.backlog.request_keys(undecrypted)
        if handled:
            log.info("handled %d new events%s", handled, " (history, not executed)" if history else "")

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[NioEvent]:
        """Page back from the gap's start to our stored token; returns the missed events, oldest first."""
        missed: list[NioEvent] = []
        start: str | None = prev_batch
        while start:
            page = await self.client.room_messages(
                room_id, start=start, end=since, direction=MessageDirection.back, limit=BACKFILL_PAGE
            )
            if not isinstance(page, RoomMessagesResponse):
                raise RuntimeError(f"back-fill of {room_id} failed: {getattr(page, 'message', page)}")
            missed.extend(page.chunk)  # nio has decrypted what it could
            if not page.chunk or not page.end or page.end == start:
                break
            start = page.end
        log.info("back-filled %d events missed in %s", len(missed), room_id)
        missed.reverse()
        return missed

    def _convert(self, room_id: str, source: Mapping[str, Any]) -> Event | None:
        room = self.client.rooms.get(room_id)
        return to_kring_event(
            room_id, source, power_of=lambda u: self._power(room, u), name_of=lambda u: _name(room, u)
        )

    def _power(self, room: MatrixRoom | None, user_id: str) -> int:
        if room is None:
            return 0
        if self.creators.is_creator(room.room_id, user_id):
            return HIGHEST_POWER
        return int(room.power_levels.get_user_level(user_id))

    # membership
    async def _invites(self, response: SyncResponse) -> None:
        for room_id, invited in response.rooms.invite.items():
            inviter = next(
                (
                    e.sender
                    for e in invited.invite_state
                    if isinstance(e, InviteMemberEvent) and e.state_key == self.settings.matrix.user_id
                ),
                None,
            )
            if room_id in self.served or (inviter and self._allowed_inviter(inviter)):
                joined = await self.client.join(room_id)
                if isinstance(joined, JoinError):
                    log.warning("could not join %s after invite: %s", room_id, joined.message)
                    continue
                if room_id not in self.served:
                    await self._serve(room_id)
                log.info("accepted invite to %s from %s", room_id, inviter)
            else:
                await self.client.room_leave(room_id)
                log.info("declined invite to %s from %s (not a configured room or inviter)", room_id, inviter)

    def _allowed_inviter(self, user_id: str) -> bool:
        for allowed in self.settings.matrix.allowed_inviters:
            if allowed.startswith(":") and user_id.endswith(allowed):
                return True
            if user_id == allowed:
                return True
        return False

    def _extra_rooms(self) -> str:
        """The served rooms that are not configured (joined on an invite or an upgrade), kept for restarts."""
        return json.dumps(sorted(self.served - self.configured))

    async def _serve(self, room_id: str) -> None:
        self.served.add(room_id)
        async with self.store.transaction():
            await self.store.events.set_state(EXTRA_ROOMS_KEY, self._extra_rooms())

    async def _leaves(self, response: SyncResponse) -> None:
        for room_id in response.rooms.leave:
            if room_id not in self.served:
                continue
            self.served.discard(room_id)
            async with self.store.transaction():
                await self.store.events.set_state(EXTRA_ROOMS_KEY, self._extra_rooms())  # not rejoined at restart
                stopped = await self.store.announcements.cancel_pending_in_room(room_id)
                dropped = await self.store.announcements.drop_unsent_in_room(room_id)
            log.warning(
                "removed from %s (kicked, banned or left): %d scheduled announcements stopped, %d unsent dropped",
                room_id,
                stopped,
                dropped,
            )

    async def _follow_upgrade(self, room_id: str, source: Mapping[str, Any]) -> None:
        replacement = (source.get("content") or {}).get("replacement_room")
        if not isinstance(replacement, str) or replacement in self.served:
            return
        joined = await self.client.join(replacement)
        if isinstance(joined, JoinError):
            log.warning("room %s was upgraded to %s but joining failed: %s", room_id, replacement, joined.message)
            return
        await self._serve(replacement)
        async with self.store.transaction():
            await self.store.proposals.move_room(room_id, replacement)
        log.info("room %s was upgraded; now serving %s", room_id, replacement)

    # sending
    async def send_outbox(self) -> None:
        backoff = Backoff(start=1.0, cap=60.0)
        while not self.stopping.is_set():
            await self.kring.outbox_ready.wait()
            self.kring.outbox_ready.clear()
            try:
                await self.kring.deliver(self._send)
                backoff.reset()
            except Exception as error:
                delay = backoff.next_delay()
                log.warning("sending failed (%r); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                self.kring.outbox_ready.set()

    async def _send(self, message: OutboxMessage) -> str:
        say = message.say
        response = await self.client.room_send(
            say.room_id,
            "m.room.message",
            notice_content(say),
            tx_id=f"kring-{self._txn_prefix}-{message.id}",  # a resend after a crash is de-duplicated
            ignore_unverified_devices=True,
        )
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        code = getattr(response, "status_code", None)
        if code == "M_FORBIDDEN":
            log.warning("not allowed to post in %s; dropping outbox message %d", say.room_id, message.id)
            return ""
        if code in UNSENDABLE:
            # Retrying cannot help, and every later message would wait behind this one for good.
            log.error("the homeserver refuses outbox message %d for good (%s); dropping it", message.id, code)
            return ""
        raise RuntimeError(f"room_send failed: {getattr(response, 'message', response)}")

    def spawn(self, coroutine: Any, name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())
            self.stopping.set()

    async def shutdown(self) -> None:
        self.stopping.set()
        self.wake_ups.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _after_own_join(events: Sequence[NioEvent], user_id: str) -> int:
    """The index just after our latest join (from invite, leave or nothing) in a timeline; 0 if there is none.

    A room we just joined arrives with the messages from before our join, and a back-fill may reach back
    to them: those are the room's history, like everything before the very first start.
    """
    for index in range(len(events) - 1, -1, -1):
        source = events[index].source
        if source.get("type") != "m.room.member" or source.get("state_key") != user_id:
            continue
        content = source.get("content") or {}
        unsigned = source.get("unsigned") or {}
        previous = unsigned.get("prev_content") or {}
        if content.get("membership") == "join" and previous.get("membership") != "join":
            return index + 1
    return 0


def _name(room: MatrixRoom | None, user_id: str) -> str:
    if room is None:
        return user_id
    return room.user_name(user_id) or user_id


def crypto_store_dir(settings: Settings) -> Path:
    """`matrix.store_path`, or a `kring-store` folder beside the database."""
    if settings.matrix.store_path:
        return Path(settings.matrix.store_path)
    return Path(settings.storage.database).resolve().parent / "kring-store"


async def run_bot(settings: Settings, *, new_device: bool = False) -> int:
    """Serve until SIGTERM/SIGINT; 0 on a clean stop, 1 when the homeserver refuses us for good."""
    check_ready_for_matrix(settings)
    store_dir = crypto_store_dir(settings)
    await asyncio.to_thread(store_dir.mkdir, parents=True, exist_ok=True)
    lock = await asyncio.to_thread(hold_exclusive_lock, settings.storage.database)
    store = await Store.open(settings.storage.database)
    if new_device:
        async with store.transaction():
            await store.events.delete_state(LOGIN_KEY)
            await store.events.delete_state(CRYPTO_DEVICE_KEY)
    client = AsyncClient(
        settings.matrix.homeserver,
        settings.matrix.user_id,
        store_path=str(store_dir),
        config=AsyncClientConfig(
            store_sync_tokens=False,
            encryption_enabled=settings.matrix.encryption,
            pickle_key=settings.matrix.pickle_key or "unused",
            max_timeouts=3,
        ),
    )
    bot = MatrixBot(settings, store, client)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, bot.stopping.set)
    code = 0
    try:
        await bot.login()
        await bot.remember_crypto_device()
        await bot.resolve_rooms()
        bot.spawn(bot.send_outbox(), "outbox")
        await bot.run()
        log.info("stopping: the current batch is finished")
    except FatalMatrixError as error:
        log.critical("%s", error)
        code = 1
    except ShuttingDown as waiting:
        log.info("stopped while %s", waiting)
    finally:
        await bot.shutdown()
        try:
            await asyncio.wait_for(bot.kring.deliver(bot._send), timeout=5)
        except Exception as error:
            log.warning("unsent messages stay in the outbox for the next start (%r)", error)
        await client.close()
        await store.close()
        lock.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    log.info("stopped")
    return code
