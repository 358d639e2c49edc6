"""Smoke tests for the Synapse fixture: members talk through a real homeserver, which survives a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nio import (
    AsyncClient,
    Event,
    JoinedRoomsResponse,
    JoinResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomInviteResponse,
    RoomMessageText,
    RoomSendResponse,
)

from .helpers import MEMBER_PASSWORD, MakeMember, member_client, wait_for_event
from .synapse_server import SynapseServer


async def _shared_room(alice: AsyncClient, bob: AsyncClient) -> str:
    created = await alice.room_create(name="smoke")
    assert isinstance(created, RoomCreateResponse), created
    assert isinstance(await alice.room_invite(created.room_id, bob.user_id), RoomInviteResponse)
    joined = await bob.join(created.room_id)
    assert isinstance(joined, JoinResponse), joined
    room_id: str = created.room_id
    return room_id


async def _send_text(client: AsyncClient, room_id: str, body: str) -> str:
    sent = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
    assert isinstance(sent, RoomSendResponse), sent
    event_id: str = sent.event_id
    return event_id


def _is_message(event_id: str) -> Callable[[Event], bool]:
    return lambda event: isinstance(event, RoomMessageText) and event.event_id == event_id


async def test_member_receives_message(synapse: SynapseServer, make_member: MakeMember) -> None:
    alice = await make_member("alice")
    bob = await make_member("bob")
    assert alice.user_id.endswith(f":{synapse.server_name}")
    room_id = await _shared_room(alice, bob)

    event_id = await _send_text(alice, room_id, "hello bob")

    event = await wait_for_event(bob, room_id, _is_message(event_id))
    assert isinstance(event, RoomMessageText)
    assert (event.sender, event.body) == (alice.user_id, "hello bob")


async def test_restart_keeps_users_and_rooms(synapse: SynapseServer, make_member: MakeMember) -> None:
    alice = await make_member("alice")
    bob = await make_member("bob")
    room_id = await _shared_room(alice, bob)

    await asyncio.to_thread(synapse.restart)

    fresh_bob = member_client(synapse, bob.user_id)
    try:
        assert isinstance(await fresh_bob.login(MEMBER_PASSWORD), LoginResponse)
        rooms = await fresh_bob.joined_rooms()
        assert isinstance(rooms, JoinedRoomsResponse), rooms
        assert room_id in rooms.rooms
        event_id = await _send_text(alice, room_id, "after restart")  # alice's old token still works
        event = await wait_for_event(fresh_bob, room_id, _is_message(event_id))
        assert isinstance(event, RoomMessageText)
        assert event.body == "after restart"
    finally:
        await fresh_bob.close()
