"""The weekly digest on a real homeserver across restarts: missed while the bot was down, it comes once, late,
saying so, and a restart after it does not post it again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .community import BotWatcher, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TITLE = "📰 This week in the circle"


async def _ready(kring: KringProcess) -> None:
    await asyncio.to_thread(kring.wait_for_log, "ready:")


async def test_a_digest_missed_while_down_comes_once_late_and_not_again_after_a_restart(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    room_id, kring = await served_room(synapse, anna, [bob], tmp_path / "bot", processes, "kring-digest")
    began = datetime.now(UTC)  # Kring noted when it began: no digest is owed for a moment before it
    watcher = BotWatcher(bob, room_id, kring.user_id)
    await send_text(anna, room_id, "!propose Shared courier €100 in 3 days")
    await watcher.wait_for("New proposal #1")
    await watcher.wait_for_reply(await send_text(bob, room_id, "!backme 1 €40"))
    assert kring.stop() == 0

    # While it is down, its weekly moment passes: the next whole minute after it began (the config is HH:MM).
    moment = (began + timedelta(minutes=1)).replace(second=0, microsecond=0)
    kring.tables.update(
        proposals={"timezone": "UTC"}, digest={"weekday": WEEKDAYS[moment.weekday()], "time": moment.strftime("%H:%M")}
    )
    kring.write_config()
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 2)
    kring.start()
    await _ready(kring)
    digest = await watcher.wait_for(TITLE, within=60)
    body = digest["content"]["body"]
    assert "#1 Shared courier by anna" in body and "#1 Shared courier, closes" in body and "still needs €60" in body
    assert "(Late: it was due" in body and "while I was offline.)" in body
    assert digest["content"]["msgtype"] == "m.notice" and digest["content"]["m.mentions"] == {}

    assert kring.stop() == 0
    kring.start()
    await _ready(kring)
    await send_text(anna, room_id, "!digest")  # a command after the restart: the bot has caught up when it answers
    await watcher.wait_for("#1 Shared courier by anna", within=30)
    await watcher.settle()
    weekly = [b for b in watcher.bodies() if b.startswith(TITLE) and "(Late:" in b]
    assert len(weekly) == 1, watcher.bodies()
