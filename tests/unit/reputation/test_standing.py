"""Fresh and guest accounts: `[reputation] min_days_in_room` and `[reputation] servers`."""

from __future__ import annotations

from datetime import timedelta

from handlers.events import Event, Joined, Reaction
from tests.unit.conftest import MakeRoom
from tests.unit.harness import DECISION, ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
NEW = "@new:test"
GUEST = "@guest:elsewhere.org"


async def join(room: Harness, user: str, days_ago: float = 0) -> None:
    at = room.clock.now() - timedelta(days=days_ago)
    await room.kring.handle(Joined(room.new_id("join"), ROOM, user, at))


async def test_a_new_members_reactions_count_nothing_until_their_days_are_up(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 2})
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    await join(room, NEW)
    await room.react(NEW, idea, "👍")
    told = await room.deliver()
    assert await room.rep(ANN) == 0
    assert len(told) == 1 and NEW in told[0].mentions
    assert "welcome" in told[0].body and "first 2 days" in told[0].body
    assert "4 March 2026" in told[0].body  # START is 2 March: two days after the join
    second, _ = await room.say(BOB, "And a shared fridge?")
    await room.react(NEW, second, "❤️")
    assert await room.deliver() == []  # told once
    assert await room.rep(BOB) == 0

    await room.wait(timedelta(days=2))
    assert await room.rep(ANN) == 0  # the early reaction was not kept for later
    await room.react(NEW, idea, "👍")
    assert await room.rep(ANN) == 1


async def test_members_whose_join_kring_never_saw_and_old_members_count_at_once(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 2})
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    await join(room, BOB, days_ago=30)
    await room.react(BOB, idea, "👍")
    await room.react("@unseen:test", idea, "👍")
    assert await room.rep(ANN) == 2
    assert await room.deliver() == []


async def test_leaving_and_joining_again_does_not_make_an_account_new(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 1})
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    await join(room, BOB, days_ago=10)
    await join(room, BOB)  # rejoined just now
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 1


async def test_a_join_and_a_reaction_in_one_batch_are_judged_in_order(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 1})
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    now = room.clock.now()
    batch: list[Event] = [Joined("$j", ROOM, NEW, now), Reaction("$r", ROOM, NEW, idea, "👍", now)]
    assert await room.kring.handle_batch(batch) == 2
    assert await room.rep(ANN) == 0
    assert len(await room.deliver()) == 1


async def test_without_the_setting_a_new_member_counts_at_once(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    await join(room, NEW)
    await room.react(NEW, idea, "👍")
    assert await room.rep(ANN) == 1


async def test_guests_give_and_receive_no_credits_and_hear_why_once(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"servers": ["test"]})
    idea, _ = await room.say(ANN, "Shall we share one courier?")
    await room.react(GUEST, idea, "👍")
    told = await room.deliver()
    assert await room.rep(ANN) == 0
    assert len(told) == 1 and GUEST in told[0].mentions
    assert "only members on test give and receive credits" in told[0].body
    await room.react(GUEST, idea, "➕")
    assert await room.deliver() == []

    guest_idea, _ = await room.say(GUEST, "A guest's idea")
    await room.react(ANN, guest_idea, "👍")
    assert await room.rep(GUEST) == 0
    assert await room.deliver() == []  # the member who reacted did nothing wrong: no notice
    await room.react(BOB, idea, "👍")
    assert await room.rep(ANN) == 1


async def test_a_guest_cannot_pledge_and_a_guests_go_earns_no_credits(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"servers": [":TEST"]})  # written with a colon and in capitals: the same
    await room.say(GUEST, "!propose Guest lecture 100 EUR in 3 days")
    refused = await room.reply(GUEST, "!backme 1 100 EUR")
    assert refused.body == "Only members on test can back proposals here; your account is on elsewhere.org."
    assert await room.rows("SELECT * FROM pledges") == []
    await room.reply(ANN, "!backme 1 100 EUR")
    decided = [s for s in await room.wait(timedelta(days=4)) if DECISION.match(s.body)]
    assert decided and decided[0].body.startswith("✅ GO #1")
    assert await room.rep(GUEST) == 0
    assert await room.rep(ANN) == 1  # the backer's reward


async def test_dutch_rooms_hear_it_in_dutch(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"}, reputation={"min_days_in_room": 1, "servers": ["test"]})
    idea, _ = await room.say(ANN, "Eén koerier voor de wijk?")
    await join(room, NEW)
    await room.react(NEW, idea, "👍")
    await room.react(GUEST, idea, "👍")
    told = [s.body for s in await room.deliver()]
    assert "welkom" in told[0] and "eerste dag in de kamer" in told[0]
    assert "alleen leden op test geven en krijgen punten" in told[1]


async def test_after_a_room_upgrade_days_in_the_room_count_from_the_first_join(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 7})
    await join(room, BOB, days_ago=30)
    new_room = "!upgraded:test"
    async with room.store.transaction():
        await room.store.proposals.move_room(ROOM, new_room)
    await room.kring.handle(Joined(room.new_id("join"), new_room, BOB, room.clock.now()))  # the rejoin
    idea, _ = await room.say(ANN, "An idea in the new room", room=new_room)
    await room.react(BOB, idea, "👍", room=new_room)
    assert await room.rep(ANN, room=new_room) == 1
    assert await room.deliver() == []  # nobody is welcomed as new
