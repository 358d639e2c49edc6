"""!rep, !top and !ideas: what members see of the credits they gave each other."""

from __future__ import annotations

from datetime import timedelta

from handlers.events import Message
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"


async def credit(room: Harness, author: str, text: str, *givers: str) -> str:
    """`author` posts `text` and each giver reacts 👍 to it."""
    event_id, _ = await room.say(author, text)
    for giver in givers:
        await room.react(giver, event_id, "👍")
    return event_id


async def test_rep_shows_credits_and_rank(room: Harness) -> None:
    await credit(room, ANN, "Courier idea", BOB, CAS, DIK)
    await credit(room, BOB, "Van idea", ANN)
    mine = await room.reply(BOB, "!rep")
    assert mine.body == "You have 1 credit in this room (rank 2)."
    theirs = await room.reply(BOB, "!rep @ann:test")
    assert "Ann has 3 credits" in theirs.body and "rank 1" in theirs.body
    assert theirs.reply_to is not None


async def test_rep_of_someone_without_credits(room: Harness) -> None:
    answer = await room.reply(ANN, "!rep @nobody:test")
    assert "no credits" in answer.body and "@nobody:test" in answer.body


async def test_top_lists_members_by_credits(room: Harness) -> None:
    await credit(room, ANN, "Courier idea", BOB, CAS, DIK)
    await credit(room, BOB, "Van idea", ANN, CAS)
    await credit(room, CAS, "Bike idea", ANN)
    board = await room.reply(DIK, "!top")
    lines = board.body.splitlines()
    assert lines[1:] == ["1. Ann — 3", "2. Bob — 2", "3. Cas — 1"]
    short = await room.reply(DIK, "!top 2")
    assert short.body.splitlines()[1:] == ["1. Ann — 3", "2. Bob — 2"]


async def test_top_in_a_room_without_credits(room: Harness) -> None:
    answer = await room.reply(ANN, "!top")
    assert "No credits" in answer.body


async def test_ideas_lists_most_credited_first(room: Harness) -> None:
    await credit(room, ANN, "Shared courier for the district", BOB)
    await credit(room, BOB, "Joint night service rota", ANN, CAS, DIK)
    await room.say(CAS, "Nobody liked this one")
    answer = await room.reply(DIK, "!ideas")
    lines = answer.body.splitlines()
    assert lines[1] == "+3 Bob: “Joint night service rota”"
    assert lines[2] == "+1 Ann: “Shared courier for the district”"
    assert "Nobody liked" not in answer.body


async def test_ideas_leaves_out_commands_deleted_messages_and_proposed_ideas(room: Harness) -> None:
    await credit(room, ANN, "!help", BOB)  # a command earns its author a credit, but it is no idea
    deleted = await credit(room, ANN, "A message later deleted", BOB)
    await room.redact(ANN, deleted)
    proposed = await credit(room, BOB, "Joint night service rota", ANN)
    await room.say(CAS, "!propose Night rota", reply_to=proposed)
    unreacted = await credit(room, CAS, "Credit taken back", ANN)
    ((reaction,),) = await room.rows("SELECT source_event_id FROM credits WHERE target_event_id = ?", unreacted)
    await room.redact(ANN, reaction)
    await credit(room, DIK, "Still a good idea", ANN)

    answer = await room.reply(DIK, "!ideas")
    assert answer.body.splitlines()[1:-1] == ["+1 Dik: “Still a good idea”"]


async def test_ideas_only_looks_back_ideas_days(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"ideas_days": 7})
    await credit(room, ANN, "An old idea", BOB)
    await room.wait(timedelta(days=6))
    await credit(room, BOB, "A recent idea", ANN)
    assert "An old idea" in (await room.reply(CAS, "!ideas")).body
    await room.wait(timedelta(days=1, minutes=1))
    answer = await room.reply(CAS, "!ideas")
    assert "A recent idea" in answer.body and "An old idea" not in answer.body
    assert "7 days" in answer.body
    await room.wait(timedelta(days=6))
    assert "No credited ideas in the last 7 days" in (await room.reply(CAS, "!ideas")).body


async def test_rep_of_a_member_named_with_a_mention_pill(room: Harness) -> None:
    await credit(room, BOB, "Van idea", ANN, CAS)
    pill = Message("$rep", ROOM, ANN, "!rep Bob", room.clock.now(), mentions=(BOB,))
    await room.kring.handle(pill)
    (answer,) = await room.deliver()
    assert answer.body == "Bob has 2 credits in this room (rank 1)."
