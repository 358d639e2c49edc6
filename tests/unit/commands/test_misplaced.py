"""Commands not at the very start: white space before one is fine; one later in a sentence is not run, but hinted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.console import BOT_ID
from bot.engine import Kring
from handlers.commands.declaration import split_command
from handlers.commands.misplaced import misplaced_commands
from handlers.commands.registry import COMMANDS
from storage.store import Store
from tests.unit.conftest import MakeRoom
from tests.unit.harness import START
from tests.unit.test_console import Terminal, numbered

ANN = "@ann:test"
BOB = "@bob:test"
HINT = "Did you mean a command? I did not run it. Put it at the start of your message: "


@pytest.mark.parametrize(
    "blank",
    [" ", "   ", "\t", "\n", "\u00a0", "\u202f", "\u2007", "\u3000", "\u200b", "\ufeff", "\u2060", " \u00a0\u200b "],
)
def test_white_space_of_any_kind_before_a_command_is_fine(blank: str) -> None:
    assert split_command(f"{blank}!Steun 1 €100", "!", COMMANDS) == ("steun", "1 €100")
    assert split_command(f"{blank}! steun 1", "!", COMMANDS) == ("steun", "1")  # and a space after the prefix
    assert split_command(f"{blank}hello !steun 1", "!", COMMANDS) is None


async def test_a_pledge_after_a_leading_space_is_made(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(BOB, "!voorstel Gedeelde koerier €1.000")
    _, out = await room.say(ANN, " !steun 1 €100")
    assert len(out) == 1 and out[0].body.replace("\xa0", " ").startswith(
        "Dank je, Ann: je steunt #1 Gedeelde koerier met € 100"
    )
    _, out = await room.say(ANN, "\u00a0\u200b!steun 1 €150")  # what a phone keyboard or an editor puts in front
    assert len(out) == 1 and "€ 150" in out[0].body.replace("\xa0", " ")
    assert await room.rows("SELECT money_cents FROM pledges") == [(15_000,)]


async def test_a_command_later_in_a_sentence_gets_a_hint_and_is_not_run(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(BOB, "!voorstel Gedeelde koerier €1.000")
    _, out = await room.say(ANN, "Ik doe ook mee hoor, !steun 1 €100")
    assert [s.body for s in out] == [
        "Bedoelde je een commando? Dat heb ik niet uitgevoerd. Zet het aan het begin van je bericht: !steun 1 €100"
    ]
    assert out[0].reply_to is not None
    assert await room.rows("SELECT * FROM pledges") == []
    room.clock.advance(timedelta(seconds=5))
    _, out = await room.say(ANN, "Nog iets:\n!steun 1 €100")  # at the start of a later line: not at the start
    assert out == []  # but never twice in a row: she was just told


async def test_the_hint_in_english_and_once_in_a_row_per_member(make_room: MakeRoom) -> None:
    room = await make_room()
    await room.say(BOB, "!propose Shared courier €1,000")
    _, out = await room.say(ANN, "Count me in, !backme 1 €100 4h")
    assert [s.body for s in out] == [HINT + "!backme 1 €100 4h"]
    room.clock.advance(timedelta(seconds=5))
    assert (await room.say(ANN, "oops, !backme 1 €100"))[1] == []  # in a row: no second hint
    _, out = await room.say(BOB, "and me: !backme 1 €50")  # another member has her own
    assert [s.body for s in out] == [HINT + "!backme 1 €50"]
    room.clock.advance(timedelta(seconds=5))
    await room.say(ANN, "Is the courier for Tuesdays too?")  # something else in between
    room.clock.advance(timedelta(seconds=5))
    _, out = await room.say(ANN, "So: !backme 1 €100")
    assert [s.body for s in out] == [HINT + "!backme 1 €100"]
    assert await room.rows("SELECT * FROM pledges") == []
    assert len(await room.rows("SELECT * FROM messages WHERE is_idea = 1 AND author = ?", ANN)) == 4


NOT_COMMANDS = [
    "see !help",  # a mere mention of a command
    "zie !hulp steun voor de uitleg",  # look-ups change nothing: mentioned in chat, they are pointers
    "check !status 1 for the figures",
    "type !proposals to see them",  # a name and words, but not arguments it takes
    "Use !backme <number> to pledge",  # shows how, not a command
    "wow!backme 1 €5",  # inside a word
    "> <@bob:test> !backme 1 €100\n\nsame here",  # a quoted reply to a command
    "> !backme 1 €100\nthat is what I meant",
    "Like this:\n```\n!backme 1 €100\n```",  # a code block
    "Send `!backme 1 €100` first",  # inline code
    "me too !frobnicate 1 2",  # not a command Kring knows
]


@pytest.mark.parametrize("body", NOT_COMMANDS)
async def test_quotes_code_and_mentions_get_no_hint(make_room: MakeRoom, body: str) -> None:
    room = await make_room()
    await room.say(BOB, "!propose Shared courier €1,000")
    _, out = await room.say(ANN, body)
    assert out == []


def test_candidates_are_found_only_where_a_command_could_be() -> None:
    assert misplaced_commands("Ik doe mee, !steun 1 €100", "!", COMMANDS) == ["!steun 1 €100"]
    assert misplaced_commands("(!backme 2 €5)", "!", COMMANDS) == ["!backme 2 €5)"]
    assert misplaced_commands("zie !help", "!", COMMANDS) == []
    assert misplaced_commands("zie !hulp steun", "!", COMMANDS) == []  # a look-up changes nothing
    assert misplaced_commands("Just chatting", "!", COMMANDS) == []
    many = "ok, !steun 1 €1 " * 500  # a long line of them is read once, and only its first few places kept
    assert misplaced_commands(many, "!", COMMANDS) == [many[4:].strip(), many[20:].strip(), many[36:].strip()]
    assert misplaced_commands("x" * 16 * 1024 + " !steun 1 €1", "!", COMMANDS) == []  # too long to read


async def test_the_console_reads_a_leading_space_and_hints_a_command_in_a_sentence(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "console.db")
    try:
        clock = ManualClock(START)
        kring = Kring(store, parse_settings({"bot": {"language": "nl"}}), clock, BOT_ID)
        out = await Terminal(kring, clock).run(
            "!voorstel Gedeelde koerier €1.000",
            "/as @fleur",
            " !steun 1 €100",
            "Ik doe ook mee hoor, !steun 1 €200",
        )
    finally:
        await store.close()
    messages = numbered(out.replace("\xa0", " "))
    assert messages[4].startswith("kring (↩ 3): Dank je, fleur: je steunt #1 Gedeelde koerier met € 100")
    assert messages[6] == (
        "kring (↩ 5): Bedoelde je een commando? Dat heb ik niet uitgevoerd. Zet het aan het begin van je bericht: "
        "!steun 1 €200"
    )
