"""Talents and needs: matching, opt-in mentions, limits, a need solved with a credit once, proposals that need
talents, profiles, and the export."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from bot.ops.export import export_rooms
from handlers.members.matching import matches_query, matches_text, talent_key
from storage.store import Store
from tests.unit.harness import START, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
MOD = "@mod:test"


@pytest.mark.parametrize(
    ("talent", "query", "found"),
    [
        ("Bezorging", "bezorging", True),
        ("bézorging", "BEZORG", True),
        ("  Bezorging   per  fiets ", "bez fiets", True),
        ("Delivery driver", "driv", True),
        ("Delivery driver", "deliv drive", True),
        ("Delivery driver", "river", False),  # a prefix of a word, not any part of it
        ("EHBO", "ehbo", True),
        ("first aid", "aid first", True),
        ("first aid", "firstaid", False),
    ],
)
def test_who_matches_every_word_as_the_start_of_a_word_of_the_talent(talent: str, query: str, found: bool) -> None:
    assert matches_query(talent_key(talent), query) is found


@pytest.mark.parametrize(
    ("talent", "text", "found"),
    [
        ("delivery", "Who can deliver to a patient in Oost on Saturday?", True),
        ("bezorging", "Wie kan zaterdag een patiënt in Oost bezorgen?", True),
        ("chauffeur", "Wie kan zaterdag rijden?", False),
        ("first aid", "we need first aid at the market", True),
        ("trainer", "who can train the new assistants?", True),
        ("patient transport", "a pattern for the shelves", False),
        ("in", "in Oost", False),  # too short to stand for a talent
    ],
)
def test_a_need_matches_talents_its_words_name(talent: str, text: str, found: bool) -> None:
    assert matches_text(talent_key(talent), text) is found


async def test_skills_are_added_shown_removed_and_limited(room: Harness) -> None:
    answer = await room.reply(BOB, "!skills add Driver, first aid; Bézorging")
    assert answer.body.splitlines() == [
        "Your talents: Driver, first aid, Bézorging",
        "Matches name you without a mention (!skills ask on to be asked).",
    ]
    await room.say(BOB, "!talenten toevoegen bezorging, DRIVER")  # the same talents: nothing new
    assert len(await room.rows("SELECT * FROM talents")) == 3
    assert (await room.reply(BOB, "!skills remove FIRST  aid")).body.startswith("Your talents: Driver, Bézorging")
    before = await room.dump()
    for command, said in [
        ("!skills add x", "“x” is no talent: a talent has 2 to 40 characters."),
        ("!skills add " + "y" * 41, "is no talent: a talent has 2 to 40 characters."),
        ("!skills remove cooking", "“cooking” is not one of your talents here."),
        ("!skills dance", "“dance” is not something !skills does"),
        ("!skills ask maybe", "“maybe” is neither on nor off"),
    ]:
        assert said in (await room.reply(BOB, command)).body, command
    await room.say(BOB, "!skills add " + ", ".join(f"talent {n:02d}" for n in range(18)))
    assert (await room.reply(BOB, "!skills add one more, and another")).body == (
        "You can list at most 20 talents in a room; remove one first."
    )
    assert len(await room.rows("SELECT * FROM talents")) == 20
    assert await room.dump() != before  # the 18 went in


async def test_a_need_mentions_only_the_members_who_opted_in(room: Harness) -> None:
    await room.say(BOB, "!skills add delivery driver")
    await room.say(CAS, "!talenten toevoegen bezorging")
    await room.say(DIK, "!skills add delivery")
    await room.say(DIK, "!skills ask on")
    (posted,) = (await room.say(ANN, "!need Who can deliver to a patient in Oost on Saturday?"))[1]
    # A match reaches the member who opted in to be asked, not the asker.
    assert posted.kind == "announce" and set(posted.mentions) == {DIK} and posted.notifies == {DIK}
    assert posted.body.splitlines() == [
        "🙋 N#1 Ann asks: “Who can deliver to a patient in Oost on Saturday?”",
        "Who may help:",
        "Bob: delivery driver",
        "Dik: delivery",
        "Solved? Send !solved N#1 @who-helped.",
    ]
    assert 'href="https://matrix.to/#/@dik:test"' in posted.html and "@bob:test" not in posted.html
    (named,) = (await room.say(ANN, "!gezocht iemand voor zaterdag voor: bezorging"))[1]
    assert "Cas: bezorging" in named.body and named.mentions == (ANN,)


async def test_a_need_is_solved_once_crediting_the_helper(room: Harness) -> None:
    room.powers[MOD] = 50
    await room.say(BOB, "I can drive you")
    await room.say(ANN, "!need a ride to the depot")
    before = await room.rep(BOB)
    assert (await room.reply(CAS, "!solved 1 @bob:test")).body == "Only who asked, or a moderator, closes N#1."
    assert (await room.reply(ANN, "!solved N#1 @ann:test")).body == "You cannot credit yourself for your own need."
    answer = await room.reply(ANN, "!opgelost N#1 @bob:test")
    assert answer.body == "N#1 is solved — thanks to Bob, who earns +1 credit." and answer.mentions == (BOB,)
    assert await room.rep(BOB) == before + 1
    assert (await room.reply(MOD, "!solved 1 @cas:test")).body == "N#1 is solved already."
    assert await room.rep(BOB) == before + 1 and await room.rep(CAS) == 0
    assert (await room.reply(ANN, "!needs")).body == "No open needs of the last 30 days."
    assert (await room.reply(ANN, "!solved 7")).body == "There is no need N#7 in this room."
    await room.say(ANN, "!need someone to water the plants")
    alone = await room.reply(ANN, "!solved 2")  # solved without naming a helper
    assert alone.body == "N#2 is solved.", alone.body
    assert "“x7” is not a need number" in (await room.reply(ANN, "!solved x7")).body


async def test_who_ranks_by_hours_delivered_then_credits_and_profile_tells_it_all(room: Harness) -> None:
    await room.say(BOB, "!skills add driver")
    await room.say(CAS, "!skills add driver")
    await room.say(DIK, "!skills add bus driver")
    idea, _ = await room.say(ANN, "A courier?")
    await room.react(CAS, idea, "👍")
    await room.react(DIK, idea, "👍")
    cas_post, _ = await room.say(CAS, "I can drive")
    await room.react(ANN, cas_post, "👍")
    assert (await room.reply(ANN, "!who driv")).body.splitlines() == [
        "Who can help with “driv”:",
        "Cas: driver",
        "Bob: driver",
        "Dik: bus driver",
    ]
    profile = (await room.reply(ANN, "!profile @cas:test")).body.splitlines()
    assert profile[:3] == ["Profile of Cas", "Talents: driver", "1 credit (rank 2)"]
    assert profile[-1].startswith("First seen 2 March 2026")
    assert (await room.reply(ANN, "!who baker")).body == "Nobody here lists a talent like “baker” yet."


async def test_a_proposal_that_needs_talents_names_who_offers_them(room: Harness) -> None:
    await room.say(BOB, "!skills add driver")
    await room.say(BOB, "!skills ask on")
    await room.say(CAS, "!skills add trainer")
    announcement = await room.reply(ANN, "!propose Courier course\ngoal: €100\nneeds: driver, trainer, baker")
    lines = announcement.body.splitlines()
    assert lines[lines.index("Talents needed:") + 1 :][:3] == [
        "driver: Bob",
        "trainer: Cas",
        "baker: nobody lists it yet",
    ]
    assert BOB in announcement.mentions and CAS not in announcement.mentions
    status = (await room.reply(DIK, "!proposal 1")).body
    assert "Talents needed:\ndriver: Bob\ntrainer: Cas" in status
    (room_export,) = (await export_rooms(room.store, ZoneInfo("Europe/Amsterdam")))["rooms"]
    assert room_export["proposals"][0]["needs"] == ["driver", "trainer", "baker"]
    assert room_export["talents"] == {BOB: ["driver"], CAS: ["trainer"]}


async def test_the_export_lists_needs(room: Harness) -> None:
    await room.say(BOB, "I can drive")  # a helper is credited only as a member of the room
    await room.say(ANN, "!need a ride for: driver")
    await room.say(ANN, "!solved 1 @bob:test")
    (room_export,) = (await export_rooms(room.store, ZoneInfo("Europe/Amsterdam")))["rooms"]
    (need,) = room_export["needs"]
    assert (need["id"], need["user"], need["text"], need["talents"], need["helped_by"]) == (
        1,
        ANN,
        "a ride",
        ["driver"],
        BOB,
    )
    assert need["solved_at"] is not None


async def test_a_console_flow_reaches_only_the_member_who_opted_in(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    store = await Store.open(tmp_path / "console.db")
    clock = ManualClock(START)
    kring = Kring(store, parse_settings({}), clock, BOT_ID)
    script = [
        "/as @bob",
        "!skills add driver",
        "!skills ask on",
        "/as @cas",
        "!skills add driver, trainer",
        "/as @dik",
        "!talenten toevoegen chauffeur",
        "/as @you",
        "!who driver",
        "!need who can drive to the depot on Saturday? for: driver",
        "!propose Courier course\\",
        "goal: €100\\",
        "needs: driver",
        "!solved 1 @bob",
        "!profile @bob",
    ]
    out = io.StringIO()
    try:
        await run_console(kring, clock, io.StringIO("\n".join(script) + "\n"), out)
        sent = await store.db.fetch_all("SELECT body, mentions FROM outbox ORDER BY id")
    finally:
        await store.close()
    text = out.getvalue()
    assert "Who can help with “driver”:" in text and "N#1 you asks" in text
    mentioned = {row[0].splitlines()[0]: row[1] for row in sent}
    assert mentioned["🙋 N#1 you asks: “who can drive to the depot on Saturday?”"] == '["@bob"]'
    assert '"@cas"' not in "".join(str(row[1]) for row in sent)
    assert "N#1 is solved — thanks to bob, who earns +1 credit." in text


async def test_solved_without_a_number_asks_which_need(room: Harness) -> None:
    await room.say(ANN, "!need a ride to the depot")
    answer = (await room.reply(ANN, "!solved")).body
    assert answer.startswith("Which need? Give its number, like !solved N#3 @who-helped.")
    assert "“”" not in answer
    assert "“x” is not a need number" in (await room.reply(ANN, "!solved x")).body
