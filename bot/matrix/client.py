"""Kring's Matrix client: nio's own, except that posting a message hears a 429 instead of waiting it out."""

from __future__ import annotations

import dataclasses
from contextvars import ContextVar
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
