"""Crash safety: `kring run` is SIGKILLed again and again while members react, redact, pledge and change pledges.

The bot talks to Synapse through a loopback proxy. Kills fall at spread-out points of the burst, each followed
by a restart; one of them falls inside a sync batch: the bot is killed while it is down long enough for its
next sync to be `limited`, restarted with the proxy holding its back-fill request (the batch has been received
and is being handled), and killed again right there. Afterwards `kring export` must match the ground truth
computed from the room's timeline (tests/reliability/model.py) and every command must have exactly one answer.

Set KRING_RELIABILITY_SEED to replay another draw of scripts and kill points.
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

from .burst import play, pledge_scripts, reaction_scripts
from .conftest import Figures, MakeProxy
from .matrix_kit import MakeMemberOn, community, position, start
from .model import Sent
from .proxy import LoopbackProxy
from .scenario import check_the_books, set_the_stage

SEED = int(os.environ.get("KRING_RELIABILITY_SEED", "20260302"))
GAP = 110  # events sent while the bot is down before the in-batch kill: more than a sync's timeline of 100


@dataclass(frozen=True)
class Size:
    reactions: int
    pledge_commands: int
    kills: int
    reactors: int
    spammers: int
    backers: int
    daily_cap: int
    messages: int


SIZES = {
    "fast": Size(
        reactions=200, pledge_commands=20, kills=3, reactors=6, spammers=1, backers=4, daily_cap=20, messages=12
    ),
    "full": Size(
        reactions=1000, pledge_commands=50, kills=6, reactors=10, spammers=3, backers=5, daily_cap=40, messages=40
    ),
}


class Killer:
    """Kills the bot when the burst reaches each kill point, then starts it again."""

    def __init__(self, bot: KringProcess, proxy: LoopbackProxy, points: list[int], in_batch_at: int) -> None:
        self.bot = bot
        self.proxy = proxy
        self.points = points
        self.in_batch_at = in_batch_at
        self.sent = 0
        self.kills = 0
        self.inside_batch = 0
        self.progress = asyncio.Condition()
        self.rng = random.Random(SEED + 1)

    async def on_event(self) -> None:
        async with self.progress:
            self.sent += 1
            self.progress.notify_all()

    async def _reached(self, count: int, burst: asyncio.Task[None]) -> None:
        async with self.progress:
            await self.progress.wait_for(lambda: self.sent >= count or burst.done())

    async def run(self, burst: asyncio.Task[None]) -> None:
        for index, point in enumerate(self.points):
            await self._reached(point, burst)
            if index == self.in_batch_at:
                await self._kill_inside_a_batch(burst)
            else:
                self._kill()
                await asyncio.sleep(self.rng.uniform(0.2, 1.5))
                self.bot.start()  # not waiting for "ready": the next kill may come during start-up

    def _kill(self) -> None:
        assert self.bot.running, self.bot.log_tail()
        self.bot.kill()
        self.kills += 1
        log = self.bot.run_log()
        if log.rfind("sync batch received") > log.rfind("sync batch stored"):
            self.inside_batch += 1

    async def _kill_inside_a_batch(self, burst: asyncio.Task[None]) -> None:
        self._kill()
        await self._reached(self.sent + GAP, burst)
        self.proxy.hold("/messages")  # the back-fill of a limited sync: the batch is received, not yet stored
        self.bot.start()
        await self.proxy.wait_held(within=60)
        log = self.bot.run_log()
        assert log.rfind("sync batch received") > log.rfind("sync batch stored"), log[-2000:]
        self._kill()
        self.proxy.release()
        self.bot.start()


@pytest.mark.parametrize("size", [pytest.param("fast"), pytest.param("full", marks=pytest.mark.long)])
async def test_sigkill_during_a_burst_loses_nothing_and_doubles_nothing(
    size: str,
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    plan = SIZES[size]
    rng = random.Random(SEED)
    proxy = await make_proxy(synapse)
    room = await community(
        synapse,
        member_on,
        tmp_path,
        processes,
        members=2 + plan.reactors + plan.backers,
        bot_name="kring-crash",
        homeserver=proxy.url,
        reputation={"daily_cap": plan.daily_cap},
    )
    since = await position(room.owner)
    await start(room.bot)
    stage = await set_the_stage(room, plan.messages)
    reactors = room.members[1 : 1 + plan.reactors]  # members[1] is an author too: some reactions are self-credit
    backers = room.members[-plan.backers :]

    scripts = reaction_scripts(
        rng,
        reactors,
        stage.targets,
        reactions=plan.reactions,
        daily_cap=plan.daily_cap,
        spammers=plan.spammers,
    )
    scripts += pledge_scripts(rng, backers, stage.proposals, plan.pledge_commands)
    total = sum(len(script.actions) for script in scripts)
    points = sorted(
        rng.randrange(total * k // (plan.kills + 1), total * (k + 1) // (plan.kills + 1)) for k in range(plan.kills)
    )
    killer = Killer(room.bot, proxy, points, in_batch_at=0)
    sent = Sent()

    burst = asyncio.create_task(play(scripts, room.room_id, sent, killer.on_event))
    await asyncio.gather(burst, killer.run(burst))
    assert killer.kills >= plan.kills and killer.inside_batch >= 1, (killer.kills, killer.inside_batch)

    assert len(sent.reactions) == plan.reactions and len(sent.commands) == plan.pledge_commands
    fault = (
        f"SIGKILL x{killer.kills} ({killer.inside_batch} inside a sync batch) during a burst of "
        f"{len(sent.reactions)} reactions, {len(sent.redactions)} redactions, {len(sent.commands)} pledge commands"
    )
    await check_the_books(room, sent, since, plan.daily_cap, figures, fault, times=killer.kills)
