"""Kring's client against Synapse's rate limit: a room send that meets a 429 comes back at once, so the outbox can
send its most urgent message next; nio's own client waits the 429 out and sends the same message again."""

from __future__ import annotations

import asyncio
import urllib.parse

from nio import AsyncClientConfig, LoginResponse, RoomSendError, RoomSendResponse

from bot.matrix.nio_adapter import KringClient
from tests.integration.community import create_room
from tests.integration.helpers import MEMBER_PASSWORD, MakeMember
from tests.integration.synapse_server import SynapseServer


async def _once_the_bucket_has_room(bot: KringClient, room_id: str) -> RoomSendResponse | RoomSendError:
    """Send "first" as soon as Synapse takes it: a refusal says when to try again (`retry_after_ms`)."""
    async with asyncio.timeout(30):
        while True:
            sent = await bot.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": "first"})
            if not isinstance(sent, RoomSendError) or sent.status_code != "M_LIMIT_EXCEEDED":
                return sent
            await asyncio.sleep((sent.retry_after_ms or 100) / 1000)


async def test_a_rate_limited_room_send_comes_back_with_retry_after(
    synapse: SynapseServer, make_member: MakeMember
) -> None:
    owner = await make_member("ratelimited")
    room_id = await create_room(owner)
    path = f"/_synapse/admin/v1/users/{urllib.parse.quote(owner.user_id)}/override_ratelimit"
    await asyncio.to_thread(synapse.admin_post, path, {"messages_per_second": 1, "burst_count": 1})
    bot = KringClient(synapse.url, owner.user_id, config=AsyncClientConfig(max_timeouts=0))
    try:
        login = await bot.login(MEMBER_PASSWORD, device_name="kring")
        assert isinstance(login, LoginResponse), login
        first = await _once_the_bucket_has_room(bot, room_id)  # the room's creation may have used it
        assert isinstance(first, RoomSendResponse), first
        second = await bot.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": "second"})
        assert isinstance(second, RoomSendError), second
        assert second.status_code == "M_LIMIT_EXCEEDED"
        assert second.retry_after_ms and second.retry_after_ms > 0
        whoami = await bot.whoami()  # other requests are untouched
        assert whoami.user_id == owner.user_id
    finally:
        await bot.close()
    # The same two sends from nio's own client: the 429 is waited out inside room_send and "second" goes out.
    first = await owner.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": "third"})
    second = await owner.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": "fourth"})
    assert isinstance(first, RoomSendResponse), first
    assert isinstance(second, RoomSendResponse), second
