"""Who a widget's member is: their OpenID token, checked at their own homeserver's federation API.

A member's client hands the widget a token (`get_openid`); only the homeserver that issued it can say whose it
is (`GET /_matrix/federation/v1/openid/userinfo`). The answer counts only for a user on that very server: a
homeserver vouches for its own users, never for another's.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Mapping

import aiohttp

log = logging.getLogger(__name__)

SERVER_NAME = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+)(?::\d{1,5})?$")
TIMEOUT = aiohttp.ClientTimeout(total=10)


class OpenIdVerifier:
    """Checks OpenID tokens; `servers` maps a server name to its federation base URL where discovery would not
    find it (e.g. a homeserver that serves federation only inside the network)."""

    def __init__(self, servers: Mapping[str, str] | None = None) -> None:
        self.servers = {name: url.rstrip("/") for name, url in (servers or {}).items()}

    async def base_url(self, session: aiohttp.ClientSession, server_name: str) -> str:
        """The server's federation address: configured, else its `.well-known/matrix/server`, else port 8448."""
        if server_name in self.servers:
            return self.servers[server_name]
        try:
            async with session.get(f"https://{server_name}/.well-known/matrix/server") as response:
                if response.status == 200:
                    delegated = (await response.json(content_type=None)).get("m.server")
                    if isinstance(delegated, str) and SERVER_NAME.match(delegated):
                        return f"https://{delegated}"
        except (aiohttp.ClientError, TimeoutError, ValueError):
            pass
        host_has_port = server_name.rsplit(":", 1)[-1].isdigit() and not server_name.endswith("]")
        return f"https://{server_name}" if host_has_port else f"https://{server_name}:8448"

    async def user_of(self, token: str, server_name: str) -> str | None:
        """The user id the token belongs to, or None (unknown token, another server's user, no answer)."""
        if not token or not SERVER_NAME.match(server_name):
            return None
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            base = await self.base_url(session, server_name)
            url = f"{base}/_matrix/federation/v1/openid/userinfo?access_token={urllib.parse.quote(token)}"
            try:
                async with session.get(url) as response:
                    if response.status != 200:
                        return None
                    answer = await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.warning("board: %s did not answer an OpenID check: %r", server_name, error)
                return None
        sub = answer.get("sub") if isinstance(answer, dict) else None
        if not isinstance(sub, str) or not sub.startswith("@") or sub.partition(":")[2] != server_name:
            return None  # a homeserver speaks only for its own users
        return sub
