"""A language per room: `!language`/`!taal` by moderators, kept across restarts; both languages' commands everywhere."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"
MOD = "@mod:test"


async def test_a_moderator_switches_the_room_to_dutch_and_it_stays_so_after_a_restart(room: Harness) -> None:
    room.powers[MOD] = 50
    answer = await room.reply(MOD, "!language nl")
    assert answer.body == "Vanaf nu spreek ik Nederlands in deze kamer."
    announcement = await room.reply(ANN, "!propose Gedeelde koerier €100 in 3 days")
    assert announcement.body.startswith("📣 Nieuw voorstel #1: Gedeelde koerier")
    await room.reopen()
    help_text = (await room.reply(BOB, "!help")).body
    assert help_text.startswith("Commando's van Kring:") and "!steun <nr>" in help_text
    assert "In deze kamer spreek ik Nederlands" in help_text
    (decision,) = [s for s in await room.wait(timedelta(days=4)) if "NO-GO" in s.body]
    assert decision.body.startswith("❌ NO-GO #1 Gedeelde koerier\nTekort:")
    back = await room.reply(MOD, "!taal en")
    assert back.body == "From now on I speak English in this room."


async def test_only_a_moderator_changes_the_language_and_a_wrong_one_is_named(room: Harness) -> None:
    room.powers[MOD] = 50
    refused = await room.reply(ANN, "!taal nl")
    assert refused.body == "Only a moderator (power level 50 or more) can change the room's language."
    wrong = await room.reply(MOD, "!language fr")
    assert wrong.body.startswith("“fr” is not a language I speak. Choose one of: en, nl.\nUsage: !language nl|en")
    missing = await room.reply(MOD, "!language")
    assert missing.body.startswith("Which language? Choose one of: en, nl.")
    same = await room.reply(MOD, "!language en")
    assert same.body == "This room already speaks English."
    assert (await room.reply(ANN, "!help")).body.startswith("Kring commands:")


async def test_dutch_commands_work_in_an_english_room_and_english_ones_in_a_dutch_room(make_room: MakeRoom) -> None:
    english = await make_room()
    announcement = await english.reply(ANN, "!voorstel Shared courier €100 over 3 dagen minimaal 2")
    assert announcement.body.startswith("📣 New proposal #1: Shared courier")
    assert "Goals: €100 · 2 backers" in announcement.body
    pledged = await english.reply(BOB, "!steun 1 €40")
    assert pledged.body.startswith("Thank you Bob: you back #1 Shared courier with €40.")
    dutch = await make_room(bot={"language": "nl"})
    announcement = await dutch.reply(ANN, "!propose Gedeelde koerier €100 in 3 days min 2")
    assert announcement.body.startswith("📣 Nieuw voorstel #1: Gedeelde koerier")
    pledged = await dutch.reply(BOB, "!backme 1 €40")
    assert pledged.body.startswith("Dank je, Bob: je steunt #1 Gedeelde koerier met €\xa040.")
    for word in ("ideeen", "ideeën", "IDEEËN", "ideas"):
        assert (await dutch.reply(ANN, f"!{word}")).body.startswith("Geen gewaardeerde ideeën")


async def test_help_for_one_command_in_dutch_shows_its_dutch_name_and_example(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    for asked in ("!hulp steun", "!help backme", "!hulp !steun"):
        answer = await room.reply(ANN, asked)
        assert answer.body == (
            "!steun — steun een voorstel met geld, uren of gewoon je steun\n"
            "Zo gebruik je het: !steun <nr> [€<bedrag>] [<n> uur] [toelichting]\n"
            "Voorbeeld: !steun #3 € 250 4 uur ik rijd graag op dinsdag"
        )
