"""Against a real Synapse: a command's round trip beside Synapse's own echo, and catching up after downtime
beside a bare client paging the same events."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from nio import AsyncClient, MessageDirection, RoomMessagesResponse, RoomRedactResponse, SyncResponse

from bench.members import Listener, close_all, member, say, send
from bench.shapes import Action, Kind, community
from bench.timing import median, rounded
from bot.matrix.sync import SYNC_FILTER, SYNC_TOKEN
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

CATCHUP_SENDERS = 8
LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"


class BenchKring(KringProcess):
    """`kring run` as the integration tests start it, but logging at INFO as an operator would run it."""

    log_level = "INFO"

    def logged_at(self, needle: str) -> datetime:
        """When the current run logged its first line containing `needle`."""
        for line in self.run_log().splitlines():
            if needle in line:
                return datetime.strptime(line[:23], LOG_TIME)
        raise AssertionError(f"kring did not log {needle!r}:\n{self.log_tail()}")

    def stored_sync_token(self) -> str:
        with sqlite3.connect(self.database) as conn:
            row = conn.execute("SELECT value FROM kv WHERE key = ?", (SYNC_TOKEN,)).fetchone()
        return str(row[0])

    def unsent(self) -> int:
        with sqlite3.connect(self.database) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])


async def _room(owner: AsyncClient, members: Sequence[AsyncClient], bot_id: str) -> str:
    created = await owner.room_create(name="bench community")
    room_id = str(getattr(created, "room_id", ""))
    if not room_id:
        raise RuntimeError(f"room_create failed: {created}")
    for client in members:
        await owner.room_invite(room_id, client.user_id)
        await client.join(room_id)
    await owner.room_invite(room_id, bot_id)
    return room_id


async def _ready(kring: BenchKring) -> None:
    await asyncio.to_thread(kring.wait_for_log, "ready:", 120.0)


async def roundtrip(anna: AsyncClient, bob: AsyncClient, room_id: str, bot_id: str, samples: int) -> dict[str, Any]:
    """Interleaved: anna's `!proposal 1` until anna sees the reply; anna's chat until bob sees it."""
    mine, bobs = Listener(anna, room_id), Listener(bob, room_id)
    await mine.start()
    await bobs.start()
    try:
        await say(anna, room_id, "!propose Bench courier €1.000 in 30 days min 2")
        await mine.until_body(bot_id, "#1")
        trips: list[float] = []
        echoes: list[float] = []
        for turn in range(samples):
            started = time.perf_counter()
            chat = await say(anna, room_id, f"Anyone driving to the wholesaler today? ({turn})")
            echoes.append(await bobs.until(bobs.arrived, chat) - started)
            await asyncio.sleep(0.1)
            started = time.perf_counter()
            command = await say(anna, room_id, "!proposal 1")
            trips.append(await mine.until(mine.replied, command) - started)
            await asyncio.sleep(0.3)  # let the bot note its reply as sent
    finally:
        await mine.stop()
        await bobs.stop()
    trip, echo = median(trips), median(echoes)
    return {
        "roundtrip_ms_p50": rounded(trip * 1000),
        "synapse_echo_ms_p50": rounded(echo * 1000),
        "roundtrip_vs_echo": round(trip / echo, 2),
        "roundtrip_minus_two_echoes_ms": rounded((trip - 2 * echo) * 1000),
    }


async def send_story(clients: Sequence[AsyncClient], room_id: str, actions: Sequence[Action]) -> int:
    """Send the actions; each member's in order, members side by side; a reaction waits for its target."""
    loop = asyncio.get_running_loop()
    sent: list[asyncio.Future[str]] = [loop.create_future() for _ in actions]

    async def one(index: int, action: Action) -> None:
        client = clients[action.sender]
        target = await sent[action.target] if action.target is not None else None
        if action.kind is Kind.REACTION:
            relates = {"rel_type": "m.annotation", "event_id": target, "key": action.text}
            event_id = await send(client, room_id, "m.reaction", {"m.relates_to": relates})
        elif action.kind is Kind.REDACTION:
            redacted = await client.room_redact(room_id, target)
            if not isinstance(redacted, RoomRedactResponse):
                raise RuntimeError(f"redaction failed: {redacted}")
            event_id = str(redacted.event_id)
        else:
            content: dict[str, Any] = {"msgtype": "m.text", "body": action.text}
            if target is not None:
                content["m.relates_to"] = {"m.in_reply_to": {"event_id": target}}
            event_id = await send(client, room_id, "m.room.message", content)
        sent[index].set_result(event_id)

    async def member_turns(sender: int) -> None:
        for index, action in enumerate(actions):
            if action.sender == sender:
                await one(index, action)

    await asyncio.gather(*(member_turns(sender) for sender in range(len(clients))))
    return len(actions)


async def paginate(client: AsyncClient, room_id: str, since: str) -> tuple[float, int]:
    """What a bare client does to read everything after `since`: one sync, then /messages pages back to it."""
    started = time.perf_counter()
    response = await client.sync(timeout=0, since=since, full_state=True, sync_filter=SYNC_FILTER)
    if not isinstance(response, SyncResponse):
        raise RuntimeError(f"sync failed: {response}")
    timeline = response.rooms.join[room_id].timeline
    count = len(timeline.events)
    start = timeline.prev_batch if timeline.limited else None
    while start:
        page = await client.room_messages(room_id, start=start, end=since, direction=MessageDirection.back, limit=500)
        if not isinstance(page, RoomMessagesResponse):
            raise RuntimeError(f"/messages failed: {page}")
        count += len(page.chunk)
        if not page.chunk or not page.end or page.end == start:
            break
        start = page.end
    return time.perf_counter() - started, count


async def catchup(
    kring: BenchKring, clients: Sequence[AsyncClient], reader: AsyncClient, room_id: str, events: int
) -> dict[str, Any]:
    """Stop the bot, let members send `events` events, then time the bot's restart beside bare pagination."""
    kring.stop()
    since = kring.stored_sync_token()
    story = community(rooms=1, per_room=events, members=len(clients), seed=13)[0]
    sending = time.perf_counter()
    await send_story(clients, room_id, story)
    sent_s = time.perf_counter() - sending
    paging = [await paginate(reader, room_id, since) for _ in range(3)]
    kring.start()
    await _ready(kring)
    caught_up = (kring.logged_at("ready:") - kring.logged_at("serving")).total_seconds()
    pagination = median([seconds for seconds, _ in paging])
    return {
        "catchup_events": events,
        "catchup_s": round(caught_up, 2),
        "synapse_pagination_s": round(pagination, 2),
        "catchup_vs_pagination": round(caught_up / pagination, 2),
        "catchup_events_paged": paging[0][1],
        "synapse_send_events_per_s": rounded(events / sent_s),
    }


async def measure(workdir: Path, *, samples: int, missed: int) -> dict[str, Any]:
    synapse = SynapseServer(workdir / "synapse")
    await asyncio.to_thread(synapse.start)
    clients: list[AsyncClient] = []
    kring: BenchKring | None = None
    try:
        anna = await member(synapse, "anna")
        bob = await member(synapse, "bob")
        senders = [await member(synapse, f"member{n}") for n in range(CATCHUP_SENDERS)]
        clients = [anna, bob, *senders]
        kring = await asyncio.to_thread(lambda: BenchKring(synapse, workdir / "kring", "kring", []))
        room_id = await _room(anna, [bob, *senders], kring.user_id)
        kring.rooms = [room_id]
        kring.write_config()
        kring.start()
        await _ready(kring)
        figures = await roundtrip(anna, bob, room_id, kring.user_id, samples)
        figures.update(await catchup(kring, senders, bob, room_id, missed))
        return figures
    finally:
        if kring is not None:
            kring.kill()
        await close_all(clients)
        await asyncio.to_thread(synapse.stop)
