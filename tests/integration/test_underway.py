"""After GO on a real homeserver: an update in the proposal's thread, a delivery confirmed with ✅, the report."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nio import RoomInviteResponse

from .community import BotWatcher, create_room, invite_and_join, react, send_text
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


async def test_go_update_in_the_thread_delivery_confirmed_and_done(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")  # the proposer
    bob = await make_member("bob")  # the backer
    room_id = await create_room(anna)
    await invite_and_join(anna, room_id, bob)
    kring = KringProcess(synapse, tmp_path / "bot", "kring-underway", [room_id], proposals={"withdraw_lock_hours": 0})
    processes.append(kring)
    assert isinstance(await anna.room_invite(room_id, kring.user_id), RoomInviteResponse)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    watcher = BotWatcher(bob, room_id, kring.user_id)

    await send_text(anna, room_id, "!propose Shared courier €100 4h in 1 minute")
    root = (await watcher.wait_for("New proposal #1"))["event_id"]
    await send_text(bob, room_id, "!backme 1 €100 4h")
    await watcher.wait_for("you back #1")
    await watcher.wait_for("GO #1", within=90)

    await send_text(anna, room_id, "!update 1 the van is ordered 40%")
    update = await watcher.wait_for("Update on #1")
    relation = update["content"]["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == ("m.thread", root, True)
    assert relation["m.in_reply_to"]["event_id"]  # the fallback for clients without threads
    assert bob.user_id in update["content"]["m.mentions"]["user_ids"]

    await send_text(bob, room_id, "!delivered 1 €100 3h drove twice")
    reported = await watcher.wait_for("delivered €100 + 3h")
    assert reported["content"]["m.relates_to"]["rel_type"] == "m.thread"
    await react(anna, room_id, reported["event_id"], "✅")
    confirmed = await watcher.wait_for("confirmed")
    assert confirmed["content"]["m.relates_to"]["event_id"] == root
    assert "+4 credits" in confirmed["content"]["body"]  # 3 whole hours and one money delivery

    await send_text(anna, room_id, "!done 1 it runs")
    report = await watcher.wait_for("is done")
    assert "m.relates_to" not in report["content"]  # the closing report is in the main timeline
    assert "€100 + 4h · €100 + 3h · €100 + 3h" in report["content"]["body"]

    assert kring.stop() == 0
    (proposal,) = kring.export()["rooms"][0]["proposals"]
    assert proposal["status"] == "done" and proposal["close_reason"] == "it runs"
    (delivery,) = proposal["deliveries"]
    assert (delivery["user"], delivery["money_cents"], delivery["minutes"]) == (bob.user_id, 10_000, 180)
    assert delivery["confirmed_by"] == anna.user_id
    assert [u["percent"] for u in proposal["updates"]] == [40]
