"""Reactions as credits: one member, one vote per message (the latest up or down reaction decides), no
self-credit, none for commands, announcements credit the proposer, removing reactions or the message takes votes
back, the daily cap per UTC day counts votes and changes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from handlers.events import Event, Joined, Message, Reaction, Redaction
from handlers.reputation.reactions import CreditBook, facts_wanted
from tests.unit.conftest import MakeRoom
from tests.unit.harness import BOT, ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"


@pytest.mark.parametrize(
    ("emoji", "delta"),
    [("👍", 1), ("➕", 1), ("❤️", 1), ("🎉", 1), ("👏", 1), ("💯", 1), ("👎", -1), ("➖", -1), ("😀", 0), ("👀", 0)],
)
async def test_default_up_and_down_emoji(room: Harness, emoji: str, delta: int) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, emoji)
    assert await room.rep(ANN) == delta
    assert await room.rep(BOB) == 0


async def test_configured_emoji_replace_the_defaults(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"up": ["🌷"], "down": ["🥀"]})
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, "🌷")
    await room.react(CAS, idea, "👍")
    assert await room.rep(ANN) == 1
    await room.react(CAS, idea, "🥀")
    assert await room.rep(ANN) == 0


async def test_heart_with_and_without_variation_selector_is_one_reaction(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, "❤")  # no U+FE0F, as some clients send it
    assert await room.rep(ANN) == 1
    await room.react(BOB, idea, "❤️")
    assert await room.rep(ANN) == 1


async def test_no_credit_for_reacting_to_your_own_message(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(ANN, idea, "👍")
    await room.react(ANN, idea, "👎")
    assert await room.rep(ANN) == 0
    assert await room.rows("SELECT * FROM credits") == []


async def test_bot_replies_and_bot_messages_give_nothing(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100")
    status = await room.reply(ANN, "!proposal 1")
    assert status.kind == "reply" and status.proposal_id is not None
    await room.react(BOB, status.event_id, "👍")
    own, _ = await room.say(BOT, "a message of the bot itself, seen through sync")
    await room.react(BOB, own, "👍")
    assert await room.rep(ANN) == 0
    assert await room.rep(BOT) == 0


async def test_reaction_to_an_announcement_credits_the_proposer(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Shared courier €100")
    assert announcement.kind == "announce"
    await room.react(BOB, announcement.event_id, "👍")
    await room.react(CAS, announcement.event_id, "👎")
    assert await room.rep(ANN) == 0
    await room.react(CAS, announcement.event_id, "🎉")  # Cas's latest reaction decides: up
    assert await room.rep(ANN) == 2
    assert await room.rep(BOT) == 0


async def test_proposer_reacting_to_their_own_announcement_gets_nothing(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Shared courier €100")
    await room.react(ANN, announcement.event_id, "👍")
    assert await room.rep(ANN) == 0


async def test_reaction_to_a_decision_credits_the_proposer(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.say(BOB, "!backme 1")
    (decision,) = [s for s in await room.wait(timedelta(days=3)) if s.body.startswith("✅ GO #1")]
    before = await room.rep(ANN)
    await room.react(CAS, decision.event_id, "👏")
    assert await room.rep(ANN) == before + 1


async def test_one_member_one_vote_per_message_whatever_the_number_of_emoji(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    for emoji in ("👍", "👍", "❤️", "🎉", "👏", "💯", "➕"):
        await room.react(BOB, idea, emoji)
    assert await room.rep(ANN) == 1
    await room.react(CAS, idea, "👎")
    await room.react(CAS, idea, "➖")
    assert await room.rep(ANN) == 0
    await room.react(DIK, idea, "👍")  # another member, another vote
    assert await room.rep(ANN) == 1
    assert await room.rows("SELECT score FROM messages WHERE event_id = ?", idea) == [(1,)]


async def test_the_latest_reaction_decides_and_removing_it_brings_back_the_one_before(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    up = await room.react(BOB, idea, "👍")
    down = await room.react(BOB, idea, "👎")
    assert await room.rep(ANN) == -1
    await room.redact(BOB, down)
    assert await room.rep(ANN) == 1
    await room.redact(BOB, up)
    assert await room.rep(ANN) == 0  # no reaction left: no vote
    ledger = await room.rows("SELECT delta, reason FROM credits ORDER BY id")
    assert ledger == [(1, "reaction"), (-1, "reversal"), (-1, "reaction"), (1, "reversal"), (1, "reaction"),
                      (-1, "reversal")]  # fmt: skip


@pytest.mark.parametrize("variant", ["👍🏽", "👍🏿", "👍️", "❤", "❤️", "👎🏼"])
async def test_skin_tones_and_variation_selectors_are_the_same_emoji(room: Harness, variant: str) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, variant)
    assert await room.rep(ANN) == (-1 if variant.startswith("👎") else 1)


async def test_reactions_to_a_command_give_nothing(room: Harness) -> None:
    command, _ = await room.say(ANN, "!top")
    await room.react(BOB, command, "👍")
    assert await room.rep(ANN) == 0


async def test_deleting_a_message_takes_back_its_votes_and_it_leaves_ideas(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, "👍")
    await room.react(CAS, idea, "🎉")
    assert "Let's share a courier" in (await room.reply(BOB, "!ideas")).body
    assert await room.rep(ANN) == 2
    await room.redact(ANN, idea)
    assert await room.rep(ANN) == 0
    assert (await room.reply(BOB, "!ideas")).body.startswith("No credited ideas")
    await room.react(DIK, idea, "👍")  # a vote on a deleted message counts nothing
    assert await room.rep(ANN) == 0


async def test_redacting_a_reaction_takes_its_credit_back_once(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    up = await room.react(BOB, idea, "👍")
    down = await room.react(CAS, idea, "👎")
    assert await room.rep(ANN) == 0
    await room.redact(CAS, down)
    assert await room.rep(ANN) == 1
    await room.redact(BOB, up)
    assert await room.rep(ANN) == 0
    before = await room.dump()
    await room.redact(BOB, up)  # a second redaction (another event) of the same reaction
    assert await room.dump() == before
    assert await room.rep(ANN) == 0


async def test_react_again_after_redaction_counts_again(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    first = await room.react(BOB, idea, "👍")
    await room.redact(BOB, first)
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 1
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 1


async def test_redacting_an_unknown_event_changes_nothing(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, "👍")
    before = await room.dump()
    await room.redact(BOB, "$never-seen")
    assert await room.dump() == before
    assert room.sent == []


async def test_reactions_to_unknown_events_count_nothing(room: Harness) -> None:
    await room.say(ANN, "Let's share a courier")
    before = await room.dump()
    await room.react(BOB, "$never-seen", "👍")
    assert await room.dump() == before


async def test_reaction_to_a_deleted_message_counts_nothing(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.redact(ANN, idea)
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 0


async def test_credits_are_kept_per_room(room: Harness) -> None:
    here, _ = await room.say(ANN, "Let's share a courier")
    there, _ = await room.say(ANN, "Let's share a van", room="!other:test")
    await room.react(BOB, there, "👍", room="!other:test")
    await room.react(CAS, there, "🎉", room="!other:test")
    await room.react(BOB, here, "👍")
    assert await room.rep(ANN) == 1
    assert await room.rep(ANN, room="!other:test") == 2
    await room.react(CAS, here, "👍", room="!other:test")  # a reaction claiming a message of another room
    assert await room.rep(ANN) == 1
    assert await room.rep(ANN, room="!other:test") == 2


MIDNIGHT = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


async def test_daily_cap_counts_votes_and_changes_and_resets_at_utc_midnight(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"daily_cap": 3})
    ideas = [(await room.say(ANN, f"Idea number {n}"))[0] for n in range(6)]
    room.clock.set(MIDNIGHT - timedelta(hours=2))
    await room.react(BOB, ideas[0], "👍")
    await room.react(BOB, ideas[1], "👎")
    await room.react(BOB, ideas[1], "🎉")  # a change of vote counts too: the cap of 3 is reached
    assert await room.rep(ANN) == 2
    await room.react(BOB, ideas[3], "👍")  # over the cap
    await room.react(BOB, ideas[3], "👎")
    assert await room.rep(ANN) == 2
    await room.react(CAS, ideas[3], "👍")  # the cap is per giver
    assert await room.rep(ANN) == 3

    room.clock.set(MIDNIGHT - timedelta(minutes=50))  # already the next day in Amsterdam, not in UTC
    await room.react(BOB, ideas[4], "👍")
    assert await room.rep(ANN) == 3

    room.clock.set(MIDNIGHT)
    await room.react(BOB, ideas[5], "👎")
    await room.react(BOB, ideas[5], "💯")  # a flip: −1 taken back, +1 given
    assert await room.rep(ANN) == 3 + 1
    await room.react(BOB, ideas[2], "👏")  # the third vote of the new day
    assert await room.rep(ANN) == 5
    await room.react(BOB, ideas[0], "👎")  # the new day's cap is reached: Bob's vote on [0] stays up
    assert await room.rep(ANN) == 5


async def test_a_vote_over_the_daily_cap_is_told_once_a_day(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"}, reputation={"daily_cap": 1})
    ideas = [(await room.say(ANN, f"Idee nummer {n}"))[0] for n in range(5)]
    await room.say(BOB, "Goede ideeën!")
    room.clock.set(MIDNIGHT - timedelta(hours=2))
    await room.react(BOB, ideas[0], "👍")
    assert await room.deliver() == []
    await room.react(BOB, ideas[1], "👍")  # over the cap
    (told,) = await room.deliver()
    assert told.body == (
        "Bob, je stem telde niet: je hebt vandaag al de 1 stem gegeven die hier per dag telt. "
        "Vanaf 3 maart 2026 om 01:00 tellen je stemmen weer."
    )
    assert told.mentions == (BOB,)
    await room.react(BOB, ideas[2], "👍")  # over the cap again, the same day: not told twice
    assert await room.deliver() == []
    room.clock.set(MIDNIGHT + timedelta(hours=1))
    await room.react(BOB, ideas[3], "👍")  # the new day's vote counts
    await room.react(BOB, ideas[4], "👍")  # and the new day's first vote over the cap is told
    assert len(await room.deliver()) == 1
    assert await room.rep(ANN) == 2


async def test_in_one_batch_over_the_cap_is_told_once_a_day_in_the_order_it_happened(make_room: MakeRoom) -> None:
    """A batch (a catch-up after downtime, here across UTC midnight) tells each day's first vote over the cap once,
    each notice in its place among the replies to the batch's commands."""
    room = await make_room(reputation={"daily_cap": 1})
    ideas = [(await room.say(ANN, f"Idea number {n}"))[0] for n in range(6)]
    before, after = MIDNIGHT - timedelta(hours=1), MIDNIGHT + timedelta(hours=1)

    def vote(idea: int, at: datetime) -> Reaction:
        return Reaction(room.new_id("react"), ROOM, BOB, ideas[idea], "👍", at)

    batch: list[Event] = [
        Message(room.new_id("msg"), ROOM, BOB, "Good ideas!", before, sender_name="Bob"),
        vote(0, before),
        vote(1, before),  # over the cap: told
        vote(2, before),  # over the cap again, the same day: not told twice
        Message(room.new_id("msg"), ROOM, CAS, "!rep", before + timedelta(minutes=1)),
        vote(3, after),  # the new day's vote counts
        vote(4, after),  # the new day's first vote over the cap: told
        vote(5, after),
    ]
    await room.kring.handle_batch(batch)
    told = await room.deliver()
    assert [BOB in sent.mentions for sent in told] == [True, False, True]
    assert told[0].body.startswith("Bob, ") and "3 March 2026" in told[0].body  # named as he spoke in this batch
    assert "4 March 2026" in told[2].body
    assert await room.rep(ANN) == 2


async def test_daily_cap_zero_gives_no_credits(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"daily_cap": 0})
    idea, _ = await room.say(ANN, "Let's share a courier")
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 0


async def test_the_rules_leave_the_facts_they_read_as_the_store_has_them(room: Harness) -> None:
    """A batch's credit book works on its own copy: the facts read for it (which a batch read again after an
    opt-out starts from) are still what the store holds after the book ran."""
    idea, _ = await room.say(ANN, "Let's share a courier")
    mine = await room.react(BOB, idea, "👍")
    now = room.clock.now()
    events: list[Event] = [
        Reaction("$cas", ROOM, CAS, idea, "👎", now),
        Redaction("$undo", ROOM, BOB, mine, now),
        Joined("$join", ROOM, DIK, now),
    ]
    settings = room.kring.settings.reputation
    facts = await room.store.intake.credit_facts(facts_wanted(events, settings))
    as_read = copy.deepcopy(facts)
    book = CreditBook(facts, settings, BOT)
    for event in events:
        if isinstance(event, Reaction):
            book.on_reaction(event)
        elif isinstance(event, Redaction):
            book.on_redaction(event)
        elif isinstance(event, Joined):
            book.on_join(event)
    assert book.take_effects().credits  # the book did change votes…
    assert facts == as_read  # …in its own copy
    assert facts == await room.store.intake.credit_facts(facts_wanted(events, settings))
