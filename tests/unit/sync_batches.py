"""Crafted sync batches through nio's parsing and the runner's own sync loop, over the unit harness's store."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nio import (
    AsyncClient,
    JoinResponse,
    RoomGetStateEventError,
    RoomGetStateEventResponse,
    RoomLeaveResponse,
    SyncResponse,
)

from bot.config import MatrixSettings
from bot.identity.device_keys import EncryptedBacklog
from bot.matrix.homeserver import Patience
from bot.matrix.rooms import Rooms
from bot.matrix.sync import SyncLoop
from tests.unit.harness import BOT, ROOM, Harness, Sent

OWNER = "@owner:test"
BASE_TS = 1_772_445_600_000  # the harness's START in milliseconds


class FakeHomeserverClient(AsyncClient):  # type: ignore[misc]
    """nio's client, offline: joins and leaves are recorded, and rooms' create events are what a test says."""

    def __init__(self) -> None:
        super().__init__("http://homeserver.invalid", BOT)
        self.create_events: dict[str, dict[str, Any]] = {}
        self.joined_rooms: list[str] = []
        self.left_rooms: list[str] = []

    async def join(self, room_id: str) -> JoinResponse:
        self.joined_rooms.append(room_id)
        return JoinResponse(room_id)

    async def room_leave(self, room_id: str) -> RoomLeaveResponse:
        self.left_rooms.append(room_id)
        return RoomLeaveResponse()

    async def room_get_state_event(
        self, room_id: str, event_type: str, state_key: str = ""
    ) -> RoomGetStateEventResponse | RoomGetStateEventError:
        content = self.create_events.get(room_id) if event_type == "m.room.create" and state_key == "" else None
        if content is None:
            return RoomGetStateEventError("not found", "M_NOT_FOUND")
        return RoomGetStateEventResponse(content, event_type, state_key, room_id)


def create_event(creator: str = OWNER, version: str = "10", predecessor: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"creator": creator, "room_version": version}
    if predecessor is not None:
        content["predecessor"] = {"room_id": predecessor, "event_id": "$tomb"}
    return {"type": "m.room.create", "state_key": "", "sender": creator, "content": content}


def power_levels(users: dict[str, int], **rest: Any) -> dict[str, Any]:
    return {"type": "m.room.power_levels", "state_key": "", "sender": OWNER, "content": {"users": users, **rest}}


def member(user_id: str, name: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"membership": "join", "displayname": name or user_id[1:].split(":")[0]}
    return {"type": "m.room.member", "state_key": user_id, "sender": user_id, "content": content}


def text(sender: str, body: str) -> dict[str, Any]:
    return {"type": "m.room.message", "sender": sender, "content": {"msgtype": "m.text", "body": body}}


def reaction(sender: str, target: str, key: str = "👍") -> dict[str, Any]:
    relates = {"rel_type": "m.annotation", "event_id": target, "key": key}
    return {"type": "m.reaction", "sender": sender, "content": {"m.relates_to": relates}}


@dataclass
class SyncedRoom:
    """The harness's room as the runner sees it: every batch goes through nio's parsing and `SyncLoop.process`."""

    harness: Harness
    client: FakeHomeserverClient
    loop: SyncLoop
    token: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _batches: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def stamp(self, source: dict[str, Any], *, ts: int | None = None, event_id: str | None = None) -> dict[str, Any]:
        """An event with an id and an origin_server_ts (by default the harness clock's now)."""
        millis = ts if ts is not None else int(self.harness.clock.now().timestamp() * 1000)
        return {"event_id": event_id or f"$s{next(self._ids)}", "origin_server_ts": millis, **source}

    async def sync(
        self,
        timeline: list[dict[str, Any]],
        state: Sequence[dict[str, Any]] = (),
        *,
        room: str = ROOM,
    ) -> list[Sent]:
        """One sync batch for `room`; returns what Kring sent in answer."""
        stamped = [event if "event_id" in event else self.stamp(event) for event in timeline]
        state_stamped = [event if "event_id" in event else self.stamp(event) for event in state]
        batch = f"s{next(self._batches)}"
        response = SyncResponse.from_dict(
            {
                "next_batch": batch,
                "rooms": {
                    "join": {
                        room: {
                            "timeline": {"events": stamped, "limited": False, "prev_batch": "p"},
                            "state": {"events": state_stamped},
                        }
                    }
                },
            }
        )
        assert isinstance(response, SyncResponse), response
        await self.client.receive_response(response)  # nio's own room state, as after `client.sync`
        await self.loop.process(response, since=self.token)
        self.token = batch
        return await self.harness.deliver()

    async def start(self, *state: dict[str, Any]) -> None:
        """The very first sync: the room's state and our own join (history, nothing executed)."""
        await self.sync([member(BOT, "Kring")], [create_event(), *state])


async def synced_room(harness: Harness, *extra_rooms: str) -> SyncedRoom:
    client = FakeHomeserverClient()
    patience = Patience(asyncio.Event())
    rooms = Rooms(MatrixSettings(user_id=BOT, rooms=(ROOM, *extra_rooms)), harness.store, client, patience)
    await rooms.resolve()
    backlog = EncryptedBacklog(client, harness.store, harness.kring.texts_for)
    return SyncedRoom(harness, client, SyncLoop(harness.kring, client, rooms, backlog, patience))
