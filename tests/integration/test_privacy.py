"""A member's copy of their data on a real homeserver: `!mydata` arrives as a JSON file in a direct room with the
bot (only the two of them), which the member can download; the room only hears that it is on its way. (With
encryption on, the encrypted file: tests/integration/test_encrypted.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from nio import DownloadResponse, JoinedMembersResponse, RoomMessageFile

from .community import BotWatcher, react, send_text, served_room
from .helpers import MakeMember, invited_by, wait_for_event
from .kring_process import KringProcess
from .synapse_server import SynapseServer


async def test_mydata_arrives_as_a_file_in_a_direct_room(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    room_id, kring = await served_room(
        synapse, anna, [bob], tmp_path / "bot", processes, "kring-privacy", tables={"matrix": {"encryption": False}}
    )
    watcher = BotWatcher(anna, room_id, kring.user_id)

    idea = await send_text(bob, room_id, "Shall we share one courier for the district?")
    await send_text(anna, room_id, "Anna's own idea, not Bob's data")
    await react(anna, room_id, idea, "👍")
    await bob.sync(timeout=0)  # from here on, only what is new
    await watcher.wait_for_reply(await send_text(anna, room_id, "!taal nl"))
    asked = await send_text(bob, room_id, "!mijngegevens")
    reply = await watcher.wait_for_reply(asked)
    assert reply["content"]["body"].endswith(
        "Kring stuurt je een kopie van alles wat het over je bewaart, in een privébericht."
    )

    direct, is_direct = await invited_by(bob, kring.user_id)
    assert direct != room_id and is_direct
    await bob.join(direct)
    members = await bob.joined_members(direct)
    assert isinstance(members, JoinedMembersResponse), members
    assert {m.user_id for m in members.members} == {kring.user_id, bob.user_id}
    event = await wait_for_event(bob, direct, lambda e: isinstance(e, RoomMessageFile), within=30)
    assert isinstance(event, RoomMessageFile)
    assert event.body == "Alles wat Kring over je bewaart, in elke kamer die het bedient (JSON)."  # the room's language
    filename = event.source["content"]["filename"]
    assert filename.startswith("kring-data-bob") and filename.endswith(".json")
    downloaded = await bob.download(event.url)
    assert isinstance(downloaded, DownloadResponse), downloaded
    copy = json.loads(downloaded.body)
    assert copy["user_id"] == bob.user_id and copy["rooms"] == [room_id]
    assert [m["excerpt"] for m in copy["messages"] if m["event_id"] == idea] == [
        "Shall we share one courier for the district?"
    ]
    assert "Anna's own idea" not in downloaded.body.decode()
    assert [(c["giver"], c["delta"]) for c in copy["credits"]] == [(anna.user_id, 1)]
