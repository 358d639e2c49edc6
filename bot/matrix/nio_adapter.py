"""The one place that relies on matrix-nio's private parts and unwritten habits.

- `KringClient` overrides nio's private `AsyncClient._send` and shadows its `config` attribute, so that posting a
  message hears a 429 instead of waiting it out.
- `sync_from_scratch` empties nio's `next_batch`: nio syncs from its own last token when `since` is empty.
- `crypto_store_file` names the file nio's default store keeps a device's encryption keys in.

tests/unit/matrix/test_nio_adapter.py is the contract that says these still hold with the installed nio, whose
version pyproject.toml bounds.
"""

from __future__ import annotations

import dataclasses
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, RoomSendResponse

# Set while this task's request is a room send (a context variable: the sync task keeps nio's retries).
_POSTING: ContextVar[bool] = ContextVar("kring_posting", default=False)


class KringClient(AsyncClient):  # type: ignore[misc]  # nio has no type information
    """nio's AsyncClient; a room send that meets a 429 comes back at once with the homeserver's `retry_after_ms`.

    nio waits out a 429 and sends the same request again. For the outbox that is wrong: while the bot is held
    back, a decision may fall due, and it must go out before the reply that met the 429 (the sender waits, then
    picks the highest-priority message). Every other request (sync, back-fill, keys) keeps nio's waiting.
    """

    _config: AsyncClientConfig
    _posting_config: AsyncClientConfig

    @property
    def config(self) -> AsyncClientConfig:
        return self._posting_config if _POSTING.get() else self._config

    @config.setter
    def config(self, value: AsyncClientConfig) -> None:
        self._config = value
        self._posting_config = dataclasses.replace(value, max_limit_exceeded=0)

    async def _send(self, response_class: type, *args: Any, **kwargs: Any) -> Any:
        token = _POSTING.set(response_class is RoomSendResponse)
        try:
            return await super()._send(response_class, *args, **kwargs)
        finally:
            _POSTING.reset(token)


def sync_from_scratch(client: AsyncClient) -> None:
    """The next `client.sync(since=None)` starts from nothing (a full first sync), not from nio's last token.

    nio remembers the token of every sync it parsed and uses it when `since` is empty: a very first sync that
    failed to be stored must start from scratch again, or the room's history would be skipped.
    """
    client.next_batch = ""


def crypto_store_file(store_path: str, user_id: str, device_id: str) -> Path:
    """Where nio's default SqliteStore keeps the keys of one device."""
    return Path(store_path) / f"{user_id}_{device_id}.db"
