"""The real MatrixBot over a fresh store and an unconnected nio client that records what it is asked to send."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, RoomSendResponse, SyncResponse

from bench.shapes import BOT_ID
from bot.config import Settings, parse_settings
from bot.ops.metrics import Metrics
from bot.runner import MatrixBot
from storage.store import Store

NOWHERE = "http://127.0.0.1:9"  # never contacted


class RecordingClient(AsyncClient):  # type: ignore[misc]  # nio is untyped
    """A nio client that is never connected: `room_send` notes the moment and answers like a homeserver."""

    def __init__(self) -> None:
        super().__init__(NOWHERE, BOT_ID, config=AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False))
        self.sent_at: list[float] = []
        self.sent = asyncio.Event()
        self._ids = itertools.count(1)

    async def room_send(self, room_id: str, message_type: str, content: dict[str, Any], **_: Any) -> RoomSendResponse:
        self.sent_at.append(time.perf_counter())
        self.sent.set()
        return RoomSendResponse(f"$bot{next(self._ids)}", room_id)


def bench_settings(rooms: Iterable[str]) -> Settings:
    return parse_settings(
        {
            "matrix": {"homeserver": NOWHERE, "user_id": BOT_ID, "rooms": list(rooms), "encryption": False},
            # One member sends hundreds of commands a minute here: the volume limit would hold them back.
            "bot": {"commands_per_minute": 0},
        }
    )


async def open_bot(database: Path, rooms: list[str], *, metrics: bool = False) -> tuple[MatrixBot, RecordingClient]:
    """With `metrics`, the bot counts as `[metrics] listen` makes it (the HTTP server aside)."""
    store = await Store.open(database)
    client = RecordingClient()
    bot = MatrixBot(bench_settings(rooms), store, client, Metrics(store, 90) if metrics else None)
    bot.rooms.served.update(rooms)
    return bot, client


class SqliteClock:
    """Seconds the store's calls spend inside SQLite on aiosqlite's thread (the event loop waits meanwhile)."""

    def __init__(self, bot: MatrixBot) -> None:
        self.seconds = 0.0
        thread = bot.store.db.thread
        through_thread: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]] = thread.call

        async def timed(work: Callable[[sqlite3.Connection], Any]) -> Any:
            def run(conn: sqlite3.Connection) -> Any:
                started = time.perf_counter()
                try:
                    return work(conn)
                finally:
                    self.seconds += time.perf_counter() - started

            return await through_thread(run)

        thread.call = timed  # type: ignore[method-assign]  # every store call goes through it


async def close_bot(bot: MatrixBot) -> None:
    await bot.shutdown()
    await bot.client.close()
    await bot.store.close()


async def feed(bot: MatrixBot, body: dict[str, Any], since: str | None) -> str:
    """What the sync loop does with one /sync body: nio parses it and updates its rooms, then Kring handles it."""
    response = SyncResponse.from_dict(body)
    await bot.client.receive_response(response)
    await bot.sync.process(response, since=since)
    return str(response.next_batch)
