"""When a room's events count as sent: their stamp, never later than Kring's now nor before the room's previous event.

A sender's homeserver stamps `origin_server_ts`, and may stamp anything: three days back to escape a lock, 300
days ahead to stretch a deadline, a minute apart to dodge the command budget. Kring's rules run at the stamp
clamped to its own clock, and never before the time of the event before it in the same room, so events that
arrive late (back-filled after downtime) keep their real order and what was said before a deadline still counts.

Each room's latest time is stored with the batch (in its own transaction) and read back after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.matrix_events import event_time
from storage.store import Store

LATEST_KEY = "room.latest_event_at."  # + room id: its latest event's time as Kring counted it, in Unix ms


class EventTimes:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._stored: dict[str, datetime] = {}
        self._loaded: set[str] = set()
        self._batch: dict[str, datetime] = {}

    async def begin(self, room_ids: Iterable[str]) -> None:
        """Start a batch: what was stored for its rooms (read once per room), nothing of a batch that failed."""
        for room_id in set(room_ids) - self._loaded:
            value = await self.store.state.get(LATEST_KEY + room_id)
            if value is not None and value.isdigit():
                self._stored[room_id] = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
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
        if previous is not None and moment < previous:
            moment = min(previous, now)
        return moment

    def changes(self) -> dict[str, str]:
        """What to store with the batch."""
        return {LATEST_KEY + room: str(int(moment.timestamp() * 1000)) for room, moment in self._batch.items()}

    def stored(self) -> None:
        """The batch is committed."""
        self._stored.update(self._batch)
        self._batch = {}
