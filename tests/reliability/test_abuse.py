"""Abuse and permissions through the real engine and store: each attempt is refused or ignored, and counted.

Every case makes `attempts` abusive moves and says how many of them the rules allow to count (`allowed`);
the test checks what actually counted, and for refused commands that the database is unchanged.
The Matrix-side filters (rooms not served, strangers' invites, a kicked bot) are in test_abuse_matrix.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.events import Message, Reaction, Redaction
from tests.unit.harness import BOT, ROOM, Harness, make_harness

from .conftest import Figures

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
MOD = "@mod:test"
OTHER_ROOM = "!other:test"


@dataclass(frozen=True)
class Tally:
    attempts: int
    counted: int  # attempts that changed something
    allowed: int  # how many the rules let count


async def _room(tmp_path: Path, **overrides: dict[str, object]) -> Harness:
    room = await make_harness(tmp_path, **overrides)  # type: ignore[arg-type]
    room.powers[MOD] = 50
    return room


async def _ideas(room: Harness, author: str, count: int) -> list[str]:
    return [(await room.say(author, f"idea number {n} from {author}"))[0] for n in range(count)]


async def self_credit(room: Harness) -> Tally:
    ideas = await _ideas(room, ANN, 10)
    for idea in ideas:
        await room.react(ANN, idea, "👍")
    return Tally(10, await room.rep(ANN), 0)


async def repeated_reactions(room: Harness) -> Tally:
    (idea,) = await _ideas(room, ANN, 1)
    for _ in range(5):  # Synapse refuses a duplicate annotation, another homeserver might not
        await room.react(BOB, idea, "👍")
    for key in ("❤️", "❤", "❤️", "❤"):  # with and without the variation selector: one emoji
        await room.react(BOB, idea, key)
    return Tally(9, await room.rep(ANN), 1)  # one member, one vote per message


async def beyond_daily_cap(room: Harness) -> Tally:
    ideas = await _ideas(room, ANN, 30) + await _ideas(room, CAS, 30)
    for idea in ideas:
        await room.react(BOB, idea, "👍" if idea in ideas[:45] else "👎")
    counted = await room.rep(ANN) + await room.rep(CAS)
    given = await room.rows("SELECT COUNT(*) FROM credits WHERE giver = ? AND reason = 'reaction'", BOB)
    assert counted == 20 and given == [(20,)]  # the first 20 count (all 👍), the other 40 give nothing
    room.clock.advance(timedelta(days=1))  # a new UTC day: BOB may vote again
    await room.react(BOB, ideas[0], "🎉")  # his vote on it is up already: nothing changes
    await room.react(BOB, ideas[25], "🎉")  # his 👍 there came over the cap; now it is a vote
    assert await room.rep(ANN) + await room.rep(CAS) == 21
    return Tally(60, 20, 20)


async def reactions_to_redacted_or_unknown(room: Harness) -> Tally:
    ideas = await _ideas(room, ANN, 3)
    for idea in ideas:
        await room.redact(ANN, idea)
        await room.react(BOB, idea, "👍")
    for n in range(3):
        await room.react(BOB, f"$never-seen-{n}", "👍")
    _, out = await room.say(ANN, "!rep")  # a reply of the bot's: reacting to it credits nobody
    await room.react(BOB, out[0].event_id, "👍")
    await room.react(CAS, out[0].event_id, "👍")
    other, _ = await room.say(ANN, "an idea in another room", room=OTHER_ROOM)
    await room.react(BOB, other, "👍")  # the event is another room's: not this room's credit
    await room.react(BOB, ideas[0], "👍", room=OTHER_ROOM)
    total = sum([await room.rep(ANN), await room.rep(ANN, OTHER_ROOM), await room.rep(BOT)])
    return Tally(10, total, 0)


async def redaction_replayed(room: Harness) -> Tally:
    (idea,) = await _ideas(room, ANN, 1)
    up = await room.react(BOB, idea, "👍")
    for _ in range(4):
        await room.redact(BOB, up, event_id="$undo")  # the same redaction, delivered again
    await room.redact(BOB, up)  # and a second redaction of the same reaction
    credits = await room.rows("SELECT reason, delta FROM credits ORDER BY id")
    assert credits == [("reaction", 1), ("reversal", -1)]
    return Tally(5, len(credits) - 1, 1)


async def replayed_commands(room: Harness) -> Tally:
    await room.say(ANN, "!propose Shared courier €100 in 3 days", event_id="$p")
    for _ in range(3):
        await room.say(ANN, "!propose Shared courier €100 in 3 days", event_id="$p")
    await room.say(BOB, "!backme 1 €60", event_id="$b")
    for _ in range(3):
        await room.say(BOB, "!backme 1 €60", event_id="$b")
    proposals = await room.rows("SELECT COUNT(*) FROM proposals")
    history = await room.rows("SELECT COUNT(*) FROM pledge_history")
    answers = sum(1 for s in room.sent if s.reply_to in ("$p", "$b") or s.body.startswith("📣 New proposal"))
    assert answers == 2
    return Tally(6, proposals[0][0] + history[0][0] - 2, 0)


async def the_bots_own_events(room: Harness) -> Tally:
    (idea,) = await _ideas(room, ANN, 1)
    await room.say(BOT, "!propose A plan the bot would never make")
    await room.react(BOT, idea, "👍")
    await room.kring.handle(Redaction("$bot-redact", ROOM, BOT, idea, room.clock.now()))
    changed = len(await room.rows("SELECT * FROM proposals")) + await room.rep(ANN)
    redacted = await room.rows("SELECT redacted FROM messages WHERE event_id = ?", idea)
    return Tally(3, changed + redacted[0][0], 0)


# Commands a member may not give: each is refused with a reason and changes nothing.
REFUSED: list[tuple[str, str, str]] = [
    (CAS, "!withdraw 1", "You have no pledge on #1"),  # someone else's pledge: only your own can go
    (CAS, "!cancel 1 I don't like it", "Only the proposer"),
    (BOB, "!cancel 1", "Only the proposer"),  # a backer is not the proposer
    (ANN, "!extend 1 in 9 days", "Only a moderator"),  # the proposer is not a moderator
    (CAS, "!extend 1 in 9 days", "Only a moderator"),
    (CAS, "!backme 2 €5", "There is no proposal #2"),
    (CAS, "!backme 1 -€50", "must be more than zero"),
    (CAS, "!backme 1 €20000000", "more than the maximum"),
    (CAS, "!cancel 9", "There is no proposal #9"),
]


async def others_pledges_and_moderation(room: Harness) -> Tally:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    backed, _ = await room.say(BOB, "!backme 1 €60 count me in")
    before = await room.dump()
    for sender, body, reason in REFUSED:
        answer = await room.reply(sender, body)
        assert reason in answer.body, (body, answer.body)
        assert await room.dump() == before, body
    # A pledge "on behalf of" someone, or in reply to their pledge, is the sender's own pledge.
    await room.say(CAS, f"!backme 1 €1 for {BOB}", reply_to=backed)
    pledges = await room.rows("SELECT user_id, money_cents FROM pledges ORDER BY user_id")
    assert pledges == [(BOB, 6000), (CAS, 100)]
    # A moderator may cancel; after that nobody can pledge, withdraw, object or extend.
    await room.say(MOD, "!cancel 1 duplicate of another plan")
    closed = await room.dump()
    late = ["!backme 1 €5", "!withdraw 1", "!object 1 too late", "!extend 1 in 20 days", "!cancel 1"]
    for body in late:
        answer = await room.reply(MOD if "extend" in body or "cancel" in body else BOB, body)
        assert "closed" in answer.body or "cancelled" in answer.body, (body, answer.body)
        assert await room.dump() == closed, body
    return Tally(len(REFUSED) + 1 + len(late), len(pledges) - 1 - 1, 0)


async def after_the_deadline(room: Harness) -> Tally:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    room.clock.advance(timedelta(days=3, minutes=1))  # past the deadline, before the decision was fired
    before = await room.dump()
    for body in ("!backme 1 €100", "!withdraw 1", "!object 1 now it is too late"):
        answer = await room.reply(CAS if "withdraw" not in body else BOB, body)
        assert "deadline of #1 has passed" in answer.body, answer.body
    assert await room.dump() == before
    return Tally(3, 0, 0)


async def forged_message_in_another_room(room: Harness) -> Tally:
    """A command sent in another room names proposal #1: it resolves in that room, never this one."""
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    before = await room.dump()
    for body in ("!backme 1 €60", "!withdraw 1", "!cancel 1", "!object 1 from elsewhere"):
        message = Message(room.new_id(), OTHER_ROOM, CAS, body, room.clock.now(), sender_power=100)
        await room.kring.handle(message)
    out = await room.deliver()
    assert all("There is no proposal #1" in s.body and s.room_id == OTHER_ROOM for s in out), [s.body for s in out]
    assert await room.dump() == before
    return Tally(4, 0, 0)


async def flood_of_reactions_on_one_message(room: Harness) -> Tally:
    """Many members pile on one message with every emoji, twice: each has one vote, the latest reaction's."""
    (idea,) = await _ideas(room, ANN, 1)
    members = [f"@member{n}:test" for n in range(40)]
    keys = ["👍", "➕", "❤️", "🎉", "👏", "💯", "👎", "➖", "😀"]
    events = [
        Reaction(f"$flood-{m}-{k}-{rep}", ROOM, member, idea, key, room.clock.now())
        for m, member in enumerate(members)
        for k, key in enumerate(keys)
        for rep in range(2)
    ]
    await room.kring.handle_batch(events)
    allowed = len(members) * -1  # the latest up or down reaction of each is ➖ (😀 gives nothing)
    return Tally(len(events), await room.rep(ANN), allowed)


async def backing_your_own_proposal(room: Harness) -> Tally:
    """Issue 23: one account proposes, backs itself, and waits for GO, three times over."""
    for n, name in enumerate(("Plan A", "Plan B", "Plan C"), start=1):
        (announced,) = (await room.say(ANN, f"!propose {name} €1 in 1 day"))[1]
        assert announced.body.startswith(f"📣 New proposal #{n}"), announced.body
        await room.say(ANN, f"!backme {n} €1")
        await room.wait(timedelta(days=1, minutes=1))
    gos = await room.rows("SELECT COUNT(*) FROM proposals WHERE status = 'go'")
    return Tally(3, int(gos[0][0]), 0)


async def solved_as_a_side_door(room: Harness) -> Tally:
    """Issue 23: helper credits for yourself, for a stranger, from an opted-out asker, beyond the daily cap."""
    await room.say(BOB, "I can help")
    await room.say(ANN, "!need a ride")
    await room.say(ANN, "!solved 1 @ann:test")  # yourself
    await room.say(ANN, "!need a lift")
    await room.say(MOD, "!solved 2 @mod:test")  # the moderator who closes it
    await room.say(ANN, "!need a van")
    await room.say(ANN, "!solved 3 @stranger:elsewhere.example")  # never seen in the room
    await room.say(CAS, "!optout")
    await room.say(CAS, "!need a map")
    await room.say(CAS, "!solved 4 @bob:test")  # an opted-out asker
    ideas = await _ideas(room, BOB, 20)
    for idea in ideas:
        await room.react(ANN, idea, "👍")  # ann's 20 votes of the day
    await room.say(ANN, "!need a bike")
    await room.say(ANN, "!solved 5 @bob:test")  # beyond ann's daily cap
    helped = await room.rows("SELECT COUNT(*) FROM credits WHERE reason = 'helped'")
    return Tally(5, int(helped[0][0]), 0)


async def penny_deliveries(room: Harness) -> Tally:
    """Issue 23: a support-only backer reports one cent five times, and one confirmation follows."""
    await room.say(ANN, "!propose Shared courier in 1 day")
    await room.say(BOB, "!backme 1")
    await room.wait(timedelta(days=1, minutes=1))
    for _ in range(5):
        await room.say(BOB, "!delivered 1 €0.01")
    await room.say(ANN, "!confirm 1 @bob:test")
    money = await room.rows("SELECT COUNT(*) FROM credits WHERE reason = 'delivered_money'")
    return Tally(5, int(money[0][0]), 0)


async def votes_on_every_kring_message(room: Harness) -> Tally:
    """Issue 23: one friend's 👍 on the announcement, "fully backed", the reminder and GO: one vote."""
    _, announced = await room.say(ANN, "!propose Shared courier in 3 days")
    _, backed = await room.say(BOB, "!backme 1")
    later = await room.wait(timedelta(days=3, minutes=1))
    posts = [s.event_id for s in [*announced, *backed, *later] if s.kind == "announce"]
    assert len(posts) == 4, [s.body for s in [*announced, *backed, *later]]
    for post in posts:
        await room.react(CAS, post, "👍")
    votes = await room.rows("SELECT COUNT(*) FROM credits WHERE reason = 'reaction' AND giver = ?", CAS)
    return Tally(len(posts), int(votes[0][0]), 1)


async def a_pair_minting_through_delivered_hours(room: Harness) -> Tally:
    """Issue 31: a throwaway proposal, 100 000 pledged hours reported in ten parts, each confirmed by the proposer.
    What counts: the GO's +5 and +1, each on its receiver's own cap, and the 15 left of the proposer's daily cap."""
    await room.say(ANN, "!propose Farm in 1m min 1")
    await room.say(BOB, "!backme 1 100000h")
    await room.wait(timedelta(minutes=2))
    for _ in range(10):
        await room.say(BOB, "!delivered 1 10000h")
        await room.say(ANN, "!confirm 1 @bob:test")
    minted = await room.rows("SELECT COALESCE(SUM(delta), 0) FROM credits WHERE receiver IN (?, ?)", ANN, BOB)
    return Tally(100_000 + 5 + 1, int(minted[0][0]), 5 + 1 + 15)


Case = Callable[[Harness], Awaitable[Tally]]
CASES: dict[str, Case] = {
    "self-credit": self_credit,
    "repeated identical reactions": repeated_reactions,
    "reaction spam beyond the daily cap": beyond_daily_cap,
    "reactions to redacted, unknown, bot or other-room events": reactions_to_redacted_or_unknown,
    "a redaction delivered again": redaction_replayed,
    "commands delivered again (same event id)": replayed_commands,
    "the bot's own events echoed back": the_bots_own_events,
    "someone else's pledge; cancel/extend without the right": others_pledges_and_moderation,
    "pledge, withdraw or object after the deadline": after_the_deadline,
    "commands naming this room's proposal from another room": forged_message_in_another_room,
    "a flood of reactions on one message": flood_of_reactions_on_one_message,
    "backing your own proposal": backing_your_own_proposal,
    "!solved as a side door around the vote rules": solved_as_a_side_door,
    "penny deliveries for the money reward": penny_deliveries,
    "votes on every Kring message about one proposal": votes_on_every_kring_message,
    "a pair minting credits through delivered hours": a_pair_minting_through_delivered_hours,
}


@pytest.mark.parametrize("name", list(CASES))
async def test_abuse_is_refused_or_ignored(name: str, tmp_path: Path, figures: Figures) -> None:
    room = await _room(tmp_path)
    try:
        tally = await CASES[name](room)
    finally:
        await room.store.close()
    figures.record(
        f"abuse: {name}",
        times=tally.attempts,
        sent=tally.attempts,
        counted=tally.counted,
        lost=max(0, tally.allowed - tally.counted),
        duplicated=max(0, tally.counted - tally.allowed),
    )
    assert tally.counted == tally.allowed, tally
