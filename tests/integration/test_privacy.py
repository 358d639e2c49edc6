"""A member's copy of their data on a real homeserver: `!mydata` arrives as a JSON file in a direct room with the
bot (only the two of them), which the member can download; the room only hears that it is on its way. (With
encryption on, the encrypted file: tests/integration/test_encrypted.py.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from nio import (
    DownloadResponse,
    JoinedMembersResponse,
    RoomCreateResponse,
    RoomInviteResponse,
    RoomMessageFile,
    RoomPreset,
    RoomRedactResponse,
    RoomSendResponse,
)

from .community import BotWatcher, invite_and_join, react, send_text, served_room
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
    caption = event.body.splitlines()  # in the room's language, with a readable summary beside the JSON
    assert caption[:2] == [
        "Alles wat Kring over je bewaart, in alle kamers waar Kring actief is (JSON).",
        "Kort samengevat staat in het bestand:",
    ]
    assert "berichten van jou die Kring las: 2" in caption and "gegeven of ontvangen punten: 1" in caption
    assert "<br>" in event.source["content"]["formatted_body"]
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


async def test_the_log_at_the_default_level_holds_no_message_text(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    """In a room of version 11 (redactions carry `redacts` in their content), at INFO: nio's warnings about
    events it cannot validate (a message with a malformed `formatted_body`, a redaction) name no text or reason."""
    anna = await make_member("anna")
    bob = await make_member("bob")
    created = await anna.room_create(name="community v11", room_version="11", preset=RoomPreset.private_chat)
    assert isinstance(created, RoomCreateResponse), created
    room_id = created.room_id
    await invite_and_join(anna, room_id, bob)
    kring = await asyncio.to_thread(
        KringProcess, synapse, tmp_path / "bot", "kring-quiet-log", [room_id], matrix={"encryption": False}
    )
    kring.log_level = "INFO"  # the default
    processes.append(kring)
    assert isinstance(await anna.room_invite(room_id, kring.user_id), RoomInviteResponse)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    watcher = BotWatcher(anna, room_id, kring.user_id)

    secrets = ["Bob's formatted words", "Bob's words that he takes back", "Bob's reason for taking them back"]
    # Synapse wants a `body`; nio also wants `formatted_body` to be a string, and logs the content it rejects.
    html = [f"<b>{secrets[0]}</b>"]
    formatted = {"msgtype": "m.text", "body": secrets[0], "format": "org.matrix.custom.html", "formatted_body": html}
    assert isinstance(await bob.room_send(room_id, "m.room.message", formatted), RoomSendResponse)
    taken_back = await send_text(bob, room_id, secrets[1])
    redacted = await bob.room_redact(room_id, taken_back, reason=secrets[2])
    assert isinstance(redacted, RoomRedactResponse), redacted
    await watcher.wait_for_reply(await send_text(anna, room_id, "!rep"))  # everything before it is handled

    logged = kring.run_log()
    assert "Error validating event" in logged  # nio did warn about what it could not validate…
    for secret in secrets:
        assert secret not in logged, secret  # …without the text
    assert "'reason'" not in logged and "'body'" not in logged
