"""Kring with members on Element's own crypto stack (matrix-js-sdk, Rust crypto) that exclude insecure devices:
they share room keys only with cross-signed devices and decrypt nothing from any other (MSC4153)."""

from __future__ import annotations

import asyncio
import itertools
import os
from pathlib import Path

from bot.identity.secret_storage import encode_recovery_key

from .conftest import MakeElementMembers
from .element_member import ElementMember, SeenEvent
from .identity import published, recovery_keys_printed, refused, started
from .kring_process import BOT_PASSWORD, KringProcess
from .synapse_server import SynapseServer

_runs = itertools.count(1)


def from_kring(event: SeenEvent, device_id: str) -> SeenEvent:
    """A message of Kring's as the member's client shows it: encrypted, decrypted, from Kring's cross-signed
    device, with no warning beside it."""
    assert event.encrypted and event.decryption_failure is None, event
    assert event.sender_device_id == device_id, event
    assert (event.shield, event.shield_reason) == ("NONE", None), event
    return event


async def reply_to(
    member: ElementMember, room_id: str, kring: KringProcess, request: str, within: float = 30.0
) -> SeenEvent:
    """Kring's reply to the member's event `request`, as `member` sees it."""
    async with asyncio.timeout(within):
        while True:
            for event in await member.events(room_id):
                relates = event.content.get("m.relates_to") or {}
                if event.sender == kring.user_id and (relates.get("m.in_reply_to") or {}).get("event_id") == request:
                    return event
            await asyncio.sleep(0.3)


async def kring_for(
    synapse: SynapseServer,
    owner: ElementMember,
    base_dir: Path,
    processes: list[KringProcess],
    members: tuple[ElementMember, ...] = (),
    **tables: object,
) -> tuple[str, KringProcess]:
    """An encrypted room of `owner`'s with `members` joined and a bot account invited to it, not started."""
    room_id = await owner.create_room(invite=[member.user_id for member in members])
    for member in members:
        await member.join(room_id)
    kring = await asyncio.to_thread(KringProcess, synapse, base_dir, f"kring-el-{next(_runs)}", [room_id], **tables)
    processes.append(kring)
    await owner.invite(room_id, kring.user_id)
    return room_id, kring


async def test_the_seed_flow_with_members_who_exclude_insecure_devices(
    synapse: SynapseServer, element_members: MakeElementMembers, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna, bob, cas = await element_members("anna", "bob", "cas")
    room_id, kring = await kring_for(
        synapse, anna, tmp_path / "bot", processes, (bob, cas), proposals={"withdraw_lock_hours": 0}
    )
    await started(kring)
    device = kring.stored_device()
    for member in (anna, bob, cas):
        seen = await member.wait_for_device(kring.user_id, device, signed=True)
        assert seen.signed_by_owner and not seen.locally_verified  # signed by Kring, not verified by hand

    help_request = await anna.say(room_id, "!help")
    reply = from_kring(await bob.wait_for(room_id, kring.user_id, "Kring commands"), device)
    assert reply.content["m.relates_to"]["m.in_reply_to"]["event_id"] == help_request
    assert reply.content["msgtype"] == "m.notice"
    assert not reply.notify and not reply.highlight  # a routine reply reaches nobody, not even who asked

    # Ideas and reactions: Element sends reactions in the clear, the idea itself encrypted.
    idea = await anna.say(room_id, "Shall we share one courier for the district?")
    await bob.react(room_id, idea, "👍")
    await cas.react(room_id, idea, "❤️")
    anna_name = anna.user_id[1:].split(":")[0]  # Element's pill: the display name in the body, the id in m.mentions
    pill = f'<a href="https://matrix.to/#/{anna.user_id}">{anna_name}</a>'
    await bob.say(room_id, f"!rep {anna_name}", html=f"!rep {pill}", mentions=[anna.user_id])
    rep = from_kring(await cas.wait_for(room_id, kring.user_id, "in this room (rank"), device)
    assert "has 2 credits in this room" in str(rep.body), rep

    await anna.say(room_id, "!propose Shared courier €100 in 1 minute min 2", reply_to=idea)
    announcement = from_kring(await bob.wait_for(room_id, kring.user_id, "New proposal #1"), device)
    await bob.say(room_id, "!backme 1 €60")
    await cas.say(room_id, "!backme 1 €40 2 hours")
    from_kring(await anna.wait_for(room_id, kring.user_id, "you back #1 Shared courier with €60"), device)
    from_kring(await anna.wait_for(room_id, kring.user_id, "you back #1 Shared courier with €40 + 2h"), device)
    await bob.react(room_id, announcement.event_id, "👍")
    status = from_kring(await reply_to(bob, room_id, kring, await cas.say(room_id, "!status 1")), device)
    assert "Backers (2):" in str(status.body) and "€40 + 2h" in str(status.body), status

    decision = from_kring(await cas.wait_for(room_id, kring.user_id, "GO #1", within=120), device)
    assert str(decision.body).startswith("✅ GO #1"), decision
    assert {bob.user_id, cas.user_id} <= set(decision.content["m.mentions"]["user_ids"])
    # The backers named in the encrypted GO are reached: Element's push processor, on the decrypted event,
    # highlights it for each of them. The control: Bob's own !rep naming Anna highlights it for her.
    assert decision.content["msgtype"] == "m.text"
    for member in (anna, bob, cas):
        pushed = next(e for e in await member.events(room_id) if e.event_id == decision.event_id)
        assert pushed.notify and pushed.highlight, (member.user_id, pushed)
    rep_request = next(e for e in await anna.events(room_id) if e.sender == bob.user_id and "!rep" in str(e.body))
    assert rep_request.highlight
    backed = await anna.wait_for(room_id, kring.user_id, "you back #1 Shared courier with €60")
    assert not backed.notify and not backed.highlight
    # Every message Kring sent, each member decrypted: nothing of Kring's is refused or missing a key.
    for member in (anna, bob, cas):
        for event in await member.events(room_id):
            if event.sender == kring.user_id and event.type != "m.room.member":
                from_kring(event, device)

    # A restart keeps the same signed device; --new-device makes a new one, signed before it says a word.
    assert kring.stop() == 0
    await started(kring)
    assert kring.stored_device() == device
    status = from_kring(await reply_to(anna, room_id, kring, await bob.say(room_id, "!status 1")), device)
    assert str(status.body).startswith("#1 Shared courier — GO"), status
    assert kring.stop() == 0
    await started(kring, "--new-device")
    new_device = kring.stored_device()
    assert new_device != device
    for member in (anna, bob):
        await member.wait_for_device(kring.user_id, new_device, signed=True)
    rep = from_kring(await reply_to(anna, room_id, kring, await bob.say(room_id, "!rep")), new_device)
    assert "in this room" in str(rep.body), rep


async def test_an_account_set_up_in_element_is_adopted_with_its_recovery_key_and_never_replaced(
    synapse: SynapseServer, element_members: MakeElementMembers, tmp_path: Path, processes: list[KringProcess]
) -> None:
    [anna] = await element_members("anna")
    room_id, kring = await kring_for(synapse, anna, tmp_path / "bot", processes)
    # The operator opens Element on the bot's account: cross-signing and "set up recovery" there.
    [operator] = await element_members("operator", user_id=kring.user_id, password=BOT_PASSWORD)
    recovery_key, master = await operator.set_up_secret_storage()

    said = await refused(kring)
    assert "already has cross-signing keys that Kring does not hold" in said, said
    assert "KRING_RECOVERY_KEY" in said and "--reset-cross-signing" in said
    kring.environment["KRING_RECOVERY_KEY"] = encode_recovery_key(os.urandom(32))  # well-formed, but not this one
    said = await refused(kring)
    assert "the recovery key does not open the secret storage of" in said, said
    assert published(synapse, kring.user_id).master_key == master  # refusing changed nothing

    kring.environment["KRING_RECOVERY_KEY"] = recovery_key
    await started(kring)
    device = kring.stored_device()
    assert recovery_keys_printed(kring) == []
    keys = published(synapse, kring.user_id)
    assert keys.master_key == master and keys.device_cross_signed(device)  # Element's identity, Kring's device
    mine = await operator.wait_for_device(kring.user_id, device, signed=True)
    assert mine.cross_signing_verified  # the operator's Element trusts it as its own account's device

    await anna.wait_for_device(kring.user_id, device, signed=True)
    await anna.say(room_id, "!help")
    from_kring(await anna.wait_for(room_id, kring.user_id, "Kring commands"), device)
