"""Small nio helpers shared by the integration tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Protocol

from nio import AsyncClient, AsyncClientConfig, Event, InviteMemberEvent, SyncResponse

from .synapse_server import SynapseServer

MEMBER_PASSWORD = "member-password"  # shared by every member registered by make_member


class MakeMember(Protocol):
    """Signature of the ``make_member`` factory."""

    async def __call__(self, localpart: str, config: AsyncClientConfig | None = None) -> AsyncClient: ...


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def member_client(synapse: SynapseServer, user_id: str, config: AsyncClientConfig | None = None) -> AsyncClient:
    """Return a not-logged-in nio client that gives up (instead of retrying forever) when Synapse is down."""
    config = config or AsyncClientConfig(max_timeouts=5, max_timeout_retry_wait_time=2, request_timeout=30)
    return AsyncClient(synapse.url, user_id, config=config)


async def wait_for_event(
    client: AsyncClient, room_id: str, predicate: Callable[[Event], bool], within: float = 10.0
) -> Event:
    """Sync ``client`` (long-polling) until a timeline event in ``room_id`` matches ``predicate``."""
    try:
        async with asyncio.timeout(within):
            while True:
                response = await client.sync(timeout=1000)
                if not isinstance(response, SyncResponse):
                    raise AssertionError(f"sync failed for {client.user_id}: {response}")
                room = response.rooms.join.get(room_id)
                for event in room.timeline.events if room else []:
                    if predicate(event):
                        return event
    except TimeoutError:
        raise AssertionError(f"{client.user_id} saw no matching event in {room_id} within {within} s") from None


async def invited_by(client: AsyncClient, inviter: str, within: float = 30.0) -> tuple[str, bool]:
    """Sync until `inviter` invites `client` to a room; that room and whether the invite says it is direct."""
    async with asyncio.timeout(within):
        while True:
            response = await client.sync(timeout=1000)
            assert isinstance(response, SyncResponse), response
            for room_id, invited in response.rooms.invite.items():
                for event in invited.invite_state:
                    mine = isinstance(event, InviteMemberEvent) and event.state_key == client.user_id
                    if mine and event.sender == inviter:
                        return room_id, bool(event.content.get("is_direct"))
