"""The Element member harness enforces MSC4153: keys and decryption for cross-signed devices only."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from nio import AsyncClient, AsyncClientConfig, LoginResponse, MegolmEvent, RoomMessageText, SyncResponse
from nio.exceptions import EncryptionError

from .conftest import MakeElementMembers
from .element_member import ElementMemberError
from .helpers import MEMBER_PASSWORD
from .synapse_server import SynapseServer
from .test_encrypted import EncryptedMember

pytestmark = pytest.mark.integration
_runs = itertools.count(1)


@pytest_asyncio.fixture
async def nio_member(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[EncryptedMember]:
    """A nio member that encrypts, with a device nobody cross-signed (nio cannot cross-sign)."""
    user_id = await asyncio.to_thread(synapse.register_user, f"el-nio-{next(_runs)}", MEMBER_PASSWORD)
    store = tmp_path / "nio-store"
    store.mkdir()
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_timeouts=5)
    client = AsyncClient(synapse.url, user_id, store_path=str(store), config=config)
    assert isinstance(await client.login(MEMBER_PASSWORD, device_name="nio"), LoginResponse)
    member = EncryptedMember(client)
    await member.keys()
    yield member
    await client.close()


async def test_two_element_members_decrypt_each_other(element_members: MakeElementMembers) -> None:
    anna, bob = await element_members("anna", "bob")
    room_id = await anna.create_room(invite=[bob.user_id])
    assert await bob.join(room_id), "the room should be encrypted"

    # Each sees the other's device as cross-signed by its owner: the condition for sharing keys with it.
    of_bob = await anna.wait_for_device(bob.user_id, bob.device_id, signed=True)
    of_anna = await bob.wait_for_device(anna.user_id, anna.device_id, signed=True)
    assert of_bob.signed_by_owner and of_anna.signed_by_owner
    assert of_bob.user_identity_known and not of_bob.user_cross_signing_verified  # signed, but nobody verified bob

    hello = await anna.say(room_id, "Hello from Anna, encrypted")
    seen = await bob.wait_for(room_id, anna.user_id, "Hello from Anna")
    assert (seen.event_id, seen.type, seen.decryption_failure) == (hello, "m.room.message", None)
    assert seen.encrypted, "on the wire the message is m.room.encrypted"
    assert seen.sender_device_id == anna.device_id
    assert seen.shield != "RED", seen

    answer = await bob.say(room_id, "Hello back from Bob", reply_to=hello)
    seen = await anna.wait_for(room_id, bob.user_id, "Hello back from Bob")
    assert seen.event_id == answer and seen.encrypted and seen.decryption_failure is None
    assert seen.content["m.relates_to"]["m.in_reply_to"]["event_id"] == hello

    reaction = await bob.react(room_id, hello, "👍")
    seen = await anna.wait_for_event(room_id, event_id=reaction, event_type="m.reaction")
    assert not seen.encrypted  # matrix-js-sdk sends reactions in the clear, even in an encrypted room
    assert seen.content["m.relates_to"] == {
        "rel_type": "m.annotation",
        "event_id": hello,
        "key": "👍",
    }


async def _nio_sees(member: EncryptedMember, room_id: str, event_id: str, within: float = 30.0) -> object:
    """Sync the nio member until the event arrives, then a few times more (keys sent with it come by then)."""
    found: object = None
    async with asyncio.timeout(within):
        while found is None:
            response = await member.client.sync(timeout=500)
            assert isinstance(response, SyncResponse), response
            await member.keys()
            joined = response.rooms.join.get(room_id)
            found = next((e for e in (joined.timeline.events if joined else []) if e.event_id == event_id), None)
    for _ in range(3):
        await member.sync()
    if isinstance(found, MegolmEvent):
        with contextlib.suppress(EncryptionError):  # no key: it stays a MegolmEvent
            found = member.client.decrypt_event(found)
    return found


async def test_unsigned_nio_device_is_refused_both_ways(
    element_members: MakeElementMembers, nio_member: EncryptedMember
) -> None:
    (anna,) = await element_members("anna")
    nils = nio_member
    room_id = await anna.create_room(invite=[nils.user_id])
    await nils.client.join(room_id)
    await nils.wait_for_device_of(anna.user_id)
    nils_device = str(nils.client.device_id)
    status = await anna.wait_for_device(nils.user_id, nils_device, signed=False)
    assert status.known and status.signed_by_owner is False and not status.user_identity_known

    # nio shares its room key with anna's device; anna's crypto has it but refuses to use it.
    unsigned = await nils.say(room_id, "Hello from an unsigned nio device")
    refused = await anna.wait_for_failure(room_id, nils.user_id)
    assert refused.event_id == unsigned
    assert refused.decryption_failure == "UNSIGNED_SENDER_DEVICE", refused
    assert refused.type == "m.room.encrypted" and "Hello" not in str(refused.content)

    # anna shares her room key with cross-signed devices only: nils's device gets none.
    signed_only = await anna.say(room_id, "Hello from Anna, for signed devices only")
    at_nils = await _nio_sees(nils, room_id, signed_only)
    assert isinstance(at_nils, MegolmEvent), f"nio decrypted a message meant for signed devices only: {at_nils}"
    assert not isinstance(at_nils, RoomMessageText)
    session = nils.client.olm.inbound_group_store.get(room_id, at_nils.sender_key, at_nils.session_id)
    assert session is None, "anna's client shared its room key with an unsigned device"


async def test_a_device_signed_later_is_trusted_from_then_on(
    element_members: MakeElementMembers, nio_member: EncryptedMember
) -> None:
    (anna,) = await element_members("anna")
    nils = nio_member
    room_id = await anna.create_room(invite=[nils.user_id])
    await nils.client.join(room_id)
    await nils.wait_for_device_of(anna.user_id)
    nils_device = str(nils.client.device_id)
    await anna.wait_for_device(nils.user_id, nils_device, signed=False)
    before = await nils.say(room_id, "Said before signing")
    assert (await anna.wait_for_failure(room_id, nils.user_id, "UNSIGNED_SENDER_DEVICE")).event_id == before

    # Nils opens Element on his account (which sets up his cross-signing) and verifies his nio device there.
    (nils_element,) = await element_members("nils-element", user_id=nils.user_id)
    await nils_element.cross_sign_device(nils_device)
    status = await anna.wait_for_device(nils.user_id, nils_device, signed=True)
    assert status.user_identity_known and not status.user_cross_signing_verified

    # The same Megolm session now decrypts: the sender's trust is checked again on each event.
    after = await nils.say(room_id, "Said after signing")
    seen = await anna.wait_for(room_id, nils.user_id, "Said after signing")
    assert seen.event_id == after and seen.sender_device_id == nils_device
    # What was refused stays refused, as in Element, until the client is asked to try again.
    old = next(e for e in await anna.events(room_id) if e.event_id == before)
    assert old.decryption_failure == "UNSIGNED_SENDER_DEVICE"
    old = next(e for e in await anna.events(room_id, retry_failed=True) if e.event_id == before)
    assert (old.decryption_failure, old.body) == (None, "Said before signing")


async def test_a_second_element_session_resets_cross_signing_only_when_told(
    element_members: MakeElementMembers,
) -> None:
    anna, bob = await element_members("anna", "bob")
    room_id = await anna.create_room(invite=[bob.user_id])
    await bob.join(room_id)
    await bob.wait_for_device(anna.user_id, anna.device_id, signed=True)
    with pytest.raises(ElementMemberError, match="already has cross-signing keys"):
        await element_members("anna-phone", user_id=anna.user_id)
    assert (await bob.device_status(anna.user_id, anna.device_id)).signed_by_owner

    # A new identity (uploaded after answering the password stage): anna's first device is signed no more.
    (phone,) = await element_members("anna-phone", user_id=anna.user_id, reset_cross_signing=True)
    await bob.wait_for_device(anna.user_id, phone.device_id, signed=True)
    await bob.wait_for_device(anna.user_id, anna.device_id, signed=False)
