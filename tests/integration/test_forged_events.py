"""Events a member or a foreign server could craft, on a real Synapse: a forged redaction target, stamps days
ahead, a stamp no instant can hold. The application service of the test homeserver sends as a user of
its own with `?ts=`, which is what another homeserver may put in origin_server_ts."""

from __future__ import annotations

import asyncio
import itertools
import time
import urllib.parse
from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomInviteResponse

from .community import BotWatcher, react, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer

DAY_MS = 24 * 3600 * 1000
HUGE = 10**15  # year 33658 in milliseconds
_txns = itertools.count(1)


def _q(part: str) -> str:
    return urllib.parse.quote(part, safe="")


async def _stamping_member(synapse: SynapseServer, owner: AsyncClient, room_id: str, name: str) -> str:
    """A member the application service acts for, invited by `owner` and joined."""
    user_id = await asyncio.to_thread(synapse.register_stamping_user, f"{name}-{next(_txns)}")
    assert isinstance(await owner.room_invite(room_id, user_id), RoomInviteResponse)
    await asyncio.to_thread(synapse.act_as, user_id, "POST", f"/join/{_q(room_id)}", {})
    return user_id


async def _send_stamped(synapse: SynapseServer, user_id: str, room_id: str, body: str, ts: int | None) -> str:
    path = f"/rooms/{_q(room_id)}/send/m.room.message/stamped{next(_txns)}"
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    reply = await asyncio.to_thread(synapse.act_as, user_id, "PUT", path, content, ts=ts)
    return str(reply["event_id"])


def _now_ms() -> int:
    return int(time.time() * 1000)


async def test_a_forged_redacts_in_a_version_10_room_removes_no_idea(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    ann = await make_member("ann")
    bob = await make_member("bob")
    cat = await make_member("cat")
    room_id, kring = await served_room(
        synapse, ann, [bob, cat], tmp_path / "bot", processes, "kring-forged-redacts", room_version="10"
    )
    watcher = BotWatcher(ann, room_id, kring.user_id)
    idea = await send_text(ann, room_id, "A repair café in the library")
    await react(bob, room_id, idea, "👍")
    await react(cat, room_id, idea, "👍")
    listed = await watcher.wait_for_reply(await send_text(cat, room_id, "!ideas"))
    assert "+2" in listed["content"]["body"] and "repair café" in listed["content"]["body"]

    # Bob redacts his own message; his request body names Ann's idea, and room version 10 stores it as content.
    # (Synapse serves that content with `redacts` set to the redacted event again; a server need not. The unit
    # tests show Kring the forged content as such a server would deliver it.)
    own = await send_text(bob, room_id, "oops, typo")
    path = f"/rooms/{_q(room_id)}/redact/{_q(own)}/forged{next(_txns)}"
    await asyncio.to_thread(
        synapse.client_request, "PUT", path, {"redacts": idea, "reason": "typo"}, token=bob.access_token
    )
    listed = await watcher.wait_for_reply(await send_text(cat, room_id, "!ideas"))
    assert "+2" in listed["content"]["body"] and "repair café" in listed["content"]["body"], listed["content"]
    rep = await watcher.wait_for_reply(await send_text(ann, room_id, "!rep"))
    assert "2 credits" in rep["content"]["body"], rep["content"]


async def test_stamps_days_ahead_decide_nothing(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    ann = await make_member("ann")
    tables = {"reputation": {"daily_cap": 1}}
    room_id, kring = await served_room(synapse, ann, [], tmp_path / "bot", processes, "kring-stamps", tables=tables)
    watcher = BotWatcher(ann, room_id, kring.user_id)
    eve = await _stamping_member(synapse, ann, room_id, "eve")

    # Two votes in one day, the second stamped a day ahead as if it were tomorrow's: the cap of one still holds.
    ideas = [await send_text(ann, room_id, f"Idea number {n}") for n in (1, 2)]
    for n, idea in enumerate(ideas):
        relates = {"m.relates_to": {"rel_type": "m.annotation", "event_id": idea, "key": "👍"}}
        path = f"/rooms/{_q(room_id)}/send/m.reaction/stamped{next(_txns)}"
        await asyncio.to_thread(synapse.act_as, eve, "PUT", path, relates, ts=_now_ms() + n * DAY_MS)
    rep = await watcher.wait_for_reply(await send_text(ann, room_id, "!rep"))
    assert "1 credit" in rep["content"]["body"], rep["content"]

    # A proposal stamped 300 days ahead for 300 days: its deadline is 300 days from now, not 600 (past the
    # 365 days max_deadline_days allows).
    await _send_stamped(synapse, eve, room_id, "!propose Far ahead €50 in 300 days", _now_ms() + 300 * DAY_MS)
    await watcher.wait_for("#1: Far ahead")
    status = await watcher.wait_for_reply(await send_text(ann, room_id, "!status 1"))
    assert "300 days left" in status["content"]["body"], status["content"]


async def test_a_stamp_no_instant_can_hold_stops_nothing_not_even_a_restart(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    ann = await make_member("ann")
    room_id, kring = await served_room(synapse, ann, [], tmp_path / "bot", processes, "kring-huge-stamp")
    watcher = BotWatcher(ann, room_id, kring.user_id)
    zed = await _stamping_member(synapse, ann, room_id, "zed")
    renamed = {"membership": "join", "displayname": "Zed from far ahead"}
    path = f"/rooms/{_q(room_id)}/state/m.room.member/{_q(zed)}"
    await asyncio.to_thread(synapse.act_as, zed, "PUT", path, renamed, ts=HUGE)  # a display-name change
    answer = await watcher.wait_for_reply(await _send_stamped(synapse, zed, room_id, "!rep", HUGE))
    assert "credits" in answer["content"]["body"]
    await watcher.wait_for_reply(await send_text(ann, room_id, "!rep"))

    assert await asyncio.to_thread(kring.stop) == 0
    kring.start()  # the first sync after a restart carries the display-name change in its state
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    answer = await watcher.wait_for_reply(await send_text(ann, room_id, "!top"))
    assert answer["content"]["body"]
