"""Kring's device, cross-signed by its own account, as any member's client reads it from the homeserver.

The signatures are checked with `signedjson` (Synapse's own library), not with Kring's code. What Element's
crypto makes of it is tested in test_element_encrypted.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from bot.identity.secret_storage import SecretStorageError, decode_recovery_key, encode_recovery_key

from .community import served_room
from .helpers import MakeMember
from .identity import published, recovery_keys_printed, refused, started
from .kring_process import KringProcess
from .synapse_server import SynapseServer
from .test_check import check

ENCRYPTION_STATE = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]


async def new_bot(
    synapse: SynapseServer, make_member: MakeMember, base_dir: Path, processes: list[KringProcess], name: str
) -> KringProcess:
    """A bot invited to an encrypted room of a new member's, not started."""
    owner = await make_member(f"{name}-owner")
    _, kring = await served_room(
        synapse, owner, [], base_dir, processes, name, initial_state=ENCRYPTION_STATE, start=False
    )
    return kring


def lose_database(kring: KringProcess) -> None:
    for path in kring.base_dir.glob("kring.db*"):
        path.unlink()
    shutil.rmtree(kring.base_dir / "kring-store")


async def test_a_new_account_gets_cross_signing_and_keeps_it_across_restarts_and_devices(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    kring = await new_bot(synapse, make_member, tmp_path, processes, "kring-xs-new")
    await started(kring)
    first_device = kring.stored_device()
    keys = published(synapse, kring.user_id)
    assert keys.device_cross_signed(first_device)
    [recovery_key] = recovery_keys_printed(kring)
    code, rows = await asyncio.to_thread(check, kring.config_path)  # beside the running bot
    assert code == 0 and rows["cross-signing"] == [f"ok {keys.check_line(first_device)}"], rows
    [room_row] = [row for name, row in rows.items() if name.startswith("room ")]
    assert f"device {first_device} cross-signed" in room_row[0], rows
    assert recovery_key not in kring.run_log()  # written once to an owner-only file, never to the log
    master = keys.master_key

    assert kring.stop() == 0
    await started(kring)
    assert kring.stored_device() == first_device and recovery_keys_printed(kring) == []
    assert published(synapse, kring.user_id).master_key == master

    assert kring.stop() == 0
    await started(kring, "--new-device")
    second_device = kring.stored_device()
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
    unsigned = kring.stored_device()
    assert code == 1 and rows["cross-signing"][0].startswith(f"FAIL device {unsigned} is not signed"), rows
    [room_row] = [row for name, row in rows.items() if name.startswith("room ")]
    assert room_row[0].startswith("FAIL members on Element will not talk to the bot"), rows
    kring.environment["KRING_RECOVERY_KEY"] = encode_recovery_key(os.urandom(32))  # well-formed, another account's
    said = await refused(kring)
    assert "the recovery key does not open the secret storage of" in said, said
    kring.environment["KRING_RECOVERY_KEY"] = mistyped(recovery_key)
    said = await refused(kring)
    assert "recovery key" in said and ("check digit" in said or "does not open" in said), said
    kring.environment["KRING_RECOVERY_KEY"] = recovery_key
    await started(kring)
    restored = published(synapse, kring.user_id)
    assert restored.master_key == master and restored.device_cross_signed(kring.stored_device())
    assert kring.stop() == 0

    # A deliberate reset: a new master key, the device signed by it, a new recovery key shown.
    await started(kring, "--reset-cross-signing")
    reset = published(synapse, kring.user_id)
    assert reset.master_key != master and reset.device_cross_signed(kring.stored_device())
    assert recovery_keys_printed(kring) == []  # the configured recovery key keeps opening the new keys
    assert kring.stop() == 0


def mistyped(recovery_key: str) -> str:
    """The key with its last character mistyped, as a member might: its check digit catches that. (Changing a
    character near the start could change the key's prefix instead, which is refused for another reason.)"""
    for char in "23456789ABCDEFGH":
        candidate = recovery_key[:-1] + char
        if candidate == recovery_key:
            continue
        try:
            decode_recovery_key(candidate)
        except SecretStorageError as error:
            if "check digit" in str(error):
                return candidate
    raise AssertionError(f"no one-character typo of {recovery_key!r} is caught by its check digit")
