"""Abuse by volume: the per-member command budget, decisions before chatter, open proposals per member, huge bodies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from nio import RoomSendError, RoomSendResponse

from bot.matrix.sender import OutboxSender
from handlers.events import Message
from tests.unit.conftest import MakeRoom
from tests.unit.harness import DECISION, ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
MOD = "@mod:test"


CHANGE = "!skills add courier"  # a command that changes something: it costs a whole one of the budget
CHANGED = "Your talents: courier"


async def test_a_member_over_budget_hears_slow_down_once_and_then_nothing(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 3})
    answers = [await room.say(ANN, CHANGE) for _ in range(3)]
    assert all(len(out) == 1 and out[0].body.startswith(CHANGED) for _, out in answers)
    _, fourth = await room.say(ANN, "!rep")
    assert [s.body for s in fourth] == [
        "Slow down, please: at most 3 commands a minute (help and look-ups count half). I did not run !rep, nor "
        "anything else you send in the next 60 seconds: send it again after that."
    ]
    for _ in range(5):
        _, out = await room.say(ANN, "!help")
        assert out == []
    _, bob = await room.say(BOB, "!rep")  # another member is not held back
    assert len(bob) == 1 and "credit" in bob[0].body


async def test_commands_ignored_do_not_count_and_the_budget_is_per_minute(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 6})

    assert [len((await room.say(ANN, CHANGE))[1]) for _ in range(6)] == [1] * 6
    await room.wait(timedelta(minutes=1))  # the six are a minute old: a fresh minute
    replies = [(await room.say(ANN, CHANGE))[1] for _ in range(8)]
    assert [out[0].body.startswith(CHANGED) for out in replies[:6]] == [True] * 6
    assert [s.body[:9] for s in replies[6]] == ["Slow down"] and replies[7] == []
    await room.wait(timedelta(minutes=1))  # the two ignored ones do not count against the next minute
    replies = [(await room.say(ANN, CHANGE))[1] for _ in range(6)]
    assert all(len(out) == 1 and out[0].body.startswith(CHANGED) for out in replies)


async def test_a_command_over_budget_changes_nothing_and_is_not_run_later(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 2})
    await room.say(BOB, "!propose Shared courier 500 EUR")
    await room.say(ANN, CHANGE)
    await room.say(ANN, CHANGE)
    held, out = await room.say(ANN, "!backme 1 50 EUR")
    assert len(out) == 1 and out[0].body.startswith("Slow down")
    assert await room.rows("SELECT * FROM pledges") == []
    replay = Message(held, ROOM, ANN, "!backme 1 50 EUR", room.clock.now())
    assert await room.kring.handle(replay) is False  # handled exactly once: a redelivery runs nothing
    room.clock.set(room.clock.now() + timedelta(seconds=61))
    _, out = await room.say(ANN, "!backme 1 50 EUR")  # the budget refilled
    assert len(out) == 1 and "50" in out[0].body
    assert len(await room.rows("SELECT * FROM pledges")) == 1


async def test_help_and_look_ups_cost_half_a_command(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 3})
    asked = [CHANGE, "!help", "!rep", "!proposals", "!ideas", "!top", "!status 9", "!who courier", "!profile"]
    answers = [(await room.say(ANN, body))[1] for body in asked]
    # one change (a whole command) and four look-ups (half each) fill a budget of three
    assert [len(out) for out in answers[:5]] == [1] * 5
    assert not any(s.body.startswith("Slow down") for out in answers[:5] for s in out)
    assert [s.body[:9] for s in answers[5]] == ["Slow down"]
    assert answers[6:] == [[], [], []]
    room.clock.advance(timedelta(seconds=60))
    answers = [(await room.say(ANN, "!rep"))[1] for _ in range(6)]  # six look-ups fill a whole budget of three
    assert [len(out) == 1 and "credit" in out[0].body for out in answers] == [True] * 6
    _, seventh = await room.say(ANN, "!rep")
    assert [s.body[:9] for s in seventh] == ["Slow down"]


async def test_no_command_over_budget_goes_unanswered_the_slow_down_names_it_and_how_long(make_room: MakeRoom) -> None:
    """Each command over the budget either gets the "slow down" naming it, or comes within the seconds that said
    nothing would run: after them, the next one over the budget is told again, even within the same minute."""
    room = await make_room(bot={"commands_per_minute": 1})
    start = room.clock.now()
    _, out = await room.say(ANN, CHANGE)
    assert out[0].body.startswith(CHANGED)
    room.clock.set(start + timedelta(seconds=10))
    _, out = await room.say(ANN, "!backme 3 €50")
    assert [s.body for s in out] == [
        "Slow down, please: at most 1 command a minute (help and look-ups count half). I did not run !backme 3 €50, "
        "nor anything else you send in the next 50 seconds: send it again after that."
    ]
    for second in (30, 59):
        room.clock.set(start + timedelta(seconds=second))
        assert (await room.say(ANN, "!help"))[1] == []  # nothing runs in those 50 seconds, as she was told
    room.clock.set(start + timedelta(seconds=60))
    _, out = await room.say(ANN, CHANGE)  # the moment named: it runs
    assert len(out) == 1 and out[0].body.startswith(CHANGED)
    room.clock.set(start + timedelta(seconds=61))
    _, out = await room.say(ANN, "!skills remove courier")  # over again, 51 s after the last slow down: told again
    assert [s.body for s in out] == [
        "Slow down, please: at most 1 command a minute (help and look-ups count half). I did not run !skills remove "
        "courier, nor anything else you send in the next 59 seconds: send it again after that."
    ]


async def test_a_steady_flood_hears_one_slow_down_a_minute_and_every_silence_was_announced(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 3})
    start = room.clock.now()
    answered, slowed, silent_but_told = 0, 0, 0
    paused_until = start
    for n in range(36):  # one change every 5 s for three minutes
        room.clock.set(start + timedelta(seconds=5 * n))
        _, out = await room.say(ANN, CHANGE)
        if not out:
            assert room.clock.now() < paused_until, f"command {n} got no answer and no slow down covered it"
            silent_but_told += 1
        elif out[0].body.startswith("Slow down"):
            (seconds,) = re.findall(r"in the next (\d+) seconds", out[0].body)
            paused_until = room.clock.now() + timedelta(seconds=int(seconds))
            slowed += 1
        else:
            answered += 1
    assert (answered, slowed, silent_but_told) == (9, 3, 24)  # three a minute, and one slow down a minute


async def test_slow_down_is_said_at_most_once_a_minute(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 1})
    slowed = 0
    for _ in range(12):  # one command every 10 s for two minutes
        _, out = await room.say(ANN, "!rep")
        slowed += sum(s.body.startswith("Slow down") for s in out)
        room.clock.set(room.clock.now() + timedelta(seconds=10))
    assert slowed == 2


async def test_moderators_have_no_budget(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 1})
    room.powers[MOD] = 100
    for _ in range(5):
        _, out = await room.say(MOD, "!rep")
        assert len(out) == 1 and "credit" in out[0].body


async def test_a_due_decision_goes_out_before_queued_replies(make_room: MakeRoom) -> None:
    room = await make_room()
    await room.say(ANN, "!propose Shared courier 500 EUR by tomorrow")
    deadline = await room.rows("SELECT deadline FROM proposals")
    assert deadline
    for n in range(20):  # replies queue up while the homeserver holds the bot back: nothing is delivered
        await room.kring.handle(Message(f"$flood{n}", ROOM, BOB, "!help", room.clock.now()))
    for announcement in await room.kring.due(room.clock.now() + timedelta(days=2)):
        room.clock.set(announcement.due_at)
        await room.kring.fire(announcement.id)
    out = await room.deliver()
    assert len(out) == 20 + 2  # the reminder and the decision
    assert DECISION.match(out[0].body), out[0].body
    assert out[1].body.startswith("⏰")
    assert all(s.reply_to is not None for s in out[2:])  # the replies, in the order they were asked
    assert [s.reply_to for s in out[2:]] == [f"$flood{n}" for n in range(20)]


async def test_a_cancellation_goes_out_before_queued_replies(make_room: MakeRoom) -> None:
    room = await make_room()
    await room.say(ANN, "!propose Shared courier 500 EUR")
    for n in range(5):
        await room.kring.handle(Message(f"$flood{n}", ROOM, BOB, "!help", room.clock.now()))
    await room.kring.handle(Message("$cancel", ROOM, ANN, "!cancel 1", room.clock.now()))
    out = await room.deliver()
    assert out[0].body.startswith("🚫 Proposal #1 Shared courier was cancelled"), out[0].body
    assert [s.reply_to for s in out[1:]] == [f"$flood{n}" for n in range(5)]


async def test_a_fourth_open_proposal_is_refused_naming_the_open_ones(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"max_open_per_member": 3})
    for title in ("Shared courier", "New scales", "Joint training"):
        await room.say(ANN, f"!propose {title} 100 EUR")
    answer = await room.reply(ANN, "!propose A fourth plan 100 EUR")
    assert answer.body == (
        "You already have 3 open proposals: #1 Shared courier, #2 New scales, #3 Joint training. "
        "Wait for one to be decided, or cancel one with !cancel."
    )
    assert len(await room.rows("SELECT * FROM proposals")) == 3
    _, out = await room.say(BOB, "!propose Bob's own plan 100 EUR")  # the limit is per member
    assert out[0].body.startswith("📣")
    await room.say(ANN, "!cancel 2")
    _, out = await room.say(ANN, "!propose A fourth plan 100 EUR")
    assert out[0].body.startswith("📣 New proposal #5: A fourth plan")


async def test_a_huge_command_is_not_read_and_gets_one_short_answer(room: Harness) -> None:
    body = "!propose Shared courier 500 EUR " + "x" * 17_000
    _, out = await room.say(ANN, body)
    assert [s.body for s in out] == ["That message is too long to read as a command (over 16 KB). Send a shorter one."]
    assert await room.rows("SELECT * FROM proposals") == []
    _, out = await room.say(ANN, "!propose " + "long " * 3000)  # under 16 KB: read, and the title refused as before
    assert len(out) == 1 and out[0].body.startswith("A title has 3 to 200 characters; yours has 14999 characters.")


class _RateLimitedClient:
    """A homeserver connection that answers the first room send with a 429; meanwhile a decision falls due."""

    def __init__(self, room: Harness, on_429: Callable[[], Awaitable[None]]) -> None:
        self.room = room
        self.on_429 = on_429
        self.posted: list[str] = []
        self.limited = False
        self.three_posted = asyncio.Event()

    async def room_send(self, room_id: str, kind: str, content: dict[str, Any], **_: Any) -> object:
        if not self.limited:
            self.limited = True
            await self.on_429()
            return RoomSendError("Too many requests", "M_LIMIT_EXCEEDED", retry_after_ms=20)
        self.posted.append(content["body"])
        if len(self.posted) == 3:
            self.three_posted.set()
        return RoomSendResponse(f"$sent{len(self.posted)}", room_id)


async def test_after_a_429_the_decision_that_fell_due_goes_before_the_reply_that_met_it(make_room: MakeRoom) -> None:
    room = await make_room()
    await room.say(ANN, "!propose Shared courier 500 EUR by tomorrow")
    await room.kring.handle(Message("$asked", ROOM, BOB, "!help", room.clock.now()))

    async def decision_falls_due() -> None:
        for announcement in await room.kring.due(room.clock.now() + timedelta(days=2)):
            room.clock.set(announcement.due_at)
            await room.kring.fire(announcement.id)

    client = _RateLimitedClient(room, decision_falls_due)
    stopping = asyncio.Event()
    sender = OutboxSender(room.kring, client, stopping)  # only room_send is used
    room.kring.outbox_ready.set()
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.wait_for(client.three_posted.wait(), timeout=10)
    finally:
        stopping.set()
        room.kring.outbox_ready.set()
        await task
    assert DECISION.match(client.posted[0]), client.posted
    assert client.posted[1].startswith("⏰")  # the reminder, also due by then
    assert client.posted[2].startswith("Kring commands:")  # the help text that met the 429 comes last, once
    assert len(client.posted) == 3
