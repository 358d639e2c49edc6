"""Signed JSON as Matrix defines it: canonical JSON, Ed25519 signatures, and the account's three cross-signing keys."""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

USAGES = ("master", "self_signing", "user_signing")
SALT_BYTES = 16
NONCE_BYTES = 12


def canonical_json(value: Any) -> bytes:
    """The spec's canonical JSON: keys sorted, no insignificant whitespace, UTF-8 (not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()


def encode_unpadded(data: bytes) -> str:
    """Unpadded standard base64, as Matrix writes keys and signatures (matrix-rust-sdk drops padded key ids)."""
    return base64.b64encode(data).decode().rstrip("=")


def decode_base64(text: str) -> bytes:
    """Padded or unpadded standard base64 (Element writes secret storage padded); ValueError when it is neither."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64: {error}") from None


def signable(obj: dict[str, Any]) -> bytes:
    """What a signature covers: the object without `signatures` and `unsigned`, in canonical JSON."""
    return canonical_json({key: value for key, value in obj.items() if key not in ("signatures", "unsigned")})


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key pair, from its 32-byte seed (the form secret storage and Element keep)."""

    seed: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(os.urandom(32))

    @property
    def public(self) -> str:
        raw = self._private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return encode_unpadded(raw)

    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def sign(self, obj: dict[str, Any]) -> str:
        return encode_unpadded(self._private().sign(signable(obj)))

    def signed(self, obj: dict[str, Any], user_id: str) -> dict[str, Any]:
        """`obj` with this key's signature added beside any it already has."""
        signatures = {user: dict(by_key) for user, by_key in dict(obj.get("signatures") or {}).items()}
        signatures.setdefault(user_id, {})[f"ed25519:{self.public}"] = self.sign(obj)
        return {**obj, "signatures": signatures}


def verify(obj: dict[str, Any], user_id: str, public_key: str) -> bool:
    """Whether `obj` carries a valid signature by `public_key` (unpadded base64) under `user_id`."""
    signatures = obj.get("signatures")
    by_user = signatures.get(user_id) if isinstance(signatures, dict) else None
    signature = by_user.get(f"ed25519:{public_key}") if isinstance(by_user, dict) else None
    if not isinstance(signature, str):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(decode_base64(public_key))
        key.verify(decode_base64(signature), signable(obj))
    except (ValueError, InvalidSignature):
        return False
    return True


def key_object(user_id: str, usage: str, public_key: str) -> dict[str, Any]:
    """A cross-signing key as `/keys/device_signing/upload` takes it, before signatures."""
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public_key}": public_key}}


def public_key_of(obj: object) -> str | None:
    """The single Ed25519 key of a published cross-signing key object, or None when it has none."""
    keys = obj.get("keys") if isinstance(obj, dict) else None
    if not isinstance(keys, dict):
        return None
    found = [value for key_id, value in keys.items() if key_id.startswith("ed25519:") and isinstance(value, str)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class CrossSigningKeys:
    """The account's master key and the two it signs. `master` and `user_signing` may be absent when only the
    self-signing key was read from secret storage: that is all signing our own device needs."""

    self_signing: SigningKey
    master: SigningKey | None = None
    user_signing: SigningKey | None = None

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(master=SigningKey.generate(), self_signing=SigningKey.generate(), user_signing=SigningKey.generate())

    def by_usage(self) -> dict[str, SigningKey]:
        present = {"master": self.master, "self_signing": self.self_signing, "user_signing": self.user_signing}
        return {usage: key for usage, key in present.items() if key is not None}

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """The three public keys, the self- and user-signing key signed by the master key."""
        if self.master is None or self.user_signing is None:
            raise ValueError("publishing cross-signing keys needs all three")
        master = key_object(user_id, "master", self.master.public)
        return {
            "master_key": master,
            "self_signing_key": self.master.signed(
                key_object(user_id, "self_signing", self.self_signing.public), user_id
            ),
            "user_signing_key": self.master.signed(
                key_object(user_id, "user_signing", self.user_signing.public), user_id
            ),
        }

    def seal(self, secret: str, user_id: str) -> str:
        """The private keys, encrypted with a key derived from `secret` (the pickle key), bound to `user_id`."""
        plain = canonical_json({usage: encode_unpadded(key.seed) for usage, key in self.by_usage().items()})
        salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
        sealed = AESGCM(_sealing_key(secret, salt)).encrypt(nonce, plain, user_id.encode())
        return encode_unpadded(salt + nonce + sealed)

    @classmethod
    def unseal(cls, sealed: str, secret: str, user_id: str) -> CrossSigningKeys:
        """The keys `seal` wrote; ValueError when the secret or the user differs, or the data is damaged."""
        raw = decode_base64(sealed)
        salt, nonce, body = (
            raw[:SALT_BYTES],
            raw[SALT_BYTES : SALT_BYTES + NONCE_BYTES],
            raw[SALT_BYTES + NONCE_BYTES :],
        )
        try:
            plain = AESGCM(_sealing_key(secret, salt)).decrypt(nonce, body, user_id.encode())
        except InvalidTag:
            raise ValueError("the stored cross-signing keys do not open with this pickle key") from None
        seeds = {usage: SigningKey(decode_base64(seed)) for usage, seed in json.loads(plain).items()}
        return cls(
            self_signing=seeds["self_signing"], master=seeds.get("master"), user_signing=seeds.get("user_signing")
        )


def _sealing_key(secret: str, salt: bytes) -> bytes:
    # scrypt, not a plain hash: a pickle key is often a passphrase an operator chose.
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(secret.encode())
