"""The board's page beside a command, on one big store: 10 000 proposals and 1 M credits, in one run.

The board's figures are the time for `GET /board` as a browser on the same machine sees it (the request on
loopback, from sending it to the last byte of the page: the server's time plus a loopback round trip), taken in
turn on a store unchanged since the last look (the room's part of the page is kept), right after a write the
board cannot show (a sync token, as after a chat message: most writes in a busy room; the part is still kept)
and right after a write to a table the board reads (read and rendered again); the command's is `!proposals` from
its parsed event to its reply handed to the client. All in the same process, on the same store.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.botkit import close_bot
from bench.commands import Commander, _commander
from bench.report import board_ratios
from bench.seed import ROOM, Community, seed
from bench.shapes import member_id
from bench.timing import percentile, rounded
from bot.board.server import COOKIE, BoardServer
from bot.clock import SystemClock
from storage.queries.board import Viewer
from tests.integration.helpers import free_port

VIEWER = 250  # @member250, a member who has pledged and earned credits in the seeded store


async def measure(workdir: Path, samples: int) -> dict[str, Any]:
    community = Community(credits=1_000_000, proposals=10_000)
    database = workdir / "board.db"
    seeded_s = await seed(database, community)
    commander = await _commander(database)
    try:
        proposals = [await commander.time(VIEWER, "!proposals") for _ in range(samples)]
        unchanged, changed, shown = await _board_times(commander, samples)
    finally:
        await close_bot(commander.bot)
        await asyncio.to_thread(_remove_store, workdir)
    figures = {
        "board_store_seed_s": round(seeded_s, 1),
        "board_page_ms_p50": rounded(percentile(unchanged, 0.5) * 1000),
        "board_page_ms_p99": rounded(percentile(unchanged, 0.99) * 1000),
        "board_page_after_write_ms_p50": rounded(percentile(changed, 0.5) * 1000),
        "board_page_after_write_ms_p99": rounded(percentile(changed, 0.99) * 1000),
        "board_page_after_board_write_ms_p50": rounded(percentile(shown, 0.5) * 1000),
        "board_page_after_board_write_ms_p99": rounded(percentile(shown, 0.99) * 1000),
        "board_proposals_command_ms_p50": rounded(percentile(proposals, 0.5) * 1000),
        "board_proposals_command_ms_p99": rounded(percentile(proposals, 0.99) * 1000),
    }
    return {**figures, **board_ratios(figures)}


async def _board_times(commander: Commander, samples: int) -> tuple[list[float], list[float], list[float]]:
    """Looks at the board in turn: on a store unchanged since the last, after a write the board cannot show, and
    after one to a table it reads."""
    bot = commander.bot
    port = free_port()
    settings = bot.settings.model_copy(
        update={"board": bot.settings.board.model_copy(update={"listen": f"127.0.0.1:{port}"})}
    )

    async def member(room_id: str, user_id: str) -> bool:
        return True

    server = BoardServer(bot.store, settings, SystemClock(), bot.kring.texts_for, member)
    await server.start()
    viewer = Viewer(ROOM, member_id(VIEWER))
    async with bot.store.transaction():
        token = await bot.store.board.new_session(viewer, SystemClock().now() + timedelta(hours=1))
    unchanged: list[float] = []
    changed: list[float] = []
    shown: list[float] = []
    try:
        async with aiohttp.ClientSession(cookies={COOKIE: token}) as session:

            async def look() -> float:
                started = time.perf_counter()
                async with session.get(f"http://127.0.0.1:{port}/board") as response:
                    page = await response.read()
                    assert response.status == 200 and b"proposal-" in page, response.status
                return time.perf_counter() - started

            await look()  # the first request warms the connection
            for sample in range(samples):
                unchanged.append(await look())
                async with bot.store.transaction():
                    await bot.store.key_values.set("sync.token", f"s{sample}")  # as every sync writes
                changed.append(await look())
                async with bot.store.transaction():  # a table the board reads: its part is read and made anew
                    await bot.store.talents.set_askable(ROOM, viewer.user_id, sample % 2 == 0)
                shown.append(await look())
    finally:
        await server.stop()
    return unchanged, changed, shown


def _remove_store(workdir: Path) -> None:
    for leftover in workdir.glob("board.db*"):
        leftover.unlink()
