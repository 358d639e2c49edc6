"""The sync loop: long-poll the homeserver, back-fill gaps, hand each batch to Kring with its token, fire what fell due.

The sync token is stored in the same transaction as the batch's effects (and its membership changes): a crash
before the commit syncs the same events again, after it never.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nio import AsyncClient, MatrixRoom, MessageDirection, RoomInfo, RoomMessagesResponse, SyncError, SyncResponse
from nio import Event as NioEvent

from bot.engine import Kring
from bot.identity.device_keys import EncryptedBacklog, Undecrypted, keep_keys_flowing
from bot.matrix.event_times import EventTimes
from bot.matrix.events import to_kring_event
from bot.matrix.homeserver import FatalMatrixError, Patience, explain
from bot.matrix.nio_adapter import sync_from_scratch
from bot.matrix.room_state import STATE_KEY
from bot.matrix.rooms import Rooms
from bot.ops.metrics import Metrics
from bot.payments.inbox import StatementInbox
from bot.scheduler import DueAnnouncements, WakeUps
from handlers.events import Event, Joined, Message, Say

log = logging.getLogger(__name__)

SYNC_TOKEN = "sync.next_batch"
BACKFILL_PAGE = 500
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


@dataclass
class _Batch:
    """One sync response on its way through `SyncLoop.process`."""

    since: str | None  # the stored token it follows; None on the very first sync (history)
    now: datetime
    joined: dict[str, RoomInfo]  # the rooms in the response that we are joined to (served or not)
    events: list[Event] = field(default_factory=list)
    before_join: list[Event] = field(default_factory=list)  # said in a room before we joined it: history, never run
    undecrypted: list[Undecrypted] = field(default_factory=list)

    @property
    def history(self) -> bool:
        return self.since is None


class SyncLoop:
    def __init__(
        self,
        kring: Kring,
        client: AsyncClient,
        rooms: Rooms,
        backlog: EncryptedBacklog,
        patience: Patience,
        metrics: Metrics | None = None,
    ) -> None:
        self.kring = kring
        self.metrics = metrics
        self.client = client
        self.rooms = rooms
        self.backlog = backlog
        self.patience = patience
        self.due = DueAnnouncements(kring)
        self.wake_ups = WakeUps(kring)
        self.times = EventTimes(kring.store)
        self.statements = StatementInbox(kring, client, rooms)  # [money]: a treasurer's file in a direct room

    @property
    def stopping(self) -> asyncio.Event:
        return self.patience.stopping

    async def run(self) -> None:
        token = await self.kring.store.key_values.get(SYNC_TOKEN)
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
                await self.process(response, since=token)
                if first_sync:
                    await self.rooms.join_served()
                    self.kring.outbox_ready.set()
                # Everything sent before `started` is handled now, so what was due by then can be decided on it.
                await self.due.fire(started)
                await self.kring.clear_old_texts()  # once a UTC day; a cheap check otherwise
                await self.kring.remind_unpaid()  # [money]: one reminder per unpaid request
                await self.wake_ups.plan()
            except FatalMatrixError:
                raise
            except Exception as error:
                # Nothing of a failed batch was committed (disk full, database locked, homeserver gone during
                # back-fill): sync again from the same token and handle the same events again.
                log.exception("handling a sync batch failed; it will be retried")
                await self.patience.back_off(f"batch not stored ({error!r})")
                continue
            self.patience.succeeded()
            if self.metrics is not None:
                self.metrics.synced()
            log.debug("sync batch stored (%s)", response.next_batch)
            if first_sync:
                first_sync = False
                log.info("ready: first sync handled, serving %s", ", ".join(sorted(self.rooms.served)))
            token = response.next_batch

    def stop(self) -> None:
        self.wake_ups.stop()

    async def _sync(self, token: str | None, *, full_state: bool, timeout_ms: int) -> SyncResponse | None:
        if token is None:
            sync_from_scratch(self.client)  # a very first sync that failed to be stored starts over
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
            await self.patience.back_off(explain(error, self.patience.homeserver))
            return None
        if isinstance(response, SyncError):
            if response.status_code == "M_UNKNOWN_TOKEN":
                raise FatalMatrixError("the homeserver no longer accepts our access token (M_UNKNOWN_TOKEN)")
            await self.patience.back_off(f"sync error {response.status_code or 'without status'}: {response.message}")
            return None
        return response

    async def process(self, response: SyncResponse, since: str | None) -> None:
        """Handle one sync response: invites, leaves, back-fill, then every event with the token, in one go.

        What the batch changes in memory (the rooms' state, their events' times, memberships) is kept when its
        transaction commits; a batch that fails leaves it as it found it (it is handled again from the same
        token, as the first time)."""
        self.rooms.note_leaves(response)
        batch = _Batch(since, self.kring.clock.now(), response.rooms.join)
        decrypted = [] if batch.history else await self.backlog.retry()
        await self._begin(batch, decrypted)
        # After the rooms' state is loaded: a treasurer may be one by being a moderator of a served room.
        await self.rooms.answer_invites(response, direct_from=self.statements.is_treasurer)
        self._convert_decrypted(batch, decrypted)
        for room_id, joined in batch.joined.items():
            if room_id in self.rooms.served:  # an upgrade followed on the way may add one
                await self._read_room(batch, room_id, joined)
        if batch.before_join:
            remembered = await self.kring.handle_batch(batch.before_join, history=True)
            log.info("remembered %d events from before we joined (history, not executed)", remembered)
        handled = await self._store(batch, response.next_batch, decrypted)
        if self.metrics is not None and not batch.history:
            self.metrics.handled(batch.events)
        await self.backlog.request_keys(batch.undecrypted)
        await self.statements.look(response, history=batch.history)
        if handled:
            log.info("handled %d new events%s", handled, " (history, not executed)" if batch.history else "")

    async def _begin(self, batch: _Batch, decrypted: list[tuple[str, dict[str, Any]]]) -> None:
        """Start from what the last committed batch left: the rooms' times and state (read after a restart)."""
        served = self.rooms.served
        await self.times.begin({*batch.joined, *(room_id for room_id, _ in decrypted)} & served, batch.now)
        states = self.rooms.states
        states.begin()
        for room_id in batch.joined.keys() & served:
            if states.needs_loading(room_id):  # after a restart: the state as the last batch left it
                states.load(room_id, await self.kring.store.key_values.get(STATE_KEY + room_id))

    def _convert_decrypted(self, batch: _Batch, decrypted: list[tuple[str, dict[str, Any]]]) -> None:
        """Events that could be decrypted at last, before this sync's own."""
        for room_id, source in decrypted:
            if room_id in self.rooms.served:
                event = self._convert(room_id, source, self.times.at(room_id, source, batch.now))
                if event is not None:
                    batch.events.append(event)

    async def _read_room(self, batch: _Batch, room_id: str, joined: RoomInfo) -> None:
        """One room's part of the sync: its state section, back-fill of a gap, and its timeline in order."""
        state = self.rooms.states.of(room_id)
        # The state section is the room's state where this timeline starts, after any back-filled events.
        state_section = [e.source for e in joined.state]
        if not state.known:
            for source in state_section:
                state.learn(source)
        # Members who joined before this timeline (the first sync's state, or a gap's): when they joined.
        # The state is no part of the timeline's order: its times are clamped, but move the room's on no further.
        joins = (self._convert(room_id, s, self.times.within(room_id, s, batch.now)) for s in state_section)
        batch.events += [e for e in joins if isinstance(e, Joined)]
        nio_events = list(joined.timeline.events)
        if joined.timeline.limited and batch.since is not None and joined.timeline.prev_batch:
            nio_events = await self._backfill(room_id, joined.timeline.prev_batch, batch.since) + nio_events
        fresh_ids = {e.event_id for e in joined.timeline.events}
        cut = after_own_join(nio_events, self.kring.bot_user_id)
        earlier, _ = self.backlog.split(room_id, nio_events[:cut])
        timeline, still_encrypted = self.backlog.split(room_id, nio_events[cut:])
        if not batch.history:
            batch.undecrypted += still_encrypted
        converted: list[tuple[bool, Mapping[str, Any], Event]] = []
        for index, source in enumerate(earlier + timeline):
            if state_section and source.get("event_id") in fresh_ids:
                for state_source in state_section:
                    state.learn(state_source)
                state_section = []
            state.learn(source)  # from here on, each event is judged by the state in force when it was sent
            if source.get("type") == "m.room.tombstone":
                await self.rooms.follow_upgrade(room_id, source, state)
            event = self._convert(room_id, source, self.times.at(room_id, source, batch.now))
            if event is not None:
                converted.append((index < len(earlier), source, event))
        for state_source in state_section:
            state.learn(state_source)
        for earlier_than_join, event in proven_by(converted, batch.now, self.kring.bot_user_id):
            (batch.before_join if earlier_than_join else batch.events).append(event)

    async def _store(self, batch: _Batch, token: str, decrypted: list[tuple[str, dict[str, Any]]]) -> int:
        """Hand the events to Kring; in the same transaction store the token, the rooms' state and times, the
        membership changes and the encrypted backlog. The number of new events."""

        async def alongside() -> list[Say]:
            await self.rooms.write_changes(batch.joined.keys() & self.rooms.served)
            await self.times.write()
            return await self.backlog.store_changes(batch.undecrypted, decrypted, batch.now)

        return await self.kring.handle_batch(batch.events, {SYNC_TOKEN: token}, history=batch.history, also=alongside)

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
        if self.metrics is not None:
            self.metrics.backfill.inc(len(missed))
        missed.reverse()
        return missed

    def _convert(self, room_id: str, source: Mapping[str, Any], at: datetime) -> Event | None:
        """A Kring event, judged by the room's state in force and counted as sent `at`."""
        room = self.client.rooms.get(room_id)
        state = self.rooms.states.of(room_id)
        return to_kring_event(
            room_id,
            source,
            power_of=state.power,
            name_of=lambda u: _name(room, u),
            state=state,
            at=at,
        )


def proven_by(
    converted: list[tuple[bool, Mapping[str, Any], Event]], now: datetime, bot_user_id: str
) -> list[tuple[bool, Event]]:
    """A room's timeline events in order, each message with the latest moment its place proves it was sent by:
    the earliest stamp of an event at or after it that Kring's own homeserver stamped, else `now` (when Kring got
    it). A stamp from another homeserver proves nothing about when its event was sent."""
    own_server = bot_user_id.partition(":")[2]
    bound = now
    proven: list[tuple[bool, Event]] = []
    for flag, source, event in reversed(converted):
        sender = source.get("sender")
        if isinstance(sender, str) and sender.partition(":")[2] == own_server:
            bound = min(bound, event.at)
        if isinstance(event, Message):
            event = dataclasses.replace(event, proven_by=bound)
        proven.append((flag, event))
    proven.reverse()
    return proven


def after_own_join(events: Sequence[NioEvent], user_id: str) -> int:
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
