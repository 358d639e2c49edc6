"""A minimal homeserver on 127.0.0.1 that serves prepared /sync bodies, so `kring run` can ingest 100 000 events
in minutes (a real Synapse on this kind of machine stores about 30 events a second)."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web

ACCESS_TOKEN = "bench-access-token"
DEVICE_ID = "BENCHDEVICE"


class StubHomeserver:
    """Answers what `kring run` asks: login, whoami, keys, joins, sends, and /sync from a list of bodies.

    The first /sync (no `since`) gets `initial`; each next one the following body; after the last one it long-polls
    and returns nothing new. `drained` is set when the bot asks for more after the last body, which it only does
    once that body's batch is committed.
    """

    def __init__(self, user_id: str, initial: dict[str, Any], bodies: Sequence[dict[str, Any]]) -> None:
        self.user_id = user_id
        self.initial = json.dumps(initial)
        self.bodies = [json.dumps(body) for body in bodies]
        self.served = 0
        self.sends = 0
        self.last_send = time.monotonic()
        self.first_body_at: float | None = None
        self.drained_at: float | None = None
        self.drained = asyncio.Event()
        self.unknown: list[str] = []
        # What a real homeserver keeps of the bot's keys, so that Kring can cross-sign its device here too.
        self.device_keys: dict[str, Any] = {}
        self.cross_signing: dict[str, Any] = {}
        self.account_data: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _route(self, request: web.Request) -> web.Response:
        path = request.path.split("/_matrix/client/", 1)[-1].split("/", 1)[-1]  # drop the API version
        if path == "login":
            return web.json_response({"user_id": self.user_id, "access_token": ACCESS_TOKEN, "device_id": DEVICE_ID})
        if path == "account/whoami":
            return web.json_response({"user_id": self.user_id, "device_id": DEVICE_ID})
        if path == "sync":
            return await self._sync(request)
        if path.startswith("join/"):
            return web.json_response({"room_id": request.match_info["tail"].rsplit("/", 1)[-1]})
        if path.startswith("rooms/") and "/send/" in path:
            self.sends += 1
            self.last_send = time.monotonic()
            return web.json_response({"event_id": f"$stub-sent-{next(self._ids)}"})
        if path.startswith("keys/"):
            return await self._keys(path, request)
        if path.startswith("user/") and "/account_data/" in path:
            key = path.rsplit("/", 1)[-1]
            if request.method == "PUT":
                self.account_data[key] = await request.json()
            elif key not in self.account_data:
                return web.json_response({"errcode": "M_NOT_FOUND", "error": "no such account data"}, status=404)
            return web.json_response(self.account_data.get(key, {}))
        if path.startswith("sendToDevice/") or path.startswith("user/"):
            return web.json_response({})
        self.unknown.append(f"{request.method} {request.path}")
        return web.json_response({"errcode": "M_UNRECOGNIZED", "error": "not in the stub"}, status=404)

    async def _keys(self, path: str, request: web.Request) -> web.Response:
        body = await request.json()
        if path == "keys/upload":
            if "device_keys" in body:
                self.device_keys = body["device_keys"]
            return web.json_response({"one_time_key_counts": {"signed_curve25519": 50}})
        if path == "keys/query":
            user = self.user_id
            answer: dict[str, Any] = {"device_keys": {user: {DEVICE_ID: self.device_keys}} if self.device_keys else {}}
            for field in ("master", "self_signing"):
                if f"{field}_key" in self.cross_signing:
                    answer[f"{field}_keys"] = {user: self.cross_signing[f"{field}_key"]}
            return web.json_response({**answer, "failures": {}})
        if path == "keys/device_signing/upload":
            self.cross_signing = {key: value for key, value in body.items() if key.endswith("_key")}
            return web.json_response({})
        if path == "keys/signatures/upload":
            signed = body.get(self.user_id, {}).get(DEVICE_ID)
            if signed and self.device_keys:
                for user, by_key in signed.get("signatures", {}).items():
                    self.device_keys.setdefault("signatures", {}).setdefault(user, {}).update(by_key)
            return web.json_response({"failures": {}})
        if path == "keys/claim":
            return web.json_response({"one_time_keys": {}, "failures": {}})
        self.unknown.append(f"{request.method} {request.path}")
        return web.json_response({"errcode": "M_UNRECOGNIZED", "error": "not in the stub"}, status=404)

    async def _sync(self, request: web.Request) -> web.Response:
        since = request.query.get("since")
        if since is None:
            return web.Response(text=self.initial, content_type="application/json")
        if self.served < len(self.bodies):
            if self.first_body_at is None:
                self.first_body_at = time.monotonic()
            body = self.bodies[self.served]
            self.served += 1
            return web.Response(text=body, content_type="application/json")
        if not self.drained.is_set():
            self.drained_at = time.monotonic()
            self.drained.set()
        await asyncio.sleep(min(float(request.query.get("timeout", "30000")) / 1000, 30.0))
        return web.Response(text=json.dumps({"next_batch": since, "rooms": {}}), content_type="application/json")
