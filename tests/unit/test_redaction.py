"""No secret reaches the log: token fields and known secret values are masked, in messages and tracebacks."""

from __future__ import annotations

import io
import logging

from bot.redaction import MASK, SecretFilter


def logged(filter_: SecretFilter, message: str, *args: object, exc: BaseException | None = None) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(filter_)
    logger = logging.getLogger("kring.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc is None:
            logger.warning(message, *args)
        else:
            try:
                raise exc
            except BaseException:
                logger.exception(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_token_fields_in_a_response_dict_are_masked() -> None:
    response = {"user_id": "@kring:hs", "access_token": "syt_a3Jpbmc_abcdef", "device_id": "DEV"}
    text = logged(SecretFilter(), "Validating response schema %r: %s", "login", response)
    assert "syt_a3Jpbmc_abcdef" not in text and f"'access_token': '{MASK}'" in text and "'device_id': 'DEV'" in text
    text = logged(SecretFilter(), 'sent {"password": "hunter22", "type": "m.login.password"}')
    assert "hunter22" not in text and '"type": "m.login.password"' in text


def test_known_secrets_are_masked_anywhere_even_in_a_traceback() -> None:
    secrets = SecretFilter()
    secrets.remember("pickle-secret-value", "tiny")  # too short to mask without masking words
    text = logged(secrets, "failed", exc=RuntimeError("store locked with pickle-secret-value"))
    assert "pickle-secret-value" not in text and MASK in text and "RuntimeError" in text
