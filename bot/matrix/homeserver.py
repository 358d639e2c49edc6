"""Waiting for a homeserver: which answers are worth asking again, the back-off between tries, giving up for good."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from nio import ErrorResponse

log = logging.getLogger(__name__)
T = TypeVar("T")

BACKOFF_START_S = 2.0
BACKOFF_MAX_S = 300.0
# Answers that mean "not now" rather than "no": no Matrix error code at all (a proxy's 502, an empty body),
# a server error, or a rate limit.
TRANSIENT_CODES = frozenset({None, "M_UNKNOWN", "M_LIMIT_EXCEEDED"})


class FatalMatrixError(Exception):
    """The homeserver refuses us for good (e.g. the access token was revoked)."""


class ShuttingDown(Exception):
    """Asked to stop while still waiting for the homeserver at start-up."""


def explain(error: BaseException, homeserver: str) -> str:
    """A failed request in one line an operator can act on, e.g. `cannot reach http://…: connection refused`."""
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return f"{homeserver} did not answer in time"
    cause = error.__cause__ or error.__context__
    os_error = error if isinstance(error, OSError) else cause if isinstance(cause, OSError) else None
    if isinstance(error, aiohttp.ClientConnectorError) or os_error is not None:
        errno = getattr(os_error, "errno", None)
        reason = os.strerror(errno) if isinstance(errno, int) else getattr(os_error, "strerror", None) or str(error)
        return f"cannot reach {homeserver}: {str(reason).lower()}"
    if isinstance(error, aiohttp.ClientError):
        return f"the connection to {homeserver} failed: {error}"
    return f"{type(error).__name__}: {error}"


def is_transient(response: object) -> bool:
    """Whether nio's answer is an error that may pass if asked again (as opposed to a success or a refusal)."""
    if not isinstance(response, ErrorResponse):
        return False
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return getattr(response, "status_code", None) in TRANSIENT_CODES or (isinstance(status, int) and status >= 500)


class Backoff:
    """Seconds to wait after consecutive failures: 2, 4, 8 … capped at five minutes."""

    def __init__(self, start: float = BACKOFF_START_S, cap: float = BACKOFF_MAX_S) -> None:
        self.start = start
        self.cap = cap
        self.failures = 0

    def next_delay(self) -> float:
        self.failures += 1
        return float(min(self.cap, self.start * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


class Patience:
    """Back-off shared by everything that waits for the homeserver, cut short when the bot is asked to stop."""

    def __init__(self, stopping: asyncio.Event, backoff: Backoff | None = None, homeserver: str = "") -> None:
        self.stopping = stopping
        self.backoff = backoff or Backoff()
        self.homeserver = homeserver or "the homeserver"

    async def back_off(self, reason: str) -> None:
        delay = self.backoff.next_delay()
        log.warning("%s; retrying in %.0f s", reason, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=delay)

    def succeeded(self) -> None:
        self.backoff.reset()

    async def until_answered(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """`call` again, with back-off, until the homeserver gives a real answer (a success or a refusal)."""
        while True:
            if self.stopping.is_set():
                raise ShuttingDown(what)
            try:
                response = await call()
            except Exception as error:  # connection refused, reset, timeout
                reason = explain(error, self.homeserver)
            else:
                if not is_transient(response):
                    self.succeeded()
                    return response
                code = getattr(response, "status_code", None) or "no Matrix answer"
                reason = f"{what}: {self.homeserver} answered {code}"
            await self.back_off(reason)
