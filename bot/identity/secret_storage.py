"""Secret storage (`m.secret_storage`, SSSS) as Element keeps it: recovery keys, key checks, encrypted secrets."""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.identity.signing import decode_base64, encode_unpadded

ALGORITHM = "m.secret_storage.v1.aes-hmac-sha2"
DEFAULT_KEY_TYPE = "m.secret_storage.default_key"
KEY_TYPE_PREFIX = "m.secret_storage.key."
SECRET_TYPES = {
    "master": "m.cross_signing.master",
    "self_signing": "m.cross_signing.self_signing",
    "user_signing": "m.cross_signing.user_signing",
}
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_PREFIX = bytes([0x8B, 0x01])


class SecretStorageError(ValueError):
    """A recovery key that is malformed or does not open the account's secret storage, or damaged storage."""


def encode_recovery_key(key: bytes) -> str:
    """The 32-byte key as Element shows it: a prefix, a parity byte, base58, in groups of four."""
    raw = _PREFIX + key
    parity = 0
    for byte in raw:
        parity ^= byte
    number = int.from_bytes(raw + bytes([parity]), "big")  # starts with 0x8B: no leading zero bytes to keep
    text = ""
    while number:
        number, remainder = divmod(number, 58)
        text = _BASE58[remainder] + text
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def decode_recovery_key(text: str) -> bytes:
    """The key inside a recovery key; SecretStorageError saying what is wrong with it."""
    compact = "".join(text.split())
    if not compact:
        raise SecretStorageError("the recovery key is empty")
    number = 0
    for char in compact:
        digit = _BASE58.find(char)
        if digit < 0:
            raise SecretStorageError(f"the recovery key holds {char!r}, which no recovery key has")
        number = number * 58 + digit
    leading = len(compact) - len(compact.lstrip("1"))
    raw = b"\0" * leading + number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(raw) != 35 or raw[:2] != _PREFIX:
        raise SecretStorageError("this is not a recovery key (wrong length or prefix); copy all 48 characters")
    parity = 0
    for byte in raw[:34]:
        parity ^= byte
    if parity != raw[34]:
        raise SecretStorageError("the recovery key has a typing error (its check digit does not match)")
    return raw[2:34]


def _derive(key: bytes, name: str) -> tuple[bytes, bytes]:
    both = HKDF(algorithm=hashes.SHA256(), length=64, salt=bytes(32), info=name.encode()).derive(key)
    return both[:32], both[32:]


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    coder = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return coder.update(data) + coder.finalize()


def _mac(key: bytes, data: bytes) -> bytes:
    signer = crypto_hmac.HMAC(key, hashes.SHA256())
    signer.update(data)
    return signer.finalize()


def _new_iv() -> bytes:
    iv = bytearray(os.urandom(16))
    iv[8] &= 0x7F  # the spec clears bit 63, for AES-CTR implementations that count in 64 bits
    return bytes(iv)


def encrypt_secret(key: bytes, name: str, secret: bytes) -> dict[str, str]:
    """One secret for account data: the spec's plaintext is the unpadded base64 of the secret itself."""
    aes_key, mac_key = _derive(key, name)
    iv = _new_iv()
    ciphertext = _aes_ctr(aes_key, iv, encode_unpadded(secret).encode())
    return {
        "iv": encode_unpadded(iv),
        "ciphertext": encode_unpadded(ciphertext),
        "mac": encode_unpadded(_mac(mac_key, ciphertext)),
    }


def decrypt_secret(key: bytes, name: str, encrypted: object) -> bytes:
    """The secret `encrypt_secret` (or Element) stored under `name`; SecretStorageError when it does not open."""
    if not isinstance(encrypted, dict) or not all(
        isinstance(encrypted.get(f), str) for f in ("iv", "ciphertext", "mac")
    ):
        raise SecretStorageError(f"{name} in secret storage is not an encrypted secret")
    aes_key, mac_key = _derive(key, name)
    try:
        ciphertext = decode_base64(encrypted["ciphertext"])
        mac = decode_base64(encrypted["mac"])
        iv = decode_base64(encrypted["iv"])
    except ValueError as error:
        raise SecretStorageError(f"{name} in secret storage is damaged: {error}") from None
    if not hmac.compare_digest(mac, _mac(mac_key, ciphertext)) or len(iv) != 16:
        raise SecretStorageError(f"{name} in secret storage does not open with this recovery key")
    try:
        return decode_base64(_aes_ctr(aes_key, iv, ciphertext).decode())
    except (UnicodeDecodeError, ValueError):
        raise SecretStorageError(f"{name} in secret storage is damaged") from None


@dataclass(frozen=True)
class StorageKey:
    """A secret storage key: its id on the account, and the 32 bytes a recovery key encodes."""

    key_id: str
    key: bytes

    @classmethod
    def generate(cls) -> StorageKey:
        return cls(encode_unpadded(os.urandom(24)).replace("/", "_").replace("+", "-"), os.urandom(32))

    @property
    def recovery_key(self) -> str:
        return encode_recovery_key(self.key)

    def description(self) -> dict[str, Any]:
        """`m.secret_storage.key.<id>`: the algorithm and a check that a recovery key is this one."""
        aes_key, mac_key = _derive(self.key, "")
        iv = _new_iv()
        check = _aes_ctr(aes_key, iv, bytes(32))
        return {"algorithm": ALGORITHM, "iv": encode_unpadded(iv), "mac": encode_unpadded(_mac(mac_key, check))}

    def opens(self, description: object) -> bool:
        """Whether this key is the one `description` was made for (its check MAC matches)."""
        if not isinstance(description, dict) or description.get("algorithm") != ALGORITHM:
            return False
        iv, mac = description.get("iv"), description.get("mac")
        if not isinstance(iv, str) or not isinstance(mac, str):
            return False
        try:
            iv_bytes, mac_bytes = decode_base64(iv), decode_base64(mac)
        except ValueError:
            return False
        aes_key, mac_key = _derive(self.key, "")
        if len(iv_bytes) != 16:
            return False
        return hmac.compare_digest(mac_bytes, _mac(mac_key, _aes_ctr(aes_key, iv_bytes, bytes(32))))
