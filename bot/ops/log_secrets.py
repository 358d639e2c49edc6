"""Secrets never reach the log (access tokens, passwords and pickle keys are masked in every record), nor message
text at the default level."""

from __future__ import annotations

import logging
import re

MASK = "[secret]"
# `'access_token': 'syt_…'`, `"password": "…"`, `access_token=…` as libraries print dicts, JSON or query strings.
_SECRET_FIELD = re.compile(
    r"""(?P<key>['"]?(?:access_token|refresh_token|password|pickle_key)['"]?\s*[:=]\s*['"]?)(?P<value>[^'"\s,}&]+)"""
)


class SecretFilter(logging.Filter):
    """Masks secret fields, and the secret values it was told about, in the final text of each record."""

    def __init__(self) -> None:
        super().__init__()
        self._known: set[str] = set()

    def remember(self, *secrets: str) -> None:
        self._known.update(secret for secret in secrets if len(secret) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = _SECRET_FIELD.sub(lambda m: m["key"] + MASK, text)
        for secret in self._known:
            masked = masked.replace(secret, MASK)
        if masked != text:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _SECRET_FIELD.sub(lambda m: m["key"] + MASK, record.exc_text)
            for secret in self._known:
                record.exc_text = record.exc_text.replace(secret, MASK)
        return True


SECRETS = SecretFilter()


def mask_secrets_in_logs() -> None:
    """Attach the filters (secrets masked, message text left out) to every handler of the root logger (set up by
    the CLI)."""
    for handler in logging.getLogger().handlers:
        for kept_out in (SECRETS, MESSAGE_TEXT):
            if kept_out not in handler.filters:
                handler.addFilter(kept_out)


class MessageTextFilter(logging.Filter):
    """Only debug output if wanted may quote message text: at INFO and above a line that would print (part of) an
    event is replaced by what happened, without the event. nio does so at WARNING for every event it fails to
    validate (the failing part of it: a room-v11 redaction whole, with its reason; a message without `body`, with
    its `formatted_body`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return True
        text = record.getMessage()
        validating = _VALIDATING.search(text)
        if validating is None and _EVENT_PART.search(text) is None:
            return True
        if validating is None:
            said = "a log line quoting (part of) an event"
        else:
            said = validating["head"]
            missing = _MISSING.match(text, validating.end())
            if missing is not None:  # a property name from the schema, no text of the event
                said += f": {missing[0]}"
            where = _FAILED.search(text)
            if where is not None:
                said += f" (failed validating {where['validator']} in {where['path']})"
        record.msg, record.args = f"{said}; the event itself is left out of the log (it may hold message text)", None
        return True


# nio: "Error validating event: …", "Error validating response: …", "Error validating decrypted Olm event from …: …"
_VALIDATING = re.compile(r"(?P<head>Error validating [^:\n]*):\s*")
_MISSING = re.compile(r"'[\w.$-]+' is a required property")
_FAILED = re.compile(r"Failed validating (?P<validator>'\w+') in (?P<path>schema(?:\[[^\]\n]*\])*)")
# A serialised event or its content, as a dict or JSON: what holds a message's words.
_EVENT_PART = re.compile(r"""['"](?:body|formatted_body|reason|ciphertext)['"]\s*:""")
MESSAGE_TEXT = MessageTextFilter()
