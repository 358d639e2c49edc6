"""A member's direct room for their data copy: created once, reused while only the two of them are in it, replaced
when the member or the bot has left it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from nio import RoomCreateResponse

from bot.matrix.direct_rooms import DirectRooms, NotReadyYet
from storage.queries.member_data import DIRECT_ROOM
from tests.unit.harness import BOT, Harness

ANN = "@ann:test"


@dataclass
class FakeRoom:
    users: dict[str, object]
    encrypted: bool = True


@dataclass
class FakeClient:
    """What DirectRooms uses of nio's client: its rooms as synced, and room_create."""

    user_id: str = BOT
    rooms: dict[str, FakeRoom] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def room_create(self, **options: Any) -> RoomCreateResponse:
        self.created.append(options)
        return RoomCreateResponse(f"!direct{next(self._ids)}:test")

    def sync(self, room_id: str, *members: str, encrypted: bool = True) -> None:
        self.rooms[room_id] = FakeRoom({member: object() for member in members}, encrypted)


async def room_for(rooms: DirectRooms, member: str) -> str:
    try:
        return await rooms.room_for(member)
    except NotReadyYet as waiting:
        return f"waiting for {waiting.args[0]}"


async def test_a_direct_room_is_made_once_and_reused_while_only_the_two_are_in_it(room: Harness) -> None:
    client = FakeClient()
    rooms = DirectRooms(client, room.store, encrypted=True)
    assert await room_for(rooms, ANN) == "waiting for !direct1:test"
    assert client.created[0]["invite"] == [ANN] and client.created[0]["is_direct"] is True
    assert client.created[0]["initial_state"][0]["type"] == "m.room.encryption"
    assert await room_for(rooms, ANN) == "waiting for !direct1:test"  # not synced yet: no second room
    client.sync("!direct1:test", BOT, ANN)
    assert await room_for(rooms, ANN) == "!direct1:test"
    client.sync("!direct1:test", BOT, ANN, "@eve:test")  # someone else is in it now: never send there
    assert await room_for(rooms, ANN) == "waiting for !direct2:test"
    assert len(client.created) == 2


@pytest.mark.parametrize("synced", ["nothing", "the bot alone"])
async def test_a_stored_room_the_member_or_the_bot_left_is_replaced(room: Harness, synced: str) -> None:
    async with room.store.transaction():
        await room.store.key_values.set(DIRECT_ROOM + ANN, "!old:test")  # from an earlier run
    client = FakeClient()
    if synced == "the bot alone":
        client.sync("!old:test", BOT)
    rooms = DirectRooms(client, room.store, encrypted=False)
    assert await room_for(rooms, ANN) == "waiting for !direct1:test"
    assert client.created[0]["initial_state"] == []


async def test_with_encryption_on_a_direct_room_made_without_it_is_replaced_before_a_copy_goes_out(
    room: Harness,
) -> None:
    """A direct room made while encryption was off is not reused once it is on: the copy would go out in clear."""
    async with room.store.transaction():
        await room.store.key_values.set(DIRECT_ROOM + ANN, "!plain:test")  # made while encryption was off
    client = FakeClient()
    client.sync("!plain:test", BOT, ANN, encrypted=False)
    assert await room_for(DirectRooms(client, room.store, encrypted=False), ANN) == "!plain:test"
    rooms = DirectRooms(client, room.store, encrypted=True)
    assert await room_for(rooms, ANN) == "waiting for !direct1:test"
    assert client.created[0]["initial_state"][0]["type"] == "m.room.encryption"
    assert await room.store.key_values.get(DIRECT_ROOM + ANN) == "!direct1:test"
    client.sync("!direct1:test", BOT, ANN)
    assert await room_for(rooms, ANN) == "!direct1:test"
