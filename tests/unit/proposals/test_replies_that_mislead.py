"""Replies that must not mislead: each goal's own progress, counts that match their lists, what a pledge means and
what happens next, and the small replies that sent a member the wrong way (issue 32, items 6 to 9)."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
EVA = "@eva:test"
MOD = "@mod:test"
NL = {"language": "nl", "commands_per_minute": 100}


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


async def test_each_goal_shows_its_own_progress_and_a_met_minimum_reads_as_such(make_room: MakeRoom) -> None:
    dutch = await make_room(bot=NL)
    await dutch.say(ANN, "!voorstel Koerier € 1.250 8 uur over 14 dagen min 4")
    answer = await dutch.reply(BOB, "!Steun 1 € 250")
    assert plain(answer.body.splitlines()[1]) == (
        "░░░░░░░░░░ 0% · € 250 van € 1.250 · 0 van 8 uur · 1 van 4 steuners · nog 14 dagen"
    )
    for backer in (CAS, DIK, EVA, MOD):
        answer = await dutch.reply(backer, "!steun 1")
    assert "· 5 steuners (minimaal 4) ·" in answer.body and "5/4" not in answer.body

    english = await make_room()
    await english.say(ANN, "!propose Courier €1,250 8h in 14 days min 4")
    answer = await english.reply(BOB, "!backme 1 €250")
    assert answer.body.splitlines()[1] == "░░░░░░░░░░ 0% · €250 of €1,250 · 0 of 8h · 1 of 4 backers · 14 days left"


async def test_backers_counted_are_the_backers_listed_and_the_proposers_own_pledge_stands_apart(
    make_room: MakeRoom,
) -> None:
    room = await make_room(bot=NL)
    await room.say(ANN, "!voorstel Koerier € 1.000 over 3 dagen min 3")
    await room.say(ANN, "!steun 1 € 100 ik rijd zelf ook")
    for backer in (BOB, CAS, DIK):
        await room.say(backer, "!steun 1 € 50")
    status = plain((await room.reply(BOB, "!status 1")).body)
    listed = status[status.index("Steuners (3):") :].splitlines()
    assert listed == [
        "Steuners (3):",
        "• Bob: € 50",
        "• Cas: € 50",
        "• Dik: € 50",
        "Eigen toezegging van de indiener (geen steuner): Ann: € 100 — “ik rijd zelf ook”",
    ]
    (no_go,) = [s for s in await room.wait(timedelta(days=3, minutes=1)) if "NO-GO" in s.body]
    assert "Steuners (3):\n• Bob: € 50\n• Cas: € 50\n• Dik: € 50\nEigen toezegging" in plain(no_go.body)


async def test_a_pledge_is_said_to_bind_only_on_go_and_go_and_cancel_say_what_follows(make_room: MakeRoom) -> None:
    room = await make_room(bot=NL)
    announced = await room.reply(ANN, "!voorstel Koerier € 100 over 3 dagen min 1")
    assert "Je toezegging geldt pas als #1 GO krijgt." in announced.body
    assert "Je toezegging geldt pas als het voorstel GO krijgt" in (await room.reply(BOB, "!hulp steun")).body
    await room.say(BOB, "!steun 1 € 100")
    (go,) = [s for s in await room.wait(timedelta(days=3, minutes=1)) if "GO #1" in s.body]
    assert go.body.splitlines()[-1] == (
        "Steuners: betaal of werk wat je hebt toegezegd en meld het met !geleverd 1 [€bedrag] [uren]. "
        "Nieuws volgt in de draad onder de aankondiging (!voortgang 1 <nieuws>)."
    )
    await room.say(ANN, "!voorstel Tweede koerier € 100 over 3 dagen")
    await room.say(BOB, "!steun 2 € 20")
    cancelled = await room.reply(ANN, "!annuleer 2 dubbel")
    assert cancelled.body.splitlines()[-1] == "Bob: je toezegging vervalt, je bent niets verschuldigd."

    english = await make_room()
    announced = await english.reply(ANN, "!propose Courier €100 in 3 days")
    assert "A pledge binds you only if #1 goes GO." in announced.body
    assert "It binds you only if the proposal goes GO" in (await english.reply(BOB, "!help backme")).body


async def test_joining_words_between_amounts_are_no_note_but_stay_in_a_real_one(make_room: MakeRoom) -> None:
    room = await make_room(bot=NL)
    await room.say(ANN, "!voorstel Koerier € 1.000 over 3 dagen")
    await room.say(BOB, "!steun 1 € 100 + 2 uur")
    await room.say(CAS, "!steun 1 € 100,- en 4 uur")
    await room.say(DIK, "!steun 1 € 50 en op vrijdag")
    await room.say(EVA, "!steun 1 € 50 en 2 uur ik rijd op dinsdag")
    notes = await room.rows("SELECT user_id, minutes, note FROM pledges ORDER BY user_id")
    assert notes == [
        (BOB, 120, ""),
        (CAS, 240, ""),
        (DIK, 0, "en op vrijdag"),
        (EVA, 120, "ik rijd op dinsdag"),
    ]


async def test_small_replies_point_the_right_way(make_room: MakeRoom) -> None:
    room = await make_room(bot=NL)
    room.powers[MOD] = 50
    await room.say(ANN, "!voorstel Koerier € 100 over 3 dagen")
    edit = await room.reply(ANN, "!wijzig 1")
    assert edit.body.startswith("Wat wil je wijzigen? Zet titel:, beschrijving:, doel:, uren: of steuners: achter")
    assert "“”" not in edit.body and "Voorbeeld: !wijzig #3 doel: € 3.000" in plain(edit.body)
    assert (
        await room.reply(BOB, "!hulp steunen")
    ).body == "Het commando “steunen” bestaat niet. Bedoel je !hulp steun?"
    assert (await room.reply(BOB, "!taal en")).body.startswith(
        "In deze kamer spreek ik Nederlands; alleen een moderator"
    )
    for command in ("!voortgang 1 het loopt", "!geleverd 1 € 10"):
        early = await room.reply(BOB, command)
        assert early.body.startswith("#1 loopt nog tot ") and early.body.endswith("meld je pas na GO.")
    board = (await room.reply(BOB, "!bord")).body
    assert "[board]" not in board and "listen" not in board
    await room.say(BOB, "!steun 1 € 100")
    await room.wait(timedelta(days=3, minutes=1))  # GO
    await room.say(BOB, "!geleverd 1 € 50")
    update = await room.reply(BOB, "!voortgang 1 de bus is besteld")
    assert update.body.startswith("📝 Voortgang van #1 Koerier, gemeld door Bob")
    unknown = await room.reply(ANN, "!bevestig 1 fleur")
    assert unknown.body == "Ik weet niet wie “fleur” is. Voor #1 wachten leveringen van: Bob (@bob:test)."
    confirmed = await room.reply(ANN, "!bevestig 1 bob")  # a backer whose delivery waits, by name
    assert plain(confirmed.body).startswith("✅ Ann heeft de levering van € 50 door Bob voor #1 bevestigd.")
    nothing = await room.reply(ANN, "!bevestig 1 fleur")
    assert nothing.body == "“fleur” is geen Matrix-gebruiker, en er wacht geen levering voor #1 op bevestiging."


async def test_the_english_room_gets_the_same_small_fixes(room: Harness) -> None:
    await room.say(ANN, "!propose Courier €100 in 3 days")
    assert (await room.reply(BOB, "!help bakme")).body == "There is no command “bakme”. Did you mean !help backme?"
    assert (await room.reply(BOB, "!language nl")).body.startswith("This room speaks English; only a moderator")
    early = await room.reply(BOB, "!update 1 going well")
    assert early.body.startswith("#1 is still open until ") and early.body.endswith("come after GO.")
    assert (await room.reply(ANN, "!edit 1")).body.startswith("What do you want to change? Write title:")
    await room.say(BOB, "!backme 1 €100 + 2h")
    assert await room.rows("SELECT note FROM pledges") == [("",)]


async def test_dutch_that_read_translated_now_reads_as_spoken(make_room: MakeRoom) -> None:
    room = await make_room(bot=NL, proposals={"delivery_reminder_days": 3})
    await room.say(ANN, "!voorstel Koerier € 100 2 uur over 3 dagen min 2")
    await room.say(BOB, "!steun 1 € 60 2 uur")
    await room.say(CAS, "!steun 1 € 40")
    await room.wait(timedelta(days=3, minutes=1))  # GO
    (reminder,) = [s for s in await room.wait(timedelta(days=3)) if s.body.startswith("👋")]
    assert "Bob en Cas, jullie hebben nog niets van jullie toezegging gemeld. Al betaald of gewerkt? Meld het" in (
        reminder.body
    )
    reported = await room.reply(BOB, "!geleverd 1 € 60 2 uur")
    assert plain(reported.body).startswith("📦 Bob heeft € 60 betaald en 2 uur gewerkt voor #1 (nog niet bevestigd).")
    await room.say(ANN, "!bevestig 1 @bob:test")
    taken_back = await room.reply(ANN, "!herroep 1 @bob:test")
    assert taken_back.body.endswith("is ingetrokken; de punten daarvoor vervallen.")
    await room.say(BOB, "!talenten toevoegen chauffeur")
    need = await room.reply(ANN, "!gezocht iemand voor een rit voor: chauffeur")
    assert "Zij kunnen misschien helpen:" in need.body
