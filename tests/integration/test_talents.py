"""Talents and needs on a real homeserver: a matched need mentions only the member who opted in to be asked."""

from __future__ import annotations

from pathlib import Path

from .community import BotWatcher, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


async def test_a_matched_need_mentions_only_the_opted_in_member(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")  # asks
    bob = await make_member("bob")  # a driver who wants to be asked
    cas = await make_member("cas")  # a driver who does not
    room_id, kring = await served_room(synapse, anna, [bob, cas], tmp_path / "bot", processes, "kring-talents")
    watcher = BotWatcher(anna, room_id, kring.user_id)

    await watcher.wait_for_reply(await send_text(bob, room_id, "!skills add delivery driver"))
    await watcher.wait_for_reply(await send_text(bob, room_id, "!skills ask on"))
    await watcher.wait_for_reply(await send_text(cas, room_id, "!talenten toevoegen bezorging, driver"))
    await send_text(anna, room_id, "!need Who can deliver to a patient on Saturday? for: driver")
    posted = await watcher.wait_for("N#1")
    content = posted["content"]
    assert content["msgtype"] == "m.text"  # a match reaches the member who asked for it: a notice would not
    assert set(content["m.mentions"]["user_ids"]) == {bob.user_id}
    assert f"https://matrix.to/#/{bob.user_id}" in content["formatted_body"]
    assert f"https://matrix.to/#/{cas.user_id}" not in content["formatted_body"]
    assert "cas" in content["body"]  # named, without a mention
