"""Commands in general: !help, the command word, the prefix, and one clear answer to every malformed command."""

from __future__ import annotations

import pytest

from handlers.commands.registry import COMMANDS
from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"
MOD = "@mod:test"

BAD_INPUT = [
    # (command, what the answer says, shows the usage with an example)
    ("!backme", "Which proposal? Give its number", True),
    ("!backme abc", "“abc” is not a proposal number", True),
    ("!backme 9", "There is no proposal #9 in this room", False),
    ("!backme 1 9", "“9” alone is unclear: write €9 for money or 9h for hours", True),
    ("!backme 1 €0", "The amount “€0” must be more than zero", True),
    ("!backme 1 €20.000.000", "more than the maximum of €10,000,000", True),
    ("!propose", "Your proposal has no title yet.", True),
    ("!propose €500", "Your proposal has no title yet.", True),
    ("!propose x", "A title has 3 to 200 characters; yours has 1 character.", True),
    ("!propose Title €abc", "I can't read the amount “€abc”", True),
    ("!propose Title €5 €6", "You gave an amount of money twice (“€6”)", True),
    ("!propose Title by 2020-01-01", "The deadline “by 2020-01-01” has already passed", True),
    ("!propose Title in 400 days", "more than 365 days away", True),
    ("!propose Title min 0", "“min 0” is not a valid minimum number of backers", True),
    ("!withdraw abc", "“abc” is not a proposal number", True),
    ("!withdraw 1", "You have no pledge on #1", False),
    ("!object 1", "Please give a reason", True),
    ("!object 7 too expensive", "There is no proposal #7 in this room", False),
    ("!object 1 " + "x" * 501, "The reason is too long (at most 500 characters)", True),
    ("!proposal", "Which proposal?", True),
    ("!proposal 0", "“0” is not a proposal number", True),
    ("!top 0", "“0” is not a number from 1 to 50", True),
    ("!top many", "“many” is not a number from 1 to 50", True),
    ("!rep bob", "“bob” is not a Matrix user id", True),
    ("!cancel abc", "“abc” is not a proposal number", True),
    ("!extend 1 garbage", "I can't read the deadline “garbage”", True),
    ("!extend 1", "Which deadline?", True),
    ("!frobnicate", "I don't know the command !frobnicate. Send !help for the list of commands.", False),
    ("!help frobnicate", "There is no command “frobnicate”", False),
]


@pytest.mark.parametrize(("command", "problem", "usage"), BAD_INPUT)
async def test_malformed_command_gets_one_answer_and_changes_nothing(
    room: Harness, command: str, problem: str, usage: bool
) -> None:
    room.powers[MOD] = 50
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    before = await room.dump()
    event_id, out = await room.say(MOD, command)
    assert len(out) == 1
    (answer,) = out
    assert answer.reply_to == event_id and answer.kind == "reply"
    assert problem in answer.body
    assert ("\nUsage: " in answer.body and "\nExample: " in answer.body) is usage
    assert await room.dump() == before


async def test_help_lists_every_command_in_the_order_chosen_for_members(room: Harness) -> None:
    answer = await room.reply(ANN, "!help")
    *commands, footer, language = answer.body.splitlines()[1:]
    assert [line.split()[0] for line in commands] == [f"!{declared.name}" for declared in COMMANDS]
    assert [declared.name for declared in COMMANDS][:4] == ["proposals", "archive", "proposal", "propose"]
    assert [declared.name for declared in COMMANDS][-3:] == ["forgetme", "language", "help"]
    assert footer.startswith("Send !help <command>") and language.startswith("This room speaks English")


@pytest.mark.parametrize("command", ["!help backme", "!help !backme", "!HELP BackMe"])
async def test_help_for_one_command_shows_syntax_and_example(room: Harness, command: str) -> None:
    answer = await room.reply(ANN, command)
    assert answer.body == (
        "!backme — back a proposal with money, hours or plain support\n"
        "Usage: !backme <id> [€<money>] [<n>h] [note]\nExample: !backme #3 €250 4h happy to drive on Tuesdays\n"
        "A new pledge replaces your old one. It binds you only if the proposal goes GO; until the deadline you can "
        "change or withdraw it (close to the deadline, not below a goal it has reached). After GO you pay or work as "
        "pledged and report it with !delivered.\n"
        "Also: !back, !pledge"
    )


async def test_help_for_one_command_says_what_it_does_who_may_and_no_stray_arguments(make_room: MakeRoom) -> None:
    dutch = await make_room(bot={"language": "nl"})
    status = (await dutch.reply(ANN, "!hulp status")).body
    assert status.splitlines()[0] == "!status — alles over één voorstel"
    assert "Ook:" not in status  # !status is its only Dutch name
    assert (await dutch.reply(ANN, "!hulp klaar")).body.splitlines()[:2] == [
        "!klaar — sluit een voorstel met GO af als klaar, met een verslag (indiener of moderator)",
        "Zo gebruik je het: !klaar <nr> [samenvatting]",
    ]
    assert (await dutch.reply(ANN, "!hulp opgelost")).body.splitlines()[1] == (
        "Zo gebruik je het: !opgelost <N#nummer> [@wie-hielp]"
    )
    english = await make_room()
    assert (await english.reply(ANN, "!help proposal")).body.splitlines()[-1] == "Also: !status"
    assert (await english.reply(ANN, "!help solved")).body.splitlines()[1] == "Usage: !solved <N#number> [@helper]"


async def test_help_for_propose_explains_the_multi_line_form(room: Harness) -> None:
    answer = await room.reply(ANN, "!help propose")
    assert "goal: €2.500" in answer.body and "Reply to an idea with !propose" in answer.body


async def test_command_word_is_case_insensitive(room: Harness) -> None:
    announcement = await room.reply(ANN, "!ProPose Shared courier")
    assert announcement.body.startswith("📣 New proposal #1: Shared courier")


async def test_a_lone_prefix_or_prefix_with_space_before_other_words_is_just_a_message(room: Harness) -> None:
    for text in ("!", "! what a day", "!  ", "Wow!"):
        _, out = await room.say(ANN, text)
        assert out == []


async def test_a_space_after_the_prefix_before_a_command_name_is_that_command(room: Harness) -> None:
    announcement = await room.reply(ANN, "! propose Shared courier €500")  # a phone keyboard adds the space
    assert announcement.body.startswith("📣 New proposal #1: Shared courier")
    answer = await room.reply(BOB, "! steun 1 €300")
    assert answer.body.startswith("Thank you Bob: you back #1 Shared courier with €300.")
    assert await room.rows("SELECT user_id, money_cents FROM pledges") == [(BOB, 30_000)]


async def test_the_command_prefix_is_configurable(make_room: MakeRoom) -> None:
    room = await make_room(bot={"command_prefix": "?"})
    _, out = await room.say(ANN, "!propose Shared courier")
    assert out == []
    announcement = await room.reply(ANN, "?propose Shared courier")
    assert "?backme 1" in announcement.body
    answer = await room.reply(ANN, "?frobnicate")
    assert answer.body == "I don't know the command ?frobnicate. Send ?help for the list of commands."


async def test_a_typo_in_a_command_name_gets_the_nearest_one_suggested(make_room: MakeRoom) -> None:
    dutch = await make_room(bot={"language": "nl"})
    answer = await dutch.reply(ANN, "!voorstelen")
    assert answer.body == "Het commando !voorstelen ken ik niet. Bedoel je !voorstellen?"
    english = await make_room()
    assert (await english.reply(ANN, "!propse Courier")).body == (
        "I don't know the command !propse. Did you mean !propose?"
    )
    assert (await english.reply(ANN, "!frobnicate")).body.endswith("Send !help for the list of commands.")


async def test_a_pledge_with_its_number_after_the_amount_gets_the_right_order_suggested(make_room: MakeRoom) -> None:
    dutch = await make_room(bot={"language": "nl"})
    await dutch.say(ANN, "!voorstel Gedeelde koerier €500")
    answer = await dutch.reply(BOB, "!steun €50 1")
    assert "\nBedoel je !steun 1 €50?\n" in answer.body
    answer = await dutch.reply(BOB, "!steun €50 #1 graag")
    assert "\nBedoel je !steun #1 €50 graag?\n" in answer.body
    assert await dutch.rows("SELECT user_id FROM pledges") == []
