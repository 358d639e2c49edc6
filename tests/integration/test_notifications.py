"""Who Kring's messages notify, read on a real Synapse through each member's own /notifications: the members a
decision, a cancellation or a talent match names are highlighted; a routine reply highlights nobody."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from nio import AsyncClient, RoomSendResponse

from .community import BotWatcher, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


async def notifications(client: AsyncClient) -> dict[str, dict[str, Any]]:
    """The member's notifications by event id, as their homeserver computed them with the default push rules."""
    url = f"{client.homeserver}/_matrix/client/v3/notifications?limit=100"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers={"Authorization": f"Bearer {client.access_token}"}) as response,
    ):
        assert response.status == 200, await response.text()
        found = await response.json()
    return {n["event"]["event_id"]: n for n in found["notifications"]}


def highlighted(notification: dict[str, Any] | None) -> bool:
    if notification is None:
        return False
    return any(
        isinstance(a, dict) and a.get("set_tweak") == "highlight" and a.get("value", True)
        for a in notification["actions"]
    )


async def highlights_of(client: AsyncClient, event_id: str, *, expect: bool, within: float = 20.0) -> bool:
    """Whether the event highlights the member; polled until it is as expected (push actions are written a moment
    after the event), then read once more."""
    deadline = asyncio.get_running_loop().time() + within
    while highlighted((await notifications(client)).get(event_id)) is not expect:
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.5)
    return highlighted((await notifications(client)).get(event_id))


async def test_the_members_a_message_names_are_notified_and_nobody_else(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")  # proposes
    bob = await make_member("bob")  # backs #1 and #2; a driver who asked to be mentioned
    cas = await make_member("cas")  # backs #1
    dan = await make_member("dan")  # only reads
    everyone = [anna, bob, cas, dan]
    room_id, kring = await served_room(
        synapse,
        anna,
        [bob, cas, dan],
        tmp_path / "bot",
        processes,
        "kring-reach",
        tables={"proposals": {"withdraw_lock_hours": 0}},
    )
    watcher = BotWatcher(dan, room_id, kring.user_id)

    # The control: a member's own message naming Bob notifies him, so the measurement below can fail.
    content = {
        "msgtype": "m.text",
        "body": "bob, see this",
        "format": "org.matrix.custom.html",
        "formatted_body": f'<a href="https://matrix.to/#/{bob.user_id}">bob</a>, see this',
        "m.mentions": {"user_ids": [bob.user_id]},
    }
    sent = await cas.room_send(room_id, "m.room.message", content)
    assert isinstance(sent, RoomSendResponse)
    assert await highlights_of(bob, sent.event_id, expect=True)

    await send_text(anna, room_id, "!propose Shared courier €100 in 1 minute min 2")
    await watcher.wait_for("New proposal #1")
    backed = await send_text(bob, room_id, "!backme 1 €60")
    reply = await watcher.wait_for_reply(backed)  # routine: names Bob, notifies nobody
    await watcher.wait_for_reply(await send_text(cas, room_id, "!backme 1 €40"))
    await watcher.wait_for_reply(await send_text(bob, room_id, "!skills add driver"))
    await watcher.wait_for_reply(await send_text(bob, room_id, "!skills ask on"))
    await send_text(dan, room_id, "!need who drives on Saturday? for: driver")
    match = await watcher.wait_for("N#1")
    await send_text(anna, room_id, "!propose Second van in 2 days")
    await watcher.wait_for("New proposal #2")
    await watcher.wait_for_reply(await send_text(bob, room_id, "!backme 2"))
    await send_text(anna, room_id, "!cancel 2")
    cancelled = await watcher.wait_for("#2 Second van was cancelled")
    decision = await watcher.wait_for("GO #1", within=90)

    assert reply["content"]["msgtype"] == "m.notice" and reply["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
    assert not await highlights_of(bob, reply["event_id"], expect=False)
    assert reply["event_id"] not in await notifications(bob)  # a notice is no notification at all

    expected = {
        decision["event_id"]: {anna, bob, cas},
        cancelled["event_id"]: {bob},
        match["event_id"]: {bob},
    }
    for event_id, reached in expected.items():
        for member in everyone:
            assert await highlights_of(member, event_id, expect=member in reached) is (member in reached), (
                member.user_id,
                event_id,
            )
    assert "@room" not in str([s["content"] for s in watcher.seen])
