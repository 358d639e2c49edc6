"""Members on the test Synapse: nio clients that send, and listeners that note when each event reaches them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any

from nio import AsyncClient, LoginResponse, RoomSendResponse, SyncResponse

from tests.integration.helpers import member_client
from tests.integration.synapse_server import SynapseServer

PASSWORD = "bench-member-password"
LISTEN_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 100}}, "presence": {"not_types": ["*"]}}


async def member(synapse: SynapseServer, localpart: str) -> AsyncClient:
    user_id = await asyncio.to_thread(synapse.register_user, localpart, PASSWORD)
    client = member_client(synapse, user_id)
    response = await client.login(PASSWORD, device_name=f"bench-{localpart}")
    if not isinstance(response, LoginResponse):
        raise RuntimeError(f"login of {user_id} failed: {response}")
    return client


async def send(client: AsyncClient, room_id: str, kind: str, content: dict[str, Any]) -> str:
    response = await client.room_send(room_id, kind, content)
    if not isinstance(response, RoomSendResponse):
        raise RuntimeError(f"{client.user_id} could not send {kind}: {response}")
    return str(response.event_id)


async def say(client: AsyncClient, room_id: str, body: str) -> str:
    return await send(client, room_id, "m.room.message", {"msgtype": "m.text", "body": body})


class Listener:
    """A member's client syncing all the time (long polls, as Element does); notes when events arrive."""

    def __init__(self, client: AsyncClient, room_id: str) -> None:
        self.client = client
        self.room_id = room_id
        self.arrived: dict[str, float] = {}  # event id -> perf_counter()
        self.replied: dict[str, float] = {}  # event id replied to -> perf_counter() of the first reply
        self.bodies: list[tuple[str, str]] = []  # (sender, body)
        self._news = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._sync(timeout_ms=0)  # catch up first: only what comes after counts
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await self._sync(timeout_ms=30_000)

    async def _sync(self, timeout_ms: int) -> None:
        response = await self.client.sync(timeout=timeout_ms, sync_filter=LISTEN_FILTER)
        now = time.perf_counter()
        if not isinstance(response, SyncResponse):
            raise RuntimeError(f"sync of {self.client.user_id} failed: {response}")
        room = response.rooms.join.get(self.room_id)
        for event in room.timeline.events if room else []:
            source = event.source
            self.arrived.setdefault(source["event_id"], now)
            content = source.get("content") or {}
            reply = (content.get("m.relates_to") or {}).get("m.in_reply_to") or {}
            if isinstance(reply.get("event_id"), str):
                self.replied.setdefault(reply["event_id"], now)
            if isinstance(content.get("body"), str):
                self.bodies.append((source.get("sender", ""), content["body"]))
        self._news.set()

    async def until(self, found: dict[str, float], event_id: str, within: float = 60.0) -> float:
        async with asyncio.timeout(within):
            while event_id not in found:
                self._news.clear()
                await self._news.wait()
        return found[event_id]

    async def until_body(self, sender: str, needle: str, within: float = 60.0) -> None:
        async with asyncio.timeout(within):
            while not any(who == sender and needle in body for who, body in self.bodies):
                self._news.clear()
                await self._news.wait()


async def close_all(clients: Sequence[AsyncClient]) -> None:
    for client in clients:
        await client.close()
