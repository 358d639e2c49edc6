"""Who a widget's member is: their OpenID token, checked at their own homeserver's federation API.

A member's client hands the widget a token (`get_openid`); only the homeserver that issued it can say whose it
is (`GET /_matrix/federation/v1/openid/userinfo`). The answer counts only for a user on that very server: a
homeserver vouches for its own users, never for another's.

The server name comes from the web, so the check is made the way a homeserver makes federation requests: only
to public addresses (never loopback, private, link-local or unspecified ones, whatever a name resolves to, unless
`[board] openid_servers` names the server), without following redirects, reading at most `MAX_BODY` bytes of any
answer, within `TIMEOUT`. Good answers are kept briefly, so a widget that reloads asks again only after a while.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import socket
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

log = logging.getLogger(__name__)

SERVER_NAME = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+)(?::\d{1,5})?$")
TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5, sock_read=5)
MAX_BODY = 64 * 1024  # a .well-known or userinfo answer is a few hundred bytes
KEEP_GOOD = 300.0  # seconds a confirmed token, or a discovered server address, is kept


class Refused(Exception):
    """An address Kring does not contact for a server name from the web."""


def is_public(address: str) -> bool:
    """A global unicast address: not loopback, private, link-local, shared, reserved, unspecified or multicast."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast


class PublicResolver(AbstractResolver):
    """Resolves names to public addresses only: what the connection uses is what was checked (no rebinding)."""

    def __init__(self) -> None:
        self._resolver = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = [r for r in await self._resolver.resolve(host, port, family) if is_public(r["host"])]
        if not found:
            raise OSError(f"{host} has no public address")
        return found

    async def close(self) -> None:
        await self._resolver.close()


def _host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").strip("[]")


async def _get_json(session: aiohttp.ClientSession, url: str, *, trusted: bool = False) -> tuple[int, Any]:
    """Status and JSON body of one GET: no redirect followed, at most MAX_BODY bytes read; only to a public
    address unless `trusted` (an address the operator configured)."""
    host = _host_of(url)
    if not trusted and _is_ip_literal(host) and not is_public(host):
        raise Refused(host)  # an address literal does not pass the resolver
    async with session.get(url, allow_redirects=False) as response:
        if response.status != 200:
            return response.status, None
        if (response.content_length or 0) > MAX_BODY:
            raise Refused(f"{host}: answer too large")
        body = await response.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise Refused(f"{host}: answer too large")
        return response.status, json.loads(body)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


class OpenIdVerifier:
    """Checks OpenID tokens; `servers` maps a server name to its federation base URL where discovery would not
    find it (e.g. a homeserver that serves federation only inside the network: trusted as configured)."""

    def __init__(self, servers: Mapping[str, str] | None = None) -> None:
        self.servers = {name: url.rstrip("/") for name, url in (servers or {}).items()}
        self._good: dict[tuple[str, str], tuple[str, float]] = {}  # (token digest, server) -> (user, until)
        self._bases: dict[str, tuple[str, float]] = {}  # server name -> (federation base URL, until)

    async def base_url(self, session: aiohttp.ClientSession, server_name: str) -> str:
        """The server's federation address: configured, else its `.well-known/matrix/server`, else port 8448."""
        if server_name in self.servers:
            return self.servers[server_name]
        known = self._bases.get(server_name)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        base = ""
        try:
            status, answer = await _get_json(session, f"https://{server_name}/.well-known/matrix/server")
            delegated = answer.get("m.server") if status == 200 and isinstance(answer, dict) else None
            if isinstance(delegated, str) and SERVER_NAME.match(delegated):
                base = f"https://{delegated}"
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError, Refused):
            pass
        if not base:
            host_has_port = server_name.rsplit(":", 1)[-1].isdigit() and not server_name.endswith("]")
            base = f"https://{server_name}" if host_has_port else f"https://{server_name}:8448"
        self._bases[server_name] = (base, time.monotonic() + KEEP_GOOD)
        return base

    async def user_of(self, token: str, server_name: str) -> str | None:
        """The user id the token belongs to, or None (unknown token, another server's user, no answer, an address
        Kring does not contact)."""
        if not token or not SERVER_NAME.match(server_name):
            return None
        key = (hashlib.sha256(token.encode()).hexdigest(), server_name)
        good = self._good.get(key)
        if good is not None and good[1] > time.monotonic():
            return good[0]
        configured = server_name in self.servers
        connector = aiohttp.TCPConnector() if configured else aiohttp.TCPConnector(resolver=PublicResolver())
        async with aiohttp.ClientSession(timeout=TIMEOUT, connector=connector) as session:
            try:
                base = await self.base_url(session, server_name)
                url = f"{base}/_matrix/federation/v1/openid/userinfo?access_token={urllib.parse.quote(token)}"
                status, answer = await _get_json(session, url, trusted=configured)
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError, Refused) as error:
                log.warning("board: %s did not answer an OpenID check: %s", server_name, type(error).__name__)
                return None
        sub = answer.get("sub") if status == 200 and isinstance(answer, dict) else None
        if not isinstance(sub, str) or not sub.startswith("@") or sub.partition(":")[2] != server_name:
            return None  # a homeserver speaks only for its own users
        self._drop_old()
        self._good[key] = (sub, time.monotonic() + KEEP_GOOD)
        return sub

    def _drop_old(self) -> None:
        now = time.monotonic()
        self._good = {key: kept for key, kept in self._good.items() if kept[1] > now}
        self._bases = {name: kept for name, kept in self._bases.items() if kept[1] > now}
