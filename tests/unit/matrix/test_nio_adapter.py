"""The contract with matrix-nio that bot.matrix.nio_adapter relies on (its private `_send`, the `config` it reads
at each request, the `next_batch` it syncs from, its key store's file name).

If a nio release changes one of them, these fail before anything else does. Requests never leave the process:
nio's transport call (`send`) is replaced by one that answers what each test says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, RoomSendError, RoomSendResponse, SyncResponse, WhoamiResponse

from bot.matrix.nio_adapter import KringClient, crypto_store_file, sync_from_scratch

USER = "@kring:test"
ROOM = "!room:test"
RATE_LIMITED = (429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 1})


class _Reply:
    """The parts of an aiohttp response that nio reads."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.content_type = "application/json"
        self.content_disposition = None

    async def json(self, **_: Any) -> dict[str, Any]:
        return self.body

    async def text(self) -> str:
        return json.dumps(self.body)

    def release(self) -> None:
        pass


class _Homeserver:
    """Answers nio's requests from a script, and notes what was asked."""

    def __init__(self, *answers: tuple[int, dict[str, Any]]) -> None:
        self._answers: Iterator[tuple[int, dict[str, Any]]] = iter(answers)
        self.paths: list[str] = []

    async def send(self, method: str, path: str, *args: Any, **kwargs: Any) -> _Reply:
        self.paths.append(path)
        return _Reply(*next(self._answers))


def _client(cls: type[AsyncClient], homeserver: _Homeserver, config: AsyncClientConfig | None = None) -> AsyncClient:
    client = cls("http://homeserver.invalid", USER, device_id="DEVICE", config=config)
    client.access_token = "token"  # logged in, as far as nio can tell
    client.send = homeserver.send  # the transport call under `_send`
    return client


async def _post(client: AsyncClient) -> object:
    return await client.room_send(ROOM, "m.room.message", {"msgtype": "m.notice", "body": "hi"})


async def test_a_room_send_that_meets_a_429_comes_back_at_once_where_nio_would_send_again() -> None:
    """`_send` is what every request goes through, with the response class first; our override sees the send."""
    kring = _Homeserver(RATE_LIMITED, (200, {"event_id": "$sent"}))
    answer = await _post(_client(KringClient, kring))
    assert isinstance(answer, RoomSendError) and answer.retry_after_ms == 1
    assert len(kring.paths) == 1
    plain = _Homeserver(RATE_LIMITED, (200, {"event_id": "$sent"}))
    assert isinstance(await _post(_client(AsyncClient, plain)), RoomSendResponse)  # nio's own waits it out
    assert len(plain.paths) == 2


async def test_every_other_request_keeps_nios_waiting_and_reads_the_config_it_was_given() -> None:
    """nio reads `config` (`max_limit_exceeded`) at each request: the property we put in its place is what it reads."""
    waiting = _Homeserver(RATE_LIMITED, (200, {"user_id": USER}))
    assert isinstance(await _client(KringClient, waiting).whoami(), WhoamiResponse)
    assert len(waiting.paths) == 2
    giving_up = _Homeserver(RATE_LIMITED, (200, {"user_id": USER}))
    client = _client(KringClient, giving_up, AsyncClientConfig(max_limit_exceeded=0))
    assert client.config.max_limit_exceeded == 0
    assert not isinstance(await client.whoami(), WhoamiResponse)
    assert len(giving_up.paths) == 1


async def test_nio_syncs_from_its_own_last_token_unless_it_is_emptied() -> None:
    empty_sync = (200, {"next_batch": "s-new", "rooms": {}})
    homeserver = _Homeserver(empty_sync, empty_sync, empty_sync)
    client = _client(KringClient, homeserver)
    assert isinstance(await client.sync(timeout=0), SyncResponse)
    assert client.next_batch == "s-new"  # nio keeps the token of what it parsed…
    await client.sync(timeout=0)
    assert "since=s-new" in homeserver.paths[1]  # …and syncs from it when `since` is empty
    sync_from_scratch(client)
    await client.sync(timeout=0)
    assert "since=" not in homeserver.paths[2]


async def test_the_key_store_of_a_device_is_the_file_we_look_for(tmp_path: Path) -> None:
    client = KringClient(
        "http://homeserver.invalid",
        USER,
        store_path=str(tmp_path),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, pickle_key="unused"),
    )
    try:
        client.restore_login(USER, "DEVICE", "token")  # as the session does: nio opens the device's key store
        expected = crypto_store_file(str(tmp_path), USER, "DEVICE")
        assert client.store is not None and Path(client.store.database_path) == expected
        assert expected.exists()
    finally:
        await client.close()
