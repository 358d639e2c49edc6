"""`kring run` and its rooms: invites, a kick, escaped HTML and exact mentions, and which messages are commands.

One bot serves a configured room A. While a one-minute proposal in room K runs out (K is a room the bot was
invited to by an allowed inviter, then kicked from), the other checks run in A, so the test waits only once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from nio import RoomInviteResponse

from .community import (
    BotWatcher,
    create_room,
    invite_and_join,
    kick,
    membership,
    send_edit,
    send_notice,
    send_text,
    set_power,
    wait_for_membership,
)
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


async def test_invites_kick_html_mentions_and_command_rules(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")  # creates the rooms; the one allowed inviter
    bob = await make_member("bob")  # a moderator (power level 50) in room A
    cas = await make_member("cas")  # a plain member
    dora = await make_member("dora")  # reads room A: her sync is the view of what the bot posts there
    eve = await make_member("eve")  # a stranger to the bot
    room_a = await create_room(anna)
    for member in (bob, cas, dora):
        await invite_and_join(anna, room_a, member)
    await set_power(anna, room_a, bob.user_id, 50)
    kring = KringProcess(
        synapse, tmp_path / "bot", "kring-rooms", [room_a], matrix={"allowed_inviters": [anna.user_id]}
    )
    processes.append(kring)
    assert isinstance(await anna.room_invite(room_a, kring.user_id), RoomInviteResponse)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    in_a = BotWatcher(dora, room_a, kring.user_id)

    # An allowed inviter's invite to another room is accepted, and the bot serves that room.
    room_k = await create_room(anna, public=True)  # public: the bot could walk back in, if it wanted to
    assert isinstance(await anna.room_invite(room_k, kring.user_id), RoomInviteResponse)
    await wait_for_membership(anna, room_k, kring.user_id, "join")
    in_k = BotWatcher(anna, room_k, kring.user_id)
    help_command = await send_text(anna, room_k, "!help")
    help_reply = (await in_k.wait_for_reply(help_command))["content"]
    assert help_reply["body"].startswith("Kring commands:")
    assert help_reply["msgtype"] == "m.notice"
    assert help_reply["m.mentions"] == {}  # mentions nobody

    # A proposal in K with a one-minute deadline; then the bot is kicked from K.
    await send_text(anna, room_k, "!propose Courier for the kicked room in 1 minute")
    k_deadline_by = time.time() + 60
    await in_k.wait_for("New proposal #1")
    await kick(anna, room_k, kring.user_id)
    await asyncio.to_thread(kring.wait_for_log, f"removed from {room_k}")

    # A stranger's invite is declined: the bot leaves the invite instead of joining.
    room_s = await create_room(eve)
    assert isinstance(await eve.room_invite(room_s, kring.user_id), RoomInviteResponse)
    await wait_for_membership(eve, room_s, kring.user_id, "leave")
    await asyncio.to_thread(kring.wait_for_log, f"declined invite to {room_s}")

    # HTML in a title arrives escaped; m.mentions lists exactly who is mentioned.
    await send_text(cas, room_a, "!propose <b>Bold</b> & <i>co</i> courier in 3 days")
    announcement = (await in_a.wait_for("New proposal #1"))["content"]
    assert "<b>Bold</b> & <i>co</i> courier" in announcement["body"]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt; courier" in announcement["formatted_body"]
    assert "<b>" not in announcement["formatted_body"] and "<i>" not in announcement["formatted_body"]
    assert announcement["m.mentions"] == {"user_ids": [cas.user_id]}
    backme = await send_text(bob, room_a, "!backme 1 €50 <script>alert(1)</script>")
    pledged = (await in_a.wait_for_reply(backme))["content"]
    assert pledged["m.mentions"] == {"user_ids": [bob.user_id]}
    assert "<script>" not in pledged["formatted_body"]

    # An edit of a command is not executed again; another user's m.notice is never a command.
    rep_command = await send_text(cas, room_a, "!rep")
    await in_a.wait_for_reply(rep_command)
    edit = await send_edit(cas, room_a, rep_command, "!top")
    notice = await send_notice(bob, room_a, "!help")

    # Moving a deadline is for moderators: a plain member is refused, a power-level-50 member may.
    refused_command = await send_text(cas, room_a, "!extend 1 in 6 days")
    refused = (await in_a.wait_for_reply(refused_command))["content"]
    assert refused["body"].startswith("Only a moderator (power level 50 or more)"), refused["body"]
    extend_command = await send_text(bob, room_a, "!extend 1 in 5 days")
    extended = (await in_a.wait_for_reply(extend_command))["content"]
    assert extended["body"].startswith("The deadline of #1 <b>Bold</b> & <i>co</i> courier is now"), extended
    assert "(5 days left)" in extended["body"]
    # The bot answers in order, so the edit and the notice, sent before these two commands, were handled.

    # K's deadline passes while the bot runs: the kick stopped its job, so no decision and no attempt at one.
    await asyncio.sleep(max(0.0, k_deadline_by + 3 - time.time()))
    await asyncio.gather(in_a.settle(), in_k.settle())
    assert in_k.decisions() == []
    assert f"not allowed to post in {room_k}" not in kring.run_log()
    assert in_a.replies_to(edit) == []
    assert in_a.replies_to(notice) == []
    assert len(in_a.replies_to(rep_command)) == 1
    assert len(in_a.replies_to(backme)) == 1
    assert in_a.decisions() == []
    assert kring.stop() == 0, kring.log_tail()

    rooms = {room["room_id"]: room for room in kring.export()["rooms"]}
    (k_proposal,) = rooms[room_k]["proposals"]
    assert k_proposal["status"] == "open"  # never decided
    (a_proposal,) = rooms[room_a]["proposals"]
    assert a_proposal["status"] == "open"

    # After a restart the bot still stays out of the room it was kicked from.
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    assert await membership(anna, room_k, kring.user_id) == "leave"
    serving = next(line for line in kring.run_log().splitlines() if "ready:" in line)
    assert room_k not in serving, serving
    assert kring.stop() == 0, kring.log_tail()
