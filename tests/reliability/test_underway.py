"""After GO, across a crash: the bot is SIGKILLed between storing a confirmation and sending its reply.

The ✅ on a delivery is handled and committed (the credits and the reply in the outbox, in one transaction), the
reply's request is held at the proxy and the bot is killed there; after the restart there is one credit set and
one reply (the homeserver de-duplicates the resent transaction id).
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.community import react, send_text
from tests.integration.kring_process import KringProcess
from tests.integration.synapse_server import SynapseServer

from .conftest import Figures, MakeProxy
from .matrix_kit import MakeMemberOn, community, start, stop


async def test_a_kill_between_a_confirmation_and_its_reply_gives_one_credit_and_one_reply(
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    proxy = await make_proxy(synapse)
    room = await community(
        synapse,
        member_on,
        tmp_path,
        processes,
        members=1,
        bot_name="kring-confirm",
        homeserver=proxy.url,
        proposals={"withdraw_lock_hours": 0},
    )
    owner, backer = room.owner, room.members[0]
    await start(room.bot)
    await send_text(owner, room.room_id, "!propose Shared courier €100 4h in 1 minute")
    await room.watcher.wait_for("New proposal #1")
    await send_text(backer, room.room_id, "!backme 1 €100 4h")
    await room.watcher.wait_for("you back #1")
    await room.watcher.wait_for("GO #1", within=90)
    await send_text(backer, room.room_id, "!delivered 1 €100 2h")
    reported = await room.watcher.wait_for("paid €100 and worked 2h")

    proxy.hold("/send/m.room.message")
    await react(owner, room.room_id, reported["event_id"], "✅")
    await proxy.wait_held(within=60)  # stored: the reply is on its way out
    room.bot.kill()
    proxy.release()
    await start(room.bot)
    await room.watcher.wait_for("'s delivery of")  # not "(not confirmed yet)" of the report
    await room.watcher.settle()
    replies = [body for body in room.watcher.bodies() if "'s delivery of" in body]
    assert await stop(room.bot) == 0
    (books,) = room.bot.export()["rooms"]
    credits = [(c["receiver"], c["delta"], c["reason"]) for c in books["credits"] if c["reason"].startswith("deliv")]
    figures.record(
        "SIGKILL between a ✅ confirmation and its reply",
        times=1,
        sent=1,
        counted=min(len(replies), 1),
        lost=int(not replies or not credits),
        duplicated=max(0, len(replies) - 1),
    )
    assert len(replies) == 1, replies
    assert sorted(credits) == [(backer.user_id, 1, "delivered_money"), (backer.user_id, 2, "delivered_hours")]
