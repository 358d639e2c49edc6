"""`kring run` in a real room: the seed flow from idea to GO and on to done, with replies, mentions, threads and
escaped HTML."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from .community import BotWatcher, react, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


@pytest.fixture
def bot_dir(tmp_path: Path) -> Path:
    return tmp_path / "bot"


async def test_seed_flow_from_idea_to_go(
    synapse: SynapseServer, make_member: MakeMember, bot_dir: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    cas = await make_member("cas")
    # No withdraw lock: this deadline is a minute away, and the test withdraws on purpose.
    room_id, kring = await served_room(
        synapse, anna, [bob, cas], bot_dir, processes, "kring-flow", tables={"proposals": {"withdraw_lock_hours": 0}}
    )
    watcher = BotWatcher(cas, room_id, kring.user_id)

    idea = await send_text(anna, room_id, "Shall we share one courier for the district?")
    await react(bob, room_id, idea, "👍")
    await react(cas, room_id, idea, "🎉")
    await send_text(anna, room_id, "!propose Shared <b>courier</b> €1.000 in 1 minute min 2", reply_to=idea)
    announcement = await watcher.wait_for("New proposal #1")
    content = announcement["content"]
    assert content["msgtype"] == "m.notice"
    assert "m.relates_to" not in content  # an announcement is top-level
    assert "&lt;b&gt;courier&lt;/b&gt;" in content["formatted_body"]
    assert "<b>courier</b>" in content["body"]

    pledge = await send_text(bob, room_id, "!backme 1 €600")
    reply = await watcher.wait_for("you back #1")
    assert reply["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == pledge
    assert reply["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
    await send_text(cas, room_id, "!backme 1 €400 4h")
    await watcher.wait_for("fully backed")
    await send_text(cas, room_id, "!withdraw 1")
    await watcher.wait_for("is withdrawn")
    await send_text(cas, room_id, "!backme 1 €400")
    await watcher.wait_for("fully backed", within=5)

    decision = await watcher.wait_for("GO #1", within=90)
    assert decision["content"]["body"].startswith("✅ GO #1")
    assert set(decision["content"]["m.mentions"]["user_ids"]) == {anna.user_id, bob.user_id, cas.user_id}
    assert f"https://matrix.to/#/{bob.user_id}" in decision["content"]["formatted_body"]

    await send_text(bob, room_id, "!rep " + anna.user_id)
    rep = await watcher.wait_for("in this room (rank")
    assert "has 7 credits" in rep["content"]["body"]  # 2 reactions + 5 for a GO proposal

    # After GO (step 7): an update in the proposal's thread, a delivery confirmed with ✅, the closing report.
    await send_text(anna, room_id, "!update 1 the van is ordered 40%")
    update = await watcher.wait_for("Update on #1")
    relation = update["content"]["m.relates_to"]
    root = announcement["event_id"]
    assert (relation["rel_type"], relation["event_id"], relation["is_falling_back"]) == ("m.thread", root, True)
    assert relation["m.in_reply_to"]["event_id"]  # the fallback for clients without threads
    assert bob.user_id in update["content"]["m.mentions"]["user_ids"]
    await send_text(bob, room_id, "!delivered 1 €600 drove twice")
    reported = await watcher.wait_for("paid €600")
    assert reported["content"]["m.relates_to"]["rel_type"] == "m.thread"
    await react(anna, room_id, reported["event_id"], "✅")
    confirmed = await watcher.wait_for("'s delivery of")  # the confirmation, not "(not confirmed yet)"
    assert confirmed["content"]["m.relates_to"]["event_id"] == root and "+1 credit" in confirmed["content"]["body"]
    await send_text(anna, room_id, "!done 1 it runs")
    report = await watcher.wait_for("is done")
    assert "m.relates_to" not in report["content"]  # the closing report is in the main timeline
    assert "€600 · €600 · €600" in report["content"]["body"]

    assert kring.stop() == 0
    document = kring.export()
    # The access token lives in the (owner-only) database and nowhere else: not in the log, not in the export.
    with sqlite3.connect(kring.database) as db:
        (login,) = db.execute("SELECT value FROM kv WHERE key = 'matrix.login'").fetchone()
    token = json.loads(login)["access_token"]
    assert len(token) > 10 and token not in kring.run_log() and token not in json.dumps(document)
    (room,) = document["rooms"]
    (proposal,) = room["proposals"]
    assert proposal["status"] == "done" and proposal["close_reason"] == "it runs"
    assert [(d["user"], d["money_cents"], d["confirmed_by"]) for d in proposal["deliveries"]] == [
        (bob.user_id, 60000, anna.user_id)
    ]
    assert [u["percent"] for u in proposal["updates"]] == [40]
    assert sorted((p["user"], p["money_cents"]) for p in proposal["pledges"]) == sorted(
        [(bob.user_id, 60000), (cas.user_id, 40000)]
    )
    assert room["reputation"][anna.user_id] == 7
    assert room["reputation"][bob.user_id] == 1 + 1  # a GO backer, a confirmed money delivery


async def test_a_wrong_password_or_unknown_user_stops_with_one_clear_line(
    synapse: SynapseServer, tmp_path: Path, processes: list[KringProcess]
) -> None:
    matrix = {"password": "not-the-password", "encryption": False}
    wrong = KringProcess(synapse, tmp_path / "wrong", "kring-wrong", ["!nowhere:localhost"], matrix=matrix)
    processes.append(wrong)
    wrong.start()
    assert wrong.process is not None
    assert await asyncio.to_thread(wrong.process.wait, 30) == 1
    log = wrong.run_log()
    assert "CRITICAL" in log and "login failed: Invalid username or password" in log
    assert "Traceback" not in log and "not-the-password" not in log
