"""The bot's cross-signing identity as members' clients read it from the homeserver, and starting Kring until
it is cross-signed (or until it refuses to be)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from unpaddedbase64 import decode_base64

from .kring_process import KringProcess
from .synapse_server import SynapseServer

RECOVERY_KEY = re.compile(r"^((?:[1-9A-HJ-NP-Za-km-z]{4} ){11}[1-9A-HJ-NP-Za-km-z]{4})$", re.MULTILINE)
RECOVERY_KEY_FILE = re.compile(r"Its recovery key is in (\S+) \(readable")


class Published:
    """What /keys/query tells a member about the bot's account: its master, self-signing and device keys.

    The signatures are checked with `signedjson` (Synapse's own library), not with Kring's code."""

    def __init__(self, answer: dict[str, Any], user_id: str) -> None:
        self.user_id = user_id
        self.master: dict[str, Any] = answer["master_keys"][user_id]
        self.self_signing: dict[str, Any] = answer["self_signing_keys"][user_id]
        self.devices: dict[str, dict[str, Any]] = answer["device_keys"][user_id]

    @staticmethod
    def key_of(obj: dict[str, Any]) -> str:
        [public] = obj["keys"].values()
        return str(public)

    @property
    def master_key(self) -> str:
        return self.key_of(self.master)

    @property
    def self_signing_key(self) -> str:
        return self.key_of(self.self_signing)

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
            self.devices[device_id], self.self_signing_key
        )

    def check_line(self, device_id: str) -> str:
        """What `kring check` says of a cross-signed device."""
        return (
            f"device {device_id} signed by self-signing key {self.self_signing_key}, "
            f"signed by master key {self.master_key}"
        )


def published(synapse: SynapseServer, user_id: str) -> Published:
    answer = synapse.admin_post("/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}})
    return Published(answer, user_id)


def recovery_keys_printed(kring: KringProcess) -> list[str]:
    """The recovery keys this run wrote, read from the owner-only files its log names (the log never holds one)."""
    files = RECOVERY_KEY_FILE.findall(kring.run_log())
    return [RECOVERY_KEY.findall(Path(name).read_text(encoding="utf-8"))[0] for name in files]


async def started(kring: KringProcess, *options: str) -> None:
    """`kring run` with `options`, until it is cross-signed and serving."""
    kring.start(*options)
    await asyncio.to_thread(kring.wait_for_log, "cross-signed:", 60)
    await asyncio.to_thread(kring.wait_for_log, "ready:", 60)


async def refused(kring: KringProcess, *options: str) -> str:
    """Start, expect kring to stop by itself with exit code 1: what that run logged."""
    kring.start(*options)
    code = await asyncio.to_thread(kring.wait_for_exit)
    assert code == 1, kring.log_tail()
    return kring.run_log()
