"""A loopback HTTP proxy between the bot and Synapse that can fail on demand and counts every request.

Modes: `pass` forwards each request on a fresh upstream connection; `502` answers Bad Gateway; `drop` closes
the connection without an answer. `hold(path_part)` parks matching requests until released, so a test can
kill the bot while it is inside a sync batch (waiting for its back-fill), or lock the database before the bot
gets the batch it will fail to store. Switching to a failing mode also cuts
the requests in flight, as a dying load balancer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["pass", "502", "drop"]
BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
    b"Bad Gateway"
)


@dataclass(frozen=True)
class Request:
    at: float  # time.monotonic()
    method: str
    path: str
    mode: Mode


@dataclass
class LoopbackProxy:
    upstream_port: int
    mode: Mode = "pass"
    requests: list[Request] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _in_flight: set[asyncio.StreamWriter] = field(default_factory=set)
    _hold: str | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    held: list[Request] = field(default_factory=list)
    _first_held: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def close(self) -> None:
        self.release()
        self._cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: Mode) -> None:
        self.mode = mode
        if mode != "pass":
            self._cut()

    def hold(self, path_part: str) -> None:
        """Park requests whose path contains `path_part` until `release()`, then forward them."""
        self._release = asyncio.Event()
        self._first_held = asyncio.Event()
        self.held = []
        self._hold = path_part

    def release(self) -> None:
        self._hold = None
        self._release.set()

    async def wait_held(self, within: float = 60.0) -> Request:
        async with asyncio.timeout(within):
            await self._first_held.wait()
        return self.held[0]

    def between(self, start: float, end: float) -> list[Request]:
        return [r for r in self.requests if start <= r.at < end]

    def _cut(self) -> None:
        for writer in list(self._in_flight):
            writer.transport.abort()
        self._in_flight.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._in_flight.add(writer)
        try:
            await self._one_request(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the test is over: asyncio would log a cancelled connection handler as an error
        finally:
            self._in_flight.discard(writer)
            writer.transport.abort()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers = [line for line in lines[1:] if line]
        length = 0
        for line in headers:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = await reader.readexactly(length) if length else b""
        request = Request(time.monotonic(), method, path, self.mode)
        self.requests.append(request)
        if self._hold is not None and self._hold in path:
            self.held.append(request)
            self._first_held.set()
            await self._release.wait()  # then on its way, late (if the bot is still there to read the answer)
        if self.mode == "502":
            writer.write(BAD_GATEWAY)
            await writer.drain()
            return
        if self.mode == "drop":
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(_closing(head) + body)
            await up_writer.drain()
            answer = await up_reader.readuntil(b"\r\n\r\n")
            if self.mode != "pass":
                return
            writer.write(_closing(answer))  # one request per connection: the bot must not reuse it
            while chunk := await up_reader.read(65536):
                if self.mode != "pass":
                    return  # cut while the answer was on its way
                writer.write(chunk)
                await writer.drain()
        finally:
            up_writer.transport.abort()


def _closing(head: bytes) -> bytes:
    """A request or response head with `Connection: close` instead of any keep-alive headers."""
    first, *rest = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    kept = [h for h in rest if h.partition(":")[0].strip().lower() not in ("connection", "keep-alive")]
    return "\r\n".join([first, *kept, "Connection: close", "", ""]).encode("latin-1")


def per_second(requests: list[Request]) -> Iterator[int]:
    """How many requests fell in each one-second window starting at a request (the busiest is the max)."""
    times = sorted(r.at for r in requests)
    end = 0
    for start, at in enumerate(times):
        while end < len(times) and times[end] < at + 1.0:
            end += 1
        yield end - start


def bursts(requests: list[Request], gap: float = 1.0) -> list[list[Request]]:
    """Requests grouped into bursts: a pause of more than `gap` seconds starts a new one."""
    groups: list[list[Request]] = []
    for request in sorted(requests, key=lambda r: r.at):
        if groups and request.at - groups[-1][-1].at <= gap:
            groups[-1].append(request)
        else:
            groups.append([request])
    return groups


def no_hot_loop(requests: list[Request], seconds: float) -> str:
    """Check that requests made during a fault back off, and describe them.

    Two loops retry (syncing and sending), each with doubling pauses, so at most about 2·(2 + log2(1 + T/2))
    bursts fit in T seconds. A burst is one attempt of each, which nio repeats up to four times on a dropped
    connection (and aiohttp may try a request twice): up to 16 requests when both loops try at once.
    """
    groups = bursts(requests)
    busiest = max(per_second(requests), default=0)
    allowed = 2 * (2 + math.log2(1 + seconds / 2))
    summary = f"{len(requests)} requests in {seconds:.0f} s: {len(groups)} bursts, at most {busiest} in one second"
    shape = [(round(g[0].at - requests[0].at, 1), len(g)) for g in groups]
    assert busiest <= 16 and len(groups) <= allowed and all(len(g) <= 16 for g in groups), (summary, shape)
    return summary
