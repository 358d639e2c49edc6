"""A community room on the test Synapse: members who talk, react, and read what the bot answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from nio import (
    AsyncClient,
    RoomCreateResponse,
    RoomInviteResponse,
    RoomPutStateResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)


async def send_text(client: AsyncClient, room_id: str, body: str, reply_to: str | None = None) -> str:
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    sent = await client.room_send(room_id, "m.room.message", content)
    assert isinstance(sent, RoomSendResponse), sent
    return str(sent.event_id)


async def react(client: AsyncClient, room_id: str, target: str, key: str) -> str:
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
    sent = await client.room_send(room_id, "m.reaction", content)
    assert isinstance(sent, RoomSendResponse), sent
    return str(sent.event_id)


async def redact(client: AsyncClient, room_id: str, event_id: str) -> None:
    response = await client.room_redact(room_id, event_id)
    assert isinstance(response, RoomRedactResponse), response


async def create_room(owner: AsyncClient, *, initial_state: list[dict[str, Any]] | None = None) -> str:
    created = await owner.room_create(name="community", initial_state=initial_state or [])
    assert isinstance(created, RoomCreateResponse), created
    return str(created.room_id)


async def invite_and_join(owner: AsyncClient, room_id: str, member: AsyncClient) -> None:
    assert isinstance(await owner.room_invite(room_id, member.user_id), RoomInviteResponse)
    joined = await member.join(room_id)
    assert not hasattr(joined, "status_code") or joined.status_code is None, joined


async def set_power(owner: AsyncClient, room_id: str, user_id: str, level: int) -> None:
    state = await owner.room_get_state_event(room_id, "m.room.power_levels")
    content = dict(state.content)  # type: ignore[union-attr]
    content["users"] = {**content.get("users", {}), user_id: level}
    response = await owner.room_put_state(room_id, "m.room.power_levels", content)
    assert isinstance(response, RoomPutStateResponse), response


@dataclass
class BotWatcher:
    """A member's view of what the bot posts in one room (m.notice from the bot), read by syncing."""

    client: AsyncClient
    room_id: str
    bot_id: str
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def _poll(self) -> None:
        response = await self.client.sync(timeout=1000)
        assert isinstance(response, SyncResponse), response
        room = response.rooms.join.get(self.room_id)
        for event in room.timeline.events if room else []:
            source = event.source
            if source.get("sender") == self.bot_id and source.get("type") == "m.room.message":
                self.seen.append(source)

    async def wait_for(self, needle: str, within: float = 30.0) -> dict[str, Any]:
        """The first bot message (seen so far or arriving) whose plain body contains `needle`."""
        async with asyncio.timeout(within):
            while True:
                for source in self.seen:
                    if needle in source["content"].get("body", ""):
                        return source
                await self._poll()

    async def settle(self, quiet: float = 3.0) -> None:
        """Sync until the bot has said nothing new for `quiet` seconds."""
        while True:
            before = len(self.seen)
            start = asyncio.get_running_loop().time()
            while asyncio.get_running_loop().time() - start < quiet:
                await self._poll()
            if len(self.seen) == before:
                return

    def bodies(self) -> list[str]:
        return [s["content"].get("body", "") for s in self.seen]
