"""Kring in an end-to-end encrypted room: it reads, counts, answers encrypted, and survives a restart."""

from __future__ import annotations

import asyncio
import itertools
import json
import stat
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from nio import (
    AsyncClient,
    AsyncClientConfig,
    DownloadResponse,
    LoginResponse,
    RoomEncryptedFile,
    RoomSendResponse,
    SyncResponse,
)
from nio.crypto.attachments import decrypt_attachment

from bot.identity.device_keys import keep_keys_flowing

from .community import BotWatcher, served_room
from .helpers import MEMBER_PASSWORD, invited_by
from .kring_process import KringProcess
from .synapse_server import SynapseServer

_runs = itertools.count(1)
ENCRYPTION_STATE = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]


class EncryptedMember:
    """A member whose client encrypts, like Element: its own device keys, a crypto store on disk."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def sync(self) -> None:
        response = await self.client.sync(timeout=500)
        assert isinstance(response, SyncResponse), response
        await self.keys()

    async def keys(self) -> None:
        await keep_keys_flowing(self.client)  # what any encrypting client does around a sync

    async def wait_for_device_of(self, user_id: str, within: float = 30.0) -> None:
        """Until this member's client knows a device of `user_id` (so room keys are shared with it)."""
        async with asyncio.timeout(within):
            while not list(self.client.device_store.active_user_devices(user_id)):
                await self.sync()

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        await self.sync()
        sent = await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
        assert isinstance(sent, RoomSendResponse), sent
        return str(sent.event_id)

    async def say(self, room_id: str, body: str) -> str:
        return await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})

    async def react(self, room_id: str, target: str, key: str) -> str:
        relation = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        return await self.send(room_id, "m.reaction", relation)


@pytest_asyncio.fixture
async def encrypted_members(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[list[EncryptedMember]]:
    members: list[EncryptedMember] = []
    run = next(_runs)  # one Synapse serves the whole session: each test registers its own accounts
    for localpart in (f"enc-anna-{run}", f"enc-bob-{run}"):
        user_id = await asyncio.to_thread(synapse.register_user, localpart, MEMBER_PASSWORD)
        store = tmp_path / localpart
        store.mkdir()
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_timeouts=5)
        client = AsyncClient(synapse.url, user_id, store_path=str(store), config=config)
        assert isinstance(await client.login(MEMBER_PASSWORD, device_name="test"), LoginResponse)
        member = EncryptedMember(client)
        await member.keys()
        members.append(member)
    yield members
    for member in members:
        await member.client.close()


def _devices(synapse: SynapseServer, user_id: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{synapse.url}/_synapse/admin/v2/users/{user_id}/devices",
        headers={"Authorization": f"Bearer {synapse.admin_token}"},
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        devices: list[dict[str, Any]] = json.load(response)["devices"]
    return devices


def _raw_event(synapse: SynapseServer, client: AsyncClient, room_id: str, event_id: str) -> dict[str, Any]:
    quote = urllib.parse.quote
    request = urllib.request.Request(
        f"{synapse.url}/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}",
        headers={"Authorization": f"Bearer {client.access_token}"},
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        event: dict[str, Any] = json.load(response)
    return event


async def encrypted_community(
    synapse: SynapseServer,
    members: list[EncryptedMember],
    base_dir: Path,
    processes: list[KringProcess],
    bot_name: str,
    **tables: Any,
) -> tuple[str, KringProcess]:
    """An encrypted room of the first member's, the others joined, and a bot invited to it (not started)."""
    owner, *others = [member.client for member in members]
    return await served_room(
        synapse,
        owner,
        others,
        base_dir / "bot",
        processes,
        bot_name,
        initial_state=ENCRYPTION_STATE,
        start=False,
        tables=tables,
    )


async def test_full_flow_in_an_encrypted_room_across_a_restart(
    synapse: SynapseServer,
    encrypted_members: list[EncryptedMember],
    tmp_path: Path,
    processes: list[KringProcess],
) -> None:
    anna, bob = encrypted_members
    room_id, kring = await encrypted_community(
        synapse, encrypted_members, tmp_path, processes, "kring-e2e", proposals={"withdraw_lock_hours": 0}
    )
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    for member in (anna, bob):
        await member.wait_for_device_of(kring.user_id)
    watcher = BotWatcher(bob.client, room_id, kring.user_id)

    help_request = await anna.say(room_id, "!help")
    reply = await watcher.wait_for("Kring commands")
    assert reply["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == help_request
    assert reply["content"]["msgtype"] == "m.notice"
    # On the wire it is encrypted; bob's client decrypted it.
    on_server = _raw_event(synapse, bob.client, room_id, reply["event_id"])
    assert on_server["type"] == "m.room.encrypted"
    assert "Kring commands" not in json.dumps(on_server)

    idea = await anna.say(room_id, "An encrypted idea: one courier for the district")
    await bob.react(room_id, idea, "👍")
    await bob.say(room_id, f"!rep {anna.user_id}")
    rep = await watcher.wait_for("in this room (rank")
    assert "has 1 credit in this room" in rep["content"]["body"]

    first_devices = _devices(synapse, kring.user_id)
    # Registering the account made one device; the bot's own login made exactly one more, named "kring".
    assert [d["display_name"] for d in first_devices if d.get("display_name")] == ["kring"], first_devices
    assert kring.stop() == 0
    # The device's keys and the database holding its token are the owner's alone (issue: secrets at rest).
    key_store = kring.base_dir / "kring-store"
    assert stat.S_IMODE(key_store.stat().st_mode) == 0o700
    key_files = list(key_store.iterdir())
    assert key_files and {stat.S_IMODE(path.stat().st_mode) for path in key_files} == {0o600}
    assert {stat.S_IMODE(path.stat().st_mode) for path in kring.base_dir.glob("kring.db*")} == {0o600}
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    after_restart = _devices(synapse, kring.user_id)
    assert sorted(d["device_id"] for d in after_restart) == sorted(d["device_id"] for d in first_devices)

    await anna.say(room_id, "!propose Encrypted courier €100 in 1 minute")
    await watcher.wait_for("New proposal #1")
    await bob.say(room_id, "!backme 1 €100")
    await watcher.wait_for("you back #1")
    decision = await watcher.wait_for("GO #1", within=90)
    assert decision["content"]["body"].startswith("✅ GO #1")
    assert bob.user_id in decision["content"]["m.mentions"]["user_ids"]


async def test_mydata_arrives_encrypted_in_an_encrypted_direct_room(
    synapse: SynapseServer,
    encrypted_members: list[EncryptedMember],
    tmp_path: Path,
    processes: list[KringProcess],
) -> None:
    anna, bob = encrypted_members
    room_id, kring = await encrypted_community(synapse, encrypted_members, tmp_path, processes, "kring-e2e-copy")
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    await bob.wait_for_device_of(kring.user_id)
    watcher = BotWatcher(anna.client, room_id, kring.user_id)
    idea = await bob.say(room_id, "An encrypted idea of Bob's")
    await watcher.wait_for_reply(await bob.say(room_id, "!mydata"))

    direct, _ = await invited_by(bob.client, kring.user_id)
    await bob.client.join(direct)
    file_event: RoomEncryptedFile | None = None
    async with asyncio.timeout(30):
        while file_event is None:
            response = await bob.client.sync(timeout=1000)
            assert isinstance(response, SyncResponse), response
            await bob.keys()
            joined = response.rooms.join.get(direct)
            for event in joined.timeline.events if joined else []:
                if isinstance(event, RoomEncryptedFile):
                    file_event = event
    on_server = _raw_event(synapse, bob.client, direct, file_event.event_id)
    assert on_server["type"] == "m.room.encrypted"  # the message is encrypted…
    downloaded = await bob.client.download(file_event.url)
    assert isinstance(downloaded, DownloadResponse), downloaded
    assert b"Bob's" not in downloaded.body  # …and so is the file on the media server
    plain = decrypt_attachment(downloaded.body, file_event.key["k"], file_event.hashes["sha256"], file_event.iv)
    copy = json.loads(plain)
    assert copy["user_id"] == bob.user_id
    assert [m["excerpt"] for m in copy["messages"] if m["event_id"] == idea] == ["An encrypted idea of Bob's"]
