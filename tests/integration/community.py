"""A community room on the test Synapse: members who talk, react, and read what the bot answers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    MessageDirection,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomInviteResponse,
    RoomKickResponse,
    RoomMessagesResponse,
    RoomPreset,
    RoomPutStateResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)

from .kring_process import KringProcess
from .synapse_server import SynapseServer

# Synapse caps a sync's timeline at 100 events; a bigger gap is paged over with /messages (BotWatcher._gap).
WATCH_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 100}}}
DECISION = re.compile(r"^\W*(GO|NO-GO) #\d+")  # "after an optional emoji"


async def send_text(client: AsyncClient, room_id: str, body: str, reply_to: str | None = None) -> str:
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    sent = await client.room_send(room_id, "m.room.message", content)
    assert isinstance(sent, RoomSendResponse), sent
    return str(sent.event_id)


async def send_notice(client: AsyncClient, room_id: str, body: str) -> str:
    """An m.notice, as another bot would send it."""
    sent = await client.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": body})
    assert isinstance(sent, RoomSendResponse), sent
    return str(sent.event_id)


async def send_edit(client: AsyncClient, room_id: str, original: str, body: str) -> str:
    """An edit (m.replace) of `original`; its fallback body is the new text itself, without the usual `* `."""
    content = {
        "msgtype": "m.text",
        "body": body,
        "m.new_content": {"msgtype": "m.text", "body": body},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original},
    }
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


async def create_room(
    owner: AsyncClient,
    *,
    initial_state: list[dict[str, Any]] | None = None,
    public: bool = False,
    room_version: str | None = None,
) -> str:
    """A room owned (power 100) by `owner`; invite-only unless `public` (then anyone may join); in the server's
    default room version unless `room_version` is given."""
    created = await owner.room_create(
        name="community",
        initial_state=initial_state or [],
        preset=RoomPreset.public_chat if public else RoomPreset.private_chat,
        room_version=room_version,
    )
    assert isinstance(created, RoomCreateResponse), created
    return str(created.room_id)


async def served_room(
    synapse: SynapseServer,
    owner: AsyncClient,
    members: Sequence[AsyncClient],
    bot_dir: Path,
    processes: list[KringProcess],
    bot_name: str,
    *,
    initial_state: list[dict[str, Any]] | None = None,
    start: bool = True,
    tables: Mapping[str, Mapping[str, Any]] | None = None,
    room_version: str | None = None,
) -> tuple[str, KringProcess]:
    """A room of `owner`'s with `members` joined and a bot invited to it, serving it and ready (not started when
    `start` is False); the bot is in `processes`, so it is killed at teardown."""
    room_id = await create_room(owner, initial_state=initial_state, room_version=room_version)
    for member in members:
        await invite_and_join(owner, room_id, member)
    kring = await asyncio.to_thread(KringProcess, synapse, bot_dir, bot_name, [room_id], **(tables or {}))
    processes.append(kring)
    assert isinstance(await owner.room_invite(room_id, kring.user_id), RoomInviteResponse)
    if start:
        kring.start()
        await asyncio.to_thread(kring.wait_for_log, "ready:")
    return room_id, kring


async def invite_and_join(owner: AsyncClient, room_id: str, member: AsyncClient) -> None:
    assert isinstance(await owner.room_invite(room_id, member.user_id), RoomInviteResponse)
    joined = await member.join(room_id)
    assert not hasattr(joined, "status_code") or joined.status_code is None, joined


async def set_power(owner: AsyncClient, room_id: str, user_id: str, level: int) -> None:
    state = await owner.room_get_state_event(room_id, "m.room.power_levels")
    assert isinstance(state, RoomGetStateEventResponse), state
    content = dict(state.content)
    content["users"] = {**content.get("users", {}), user_id: level}
    response = await owner.room_put_state(room_id, "m.room.power_levels", content)
    assert isinstance(response, RoomPutStateResponse), response


async def kick(owner: AsyncClient, room_id: str, user_id: str) -> None:
    response = await owner.room_kick(room_id, user_id, reason="testing the kick")
    assert isinstance(response, RoomKickResponse), response


async def membership(client: AsyncClient, room_id: str, user_id: str) -> str | None:
    """`user_id`'s membership in `room_id` as `client` (a member of the room) reads it; None if never there."""
    state = await client.room_get_state_event(room_id, "m.room.member", user_id)
    if not isinstance(state, RoomGetStateEventResponse):
        return None
    value = state.content.get("membership")
    return value if isinstance(value, str) else None


async def wait_for_membership(
    client: AsyncClient, room_id: str, user_id: str, wanted: str, within: float = 30.0
) -> None:
    last: str | None = None
    try:
        async with asyncio.timeout(within):
            while True:
                last = await membership(client, room_id, user_id)
                if last == wanted:
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"{user_id} is {last!r} in {room_id}, not {wanted!r}, after {within} s") from None


def in_reply_to(source: dict[str, Any]) -> str | None:
    relates = source["content"].get("m.relates_to") or {}
    reply = relates.get("m.in_reply_to") or {}
    event_id = reply.get("event_id")
    return event_id if isinstance(event_id, str) else None


@dataclass
class BotWatcher:
    """A member's view of what the bot posts in one room (m.notice from the bot), read by syncing."""

    client: AsyncClient
    room_id: str
    bot_id: str
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def _poll(self) -> None:
        since = self.client.next_batch or None
        response = await self.client.sync(timeout=1000, sync_filter=WATCH_FILTER)
        assert isinstance(response, SyncResponse), response
        room = response.rooms.join.get(self.room_id)
        if room is None:
            return
        sources = [event.source for event in room.timeline.events]
        if room.timeline.limited and since and room.timeline.prev_batch:
            sources = await self._gap(room.timeline.prev_batch, since) + sources
        for source in sources:
            if source.get("sender") == self.bot_id and source.get("type") == "m.room.message":
                self.seen.append(source)

    async def _gap(self, start: str, since: str) -> list[dict[str, Any]]:
        """Synapse sends at most 100 timeline events per sync: page back over the rest, oldest first."""
        missed: list[dict[str, Any]] = []
        token = start
        while True:
            page = await self.client.room_messages(
                self.room_id, start=token, end=since, direction=MessageDirection.back, limit=500
            )
            assert isinstance(page, RoomMessagesResponse), page
            missed += [event.source for event in page.chunk]
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        return missed[::-1]

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

    async def wait_for_reply(self, command_id: str, within: float = 30.0) -> dict[str, Any]:
        """The bot's first reply to the member's event `command_id`."""
        async with asyncio.timeout(within):
            while True:
                for source in self.seen:
                    if in_reply_to(source) == command_id:
                        return source
                await self._poll()

    def replies_to(self, command_id: str) -> list[dict[str, Any]]:
        return [s for s in self.seen if in_reply_to(s) == command_id]

    def decisions(self) -> list[str]:
        """Bodies of the bot's GO / NO-GO messages (a decision's body starts, after an emoji, that way)."""
        return [b for b in self.bodies() if DECISION.match(b)]

    def bodies(self) -> list[str]:
        return [s["content"].get("body", "") for s in self.seen]
