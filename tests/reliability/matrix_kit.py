"""Helpers for the reliability tests against a real Synapse: communities, bots, and what the room really holds."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    MessageDirection,
    RoomMessagesResponse,
    SyncResponse,
)

from tests.integration.community import BotWatcher, served_room
from tests.integration.helpers import MEMBER_PASSWORD, member_client
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

_ids = itertools.count(1)


async def new_member(server: SynapseServer, localpart: str, clients: list[AsyncClient]) -> AsyncClient:
    """A logged-in member of `server` (any Synapse, not only the session one); closed by the caller's list."""
    unique = f"{localpart}-r{next(_ids)}"
    user_id = await asyncio.to_thread(server.register_user, unique, MEMBER_PASSWORD)
    config = AsyncClientConfig(max_timeouts=5, max_timeout_retry_wait_time=2, request_timeout=60)
    client = member_client(server, user_id, config)
    clients.append(client)
    response = await client.login(MEMBER_PASSWORD, device_name=f"reliability-{localpart}")
    assert isinstance(response, LoginResponse), response
    return client


MakeMemberOn = Callable[[SynapseServer, str], Awaitable[AsyncClient]]


@dataclass
class Community:
    """One room on one Synapse: its owner, members, a bot serving it, and a member's view of the bot's posts."""

    server: SynapseServer
    room_id: str
    owner: AsyncClient
    members: list[AsyncClient]
    bot: KringProcess
    watcher: BotWatcher

    @property
    def everyone(self) -> list[AsyncClient]:
        return [self.owner, *self.members]


async def community(
    server: SynapseServer,
    member_on: MakeMemberOn,
    base_dir: Path,
    processes: list[KringProcess],
    *,
    members: int,
    bot_name: str,
    homeserver: str | None = None,
    **tables: dict[str, Any],
) -> Community:
    """A room with an owner and `members` members who joined, and a bot invited to it (not started yet)."""
    owner = await member_on(server, "owner")
    others = [await member_on(server, f"member{n}") for n in range(members)]
    watcher_client = await member_on(server, "reader")
    if homeserver is not None:
        tables = {**tables, "matrix": {**tables.get("matrix", {}), "homeserver": homeserver}}
    room_id, bot = await served_room(
        server,
        owner,
        [*others, watcher_client],
        base_dir / bot_name,
        processes,
        f"{bot_name}-{next(_ids)}",
        start=False,
        tables=tables,
    )
    return Community(server, room_id, owner, others, bot, BotWatcher(watcher_client, room_id, bot.user_id))


async def start(bot: KringProcess, *, ready: bool = True, within: float = 60.0) -> None:
    bot.start()
    if ready:
        await asyncio.to_thread(bot.wait_for_log, "ready:", within)


async def stop(bot: KringProcess) -> int:
    return await asyncio.to_thread(bot.stop)


async def export(bot: KringProcess) -> dict[str, Any]:
    return await asyncio.to_thread(bot.export)


async def sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.time()))


@dataclass(frozen=True)
class RoomEvent:
    event_id: str
    sender: str
    type: str
    ts: int  # origin_server_ts, milliseconds
    content: dict[str, Any]
    redacts: str | None


async def position(client: AsyncClient) -> str:
    """A stream token for `client` now: the start of what `timeline()` reads later."""
    response = await client.sync(timeout=0)
    assert isinstance(response, SyncResponse), response
    return str(response.next_batch)


async def timeline(client: AsyncClient, room_id: str, since: str) -> list[RoomEvent]:
    """Every event of the room after `since`, in the homeserver's order, read with /messages."""
    events: list[RoomEvent] = []
    token = since
    while True:
        page = await client.room_messages(room_id, start=token, direction=MessageDirection.front, limit=500)
        assert isinstance(page, RoomMessagesResponse), page
        for event in page.chunk:
            source = event.source
            content = source.get("content") or {}
            events.append(
                RoomEvent(
                    event_id=source["event_id"],
                    sender=source["sender"],
                    type=source["type"],
                    ts=int(source["origin_server_ts"]),
                    content=content,
                    redacts=source.get("redacts") or content.get("redacts"),
                )
            )
        if not page.chunk or not page.end or page.end == token:
            return events
        token = page.end


async def wait_answered(watcher: BotWatcher, commands: list[str], within: float) -> None:
    """Sync until every command has a reply (or `within` seconds pass; the caller then counts what is missing)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(watcher.replies_to(command) for command in commands):
            return
        await watcher._poll()
