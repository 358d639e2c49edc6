"""Cross-signing's own cryptography: canonical JSON, signatures others can verify, secret storage as Element
writes it, and the private keys sealed with the pickle key."""

from __future__ import annotations

import json
from typing import Any

import canonicaljson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from unpaddedbase64 import decode_base64

from bot.identity.secret_storage import (
    SecretStorageError,
    StorageKey,
    decode_recovery_key,
    decrypt_secret,
    encode_recovery_key,
    encrypt_secret,
)
from bot.identity.signing import CrossSigningKeys, SigningKey, canonical_json, verify

USER = "@kring:example.org"

# Secret storage written by Element (published as test data with mautrix-python's SSSS tests): a recovery key,
# the key's description in account data, and the cross-signing master key encrypted under it.
ELEMENT_RECOVERY_KEY = "EsTE s92N EtaX s2h6 VQYF 9Kao tHYL mkyL GKMh isZb KJ4E tvoC"
ELEMENT_KEY_ID = "gEJqbfSEMnP5JXXcukpXEX1l0aI3MDs0"
ELEMENT_KEY_DESCRIPTION = {
    "algorithm": "m.secret_storage.v1.aes-hmac-sha2",
    "iv": "xxkTK0L4UzxgAFkQ6XPwsw",
    "mac": "MEhooO0ZhFJNxUhvRMSxBnJfL20wkLgle3ocY0ee/eA",
}
ELEMENT_MASTER_SECRET = {
    "iv": "BpKP9nQJTE9jrsAssoxPqQ==",
    "ciphertext": "fNRiiiidezjerTgV+G6pUtmeF3izzj5re/mVvY0hO2kM6kYGrxLuIu2ej80=",
    "mac": "/gWGDGMyOLmbJp+aoSLh5JxCs0AdS6nAhjzpe+9G2Q0=",
}
ELEMENT_MASTER_SEED = "68f97fd1922eecf6b82bb890d24d0652984e7a1d703b9e867b7ebaf7feb95b6f"
OTHER_RECOVERY_KEY = "EsUC xSxt XJgQ dz19 8WBZ rHdE GZo7 ybsn EFmG Y5HY MDAG GNWe"


def verified_by_signedjson(obj: dict[str, Any], public_key: str) -> bool:
    """Synapse's own check of a signature (an implementation other than Kring's)."""
    key = decode_verify_key_bytes(f"ed25519:{public_key}", decode_base64(public_key))
    try:
        verify_signed_json(obj, USER, key)
    except SignatureVerifyException:
        return False
    return True


def test_canonical_json_is_the_specs() -> None:
    assert canonical_json({"one": 1, "two": "Two"}) == b'{"one":1,"two":"Two"}'
    assert canonical_json({"b": "2", "a": "1"}) == b'{"a":"1","b":"2"}'
    assert canonical_json({"a": "日本語"}) == '{"a":"日本語"}'.encode()
    assert canonical_json({"a": "\u1234"}) == '{"a":"\u1234"}'.encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_agrees_with_synapses_library(value: Any) -> None:
    assert canonical_json(value) == canonicaljson.encode_canonical_json(value)


def test_published_keys_verify_with_signedjson_and_have_unpadded_ids() -> None:
    keys = CrossSigningKeys.generate()
    body = keys.upload_body(USER)
    assert keys.master is not None
    for field in ("self_signing_key", "user_signing_key"):
        assert verified_by_signedjson(body[field], keys.master.public)
    assert not verified_by_signedjson(body["self_signing_key"], keys.self_signing.public)  # not self-signed
    for obj in body.values():
        [(key_id, public)] = obj["keys"].items()
        assert key_id == f"ed25519:{public}" and "=" not in key_id and len(decode_base64(public)) == 32
        for signature in (obj.get("signatures") or {}).get(USER, {}).values():
            assert "=" not in signature


def test_a_device_signature_verifies_and_a_changed_device_does_not() -> None:
    device: dict[str, Any] = {
        "user_id": USER,
        "device_id": "KRINGDEV",
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {"ed25519:KRINGDEV": "abc", "curve25519:KRINGDEV": "def"},
        "signatures": {USER: {"ed25519:KRINGDEV": "the device's own"}},
        "unsigned": {"device_display_name": "kring"},
    }
    signing = SigningKey.generate()
    signed = signing.signed(device, USER)
    assert signed["signatures"][USER]["ed25519:KRINGDEV"] == "the device's own"  # kept beside the new one
    assert verified_by_signedjson(signed, signing.public) and verify(signed, USER, signing.public)
    tampered = {**signed, "keys": {**device["keys"], "curve25519:KRINGDEV": "other"}}
    assert not verify(tampered, USER, signing.public) and not verified_by_signedjson(tampered, signing.public)
    renamed = {**signed, "unsigned": {"device_display_name": "renamed"}}  # unsigned is outside the signature
    assert verify(renamed, USER, signing.public)


def test_elements_recovery_key_opens_elements_secret_storage() -> None:
    key = decode_recovery_key(ELEMENT_RECOVERY_KEY)
    assert encode_recovery_key(key) == ELEMENT_RECOVERY_KEY
    assert StorageKey(ELEMENT_KEY_ID, key).opens(ELEMENT_KEY_DESCRIPTION)
    seed = decrypt_secret(key, "m.cross_signing.master", ELEMENT_MASTER_SECRET)
    assert seed.hex() == ELEMENT_MASTER_SEED
    other = decode_recovery_key(OTHER_RECOVERY_KEY)
    assert not StorageKey(ELEMENT_KEY_ID, other).opens(ELEMENT_KEY_DESCRIPTION)
    with pytest.raises(SecretStorageError, match="does not open"):
        decrypt_secret(other, "m.cross_signing.master", ELEMENT_MASTER_SECRET)
    with pytest.raises(SecretStorageError, match="does not open"):  # a secret is bound to its name
        decrypt_secret(key, "m.cross_signing.self_signing", ELEMENT_MASTER_SECRET)


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("", "empty"),
        ("EsTE s92N EtaX s2h6 VQYF 9Kao tHYL mkyL GKMh isZb KJ4E tvo0", "holds '0'"),
        ("EsTE s92N EtaX s2h6 VQYF 9Kao tHYL mkyL GKMh isZb KJ4E tvoD", "typing error"),
        ("EsTE s92N EtaX s2h6 VQYF", "not a recovery key"),
    ],
)
def test_a_mistyped_recovery_key_says_what_is_wrong(typed: str, complaint: str) -> None:
    with pytest.raises(SecretStorageError, match=complaint):
        decode_recovery_key(typed)


def test_a_recovery_key_survives_the_spaces_people_type() -> None:
    key = decode_recovery_key(ELEMENT_RECOVERY_KEY)
    assert decode_recovery_key(ELEMENT_RECOVERY_KEY.replace(" ", "")) == key
    assert decode_recovery_key(f"  {ELEMENT_RECOVERY_KEY}\n") == key


def test_what_kring_stores_in_secret_storage_reads_back_and_checks_like_elements() -> None:
    storage = StorageKey.generate()
    description = storage.description()
    assert storage.opens(description) and not StorageKey(storage.key_id, bytes(32)).opens(description)
    assert decode_base64(description["iv"])[8] & 0x80 == 0  # bit 63 cleared, as the spec asks
    seed = SigningKey.generate().seed
    encrypted = encrypt_secret(storage.key, "m.cross_signing.self_signing", seed)
    assert decrypt_secret(decode_recovery_key(storage.recovery_key), "m.cross_signing.self_signing", encrypted) == seed
    assert seed.hex() not in json.dumps(encrypted)


def test_sealed_keys_open_only_with_the_same_pickle_key_and_account() -> None:
    keys = CrossSigningKeys.generate()
    sealed = keys.seal("pickle key of the operator", USER)
    assert CrossSigningKeys.unseal(sealed, "pickle key of the operator", USER) == keys
    for seed in (key.seed for key in keys.by_usage().values()):
        assert seed.hex() not in sealed
    with pytest.raises(ValueError, match="pickle key"):
        CrossSigningKeys.unseal(sealed, "another pickle key", USER)
    with pytest.raises(ValueError, match="pickle key"):
        CrossSigningKeys.unseal(sealed, "pickle key of the operator", "@other:example.org")
