"""When a room's events count as sent: their stamp, never later than Kring's now nor before the room's previous event,
nor before Kring handled the batch before.

A sender's homeserver stamps `origin_server_ts`, and may stamp anything: three days back to escape a lock, 300
days ahead to stretch a deadline, a minute apart to dodge the command budget. Kring's rules run at the stamp
clamped to its own clock, and never before the time of the event before it in the same room, so events that
arrive late (back-filled after downtime) keep their real order and what was said before a deadline still counts.

Every event after the stored sync token reached the homeserver after Kring had handled the batch before it, so
that moment is a floor for all of them too: in a quiet room, where no previous event bounds it, a `!withdraw`
stamped a day back still counts as sent now.

Each room's latest time, and when the last batch was handled, are stored with the batch (in its own
transaction), held in memory once it commits, and read back after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.matrix.events import event_time
from storage.store import Store

LATEST_KEY = "room.latest_event_at."  # + room id: its latest event's time as Kring counted it, in Unix ms
HANDLED_KEY = "sync.handled_at"  # when Kring handled the last batch, in Unix ms


class EventTimes:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._stored: dict[str, datetime] = {}
        self._loaded: set[str] = set()
        self._batch: dict[str, datetime] = {}
        self._floor: datetime | None = None  # when the batch before was handled
        self._floor_loaded = False
        self._now: datetime | None = None

    async def begin(self, room_ids: Iterable[str], now: datetime) -> None:
        """Start a batch handled at `now`: what was stored for its rooms (read once per room), nothing of a batch
        that failed."""
        if not self._floor_loaded:
            self._floor = _from_ms(await self.store.key_values.get(HANDLED_KEY))
            self._floor_loaded = True
        self._now = now
        for room_id in set(room_ids) - self._loaded:
            stored = _from_ms(await self.store.key_values.get(LATEST_KEY + room_id))
            if stored is not None:
                self._stored[room_id] = stored
            self._loaded.add(room_id)
        self._batch = {}

    def at(self, room_id: str, source: Mapping[str, Any], now: datetime) -> datetime:
        """The time a timeline event counts as sent; the next event in the room counts no earlier."""
        moment = self.within(room_id, source, now)
        self._batch[room_id] = moment
        return moment

    def within(self, room_id: str, source: Mapping[str, Any], now: datetime) -> datetime:
        """The time a state event counts as sent (a join in a gap): clamped the same way, and no part of the
        room's order. A member's first join that Kring saw earlier stays where it was."""
        moment = min(event_time(source, now), now)
        previous = self._batch.get(room_id) or self._stored.get(room_id)
        for bound in (previous, self._floor):
            if bound is not None and moment < bound:
                moment = min(bound, now)
        return moment

    async def write(self) -> None:
        """Inside the batch's transaction: store its times; they count in memory once it commits."""
        changed = {LATEST_KEY + room: _to_ms(moment) for room, moment in self._batch.items()}
        if self._now is not None:
            changed[HANDLED_KEY] = _to_ms(self._now)
        await self.store.key_values.set_many(changed)
        self.store.db.on_commit(self._committed)
        self.store.db.on_rollback(self._discard)

    def _committed(self) -> None:
        self._stored.update(self._batch)
        self._batch = {}
        if self._now is not None:
            self._floor = self._now

    def _discard(self) -> None:
        self._batch = {}


def _to_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _from_ms(value: str | None) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC) if value is not None and value.isdigit() else None
