"""Rules and replies a community can trust: input that was silently misread, numbers that misled, look-alikes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"


async def pledges(room: Harness) -> list[tuple[object, ...]]:
    return await room.rows("SELECT user_id, money_cents, minutes, note FROM pledges ORDER BY user_id")


@pytest.mark.parametrize(
    ("command", "named"),
    [
        ("!backme 1 $100", "“$100”"),
        ("!backme 1 USD 100", "“USD 100”"),
        ("!backme 1 100 dollar", "“100 dollar”"),
        ("!backme 1 €abc", "“€abc”"),
        ("!backme 1 can drive 3", "“3” alone is unclear"),
    ],
)
async def test_money_in_a_form_kring_does_not_read_never_wipes_a_pledge(
    room: Harness, command: str, named: str
) -> None:
    await room.say(ANN, "!propose Shared courier €5.000 in 3 days")
    await room.say(BOB, "!backme 1 €2,500 happy to drive")
    before = await room.dump()
    answer = await room.reply(BOB, command)
    assert named in answer.body and "Usage: !backme" in answer.body
    assert await room.dump() == before
    assert await pledges(room) == [(BOB, 250_000, 0, "happy to drive")]


@pytest.mark.parametrize(
    ("command", "named"),
    [
        ("!propose Test 2500", "“2500” at the end of the title is unclear"),
        ("!propose Test in -3 days", "I can't read the deadline “in -3 days”"),
        ("!propose Test min abc", "“min abc” is not a valid minimum number of backers"),
        ("!propose Coffee $50", "I can't read the amount “$50”"),
        ("!propose Test\nbudgett: €500", "I don't know the line “budgett:”"),
        ("!propose Test\nwhen: next week", "I can't read the deadline “next week”"),
    ],
)
async def test_a_proposal_written_wrong_is_refused_with_the_right_form(room: Harness, command: str, named: str) -> None:
    before = await room.dump()
    answer = await room.reply(ANN, command)
    form = "Over several lines, like this:\n!propose <title>\ngoal:" if "\n" in command else "Usage: !propose"
    assert named in answer.body and form in answer.body
    assert await room.dump() == before


async def test_the_obvious_field_names_are_understood(room: Harness) -> None:
    text = "!propose Shared courier\nbudget: €500\nwhen: 2026-03-20\npeople: 3\nNote: bring the van keys"
    announcement = await room.reply(ANN, text)
    assert "Goals: €500 · 3 backers" in announcement.body
    assert "Deadline: Friday 20 March 2026, 23:59" in announcement.body
    assert "Note: bring the van keys" in announcement.body  # a word and a colon without an amount: description


async def test_a_title_with_a_number_may_be_quoted(room: Harness) -> None:
    announcement = await room.reply(ANN, '!propose "Courier 2027" €500')
    assert announcement.body.startswith("📣 New proposal #1: Courier 2027\n")


async def test_a_new_pledge_without_a_note_keeps_the_old_note_and_says_what_changed(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €40 I drive on Tuesdays")
    answer = await room.reply(BOB, "!backme 1 €60")
    assert answer.body.splitlines()[:2] == [
        "Bob, your pledge to #1 is now €60 (was €40).",
        "Your note stays: “I drive on Tuesdays”.",
    ]
    answer = await room.reply(BOB, "!backme 1 €60 and on Fridays")
    assert answer.body.splitlines()[:2] == [
        "Bob, your pledge to #1 was already €60.",
        "Your note is now: “and on Fridays”.",
    ]
    assert await pledges(room) == [(BOB, 6000, 0, "and on Fridays")]


async def test_the_bar_is_the_least_met_goal_and_reads_100_only_when_go(room: Harness) -> None:
    await room.say(ANN, "!propose Half day €10 in 10h min 2")
    answer = await room.reply(BOB, "!backme 1 €10")
    assert answer.body.splitlines()[1] == "▓▓▓▓▓░░░░░ 50% · €10 of €10 · 1 of 2 backers · 10 hours left"
    answer = await room.reply(CAS, "!backme 1 €15")
    progress = answer.body.splitlines()[1]
    assert progress == "▓▓▓▓▓▓▓▓▓▓ 100% · €25 of €10 · €15 more than the goal · 2 backers (at least 2) · 10 hours left"
    out = await room.wait(timedelta(hours=11))
    assert any(s.body.startswith("✅ GO #1 Half day") for s in out)


async def test_bidi_controls_and_invisible_spaces_are_removed_from_what_members_type(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Test\u202ereversed\u202c text €100 in 3 days")
    assert announcement.body.startswith("📣 New proposal #1: Testreversed text\n")
    answer = await room.reply(BOB, "!backme 1 €10 ok\u200b\u2066x\u2069")
    assert await pledges(room) == [(BOB, 1000, 0, "okx")] and "\u2066" not in answer.body
    await room.say(CAS, "!object 1 too \u202eexpensive")
    assert await room.rows("SELECT reason FROM objections") == [("too expensive",)]
    hebrew = await room.reply(ANN, "!propose שליח משותף €100")  # ordinary right-to-left text stays as it is
    assert hebrew.body.startswith("📣 New proposal #2: שליח משותף\n")


async def test_the_same_title_cannot_be_proposed_twice_while_the_first_is_open(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    before = await room.dump()
    answer = await room.reply(BOB, "!propose  shared   COURIER  €200")
    assert answer.body == (
        "#1 Shared courier is already open with that title; back it with !backme 1, or choose another title."
    )
    assert await room.dump() == before
    await room.say(ANN, "!cancel 1")
    again = await room.reply(BOB, "!propose Shared courier €200")
    assert again.body.startswith("📣 New proposal #2: Shared courier")


@pytest.mark.parametrize(
    ("command", "title"),
    [
        ("!propose Workshop over 3D €50", "Workshop over 3D"),  # "over" is also "about"; 3D is no duration
        ("!propose Koffie min suiker voor de wachtkamer €5", "Koffie min suiker voor de wachtkamer"),
        ("!propose Feest €50 min 5 mensen", "Feest"),
    ],
)
async def test_everyday_words_near_clause_words_stay_in_the_title(room: Harness, command: str, title: str) -> None:
    announcement = await room.reply(ANN, command)
    assert announcement.body.startswith(f"📣 New proposal #1: {title}\n")


async def test_description_lines_with_a_colon_and_a_date_in_them_stay_description(room: Harness) -> None:
    text = "!propose Scholing\ngoal: €100\nPlanning: over 2 weken beginnen we\nWaarom: in 3 dagen is het zover"
    announcement = await room.reply(ANN, text)
    assert "Planning: over 2 weken beginnen we\nWaarom: in 3 dagen is het zover" in announcement.body
    await room.say(BOB, "!backme 1 €5 see recent2 notes")
    assert await pledges(room) == [(BOB, 500, 0, "see recent2 notes")]
