"""Money that arrives, on a real homeserver, in an encrypted room: after GO each money backer's direct room holds
the payment request and its EPC QR image (encrypted); the treasurer sends the bank's statement as an encrypted file
in their direct room with Kring, which decrypts it, confirms the delivery, says so in the thread and replies with
the summary. A direct chat the treasurer starts with Kring is taken up for that too; anyone else's is declined."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import Any

from nio import DownloadResponse, RoomCreateResponse, RoomEncryptedImage, RoomPreset, SyncResponse, UploadResponse
from nio.crypto.attachments import decrypt_attachment

from bot.matrix.direct_rooms import ENCRYPTION
from tests.unit.payments.statements import ACCOUNT, Tx, camt053

from .community import BotWatcher
from .helpers import invited_by
from .kring_process import KringProcess
from .synapse_server import SynapseServer
from .test_encrypted import EncryptedMember, encrypted_community, encrypted_members  # noqa: F401 (fixture)

REFERENCE = re.compile(r"Payment reference: (RF[0-9A-Z ]+)")


async def direct_events(member: EncryptedMember, room_id: str, wanted: int, within: float = 60.0) -> list[Any]:
    """The decrypted events of the member's direct room with Kring, until `wanted` of Kring's have come."""
    seen: list[Any] = []
    async with asyncio.timeout(within):
        while len(seen) < wanted:
            response = await member.client.sync(timeout=1000)
            assert isinstance(response, SyncResponse), response
            await member.keys()
            joined = response.rooms.join.get(room_id)
            seen += [e for e in (joined.timeline.events if joined else []) if e.sender != member.user_id]
            seen = [e for e in seen if type(e).__name__ != "MegolmEvent" and getattr(e, "source", {}).get("type")]
            seen = [e for e in seen if e.source.get("type") == "m.room.message"]
    return seen


async def open_direct(member: EncryptedMember, kring: KringProcess) -> str:
    direct, _ = await invited_by(member.client, kring.user_id)
    await member.client.join(direct)
    return direct


async def send_statement(member: EncryptedMember, room_id: str, statement: bytes) -> None:
    """The statement as an encrypted file, as Element sends one in an encrypted room."""
    upload, keys = await member.client.upload(
        lambda *_: io.BytesIO(statement),
        content_type="application/octet-stream",
        filename="ing.xml",
        encrypt=True,
        filesize=len(statement),
    )
    assert isinstance(upload, UploadResponse), upload
    assert keys is not None
    content = {
        "msgtype": "m.file",
        "body": "ing.xml",
        "filename": "ing.xml",
        "info": {"mimetype": "application/xml", "size": len(statement)},
        "file": {**keys, "url": upload.content_uri},
    }
    await member.send(room_id, "m.room.message", content)


async def start_direct(member: EncryptedMember, kring: KringProcess) -> str:
    """The member starts an encrypted direct chat with Kring, as Element's "Start chat" does."""
    created = await member.client.room_create(
        is_direct=True, invite=[kring.user_id], preset=RoomPreset.trusted_private_chat, initial_state=[ENCRYPTION]
    )
    assert isinstance(created, RoomCreateResponse), created
    return str(created.room_id)


async def until_joined(member: EncryptedMember, room_id: str, user_id: str, within: float = 30.0) -> None:
    async with asyncio.timeout(within):
        while True:
            await member.sync()
            room = member.client.rooms.get(room_id)
            if room is not None and user_id in room.users and user_id not in room.invited_users:
                return


async def test_go_requests_payment_and_the_treasurers_encrypted_statement_confirms_it(
    synapse: SynapseServer,
    encrypted_members: list[EncryptedMember],  # noqa: F811 (the fixture)
    tmp_path: Path,
    processes: list[KringProcess],
) -> None:
    anna, bob = encrypted_members  # anna proposes and is the treasurer; both pledge money
    money = {"iban": ACCOUNT, "account_name": "Vereniging Kring", "treasurers": [anna.user_id]}
    room_id, kring = await encrypted_community(
        synapse, encrypted_members, tmp_path, processes, "kring-pay", money=money
    )
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    for member in (anna, bob):
        await member.wait_for_device_of(kring.user_id)
    watcher = BotWatcher(bob.client, room_id, kring.user_id)

    await anna.say(room_id, "!propose Encrypted courier €50 in 1 minute")
    proposal = await watcher.wait_for("New proposal #1")
    assert (
        "💶 A money pledge is paid only after GO, to Vereniging Kring (NL91 ABNA 0417 1643 00)."
        in (proposal["content"]["body"])
    )
    await bob.say(room_id, "!backme 1 €60")
    await watcher.wait_for("you back #1")
    await anna.say(room_id, "!backme 1 €10")
    decision = await watcher.wait_for("GO #1", within=90)
    assert "Payment requests went out in direct messages to the 2 backers" in decision["content"]["body"]

    direct = await open_direct(bob, kring)
    request, image = await direct_events(bob, direct, 2)
    assert "Payment request for #1 Encrypted courier" in request.body and "Amount: €60" in request.body
    reference = REFERENCE.search(request.body)
    assert reference is not None
    assert isinstance(image, RoomEncryptedImage)  # the QR code, encrypted like the room
    downloaded = await bob.client.download(image.url)
    assert isinstance(downloaded, DownloadResponse), downloaded
    png = decrypt_attachment(downloaded.body, image.key["k"], image.hashes["sha256"], image.iv)
    assert png.startswith(b"\x89PNG")

    treasurer_room = await open_direct(anna, kring)
    own_request, _ = await direct_events(anna, treasurer_room, 2)  # her own request first
    statement = camt053([[Tx("60.00", name="B. Backer", reference=reference.group(1).replace(" ", ""))]])
    await send_statement(anna, treasurer_room, statement)
    (summary,) = await direct_events(anna, treasurer_room, 1)
    assert "Matched (1):" in summary.body and "€60 · B. Backer → #1" in summary.body
    arrived = await watcher.wait_for("payment of €60 for #1 has arrived")
    assert arrived["content"]["m.relates_to"]["rel_type"] == "m.thread"

    # The treasurer starts a direct chat with Kring herself: Kring takes up her invite (a stranger's it declines)
    # and reads the next statement there.
    own_room = await start_direct(anna, kring)
    await asyncio.to_thread(kring.wait_for_log, f"accepted a direct-message invite to {own_room}")
    stranger_room = await start_direct(bob, kring)
    await asyncio.to_thread(kring.wait_for_log, f"declined invite to {stranger_room}")
    await until_joined(anna, own_room, kring.user_id)
    own = REFERENCE.search(own_request.body)
    assert own is not None
    statement = camt053([[Tx("10.00", name="A. Treasurer", reference=own.group(1).replace(" ", ""), bank_ref="A1")]])
    await send_statement(anna, own_room, statement)
    (summary,) = await direct_events(anna, own_room, 1)
    assert "Matched (1):" in summary.body and "€10 · A. Treasurer → #1" in summary.body
    await watcher.wait_for("payment of €10 for #1 has arrived")
