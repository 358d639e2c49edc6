"""`[metrics] listen`: the counters move as members talk to the bot, and `/health` says 503 once the homeserver
is gone (here: a proxy in front of Synapse that starts answering 502)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from nio import RoomInviteResponse
from prometheus_client.parser import text_string_to_metric_families

from tests.reliability.proxy import LoopbackProxy

from .community import BotWatcher, create_room, invite_and_join, react, send_text
from .helpers import MakeMember, free_port
from .kring_process import KringProcess
from .synapse_server import SynapseServer

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(url: str) -> Samples:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def health(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/health") as response:
        return response.status


async def wait_for_health(url: str, status: int, within: float) -> None:
    async with asyncio.timeout(within):
        while await health(url) != status:  # noqa: ASYNC110  (polling another process)
            await asyncio.sleep(0.5)


async def test_counters_move_and_health_follows_the_homeserver(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    room_id = await create_room(anna)
    await invite_and_join(anna, room_id, bob)
    proxy = LoopbackProxy(synapse.port)
    await proxy.start()
    metrics_url = f"http://127.0.0.1:{free_port()}"
    kring = KringProcess(
        synapse,
        tmp_path / "bot",
        "kring-metrics",
        [room_id],
        matrix={"homeserver": proxy.url},
        metrics={"listen": metrics_url.removeprefix("http://"), "health_max_sync_age_s": 10},
    )
    processes.append(kring)
    try:
        assert isinstance(await anna.room_invite(room_id, kring.user_id), RoomInviteResponse)
        kring.start()
        await asyncio.to_thread(kring.wait_for_log, "ready:")
        watcher = BotWatcher(bob, room_id, kring.user_id)
        before = await scrape(metrics_url)
        assert before[("process_start_time_seconds", ())] > 0

        idea = await send_text(anna, room_id, "Shall we share one courier?")
        await react(bob, room_id, idea, "👍")
        await send_text(anna, room_id, "!propose Shared courier €100 in 3 days")
        await watcher.wait_for("New proposal #1")
        refused = await send_text(bob, room_id, "!backme 7 €10")
        await watcher.wait_for_reply(refused)
        await watcher.settle(quiet=1.0)
        after = await scrape(metrics_url)

        def moved(name: str, **labels: str) -> float:
            key = (name, tuple(sorted(labels.items())))
            return after.get(key, 0.0) - before.get(key, 0.0)

        assert moved("kring_events_handled_total", kind="message") >= 3
        assert moved("kring_events_handled_total", kind="reaction") == 1
        assert moved("kring_commands_total", command="propose", outcome="ok") == 1
        assert moved("kring_commands_total", command="backme", outcome="refused") == 1
        assert moved("kring_credits_given_total") == 1
        assert moved("kring_messages_sent_total", result="sent") == 2
        assert moved("kring_send_latency_seconds_count") == 2
        assert after[("kring_outbox_queue", ())] == 0
        assert after[("kring_sync_age_seconds", ())] < 10
        await wait_for_health(metrics_url, 200, within=10)

        proxy.set_mode("502")  # the homeserver is gone: syncs fail, and after 10 s the bot is unhealthy
        await wait_for_health(metrics_url, 503, within=45)
        assert (await scrape(metrics_url))[("kring_sync_age_seconds", ())] > 10
        assert kring.stop() == 0, kring.log_tail()
    finally:
        await proxy.close()
