"""`!wijzig` / `!edit` moves the deadline, earlier too, until the first pledge; the reminder and the decision move
with it, and the reply says the exact moment. `!verleng` / `!extend` stays the moderator's, and only later."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
AMS = ZoneInfo("Europe/Amsterdam")


async def test_the_proposer_pulls_the_deadline_back_and_the_schedule_follows(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!voorstel Gedeelde koerier € 100 over 10 dagen")
    (changed,) = (await room.say(ANN, "!wijzig 1 deadline: voor 6 maart"))[1]
    assert changed.body.splitlines()[1] == (
        "Deadline: donderdag 12 maart 2026 om 11:00 → donderdag 5 maart 2026 om 23:59 (nog 3 dagen)"
    )
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None and proposal.deadline == datetime(2026, 3, 5, 23, 59, tzinfo=AMS)
    # The reminder comes a day before the new deadline, the decision at it; nothing at the old times.
    (reminder,) = await room.wait(timedelta(days=3, hours=12))
    assert reminder.body.startswith("⏰")
    out = await room.wait(timedelta(hours=12))
    assert [s.body.split("\n")[0] for s in out] == ["❌ NO-GO #1 Gedeelde koerier"]
    assert await room.wait(timedelta(days=10)) == []


async def test_after_the_first_pledge_the_deadline_stays(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 10 days")
    await room.say(BOB, "!backme 1 €10")
    before = await room.dump()
    answer = await room.reply(ANN, "!edit 1 deadline: in 3 days")
    assert answer.body.startswith("#1 has pledges already")
    assert await room.dump() == before


async def test_a_deadline_edit_that_cannot_be_read_changes_nothing(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 10 days")
    before = await room.dump()
    answer = await room.reply(ANN, "!edit 1 deadline: yesterday")
    assert "has already passed" in answer.body
    assert await room.dump() == before


async def test_a_member_cannot_edit_the_deadline_nor_extend_it(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 10 days")
    before = await room.dump()
    assert "Only the proposer" in (await room.reply(BOB, "!edit 1 deadline: in 20 days")).body
    assert "Only a moderator" in (await room.reply(ANN, "!extend 1 in 20 days")).body
    assert await room.dump() == before
