"""Decisions exactly once: five bots, five proposals that close at the same moment, and a fault at each deadline.

- A: the bot is SIGKILLed 5 s before its deadline and started 3 s after it;
- B: its Synapse (one of its own) is stopped 5 s before the deadline and started 5 s after it;
- C: the bot is stopped with SIGTERM 3 s before the deadline and started 2 s after it (a restart);
- D: a proxy between bot and Synapse answers 502 from 20 s before the deadline, then drops connections until
  8 s after it; 10 s before the deadline a member pledges (the homeserver has it, the bot cannot see it yet);
- E: the bot is restarted 6 s before the deadline while its proxy answers 502 until 6 s after it: it must wait
  for the homeserver with its stored login (no new device), not give up.

Each room must show its GO / NO-GO exactly once, also after one more restart of every bot; a decision that fell
due while its bot was offline says it is late; D's decision counts the pledge made before the deadline, and the
bot does not hammer the unreachable homeserver (its requests are counted at the proxy).
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.integration.community import send_text
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

from .conftest import Figures, MakeProxy
from .matrix_kit import Community, MakeMemberOn, community, sleep_until, start, stop
from .proxy import LoopbackProxy, no_hot_loop

DEADLINE_S = 60  # "in 1 minute": the shortest deadline a member can give
Fault = Callable[[Community, float, float], Awaitable[None]]  # the room, its earliest and latest deadline


async def _propose(room: Community, title: str, pledge: str | None) -> tuple[float, float]:
    """Post the proposal and, optionally, a pledge; returns the earliest and latest possible deadline."""
    before = time.time()
    await send_text(room.owner, room.room_id, f"!propose {title} in 1 minute")
    after = time.time()
    await room.watcher.wait_for("New proposal #1")
    if pledge:
        command = await send_text(room.members[0], room.room_id, pledge)
        await room.watcher.wait_for_reply(command)
    return before + DEADLINE_S, after + DEADLINE_S


async def killed(room: Community, first: float, last: float) -> None:
    await sleep_until(first - 5)
    room.bot.kill()
    await sleep_until(last + 3)
    await start(room.bot)


async def synapse_down(room: Community, first: float, last: float) -> None:
    await sleep_until(first - 5)
    await asyncio.to_thread(room.server.stop)
    await sleep_until(last + 5)
    await asyncio.to_thread(room.server.start)


async def restarted(room: Community, first: float, last: float) -> None:
    await sleep_until(first - 3)
    assert await stop(room.bot) == 0
    await sleep_until(last + 2)
    await start(room.bot)


class Partition:
    """D's fault; keeps the proxy's request windows for counting."""

    def __init__(self, proxy: LoopbackProxy) -> None:
        self.proxy = proxy
        self.windows: dict[str, tuple[float, float]] = {}
        self.pledge = ""

    async def __call__(self, room: Community, first: float, last: float) -> None:
        await sleep_until(first - 20)
        bad_gateway = time.monotonic()
        self.proxy.set_mode("502")
        await sleep_until(first - 10)
        self.pledge = await send_text(room.members[0], room.room_id, "!backme 1 €25 sent while the bot was cut off")
        await sleep_until(first - 5)
        dropping = time.monotonic()
        self.proxy.set_mode("drop")
        await sleep_until(last + 8)
        self.proxy.set_mode("pass")
        self.windows = {"502": (bad_gateway, dropping), "drop": (dropping, time.monotonic())}


class RestartWhileCutOff:
    """E's fault."""

    def __init__(self, proxy: LoopbackProxy) -> None:
        self.proxy = proxy

    async def __call__(self, room: Community, first: float, last: float) -> None:
        await sleep_until(first - 6)
        assert await stop(room.bot) == 0
        self.proxy.set_mode("502")
        room.bot.start()
        await sleep_until(last + 6)
        assert room.bot.running, room.bot.log_tail()  # still waiting for the homeserver, not given up
        self.proxy.set_mode("pass")
        await asyncio.to_thread(room.bot.wait_for_log, "ready:", 60)


async def test_each_decision_exactly_once_whatever_happens_at_the_deadline(
    synapse: SynapseServer,
    own_synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    proxy, proxy_e = await make_proxy(synapse), await make_proxy(synapse)
    made = [
        community(synapse, member_on, tmp_path, processes, members=1, bot_name="kring-killed"),
        community(own_synapse, member_on, tmp_path, processes, members=1, bot_name="kring-hs-down"),
        community(synapse, member_on, tmp_path, processes, members=1, bot_name="kring-restart"),
        community(synapse, member_on, tmp_path, processes, members=1, bot_name="kring-cut-off", homeserver=proxy.url),
        community(synapse, member_on, tmp_path, processes, members=1, bot_name="kring-waits", homeserver=proxy_e.url),
    ]
    a, b, c, d, e = await asyncio.gather(*made)
    rooms = [a, b, c, d, e]
    await asyncio.gather(*(start(room.bot) for room in rooms))
    deadlines = await asyncio.gather(
        _propose(a, "Killed at the deadline", None),
        _propose(b, "Homeserver down at the deadline", "!backme 1 €10"),
        _propose(c, "Restarted at the deadline", "!backme 1 2h"),
        _propose(d, "Cut off at the deadline min 1", None),
        _propose(e, "Restarted while cut off", "!backme 1 €5"),
    )
    partition = Partition(proxy)
    faults: list[Fault] = [killed, synapse_down, restarted, partition, RestartWhileCutOff(proxy_e)]
    await asyncio.gather(*(fault(room, *when) for fault, room, when in zip(faults, rooms, deadlines, strict=True)))

    decisions = [(await room.watcher.wait_for("GO #1", within=90))["content"]["body"] for room in rooms]
    assert decisions[0].startswith("❌ NO-GO #1 Killed at the deadline") and "Announced late" in decisions[0]
    assert decisions[1].startswith("✅ GO #1 Homeserver down at the deadline")
    assert decisions[2].startswith("✅ GO #1 Restarted at the deadline") and "Announced late" in decisions[2]
    assert decisions[3].startswith("✅ GO #1 Cut off at the deadline"), decisions[3]  # the pledge counted
    assert "€25" in decisions[3] and "sent while the bot was cut off" in decisions[3]
    assert decisions[4].startswith("✅ GO #1 Restarted while cut off") and "Announced late" in decisions[4]
    assert "logging in again" not in e.bot.run_log() and "with new device" not in e.bot.run_log()
    devices = synapse.admin_get(f"/_synapse/admin/v2/users/{urllib.parse.quote(e.bot.user_id)}/devices")
    assert len(devices["devices"]) == 1, devices
    pledge_replies = [s["content"]["body"] for s in d.watcher.replies_to(partition.pledge)]
    assert len(pledge_replies) == 1 and "you back #1" in pledge_replies[0], pledge_replies

    # One more restart of every bot, then nothing new may appear.
    await asyncio.gather(*(stop(room.bot) for room in rooms))
    await asyncio.gather(*(start(room.bot) for room in rooms))
    await asyncio.gather(*(room.watcher.settle() for room in rooms))
    # No hot loop while cut off: D's requests are counted at the proxy.
    requests = [
        f"{mode}: {no_hot_loop(proxy.between(begin, end), end - begin)}"
        for mode, (begin, end) in partition.windows.items()
    ]
    names = [
        "deadline while the bot is SIGKILLed",
        "deadline while Synapse is stopped",
        "deadline during a restart (SIGTERM, start)",
        f"deadline while the homeserver answers 502, then drops connections; a pledge sent meanwhile counts "
        f"(bot's requests: {'; '.join(requests)})",
        "deadline while the bot restarts behind a homeserver answering 502 (same device after)",
    ]
    for name, room in zip(names, rooms, strict=True):
        seen = len(room.watcher.decisions())
        figures.record(name, times=1, sent=1, counted=min(seen, 1), lost=1 - min(seen, 1), duplicated=max(0, seen - 1))
    assert [len(room.watcher.decisions()) for room in rooms] == [1, 1, 1, 1, 1]
    for room in rooms:
        assert sum("New proposal #1" in body for body in room.watcher.bodies()) == 1
    await asyncio.gather(*(stop(room.bot) for room in rooms))
