"""A room's rules as its own state says at each event: its version, creators and power levels, each replaced whole.

The sync loop shows every state event here in timeline order, so an event is judged by the levels in force when
it was sent: a promotion later in a batch does not reach back, and a new `m.room.power_levels` replaces the old
one (nio's room merges them, which keeps a demoted moderator's level).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

STATE_KEY = "room.state."  # + room id, in the kv table: the room's create facts and power levels, as JSON

HIGHEST_POWER = 2**53
CREATOR_POWER = 100  # a room's creator while it has no power levels event
DEFAULT_STATE_LEVEL = 50
DEFAULT_REDACT_LEVEL = 50
FIRST_VERSION_WITH_REDACTS_IN_CONTENT = 11
FIRST_VERSION_WITH_CREATORS = 12


def _version_number(version: str) -> int | None:
    return int(version) if version.isascii() and version.isdigit() else None


def _level(value: object, default: int) -> int:
    """A power level as rooms write them: an integer, or in old rooms a string of one; anything else: `default`."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return default


def creators_of(source: Mapping[str, Any]) -> frozenset[str]:
    """The creators a create event names who outrank every power level (room version 12 and later); else none."""
    content = source.get("content") or {}
    number = _version_number(str(content.get("room_version", "1")))
    if number is None or number < FIRST_VERSION_WITH_CREATORS:
        return frozenset()
    creators = {str(source.get("sender"))}
    extra = content.get("additional_creators")
    if isinstance(extra, list):
        creators.update(str(user) for user in extra)
    return frozenset(creators)


@dataclass
class RoomState:
    """One room's create event and power levels, as in force at the event the sync loop is at."""

    version: str = ""  # not seen yet (a create event without one means "1")
    creator: str | None = None
    creators: frozenset[str] = frozenset()
    predecessor: str | None = None
    levels: Mapping[str, Any] | None = None  # the content of the latest m.room.power_levels, whole
    known: bool = False  # a create or power levels event was seen

    def learn(self, source: Mapping[str, Any]) -> None:
        """Take in one event: a room-wide create or power levels state event changes what holds from then on."""
        if source.get("state_key") != "":
            return
        content = source.get("content")
        if not isinstance(content, Mapping):
            return
        kind = source.get("type")
        if kind == "m.room.create":
            self.version = str(content.get("room_version", "1"))
            sender = source.get("sender")
            self.creator = sender if isinstance(sender, str) else None
            self.creators = creators_of(source)
            predecessor = content.get("predecessor")
            room_id = predecessor.get("room_id") if isinstance(predecessor, Mapping) else None
            self.predecessor = room_id if isinstance(room_id, str) else None
            self.known = True
        elif kind == "m.room.power_levels":
            self.levels = dict(content)
            self.known = True

    def power(self, user_id: str) -> int:
        if user_id in self.creators:
            return HIGHEST_POWER
        if self.levels is None:
            return CREATOR_POWER if user_id == self.creator else 0
        users = self.levels.get("users")
        default = _level(self.levels.get("users_default"), 0)
        return _level(users.get(user_id), default) if isinstance(users, Mapping) else default

    def needed_for_state(self, event_type: str) -> int:
        """The level a sender needs to send a state event of `event_type`."""
        if self.levels is None:
            return 0
        events = self.levels.get("events")
        default = _level(self.levels.get("state_default"), DEFAULT_STATE_LEVEL)
        return _level(events.get(event_type), default) if isinstance(events, Mapping) else default

    def may_redact_others(self, user_id: str) -> bool:
        """Whether `user_id` may redact other members' events (the room's `redact` level)."""
        levels = self.levels or {}
        needed = _level(levels.get("redact"), DEFAULT_REDACT_LEVEL)
        return self.power(user_id) >= needed

    def redacted_event(self, source: Mapping[str, Any]) -> object:
        """What a redaction names: the top-level `redacts` up to room version 10 (the content is the sender's
        request body there, free to say anything), `content.redacts` from 11 on."""
        number = _version_number(self.version)
        content = source.get("content")
        in_content = content.get("redacts") if isinstance(content, Mapping) else None
        if number is not None and number >= FIRST_VERSION_WITH_REDACTS_IN_CONTENT:
            return in_content
        top = source.get("redacts")
        if number is None and top is None:
            return in_content  # a version we do not know: the field it has
        return top

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "creator": self.creator,
                "creators": sorted(self.creators),
                "predecessor": self.predecessor,
                "levels": self.levels,
                "known": self.known,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> RoomState:
        data = json.loads(text)
        return cls(
            version=str(data.get("version", "")),
            creator=data.get("creator"),
            creators=frozenset(data.get("creators") or ()),
            predecessor=data.get("predecessor"),
            levels=data.get("levels"),
            known=bool(data.get("known")),
        )


@dataclass
class RoomStates:
    """Every served room's `RoomState`.

    What it knows is stored with each batch (`changes`) and read back after a restart, so events back-filled
    after downtime are judged by the levels in force when they were sent, not by those at the end of the gap.
    A batch works on its own copy of each room it touches: kept when the batch's transaction commits
    (`committed`), dropped when it fails (`discard`, and `begin` drops what a batch that failed before its
    transaction opened left), so a batch handled again is judged as the first time.
    """

    by_room: dict[str, RoomState] = field(default_factory=dict)  # as the last committed batch left them
    _batch: dict[str, RoomState] = field(default_factory=dict)  # the rooms the batch under way has touched

    def begin(self) -> None:
        """A new batch starts from what the committed ones left."""
        self._batch = {}

    def committed(self) -> None:
        self.by_room.update(self._batch)
        self._batch = {}

    def discard(self) -> None:
        self._batch = {}

    def needs_loading(self, room_id: str) -> bool:
        state = self._batch.get(room_id) or self.by_room.get(room_id)
        return state is None or not state.known

    def load(self, room_id: str, stored: str | None) -> None:
        if stored:
            self.by_room[room_id] = RoomState.from_json(stored)
            self._batch.pop(room_id, None)

    def changes(self, room_ids: Iterable[str]) -> dict[str, str]:
        """What to store with the batch: the state of its rooms as it stands after it."""
        return {STATE_KEY + room: self._batch[room].to_json() for room in room_ids if room in self._batch}

    def of(self, room_id: str) -> RoomState:
        """The room's state in the batch under way (a copy of the committed one, made when first asked for)."""
        state = self._batch.get(room_id)
        if state is None:
            committed = self.by_room.get(room_id)
            state = RoomState() if committed is None else copy.copy(committed)  # `learn` replaces, never mutates
            self._batch[room_id] = state
        return state

    def learn(self, room_id: str, source: Mapping[str, Any]) -> None:
        self.of(room_id).learn(source)
