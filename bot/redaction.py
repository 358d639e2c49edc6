"""Secrets never reach the log: access tokens, passwords and pickle keys are masked in every record."""

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
    """Attach the filter to every handler of the root logger (set up by the CLI)."""
    for handler in logging.getLogger().handlers:
        if SECRETS not in handler.filters:
            handler.addFilter(SECRETS)
