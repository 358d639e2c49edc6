"""Kring's device, cross-signed by its own account: make or adopt the account's cross-signing keys, sign the device.

Element (MSC4153) shares room keys only with devices their owner has cross-signed, and refuses to decrypt events
from any other device. nio has no cross-signing, so Kring does it here, with the client's own HTTP session:

- an account without cross-signing keys gets new ones (uploaded with the password where the homeserver asks for
  user-interactive auth), kept in secret storage under a recovery key that is written once, to an owner-only file;
- an account whose keys Kring holds (sealed with the pickle key in the database) signs each new device;
- an account whose keys were made elsewhere (in Element, or by a Kring whose database was lost) is adopted by
  reading the self-signing key from secret storage with the account's recovery key, never silently replaced.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from nio import AsyncClient

from bot.config import Settings
from bot.identity.secret_storage import (
    DEFAULT_KEY_TYPE,
    KEY_TYPE_PREFIX,
    SECRET_TYPES,
    SecretStorageError,
    StorageKey,
    decode_recovery_key,
    decrypt_secret,
    encrypt_secret,
)
from bot.identity.signing import CrossSigningKeys, SigningKey, public_key_of, verify
from bot.matrix.homeserver import FatalMatrixError, Patience, ShuttingDown, explain
from bot.ops.log_secrets import SECRETS
from storage.file_modes import write_private_file
from storage.store import Store

log = logging.getLogger(__name__)

HELD_KEY = "matrix.cross_signing"  # in the kv table: the sealed private keys and the user they belong to
CLIENT_API = "/_matrix/client/v3"
REFUSE_HINT = (
    "give its recovery key as KRING_RECOVERY_KEY or [matrix] recovery_key, or start once with "
    "`kring run --reset-cross-signing` to replace its keys (members then see a new identity for Kring)"
)


@dataclass(frozen=True)
class PublishedIdentity:
    """The account's cross-signing keys and one device's keys, as `/keys/query` serves them to anyone."""

    user_id: str
    device_id: str
    master: dict[str, Any] | None
    self_signing: dict[str, Any] | None
    device: dict[str, Any] | None

    @classmethod
    def from_query(cls, answer: dict[str, Any], user_id: str, device_id: str) -> PublishedIdentity:
        def of(field: str) -> dict[str, Any] | None:
            by_user = answer.get(field)
            value = by_user.get(user_id) if isinstance(by_user, dict) else None
            return value if isinstance(value, dict) else None

        devices = of("device_keys") or {}
        device = devices.get(device_id)
        return cls(
            user_id, device_id, of("master_keys"), of("self_signing_keys"), device if isinstance(device, dict) else None
        )

    @property
    def master_public(self) -> str | None:
        return public_key_of(self.master)

    @property
    def self_signing_public(self) -> str | None:
        return public_key_of(self.self_signing)

    @property
    def self_signing_by_master(self) -> bool:
        """The self-signing key is the account's: signed by its master key."""
        master = self.master_public
        return bool(master and self.self_signing and verify(self.self_signing, self.user_id, master))

    @property
    def device_by_self_signing(self) -> bool:
        """The device is signed by the account's self-signing key."""
        signing = self.self_signing_public
        return bool(signing and self.device and verify(self.device, self.user_id, signing))

    @property
    def cross_signed(self) -> bool:
        """What Element asks of a device before it shares a room key with it."""
        return self.self_signing_by_master and self.device_by_self_signing

    def describe(self) -> str:
        """One line for `kring check` and the log."""
        if self.device is None:
            return f"device {self.device_id} has no keys on the homeserver yet"
        if self.master is None:
            return f"device {self.device_id} is not cross-signed: the account has no cross-signing keys"
        if not self.self_signing_by_master:
            return f"device {self.device_id}: the account's self-signing key is not signed by its master key"
        if not self.device_by_self_signing:
            return f"device {self.device_id} is not signed by the account's self-signing key"
        return (
            f"device {self.device_id} signed by self-signing key {self.self_signing_public}, "
            f"signed by master key {self.master_public}"
        )


RECOVERY_KEY_FILE = "kring-recovery-key-{stamp}.txt"


def announce_recovery_key(out: TextIO, database: Path, user_id: str, recovery_key: str) -> Path:
    """Write a new recovery key to an owner-only file beside the database and name that file on `out`: standard
    error ends up in journald and `podman logs`, which keep what they are given."""
    path = database.resolve().parent / RECOVERY_KEY_FILE.format(stamp=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    write_private_file(path, f"{user_id}\n{recovery_key}\n".encode())
    out.write(
        f"kring: made cross-signing keys for {user_id}. Its recovery key is in {path} (readable by this user "
        "only), written only this once.\n"
        "kring: keep it beside the pickle key, then delete the file. With it a new Kring (or Element) takes over "
        "this identity; set it as KRING_RECOVERY_KEY or [matrix] recovery_key when the database is lost.\n"
    )
    out.flush()
    return path


class CrossSigning:
    """Makes sure the bot's device is cross-signed before it serves; refuses (fatally) rather than guess."""

    def __init__(
        self, settings: Settings, store: Store, client: AsyncClient, patience: Patience, out: TextIO | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.patience = patience
        self.out = out or sys.stderr
        self.user_id = settings.matrix.user_id

    async def ensure(self, *, reset: bool = False) -> PublishedIdentity:
        """Sign this device with the account's self-signing key, making or adopting the keys first."""
        if self.client.should_upload_keys:  # a device can only be signed once its keys are on the homeserver
            await self.patience.until_answered("uploading the device's keys", self.client.keys_upload)
        identity = await self.published()
        held = await self._held()
        if reset:
            keys = await self._create(replacing=identity.master is not None)
        elif identity.master_public is None:
            keys = await self._create(replacing=False, reuse=held)
        elif held is not None and _matches(held, identity):
            keys = held
        else:
            keys = await self._adopt(identity, had_others=held is not None)
        identity = await self.published()
        if not identity.device_by_self_signing:
            await self._sign_device(keys, identity)
            identity = await self.published()
        if not identity.cross_signed:
            raise FatalMatrixError(f"cross-signing did not take: {identity.describe()}")
        log.info("cross-signed: %s", identity.describe())
        return identity

    # what the homeserver publishes
    async def published(self) -> PublishedIdentity:
        body = keys_query_body(self.user_id)
        status, answer = await self._ask("reading the account's keys", "POST", "/keys/query", body)
        if status != 200:
            raise FatalMatrixError(f"the homeserver refused /keys/query: {_reason(status, answer)}")
        return PublishedIdentity.from_query(answer, self.user_id, str(self.client.device_id))

    # the keys Kring holds
    async def _held(self) -> CrossSigningKeys | None:
        stored = await self.store.key_values.get(HELD_KEY)
        if not stored:
            return None
        record = json.loads(stored)
        if record.get("user_id") != self.user_id:
            return None  # the config now names another account
        try:
            return await asyncio.to_thread(
                CrossSigningKeys.unseal, str(record["sealed"]), self.settings.matrix.pickle_key, self.user_id
            )
        except ValueError as error:
            log.warning("ignoring the stored cross-signing keys: %s", error)
            return None

    async def _hold(self, keys: CrossSigningKeys) -> None:
        sealed = await asyncio.to_thread(keys.seal, self.settings.matrix.pickle_key, self.user_id)
        async with self.store.transaction():
            await self.store.key_values.set(HELD_KEY, json.dumps({"user_id": self.user_id, "sealed": sealed}))

    # a new identity
    async def _create(self, *, replacing: bool, reuse: CrossSigningKeys | None = None) -> CrossSigningKeys:
        """New keys (or keys made before a crash, not yet published), held first, then stored and published."""
        keys = reuse if reuse is not None and reuse.master and reuse.user_signing else CrossSigningKeys.generate()
        await self._hold(keys)
        storage, printed = await self._storage_key_for_new_keys()
        for usage, key in keys.by_usage().items():
            name = SECRET_TYPES[usage]
            await self._put_account_data(
                name, {"encrypted": {storage.key_id: encrypt_secret(storage.key, name, key.seed)}}
            )
        await self._put_account_data(DEFAULT_KEY_TYPE, {"key": storage.key_id})
        await self._upload_keys(keys, replacing=replacing)
        if printed:
            SECRETS.remember(storage.recovery_key)
            beside = Path(self.settings.storage.database)
            await asyncio.to_thread(announce_recovery_key, self.out, beside, self.user_id, storage.recovery_key)
        log.info("%s cross-signing keys for %s", "replaced the" if replacing else "made", self.user_id)
        return keys

    async def _storage_key_for_new_keys(self) -> tuple[StorageKey, bool]:
        """The configured recovery key (the secret storage it opens, or a new one under it), else a new key
        to print. True when the key is new and must be shown to the operator."""
        configured = self.settings.matrix.recovery_key
        if not configured:
            storage = StorageKey.generate()
            await self._put_account_data(KEY_TYPE_PREFIX + storage.key_id, storage.description())
            return storage, True
        key = self._decode(configured)
        default = await self._get_account_data(DEFAULT_KEY_TYPE)
        key_id = default.get("key") if default else None
        if isinstance(key_id, str):
            description = await self._get_account_data(KEY_TYPE_PREFIX + key_id)
            if StorageKey(key_id, key).opens(description):
                return StorageKey(key_id, key), False
        storage = StorageKey(StorageKey.generate().key_id, key)
        await self._put_account_data(KEY_TYPE_PREFIX + storage.key_id, storage.description())
        return storage, False

    async def _upload_keys(self, keys: CrossSigningKeys, *, replacing: bool) -> None:
        body = keys.upload_body(self.user_id)
        path = "/keys/device_signing/upload"
        status, answer = await self._ask("uploading cross-signing keys", "POST", path, body)
        if status == 401 and isinstance(answer.get("flows"), list):
            body["auth"] = self._password_auth(answer, replacing=replacing)
            status, answer = await self._ask("uploading cross-signing keys", "POST", path, body)
        if status != 200:
            raise FatalMatrixError(f"the homeserver refused Kring's cross-signing keys: {_reason(status, answer)}")

    def _password_auth(self, challenge: dict[str, Any], *, replacing: bool) -> dict[str, Any]:
        """User-interactive auth by the bot's password: the one stage Kring can answer."""
        password = self.settings.matrix.password
        stages = [flow.get("stages") for flow in challenge["flows"] if isinstance(flow, dict)]
        what = "replacing the account's cross-signing keys" if replacing else "uploading cross-signing keys"
        if ["m.login.password"] not in stages:
            raise FatalMatrixError(
                f"{what} needs {stages} on this homeserver; Kring can answer only a password. "
                "Set up cross-signing for the account in Element and give Kring its recovery key instead"
            )
        if not password:
            raise FatalMatrixError(f"{what} needs the account's password: set matrix.password or KRING_PASSWORD")
        return {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self.user_id},
            "password": password,
            "session": challenge.get("session"),
        }

    # an identity made elsewhere
    async def _adopt(self, identity: PublishedIdentity, *, had_others: bool) -> CrossSigningKeys:
        configured = self.settings.matrix.recovery_key
        why = (
            "its cross-signing keys changed since Kring made them"
            if had_others
            else "it already has cross-signing keys that Kring does not hold (set up in another client, "
            "or by a Kring whose database was lost)"
        )
        if not configured:
            raise FatalMatrixError(f"{self.user_id} cannot sign this device: {why}; {REFUSE_HINT}")
        key = self._decode(configured)
        default = await self._get_account_data(DEFAULT_KEY_TYPE)
        key_id = default.get("key") if default else None
        if not isinstance(key_id, str):
            raise FatalMatrixError(
                f"{self.user_id} has cross-signing keys but no secret storage to read them from; "
                "start once with `kring run --reset-cross-signing` to replace them"
            )
        storage = StorageKey(key_id, key)
        if not storage.opens(await self._get_account_data(KEY_TYPE_PREFIX + key_id)):
            raise FatalMatrixError(
                f"the recovery key does not open the secret storage of {self.user_id} (key {key_id}): "
                "check KRING_RECOVERY_KEY / [matrix] recovery_key, or replace the keys with "
                "`kring run --reset-cross-signing`"
            )
        seeds: dict[str, SigningKey] = {}
        published = {"master": identity.master_public, "self_signing": identity.self_signing_public}
        for usage, name in SECRET_TYPES.items():
            stored = await self._get_account_data(name)
            encrypted = stored.get("encrypted", {}).get(key_id) if stored else None
            if encrypted is None:
                continue
            try:
                seeds[usage] = SigningKey(decrypt_secret(storage.key, name, encrypted))
            except SecretStorageError as error:
                raise FatalMatrixError(f"cannot read {name} from secret storage: {error}") from None
        signing = seeds.get("self_signing")
        if signing is None or signing.public != published["self_signing"]:
            raise FatalMatrixError(
                f"the secret storage of {self.user_id} holds no self-signing key matching the published one; "
                "replace the keys with `kring run --reset-cross-signing`"
            )
        master = seeds.get("master")
        keys = CrossSigningKeys(
            self_signing=signing,
            master=master if master is not None and master.public == published["master"] else None,
            user_signing=seeds.get("user_signing"),
        )
        await self._hold(keys)
        log.info("adopted the cross-signing keys of %s from secret storage", self.user_id)
        return keys

    def _decode(self, recovery_key: str) -> bytes:
        try:
            return decode_recovery_key(recovery_key)
        except SecretStorageError as error:
            raise FatalMatrixError(f"matrix.recovery_key: {error}") from None

    # signing the device
    async def _sign_device(self, keys: CrossSigningKeys, identity: PublishedIdentity) -> None:
        if identity.device is None:
            raise FatalMatrixError(f"device {identity.device_id} has no keys on the homeserver to sign")
        device = {key: value for key, value in identity.device.items() if key not in ("signatures", "unsigned")}
        signed = {
            **device,
            "signatures": {self.user_id: keys.self_signing.signed(device, self.user_id)["signatures"][self.user_id]},
        }
        body = {self.user_id: {identity.device_id: signed}}
        status, answer = await self._ask("signing the device", "POST", "/keys/signatures/upload", body)
        failures = answer.get("failures") if isinstance(answer, dict) else None
        if status != 200 or failures:
            raise FatalMatrixError(
                f"the homeserver refused the device's signature: {_reason(status, failures or answer)}"
            )
        log.info("signed device %s with the self-signing key", identity.device_id)

    # account data
    async def _get_account_data(self, event_type: str) -> dict[str, Any] | None:
        status, answer = await self._ask(f"reading {event_type}", "GET", self._account_data_path(event_type))
        if status == 404:
            return None
        if status != 200:
            raise FatalMatrixError(f"cannot read {event_type} from account data: {_reason(status, answer)}")
        return answer

    async def _put_account_data(self, event_type: str, content: dict[str, Any]) -> None:
        status, answer = await self._ask(f"writing {event_type}", "PUT", self._account_data_path(event_type), content)
        if status != 200:
            raise FatalMatrixError(f"cannot write {event_type} to account data: {_reason(status, answer)}")

    def _account_data_path(self, event_type: str) -> str:
        quote = urllib.parse.quote
        return f"/user/{quote(self.user_id, safe='')}/account_data/{quote(event_type, safe='')}"

    # one request, waited out while the homeserver is away
    async def _ask(self, what: str, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        while True:
            if self.patience.stopping.is_set():
                raise ShuttingDown(what)
            try:
                status, answer = await self._once(method, CLIENT_API + path, body)
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                reason = explain(error, self.patience.homeserver)
            else:
                if status < 500 and status != 429:
                    self.patience.succeeded()
                    return status, answer
                reason = f"{what}: {self.patience.homeserver} answered {status}"
            await self.patience.back_off(reason)

    async def _once(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        return await request_json(self.client, method, path, body)


def keys_query_body(user_id: str) -> dict[str, Any]:
    return {"device_keys": {user_id: []}, "timeout": 10000}


async def request_json(client: AsyncClient, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """One client-API request on nio's HTTP session, as the logged-in account: status and JSON object."""
    headers = {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body)
    response = await client.send(method, path, data, headers=headers)
    try:
        answer = await response.json(content_type=None)
    except (json.JSONDecodeError, aiohttp.ContentTypeError, UnicodeDecodeError):
        answer = {}
    finally:
        response.release()
    return response.status, answer if isinstance(answer, dict) else {}


def _matches(held: CrossSigningKeys, identity: PublishedIdentity) -> bool:
    """The keys Kring holds are the ones the account publishes."""
    if held.self_signing.public != identity.self_signing_public:
        return False
    return held.master is None or held.master.public == identity.master_public


def _reason(status: int, answer: object) -> str:
    if isinstance(answer, dict) and ("errcode" in answer or "error" in answer):
        return f"{status} {answer.get('errcode', '')} {answer.get('error', '')}".strip()
    return f"{status} {json.dumps(answer)[:300]}"
