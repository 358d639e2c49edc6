"""A pledge is never silently changed: a new `!backme` in which Kring reads no amount keeps the old money and hours
and asks; plain support instead is said in so many words (`alleen steun` / `support only`)."""

from __future__ import annotations

import pytest

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"


async def pledges(room: Harness) -> list[tuple[str, int, int, str]]:
    return [
        (str(r[0]), int(r[1]), int(r[2]), str(r[3]))
        for r in await room.rows("SELECT user_id, money_cents, minutes, note FROM pledges ORDER BY user_id")
    ]


@pytest.mark.parametrize("text", ["wat tijd", "een paar uurtjes", "ik rijd op dinsdag", "veel geld"])
async def test_a_pledge_without_a_readable_amount_keeps_the_money_and_asks(make_room: MakeRoom, text: str) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!voorstel Gedeelde koerier € 2.500 over 5 dagen")
    await room.say(BOB, "!STEUN 1 € 1.250,50 ik rijd")
    before = await room.dump()
    answer = await room.reply(BOB, f"!steun 1 {text}")
    assert answer.body.replace("\xa0", " ") == (
        f"Ik lees geen bedrag of uren in “{text}”; je toezegging voor #1 blijft € 1.250,50. Geef het bedrag of de "
        "uren (zoals € 50 of 4 uur), of stuur !steun 1 alleen steun als je zonder geld of uren wilt steunen."
    )
    assert await room.dump() == before
    assert await pledges(room) == [(BOB, 125_050, 0, "ik rijd")]


async def test_a_bare_backme_keeps_the_pledge_and_says_how_to_change_it(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 10h in 3 days")
    await room.say(BOB, "!backme 1 €60 4h")
    before = await room.dump()
    answer = await room.reply(BOB, "!backme 1")
    assert answer.body == (
        "Your pledge to #1 stays €60 + 4h. To change it, give the amount or the hours (like €50 or 4h), or send "
        "!backme 1 support only to back it without them."
    )
    assert await room.dump() == before


async def test_plain_support_is_said_explicitly_in_either_language(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!voorstel Gedeelde koerier € 2.500 over 5 dagen")
    await room.say(BOB, "!steun 1 € 1.250,50 ik rijd")
    answer = await room.reply(BOB, "!steun 1 alleen steun")
    assert "je steunt #1 nu zonder geld of uren (was €\xa01.250,50)" in answer.body
    assert await pledges(room) == [(BOB, 0, 0, "ik rijd")]  # the note stays
    await room.say(BOB, "!steun 1 2 uur")
    await room.say(BOB, "!backme 1 support only")
    assert await pledges(room) == [(BOB, 0, 0, "ik rijd")]


async def test_an_amount_in_words_replaces_the_old_amount(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 10h in 3 days")
    await room.say(BOB, "!backme 1 €60")
    answer = await room.reply(BOB, "!backme 1 a morning")
    assert "your pledge to #1 is now 4h (was €60)" in answer.body
    await room.say(BOB, "!backme 1 fifty euros, half a day")
    assert [(money, minutes) for _, money, minutes, _ in await pledges(room)] == [(5_000, 240)]


async def test_the_rooms_hours_for_a_part_of_a_day(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"}, proposals={"day_part_hours": 3.5, "whole_day_hours": 7})
    await room.say(ANN, "!voorstel Gedeelde koerier 40 uur over 5 dagen")
    await room.say(BOB, "!steun 1 een dagdeel")
    assert await pledges(room) == [(BOB, 0, 210, "")]
    await room.say(BOB, "!steun 1 een hele dag")
    assert await pledges(room) == [(BOB, 0, 420, "")]


async def test_a_first_pledge_without_an_amount_is_plain_support_with_its_note(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    answer = await room.reply(BOB, "!backme 1 happy to help")
    assert "you back #1 Shared courier, without money or hours" in answer.body
    assert await pledges(room) == [(BOB, 0, 0, "happy to help")]
    await room.say(BOB, "!backme 1 happy to drive")  # plain support, a new note: nothing is dropped
    assert await pledges(room) == [(BOB, 0, 0, "happy to drive")]


async def test_support_only_and_an_amount_together_are_refused(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    answer = await room.reply(BOB, "!backme 1 support only €50")
    assert answer.body.startswith("“support only” and an amount don't go together")
    assert await pledges(room) == []
