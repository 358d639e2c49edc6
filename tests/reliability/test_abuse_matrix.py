"""Abuse that only `kring run` can see: events in a room it does not serve, invites from strangers, a kick.

The bot serves room A and accepts invites from A's owner only. Its account is also in room U, which it does not
serve (joined with another client before the bot started). Everything sent in U, every stranger's invite and
every command in a room it was kicked from must be ignored or refused, and counted; A keeps being served.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nio import AsyncClient, LoginResponse, RoomInviteResponse

from tests.integration.community import (
    BotWatcher,
    create_room,
    invite_and_join,
    kick,
    react,
    send_text,
    wait_for_membership,
)
from tests.integration.kring_process import BOT_PASSWORD, KringProcess
from tests.integration.synapse_server import SynapseServer

from .conftest import Figures
from .matrix_kit import MakeMemberOn, community, export, start, stop

STRANGERS = 3


async def test_unserved_rooms_strangers_and_kicks_are_ignored(
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    room = await community(synapse, member_on, tmp_path, processes, members=2, bot_name="kring-abuse")
    owner, member = room.owner, room.members[0]
    room.bot.tables["matrix"] = {"allowed_inviters": [owner.user_id]}
    await asyncio.to_thread(room.bot.write_config)
    unserved = await create_room(owner, public=True)
    await invite_and_join(owner, unserved, member)
    account = AsyncClient(synapse.url, room.bot.user_id)
    assert isinstance(await account.login(BOT_PASSWORD), LoginResponse)
    await account.join(unserved)
    await account.logout()
    await account.close()
    await start(room.bot)

    # A room the bot is in but does not serve: commands and reactions there count nothing.
    idea = await send_text(owner, unserved, "an idea in a room the bot does not serve")
    in_unserved = [
        await send_text(member, unserved, "!propose Not here in 3 days"),
        await send_text(member, unserved, "!rep"),
        await send_text(owner, unserved, "!help"),
        await react(member, unserved, idea, "👍"),
        await react(member, unserved, idea, "🎉"),
    ]
    # Strangers' invites are declined.
    strangers = [await member_on(synapse, f"stranger{n}") for n in range(STRANGERS)]
    stranger_rooms = []
    for stranger in strangers:
        stranger_room = await create_room(stranger)
        assert isinstance(await stranger.room_invite(stranger_room, room.bot.user_id), RoomInviteResponse)
        stranger_rooms.append((stranger, stranger_room))
    for stranger, stranger_room in stranger_rooms:
        await wait_for_membership(stranger, stranger_room, room.bot.user_id, "leave")
    # The owner's invite is accepted; then the owner kicks the bot: what follows there is never answered.
    kicked = await create_room(owner, public=True)
    assert isinstance(await owner.room_invite(kicked, room.bot.user_id), RoomInviteResponse)
    await wait_for_membership(owner, kicked, room.bot.user_id, "join")
    in_kicked = BotWatcher(owner, kicked, room.bot.user_id)
    await send_text(owner, kicked, "!propose Courier for the kicked room in 3 days")
    await in_kicked.wait_for("New proposal #1")
    await kick(owner, kicked, room.bot.user_id)
    await asyncio.to_thread(room.bot.wait_for_log, f"removed from {kicked}")
    after_kick = [await send_text(owner, kicked, body) for body in ("!proposals", "!backme 1 €5", "!rep")]

    # Room A is served as before, and after a restart the bot stays out of U's business and out of K.
    check = await send_text(member, room.room_id, "!rep")
    await room.watcher.wait_for_reply(check)
    assert await stop(room.bot) == 0
    await start(room.bot)
    again = await send_text(member, room.room_id, "!top")
    await room.watcher.wait_for_reply(again)
    unserved_view = BotWatcher(owner, unserved, room.bot.user_id)
    await asyncio.gather(room.watcher.settle(), in_kicked.settle(), unserved_view.settle())
    assert await stop(room.bot) == 0

    answered_unserved = sum(1 for event in in_unserved if unserved_view.replies_to(event)) + len(unserved_view.seen)
    answered_after_kick = sum(1 for event in after_kick if in_kicked.replies_to(event))
    joined_strangers = 0
    for stranger, stranger_room in stranger_rooms:
        state = await stranger.room_get_state_event(stranger_room, "m.room.member", room.bot.user_id)
        joined_strangers += getattr(state, "content", {}).get("membership") == "join"
    rooms = {r["room_id"]: r for r in (await export(room.bot))["rooms"]}
    credited_unserved = len(rooms.get(unserved, {}).get("credits", []))
    assert len(room.watcher.replies_to(check)) == 1 and len(room.watcher.replies_to(again)) == 1
    serving = next(line for line in room.bot.run_log().splitlines() if "ready:" in line)
    assert kicked not in serving and unserved not in serving, serving

    for fault, attempts, counted in [
        (
            "abuse: commands and reactions in a room the bot is in but does not serve",
            len(in_unserved),
            answered_unserved + credited_unserved,
        ),
        ("abuse: invites from strangers (declined)", STRANGERS, joined_strangers),
        ("abuse: commands in a room after the bot was kicked from it", len(after_kick), answered_after_kick),
    ]:
        figures.record(fault, times=attempts, sent=attempts, counted=counted, lost=0, duplicated=counted)
    assert answered_unserved == 0 and credited_unserved == 0 and unserved not in rooms
    assert joined_strangers == 0
    assert answered_after_kick == 0
