"""No secret reaches the log: token fields and known secret values are masked, in messages and tracebacks."""

from __future__ import annotations

import io
import logging

from nio import Event

from bot.ops.log_secrets import MASK, MESSAGE_TEXT, SecretFilter


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


V11_REDACTION = {
    "type": "m.room.redaction",
    "event_id": "$redaction",
    "sender": "@ann:test",
    "origin_server_ts": 1_772_445_600_000,
    "content": {"redacts": "$target", "reason": "secret reason Ann gave"},  # room v11: no top-level `redacts`
}
NO_BODY = {
    "type": "m.room.message",
    "event_id": "$formatted",
    "sender": "@ann:test",
    "origin_server_ts": 1_772_445_600_000,
    "content": {"msgtype": "m.text", "format": "org.matrix.custom.html", "formatted_body": "<b>secret words</b>"},
}


def test_nio_warnings_about_events_it_cannot_validate_hold_no_message_text() -> None:
    """nio logs the part of an event that fails validation at WARNING: a room-v11 redaction whole (with its
    reason), a message without `body` with its `formatted_body`. Through Kring's filter, neither is in the log."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MESSAGE_TEXT)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        Event.parse_event(V11_REDACTION)
        Event.parse_event(NO_BODY)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    out = stream.getvalue()
    assert "secret" not in out and "Ann gave" not in out, out
    lines = out.splitlines()
    assert len(lines) == 2 and all(line.startswith("Error validating event") for line in lines), out
    assert "left out of the log" in lines[0]


def test_message_text_stays_in_a_debug_log() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MESSAGE_TEXT)
    logger = logging.getLogger("nio.test.debug")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        logger.debug("Validating response schema: %s", {"content": {"body": "words at debug"}})
    finally:
        logger.removeHandler(handler)
    assert "words at debug" in stream.getvalue()  # asked for with --log-level DEBUG
