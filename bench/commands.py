"""Command latency: from a command in hand (a parsed /sync) to its reply handed to the client, on a big store."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nio import SyncResponse

from bench.botkit import RecordingClient, close_bot, open_bot
from bench.seed import ROOM, Community, open_numbers, seed
from bench.shapes import Action, Kind, render
from bench.timing import median, percentile, rounded
from bot.runner import MatrixBot

LATENCY_COMMANDS = ("!backme", "!proposal", "!top")
QUERY_COMMANDS = ("!top", "!proposals", "!rep", "!ideas")
REPLY_WITHIN_S = 30.0
# Event indices of the bench's commands: far from any generated event, and never repeated (a repeated event id
# is skipped as already handled, so no reply would come).
_INDICES = itertools.count(10_000_000)


class Commander:
    """Sends one command at a time through the real sync handling and times it until the reply goes out."""

    def __init__(self, bot: MatrixBot, client: RecordingClient) -> None:
        self.bot = bot
        self.client = client
        self.since = "bench-0"

    async def time(self, sender: int, text: str) -> float:
        index = next(_INDICES)
        at_ms = int(time.time() * 1000)
        source = render(Action(0, sender, Kind.COMMAND, text), 0, index, at_ms)
        body = {"next_batch": f"bench-{index}", "rooms": {"join": {ROOM: {"timeline": {"events": [source]}}}}}
        response = SyncResponse.from_dict(body)
        await self.client.receive_response(response)
        sent = len(self.client.sent_at)
        self.client.sent.clear()
        started = time.perf_counter()
        await self.bot.sync.process(response, since=self.since)
        async with asyncio.timeout(REPLY_WITHIN_S):
            while len(self.client.sent_at) == sent:
                await self.client.sent.wait()
                self.client.sent.clear()
        elapsed = self.client.sent_at[sent] - started
        self.since = str(response.next_batch)
        await self._outbox_idle()
        return elapsed

    async def _outbox_idle(self) -> None:
        """Until the outbox has noted the reply as sent, so the next command starts from a quiet bot."""
        while await self.bot.store.outbox.pending():  # noqa: ASYNC110  (the store has no event to wait on)
            await asyncio.sleep(0.001)


async def _commander(database: Path, *, metrics: bool = False) -> Commander:
    bot, client = await open_bot(database, [ROOM], metrics=metrics)
    bot.spawn(bot.sender.run(), "outbox")
    return Commander(bot, client)


def _latency_script(community: Community, samples: int) -> Iterator[tuple[int, str]]:
    numbers = open_numbers(community)
    for turn in range(samples):
        number = numbers[turn % len(numbers)]
        member = (turn * 7) % community.members
        yield member, f"!backme {number} €{5 + turn % 50} {1 + turn % 3}h"
        yield member, f"!proposal {number}"
        yield member, "!top"


async def command_latency(database: Path, community: Community, samples: int) -> dict[str, Any]:
    """Latency with metrics off, and with metrics on (`[metrics] listen`): two bots on the same store taking turns,
    so both meet the same moments of a noisy machine."""
    off, on = await _commander(database), await _commander(database, metrics=True)
    by_command: dict[str, list[float]] = {name: [] for name in LATENCY_COMMANDS}
    with_metrics: list[float] = []
    try:
        for index, (member, text) in enumerate(_latency_script(community, samples)):
            if (index // len(LATENCY_COMMANDS)) % 2 == 0:
                by_command[text.split()[0]].append(await off.time(member, text))
                continue
            with_metrics.append(await on.time(member, text))
            if on.bot.metrics is not None and len(with_metrics) % 30 == 0:
                await on.bot.metrics.refresh()  # as a scrape does, now and then
    finally:
        await close_bot(off.bot)
        await close_bot(on.bot)
    every = [sample for samples_of in by_command.values() for sample in samples_of]
    return {
        "command_latency_ms_p50_metrics_on": rounded(percentile(with_metrics, 0.5) * 1000),
        "command_latency_ms_p99_metrics_on": rounded(percentile(with_metrics, 0.99) * 1000),
        "command_latency_ms_p50": rounded(percentile(every, 0.5) * 1000),
        "command_latency_ms_p99": rounded(percentile(every, 0.99) * 1000),
        "command_latency_ms_p50_by_command": {
            name: rounded(median(values) * 1000) for name, values in by_command.items()
        },
    }


async def query_costs(database: Path, samples: int) -> dict[str, float]:
    """Median milliseconds of each listing command (`!rep` is asked by one member, @member250)."""
    commander = await _commander(database)
    costs: dict[str, float] = {}
    try:
        for text in QUERY_COMMANDS:
            costs[text] = rounded(median([await commander.time(250, text) for _ in range(samples)]) * 1000)
    finally:
        await close_bot(commander.bot)
    return costs


SIZES = {"1k": 1_000, "100k": 100_000, "1M": 1_000_000}


def _remove(workdir: Path, pattern: str) -> None:
    """A seeded store takes up to half a gigabyte: drop it once measured."""
    for leftover in workdir.glob(pattern):
        leftover.unlink()


async def measure(workdir: Path, *, samples: int, proposals: int = 10_000) -> dict[str, Any]:
    """Seed one store per size; the 1 M store also serves the latency figures."""
    query_ms: dict[str, dict[str, float]] = {text: {} for text in QUERY_COMMANDS}
    seeding: dict[str, float] = {}
    figures: dict[str, Any] = {}
    for label, credits in SIZES.items():
        community = Community(credits=credits, proposals=proposals)
        database = workdir / f"store-{label}.db"
        seeding[label] = round(await seed(database, community), 1)
        for text, cost in (await query_costs(database, samples=max(5, samples // 10))).items():
            query_ms[text][label] = cost
        if credits == max(SIZES.values()):
            figures.update(await command_latency(database, community, samples))
        _remove(workdir, f"store-{label}.db*")
    figures["query_ms"] = query_ms
    figures["store_seed_s"] = seeding
    return figures
