"""Kring's device, cross-signed by its own account, as any member's client reads it from the homeserver.

The signatures are checked with `signedjson` (Synapse's own library), not with Kring's code. What Element's
crypto makes of it is tested in test_element_encrypted.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from unpaddedbase64 import decode_base64

from bot.secret_storage import encode_recovery_key

from .community import served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer
from .test_check import check

ENCRYPTION_STATE = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
RECOVERY_KEY = re.compile(r"kring:\s+((?:[1-9A-HJ-NP-Za-km-z]{4} ){11}[1-9A-HJ-NP-Za-km-z]{4})\n")


class Published:
    """What /keys/query tells a member about the bot's account: its master, self-signing and device keys."""

    def __init__(self, answer: dict[str, Any], user_id: str) -> None:
        self.user_id = user_id
        self.master: dict[str, Any] = answer["master_keys"][user_id]
        self.self_signing: dict[str, Any] = answer["self_signing_keys"][user_id]
        self.devices: dict[str, dict[str, Any]] = answer["device_keys"][user_id]

    @staticmethod
    def _key(obj: dict[str, Any]) -> str:
        [public] = obj["keys"].values()
        return str(public)

    @property
    def master_key(self) -> str:
        return self._key(self.master)

    def signed_by(self, obj: dict[str, Any], public_key: str) -> bool:
        verify_key = decode_verify_key_bytes(f"ed25519:{public_key}", decode_base64(public_key))
        try:
            verify_signed_json(obj, self.user_id, verify_key)
        except SignatureVerifyException:
            return False
        return True

    def device_cross_signed(self, device_id: str) -> bool:
        """The device is signed by the self-signing key, and that key by the master key."""
        return self.signed_by(self.self_signing, self.master_key) and self.signed_by(
            self.devices[device_id], self._key(self.self_signing)
        )


def published(synapse: SynapseServer, user_id: str) -> Published:
    answer = synapse.admin_post("/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}})
    return Published(answer, user_id)


def keys_line(keys: Published, device_id: str) -> str:
    signing = Published._key(keys.self_signing)
    return f"device {device_id} signed by self-signing key {signing}, signed by master key {keys.master_key}"


def device_of(kring: KringProcess) -> str:
    """The device of the bot's stored login."""
    with sqlite3.connect(kring.database) as db:
        [(value,)] = db.execute("SELECT value FROM kv WHERE key = 'matrix.login'").fetchall()
    return str(json.loads(value)["device_id"])


def recovery_keys_printed(kring: KringProcess) -> list[str]:
    return RECOVERY_KEY.findall(kring.run_log())


async def new_bot(
    synapse: SynapseServer, make_member: MakeMember, base_dir: Path, processes: list[KringProcess], name: str
) -> KringProcess:
    """A bot invited to an encrypted room of a new member's, not started."""
    owner = await make_member(f"{name}-owner")
    _, kring = await served_room(
        synapse, owner, [], base_dir, processes, name, initial_state=ENCRYPTION_STATE, start=False
    )
    return kring


async def started(kring: KringProcess, *options: str) -> None:
    kring.start(*options)
    await asyncio.to_thread(kring.wait_for_log, "cross-signed:", 60)


async def refused(kring: KringProcess, *options: str) -> str:
    """Start, expect kring to stop by itself with exit code 1: the last line it logged."""
    kring.start(*options)
    code = await asyncio.to_thread(kring.wait_for_exit)
    assert code == 1, kring.log_tail()
    return kring.run_log()


def lose_database(kring: KringProcess) -> None:
    for path in kring.base_dir.glob("kring.db*"):
        path.unlink()
    shutil.rmtree(kring.base_dir / "kring-store")


async def test_a_new_account_gets_cross_signing_and_keeps_it_across_restarts_and_devices(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    kring = await new_bot(synapse, make_member, tmp_path, processes, "kring-xs-new")
    await started(kring)
    first_device = device_of(kring)
    keys = published(synapse, kring.user_id)
    assert keys.device_cross_signed(first_device)
    [recovery_key] = recovery_keys_printed(kring)
    code, rows = await asyncio.to_thread(check, kring.config_path)  # beside the running bot
    assert code == 0 and rows["cross-signing"] == [f"ok {keys_line(keys, first_device)}"], rows
    [room_row] = [row for name, row in rows.items() if name.startswith("room ")]
    assert f"device {first_device} cross-signed" in room_row[0], rows
    assert recovery_key not in kring.run_log().replace(f"kring:     {recovery_key}", "")  # printed once, not logged
    master = keys.master_key

    assert kring.stop() == 0
    await started(kring)
    assert device_of(kring) == first_device and recovery_keys_printed(kring) == []
    assert published(synapse, kring.user_id).master_key == master

    assert kring.stop() == 0
    await started(kring, "--new-device")
    second_device = device_of(kring)
    assert second_device != first_device
    after = published(synapse, kring.user_id)
    assert after.master_key == master and after.device_cross_signed(second_device)
    assert recovery_keys_printed(kring) == []
    assert kring.stop() == 0

    # A lost database: without the recovery key Kring refuses, and says what to do; with it, the same identity.
    lose_database(kring)
    said = await refused(kring)
    assert "already has cross-signing keys that Kring does not hold" in said
    assert "KRING_RECOVERY_KEY" in said and "--reset-cross-signing" in said
    # Its new device is logged in but unsigned: check says so, beside the encrypted room too.
    code, rows = await asyncio.to_thread(check, kring.config_path)
    unsigned = device_of(kring)
    assert code == 1 and rows["cross-signing"][0].startswith(f"FAIL device {unsigned} is not signed"), rows
    [room_row] = [row for name, row in rows.items() if name.startswith("room ")]
    assert room_row[0].startswith("FAIL members on Element will not talk to the bot"), rows
    kring.environment["KRING_RECOVERY_KEY"] = encode_recovery_key(os.urandom(32))  # well-formed, another account's
    said = await refused(kring)
    assert "the recovery key does not open the secret storage of" in said, said
    kring.environment["KRING_RECOVERY_KEY"] = recovery_key.replace(
        recovery_key[5], "1" if recovery_key[5] != "1" else "2", 1
    )
    said = await refused(kring)
    assert "recovery key" in said and ("check digit" in said or "does not open" in said), said
    kring.environment["KRING_RECOVERY_KEY"] = recovery_key
    await started(kring)
    restored = published(synapse, kring.user_id)
    assert restored.master_key == master and restored.device_cross_signed(device_of(kring))
    assert kring.stop() == 0

    # A deliberate reset: a new master key, the device signed by it, a new recovery key shown.
    await started(kring, "--reset-cross-signing")
    reset = published(synapse, kring.user_id)
    assert reset.master_key != master and reset.device_cross_signed(device_of(kring))
    assert recovery_keys_printed(kring) == []  # the configured recovery key keeps opening the new keys
    assert kring.stop() == 0
