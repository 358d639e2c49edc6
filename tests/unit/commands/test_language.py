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
    assert refused.body == "This room speaks English; only a moderator (power level 50 or more) can change that."
    wrong = await room.reply(MOD, "!language fr")
    assert wrong.body.startswith("“fr” is not a language I speak. Choose one of: en, nl.\nUsage: !language nl|en")
    missing = await room.reply(MOD, "!language")
    assert missing.body.startswith("This room speaks English. Which language should it speak? Choose one of: en, nl.")
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
            "Voorbeeld: !steun #3 € 250 4 uur ik rijd graag op dinsdag\n"
            "Een nieuwe toezegging vervangt je vorige. Je toezegging geldt pas als het voorstel GO krijgt; tot de "
            "deadline kun je hem nog wijzigen of intrekken (vlak voor de deadline niet meer zoveel dat een gehaald "
            "doel weer gemist wordt). Na GO betaal of werk je wat je hebt toegezegd en meld je dat met !geleverd."
        )


async def test_the_dutch_reads_as_a_pharmacist_would_say_it(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"}, proposals={"delivery_reminder_days": 3})
    cas, dik = "@cas:test", "@dik:test"
    assert (await room.reply(ANN, "!voorstel €500")).body.startswith("Je voorstel heeft nog geen titel.")
    long = await room.reply(ANN, "!voorstel " + "x" * 231)
    assert long.body.startswith("Een titel heeft 3 tot 200 tekens; de jouwe telt 231 tekens.")
    await room.say(ANN, "!voorstel Gedeelde koerier €100 over 2 dagen")
    assert (await room.reply(BOB, "!steun 1 1")).body.startswith("Is “1” geld of uren? Schrijf €1 of 1 uur.")
    await room.say(BOB, "!steun 1 €60 2 uur")
    await room.say(cas, "!steun 1 €20")
    (backed,) = (await room.say(dik, "!steun 1 €40"))[1][1:]
    assert "Toezeggen kan nog tot" in backed.body
    await room.wait(timedelta(days=2, minutes=1))  # GO
    (reminder,) = await room.wait(timedelta(days=3))
    assert (
        "Bob, Cas en Dik, jullie hebben nog niets van jullie toezegging gemeld. Al betaald of gewerkt?" in reminder.body
    )
    (reported,) = (await room.say(BOB, "!geleverd 1 €60"))[1]
    assert reported.body.startswith("📦 Bob heeft €\xa060 betaald voor #1 (nog niet bevestigd).")
    (confirmed,) = (await room.say(ANN, "!bevestig 1 @bob:test"))[1]
    assert confirmed.body.startswith("✅ Ann heeft de levering van €\xa060 door Bob voor #1 bevestigd.")
    assert "heeft 1 voorstel gesteund" in (await room.reply(ANN, "!profiel @bob:test")).body
    talents = (await room.reply(BOB, "!talenten toevoegen koerier")).body
    assert talents.splitlines()[1] == (
        "Past je talent bij een vraag, dan noem ik je naam zonder je te taggen. Wil je een melding? "
        "Stuur !talenten vragen aan."
    )
    assert (await room.reply(BOB, "!talenten vragen aan")).body == (
        "Je krijgt vanaf nu een melding bij passende vragen en voorstellen."
    )
    assert (await room.reply(ANN, "!wie bakker")).body == "Nog niemand heeft “bakker” als talent opgegeven."
    (need,) = (await room.say(ANN, "!gezocht iemand voor zaterdag"))[1]
    assert need.body.splitlines()[-1] == "Opgelost? Stuur !opgelost N#1 @wie-hielp."


async def test_one_backer_is_reminded_as_one_and_commands_are_commandos(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl", "commands_per_minute": 1}, proposals={"delivery_reminder_days": 3})
    await room.say(ANN, "!voorstel Gedeelde koerier €100 over 2 dagen")
    room.clock.advance(timedelta(minutes=2))
    await room.say(BOB, "!steun 1 €100")
    (slow,) = (await room.say(BOB, "!mijn"))[1]
    assert slow.body == (
        "Rustig aan graag: hoogstens 1 commando per minuut (hulp en opvragen tellen voor de helft). "
        "!mijn heb ik niet uitgevoerd, en ook niets wat je de komende 60 seconden nog stuurt: stuur het daarna opnieuw."
    )
    (reminder,) = [s for s in await room.wait(timedelta(days=5, minutes=1)) if s.body.startswith("👋")]
    assert "Gedeelde koerier: Bob, je hebt nog niets van je toezegging gemeld." in reminder.body
