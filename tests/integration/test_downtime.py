"""`kring run` stopped and started again: nothing missed, nothing done twice, late decisions marked late.

One bot, three runs:
1. first start, with commands already in the room's history (they are not executed); a proposal with a
   one-minute deadline is made, then the bot is stopped with SIGTERM;
2. while it is down, members send over 100 events (reactions, a redaction, commands, chatter), so the bot's
   next sync is `limited` and it has to back-fill; the deadline passes;
3. after two restarts the account still has exactly one device.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, RoomInviteResponse

from .community import BotWatcher, create_room, invite_and_join, react, redact, send_text
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer

UP = {"👍", "➕", "❤️", "🎉", "👏", "💯"}  # the default reputation emoji
DOWN = {"👎", "➖"}
KEYS = ["👍", "🎉", "❤️", "👎", "😀", "👏", "➖", "💯"]  # 😀 is neither: it gives nothing
PLAIN_MESSAGES = 80
REACTIONS = 30
SYNC_TIMELINE_LIMIT = 100  # bot.matrix.sync.SYNC_FILTER: a bigger gap makes the bot's sync `limited`


@dataclass(frozen=True)
class SentReaction:
    event_id: str
    reactor: str
    receiver: str  # the author of the message reacted to (the proposer, for the bot's announcement)
    key: str

    @property
    def credit(self) -> int:
        """What the spec says this reaction gives its receiver."""
        if self.reactor == self.receiver:
            return 0
        return 1 if self.key in UP else -1 if self.key in DOWN else 0


def _localpart(user_id: str) -> str:
    return user_id[1:].split(":", 1)[0]


async def _ready(kring: KringProcess) -> None:
    await asyncio.to_thread(kring.wait_for_log, "ready:")


async def test_downtime_is_caught_up_once_and_late_decision_is_marked(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    cas = await make_member("cas")
    dora = await make_member("dora")  # only reads: her sync is the view of what the bot posts
    room_id = await create_room(anna)
    for member in (bob, cas, dora):
        await invite_and_join(anna, room_id, member)
    kring = KringProcess(synapse, tmp_path / "bot", "kring-downtime", [room_id])
    processes.append(kring)
    watcher = BotWatcher(dora, room_id, kring.user_id)

    # Before the bot's first ever start: these commands are room history, never executed.
    early_help = await send_text(anna, room_id, "!help")
    early_rep = await send_text(bob, room_id, "!rep")
    assert isinstance(await anna.room_invite(room_id, kring.user_id), RoomInviteResponse)

    # Run 1: a proposal whose one-minute deadline will pass while the bot is down.
    kring.start()
    await _ready(kring)
    await send_text(anna, room_id, "!propose Night courier for weekends in 1 minute min 2")
    deadline_by = time.time() + 60  # the deadline is the command's server time + 1 minute
    announcement = await watcher.wait_for("New proposal #1")
    assert kring.stop() == 0, kring.log_tail()

    # While the bot is down: chatter, reactions (one redacted again) and two commands.
    authors = (anna, bob, cas)
    posts: list[tuple[str, AsyncClient]] = []
    for number in range(PLAIN_MESSAGES):
        author = authors[number % 3]
        posts.append((await send_text(author, room_id, f"market news item {number}"), author))
    reactions: list[SentReaction] = []
    for number in range(REACTIONS - 1):
        reactor = (bob, cas)[number % 2]  # now and then a reactor hits their own message: no credit
        target, author = posts[number]
        key = KEYS[number % len(KEYS)]
        event_id = await react(reactor, room_id, target, key)
        reactions.append(SentReaction(event_id, reactor.user_id, author.user_id, key))
    # A reaction to the bot's announcement of a proposal credits the proposer.
    event_id = await react(bob, room_id, announcement["event_id"], "👍")
    reactions.append(SentReaction(event_id, bob.user_id, anna.user_id, "👍"))
    redacted = next(r for r in reactions if r.credit == 1 and r.reactor == cas.user_id)
    await redact(cas, room_id, redacted.event_id)
    rep_command = await send_text(bob, room_id, f"!rep {anna.user_id}")
    top_command = await send_text(cas, room_id, "!top")
    assert PLAIN_MESSAGES + REACTIONS + 1 + 2 > SYNC_TIMELINE_LIMIT

    truth: Counter[str] = Counter()
    for reaction in reactions:
        if reaction is not redacted:
            truth[reaction.receiver] += reaction.credit
    expected = {user: credits for user, credits in truth.items() if credits}
    assert expected.get(anna.user_id, 0) > 0, expected  # the !rep answer below has a number to show

    # Run 2, after the deadline passed while the bot was down.
    await asyncio.sleep(max(0.0, deadline_by + 1 - time.time()))
    kring.start()
    await _ready(kring)
    assert "back-filled" in kring.run_log() and f"missed in {room_id}" in kring.run_log(), kring.log_tail()
    decision = await watcher.wait_for("NO-GO #1")
    assert decision["content"]["body"].startswith("❌ NO-GO #1 Night courier for weekends")
    assert "Announced late" in decision["content"]["body"]
    assert "m.relates_to" not in decision["content"]  # an announcement, not a reply
    rep = await watcher.wait_for_reply(rep_command)
    credits = expected[anna.user_id]
    assert f"has {credits} credit{'' if credits == 1 else 's'} in this room" in rep["content"]["body"]
    top = await watcher.wait_for_reply(top_command)
    for user, credits in expected.items():
        assert f"{_localpart(user)} — {credits}" in top["content"]["body"], (user, credits, top["content"]["body"])

    # Run 3: a second restart changes nothing for the members, and the bot still has one device.
    assert kring.stop() == 0, kring.log_tail()
    kring.start()
    await _ready(kring)
    devices = synapse.admin_get(f"/_synapse/admin/v2/users/{urllib.parse.quote(kring.user_id)}/devices")
    assert [d.get("display_name") for d in devices["devices"]] == ["kring"], devices
    await watcher.settle()
    assert len(watcher.decisions()) == 1, watcher.decisions()
    assert len(watcher.replies_to(rep_command)) == 1
    assert len(watcher.replies_to(top_command)) == 1
    assert watcher.replies_to(early_help) == []
    assert watcher.replies_to(early_rep) == []
    assert sum("New proposal #1" in body for body in watcher.bodies()) == 1
    assert kring.stop() == 0, kring.log_tail()

    # The books agree with what the members did: every reaction counted once, the redacted one not at all.
    (room,) = kring.export()["rooms"]
    assert {user: credits for user, credits in room["reputation"].items() if credits} == expected
    (proposal,) = room["proposals"]
    assert proposal["status"] == "no-go"
