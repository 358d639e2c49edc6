"""What the board's web server allows a visitor: a cap on open connections, and a rate of sign-in attempts.

The board shares the bot's process: a visitor who opens connections and sends nothing, or half a request, must
not use up the file descriptors the bot needs for its homeserver and its database. Connections over the cap are
answered `503` and closed at once; a connection that sends no whole request within `header_timeout_s` is closed
(aiohttp's keep-alive timer, armed from the connection's first byte on, does that).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import deque
from collections.abc import Callable

from aiohttp import web

log = logging.getLogger(__name__)

RESERVED_FILES = 64  # descriptors kept for the bot itself (homeserver, database, logs) whatever the cap says
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 5\r\n\r\n"


def raise_file_limit(wanted: int = 4096) -> None:
    """Raise the process's soft limit on open files toward `wanted`, as far as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.info("board: could not raise the open-file limit from %d: %s", soft, error)


def connection_cap(configured: int) -> int:
    """The configured cap, lowered so that at most half of the descriptors left after RESERVED_FILES go to it."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return configured
    return max(1, min(configured, (soft - RESERVED_FILES) // 2))


class _Busy(asyncio.Protocol):
    """A connection over the cap: one short answer, then closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_BUSY)
        transport.close()


class CappedSite(web.TCPSite):
    """A TCP site that serves at most `max_connections` connections at once."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *, max_connections: int) -> None:
        super().__init__(runner, host, port)
        self.max_connections = max_connections

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner; the server is made here instead
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.BaseProtocol:
            if len(server.connections) >= self.max_connections:
                return _Busy()
            return server()

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(protocol, self._host, self._port, reuse_address=True)


class RateLimit:
    """At most `per_minute` events per key in any sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, *keys: str) -> bool:
        """True, and counted for every key, when none of `keys` is over its rate."""
        now = self.clock()
        for times in self._seen.values():
            while times and times[0] <= now - 60:
                times.popleft()
        for empty in [key for key, times in self._seen.items() if not times]:
            del self._seen[empty]
        if any(len(self._seen.get(key, ())) >= self.per_minute for key in keys):
            return False
        for key in keys:
            self._seen.setdefault(key, deque()).append(now)
        return True
