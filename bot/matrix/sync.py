"""The sync loop: long-poll the homeserver, back-fill gaps, hand each batch to Kring with its token, fire what fell due.

The sync token is stored in the same transaction as the batch's effects (and its membership changes): a crash
before the commit syncs the same events again, after it never.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nio import AsyncClient, MatrixRoom, MessageDirection, RoomMessagesResponse, SyncError, SyncResponse
from nio import Event as NioEvent

from bot.engine import Kring
from bot.identity.device_keys import EncryptedBacklog, Undecrypted, keep_keys_flowing
from bot.matrix.event_times import EventTimes
from bot.matrix.events import to_kring_event
from bot.matrix.homeserver import FatalMatrixError, Patience, explain
from bot.matrix.room_state import STATE_KEY
from bot.matrix.rooms import Rooms
from bot.ops.metrics import Metrics
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

    @property
    def stopping(self) -> asyncio.Event:
        return self.patience.stopping

    async def run(self) -> None:
        token = await self.kring.store.state.get(SYNC_TOKEN)
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
            await self.patience.back_off(explain(error, self.patience.homeserver))
            return None
        if isinstance(response, SyncError):
            if response.status_code == "M_UNKNOWN_TOKEN":
                raise FatalMatrixError("the homeserver no longer accepts our access token (M_UNKNOWN_TOKEN)")
            await self.patience.back_off(f"sync error {response.status_code or 'without status'}: {response.message}")
            return None
        return response

    async def process(self, response: SyncResponse, since: str | None) -> None:
        """Handle one sync response: invites, leaves, back-fill, then every event with the token, in one go. A
        batch that fails leaves the rooms' state as it found it (it is handled again from the same token)."""
        snapshot = self.rooms.states.snapshot()
        try:
            await self._process(response, since)
        except BaseException:
            self.rooms.states.restore(snapshot)
            raise

    async def _process(self, response: SyncResponse, since: str | None) -> None:
        rooms = self.rooms
        await rooms.answer_invites(response)
        rooms.note_leaves(response)
        history = since is None
        events: list[Event] = []
        before_join: list[Event] = []  # said in a room before we joined it: history, never executed
        undecrypted: list[Undecrypted] = []
        decrypted = [] if history else await self.backlog.retry()
        now = self.kring.clock.now()
        await self.times.begin({*response.rooms.join, *(room_id for room_id, _ in decrypted)} & rooms.served, now)
        for room_id in response.rooms.join.keys() & rooms.served:
            if rooms.states.needs_loading(room_id):  # after a restart: the state as the last batch left it
                rooms.states.load(room_id, await self.kring.store.state.get(STATE_KEY + room_id))
        for room_id, source in decrypted:
            if room_id in rooms.served:
                event = self._convert(room_id, source, self.times.at(room_id, source, now))
                if event is not None:
                    events.append(event)
        for room_id, joined in response.rooms.join.items():
            if room_id not in rooms.served:
                continue
            state = rooms.states.of(room_id)
            # The state section is the room's state where this timeline starts, after any back-filled events.
            state_section = [e.source for e in joined.state]
            if not state.known:
                for source in state_section:
                    state.learn(source)
            # Members who joined before this timeline (the first sync's state, or a gap's): when they joined.
            # The state is no part of the timeline's order: its times are clamped, but move the room's on no further.
            joins = (self._convert(room_id, s, self.times.within(room_id, s, now)) for s in state_section)
            events += [e for e in joins if isinstance(e, Joined)]
            nio_events = list(joined.timeline.events)
            if joined.timeline.limited and since is not None and joined.timeline.prev_batch:
                nio_events = await self._backfill(room_id, joined.timeline.prev_batch, since) + nio_events
            fresh_ids = {e.event_id for e in joined.timeline.events}
            cut = after_own_join(nio_events, self.kring.bot_user_id)
            earlier, _ = self.backlog.split(room_id, nio_events[:cut])
            timeline, still_encrypted = self.backlog.split(room_id, nio_events[cut:])
            if not history:
                undecrypted += still_encrypted
            converted: list[tuple[bool, Mapping[str, Any], Event]] = []
            for index, source in enumerate(earlier + timeline):
                if state_section and source.get("event_id") in fresh_ids:
                    for state_source in state_section:
                        state.learn(state_source)
                    state_section = []
                state.learn(source)  # from here on, each event is judged by the state in force when it was sent
                if source.get("type") == "m.room.tombstone":
                    await rooms.follow_upgrade(room_id, source, state)
                event = self._convert(room_id, source, self.times.at(room_id, source, now))
                if event is not None:
                    converted.append((index < len(earlier), source, event))
            for state_source in state_section:
                state.learn(state_source)
            for earlier_than_join, event in proven_by(converted, now, self.kring.bot_user_id):
                (before_join if earlier_than_join else events).append(event)
        if before_join:
            remembered = await self.kring.handle_batch(before_join, history=True)
            log.info("remembered %d events from before we joined (history, not executed)", remembered)

        async def alongside() -> list[Say]:
            await rooms.write_changes()
            return await self.backlog.store_changes(undecrypted, decrypted, now)

        stored_state = {
            SYNC_TOKEN: response.next_batch,
            **self.times.changes(),
            **rooms.states.changes(response.rooms.join.keys() & rooms.served),
        }
        handled = await self.kring.handle_batch(events, stored_state, history=history, also=alongside)
        rooms.changes_stored()
        self.times.stored()
        if self.metrics is not None and not history:
            self.metrics.handled(events)
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
