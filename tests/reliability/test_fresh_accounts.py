"""Fresh accounts against the real Synapse: accounts made today react to one message with `min_days_in_room = 1`
(50 with `--long`, the figure in docs/RELIABILITY.md; 12 in the normal pass).

Some join before the bot's first sync (Kring learns their joins from the room's state), the rest while it runs
(from the timeline). Not one reaction may give a credit, and each account hears why once. Then, as a control,
the operator turns the setting off: new reactions from the same accounts count, so the zero was the rule's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.integration.community import invite_and_join, react, send_text
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

from .conftest import Figures
from .matrix_kit import MakeMemberOn, community, export, start, stop

CONTROL = 5


@pytest.mark.parametrize(
    "accounts", [pytest.param(12, id="12"), pytest.param(50, id="50", marks=pytest.mark.long)]
)  # 50 is the figure in docs/RELIABILITY.md; 12 in the normal pass
async def test_accounts_made_today_give_no_credits(
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
    accounts: int,
) -> None:
    before_start = accounts // 5  # joined before the bot's first sync
    room = await community(
        synapse, member_on, tmp_path, processes, members=0, bot_name="kring-fresh", reputation={"min_days_in_room": 1}
    )
    made = [await member_on(synapse, f"fresh{n}") for n in range(accounts)]
    for account in made[:before_start]:
        await invite_and_join(room.owner, room.room_id, account)
    await start(room.bot)
    for account in made[before_start:]:
        await invite_and_join(room.owner, room.room_id, account)
    idea = await send_text(room.owner, room.room_id, "Shall we share one courier for the district?")
    reactions = [await react(account, room.room_id, idea, "👍") for account in made]
    await room.watcher.settle(quiet=5)
    assert await stop(room.bot) == 0

    exported = (await export(room.bot))["rooms"]
    credits = [c for r in exported for c in r["credits"]]
    welcomes = [body for body in room.watcher.bodies() if "welcome" in body]
    with sqlite3.connect(room.bot.database) as db:
        joins = {row[0] for row in db.execute("SELECT user_id FROM joins WHERE room_id = ?", (room.room_id,))}
    assert {account.user_id for account in made} <= joins  # from the state and from the timeline
    assert credits == []
    assert len(welcomes) == accounts  # each account told once why
    figures.record(
        f"abuse: {accounts} accounts made the same day ({before_start} joined before the bot's first sync) react "
        "to one message, min_days_in_room = 1; credits given",
        times=1,
        sent=len(reactions),
        counted=len(credits),
        lost=0,
        duplicated=0,
    )

    # The control: with the rule off, the same accounts' new reactions count (one vote each).
    room.bot.tables["reputation"] = {"min_days_in_room": 0}
    await asyncio.to_thread(room.bot.write_config)
    await start(room.bot)
    for account in made[:CONTROL]:
        await react(account, room.room_id, idea, "🎉")
    await room.watcher.settle(quiet=3)
    assert await stop(room.bot) == 0
    after = [c for r in (await export(room.bot))["rooms"] for c in r["credits"]]
    assert len(after) == CONTROL
    assert {credit["receiver"] for credit in after} == {room.owner.user_id}
