"""Homeserver faults: Synapse stopped in a burst, a proxy that answers 502 and drops connections, tight rc_message.

In each, members keep talking to Synapse directly while the bot cannot; afterwards the bot's export must match
the ground truth and every command must have exactly one answer. Where the bot goes through the loopback
proxy, its requests are counted there: during a fault it must back off, not hammer the homeserver.
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.community import in_reply_to
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

from .burst import React, Script, play, pledge_scripts, reaction_scripts
from .conftest import Figures, MakeProxy
from .matrix_kit import Community, MakeMemberOn, community, position, start, stop, timeline
from .model import Sent
from .proxy import no_hot_loop
from .scenario import check_the_books, set_the_stage

SEED = 20260302
DAILY_CAP = 20


@dataclass(frozen=True)
class Size:
    reactions: int
    pledge_commands: int
    outage_s: float
    reactors: int  # the first one never redacts and runs past the daily cap
    messages: int

    @property
    def members(self) -> int:
        return 1 + self.reactors + BACKERS  # members[0] proposes and writes; members[1] reacts and writes too


BACKERS = 3
SIZES = {
    "fast": Size(reactions=100, pledge_commands=9, outage_s=6, reactors=4, messages=12),
    "full": Size(reactions=600, pledge_commands=40, outage_s=60, reactors=8, messages=30),
}
SIZE_PARAMS = [pytest.param("fast"), pytest.param("full", marks=pytest.mark.long)]


def _scripts(room: Community, targets: list[str], proposals: list[int], size: Size) -> list[Script]:
    rng = random.Random(SEED)
    reactors, backers = room.members[1 : 1 + size.reactors], room.members[1 + size.reactors :]
    scripts = reaction_scripts(rng, reactors, targets, reactions=size.reactions, daily_cap=DAILY_CAP, spammers=1)
    scripts += pledge_scripts(rng, backers, proposals, size.pledge_commands)
    planned = sum(isinstance(action, React) for script in scripts for action in script.actions)
    assert planned == size.reactions, f"only {planned} reactions fit the rules: add reactors or messages"
    return scripts


@pytest.mark.parametrize("size", SIZE_PARAMS)
async def test_synapse_restarted_mid_burst_with_a_tight_rc_message(
    size: str,
    own_synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    """Synapse is stopped while the bot is catching up with the first half of a burst, and started again with
    rc_message at 1 message a second (burst 2) for the bot: the second half's answers queue up behind the limit
    (nio waits out each 429), and come out complete, once each, in order."""
    plan = SIZES[size]
    proxy = await make_proxy(own_synapse)  # only to count the bot's requests; it passes everything
    room = await community(
        own_synapse,
        member_on,
        tmp_path,
        processes,
        members=plan.members,
        bot_name="kring-hs-stop",
        homeserver=proxy.url,
        reputation={"daily_cap": DAILY_CAP},
    )
    for member in [*room.everyone, room.watcher.client]:  # the limit is for the bot alone (kept across restarts)
        path = f"/_synapse/admin/v1/users/{urllib.parse.quote(member.user_id)}/override_ratelimit"
        await asyncio.to_thread(own_synapse.admin_post, path, {"messages_per_second": 0, "burst_count": 0})
    since = await position(room.owner)
    await start(room.bot)
    stage = await set_the_stage(room, plan.messages)
    scripts = _scripts(room, stage.targets, stage.proposals, plan)
    sent = Sent()
    await play(scripts, room.room_id, sent, upto=0.5)
    down = time.monotonic()
    await asyncio.to_thread(own_synapse.stop)  # while the bot is still catching up with the first half
    await asyncio.sleep(plan.outage_s)
    up = time.monotonic()
    await asyncio.to_thread(own_synapse.start_with, {"rc_message": {"per_second": 1, "burst_count": 2}})
    requests = no_hot_loop(proxy.between(down, up), up - down)
    await play(scripts, room.room_id, sent)
    await check_the_books(
        room,
        sent,
        since,
        DAILY_CAP,
        figures,
        f"Synapse stopped for {plan.outage_s:.0f} s mid-burst ({requests}), started with rc_message 1/s",
        times=1,
    )
    commands = set(sent.commands)
    asked = [event.event_id for event in await timeline(room.owner, room.room_id, since) if event.event_id in commands]
    answered = [in_reply_to(source) for source in room.watcher.seen if in_reply_to(source) in commands]
    assert answered == asked, "the answers came out of order"
    assert "rate-limited: sending again in" in room.bot.log_path.read_text(errors="replace"), "the limit was never hit"


@pytest.mark.long
@pytest.mark.parametrize("size", ["full"])
async def test_502_and_dropped_connections_back_off_and_lose_nothing(
    size: str,
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    plan = SIZES[size]
    proxy = await make_proxy(synapse)
    room = await community(
        synapse,
        member_on,
        tmp_path,
        processes,
        members=plan.members,
        bot_name="kring-502",
        homeserver=proxy.url,
        reputation={"daily_cap": DAILY_CAP},
    )
    since = await position(room.owner)
    await start(room.bot)
    stage = await set_the_stage(room, plan.messages)
    assert await stop(room.bot) == 0

    # A restart while the homeserver answers 502: the bot waits for it, with its stored login and device.
    proxy.set_mode("502")
    room.bot.start()
    await asyncio.sleep(plan.outage_s)
    assert room.bot.running, room.bot.log_tail()
    proxy.set_mode("pass")
    await asyncio.to_thread(room.bot.wait_for_log, "ready:", 120)
    assert "logging in again" not in room.bot.run_log() and "with new device" not in room.bot.run_log()
    devices = synapse.admin_get(f"/_synapse/admin/v2/users/{urllib.parse.quote(room.bot.user_id)}/devices")
    assert len(devices["devices"]) == 1, devices

    # A burst while the bot gets 502s, then dropped connections.
    scripts = _scripts(room, stage.targets, stage.proposals, plan)
    sent = Sent()
    summaries = []
    for mode, share in (("502", 0.4), ("drop", 0.8)):
        begin = time.monotonic()
        proxy.set_mode(mode)  # type: ignore[arg-type]
        await play(scripts, room.room_id, sent, upto=share)
        await asyncio.sleep(max(0.0, plan.outage_s - (time.monotonic() - begin)))
        proxy.set_mode("pass")
        end = time.monotonic()
        summaries.append(f"{mode}: " + no_hot_loop(proxy.between(begin, end), end - begin))
    await play(scripts, room.room_id, sent)
    await check_the_books(
        room,
        sent,
        since,
        DAILY_CAP,
        figures,
        f"restart during 502s; then 502 and dropped connections mid-burst ({'; '.join(summaries)})",
        times=3,
    )
