"""How the bot writes: money and hours in English and Dutch, time left, the progress bar, and HTML that is safe."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from handlers.events import Message
from handlers.wording.catalog import Texts
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EN = Texts("en", AMSTERDAM)
NL = Texts("nl", AMSTERDAM)

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
MOD = "@mod:test"


@pytest.mark.parametrize(
    ("cents", "english", "dutch"),
    [
        (0, "€0", "€\xa00"),
        (5, "€0.05", "€\xa00,05"),
        (150, "€1.50", "€\xa01,50"),
        (100_000, "€1,000", "€\xa01.000"),
        (250_050, "€2,500.50", "€\xa02.500,50"),
        (1_000_000_000, "€10,000,000", "€\xa010.000.000"),
    ],
)
def test_money(cents: int, english: str, dutch: str) -> None:
    assert EN.money(cents) == english
    assert NL.money(cents) == dutch


@pytest.mark.parametrize(
    ("minutes", "english", "dutch"),
    [
        (60, "1h", "1 uur"),
        (90, "1.5h", "1,5 uur"),
        (75, "1.25h", "1,25 uur"),
        (20, "0.33h", "0,33 uur"),
        (2400, "40h", "40 uur"),
        (6_000_000, "100,000h", "100.000 uur"),
    ],
)
def test_hours(minutes: int, english: str, dutch: str) -> None:
    assert EN.hours(minutes) == english
    assert NL.hours(minutes) == dutch


@pytest.mark.parametrize(
    ("ratio", "bar"),
    [
        (Fraction(0), "░░░░░░░░░░ 0%"),
        (Fraction(7, 100), "░░░░░░░░░░ 7%"),
        (Fraction(29, 100), "▓▓░░░░░░░░ 29%"),
        (Fraction(57, 100), "▓▓▓▓▓░░░░░ 57%"),
        (Fraction(3, 5), "▓▓▓▓▓▓░░░░ 60%"),
        (Fraction(2, 3), "▓▓▓▓▓▓░░░░ 66%"),
        (Fraction(999_999_999, 1_000_000_000), "▓▓▓▓▓▓▓▓▓░ 99%"),
        (Fraction(1), "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (Fraction(3, 2), "▓▓▓▓▓▓▓▓▓▓ 100%"),  # never past 100%: over-funding is said in words
    ],
)
def test_progress_bar(ratio: Fraction, bar: str) -> None:
    assert EN.bar(ratio) == bar


@pytest.mark.parametrize(
    ("left", "english", "dutch"),
    [
        (timedelta(days=3, hours=5), "3 days left", "nog 3 dagen"),
        (timedelta(days=1, hours=23), "1 day left", "nog 1 dag"),
        (timedelta(hours=5, minutes=59), "5 hours left", "nog 5 uur"),
        (timedelta(minutes=90), "1 hour left", "nog 1 uur"),
        (timedelta(days=2, hours=23, minutes=59, seconds=59, microseconds=500_000), "3 days left", "nog 3 dagen"),
        (timedelta(minutes=59, seconds=1), "1 hour left", "nog 1 uur"),
        (timedelta(minutes=58, seconds=1), "59 minutes left", "nog 59 minuten"),
        (timedelta(seconds=61), "2 minutes left", "nog 2 minuten"),
        (timedelta(seconds=30), "closing now", "sluit nu"),
    ],
)
def test_time_left(left: timedelta, english: str, dutch: str) -> None:
    assert EN.time_left(left).plain == english
    assert NL.time_left(left).plain == dutch


@pytest.mark.parametrize(
    ("moment", "english", "dutch"),
    [
        (datetime(2026, 3, 2, 10, 0, tzinfo=UTC), "2 March 2026, 11:00", "2 maart 2026 om 11:00"),
        (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "1 July 2026, 12:00", "1 juli 2026 om 12:00"),  # summer time
    ],
)
def test_moments_read_in_the_configured_time_zone(moment: datetime, english: str, dutch: str) -> None:
    assert EN.when(moment) == english
    assert NL.when(moment) == dutch


async def test_progress_line_reads_like_the_spec(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €2.500 40h in 3 days min 5")
    for user, pledge in [(BOB, "€1.000 6h"), (CAS, "€500 6h"), ("@dik:test", ""), ("@eve:test", "")]:
        await room.say(user, f"!backme 1 {pledge}".strip())
    (answer,) = (await room.say(ANN, "!proposals"))[1]
    # The bar shows the least-met goal: 12 of 40 hours.
    assert (
        answer.body.splitlines()[2].strip()
        == "▓▓▓░░░░░░░ 30% · €1,500 of €2,500 · 12 of 40h · 4 of 5 backers · 3 days left"
    )


@pytest.mark.parametrize(("pledged", "bar"), [("€29", "▓▓░░░░░░░░ 29%"), ("€57", "▓▓▓▓▓░░░░░ 57%")])
async def test_progress_percent_is_exact(room: Harness, pledged: str, bar: str) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    answer = await room.reply(BOB, f"!backme 1 {pledged}")
    assert answer.body.splitlines()[1].startswith(f"{bar} · {pledged} of €100")


async def test_a_dutch_room_reads_dutch_amounts(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!propose Gedeelde koerier €2.500 40 uur in 3 dagen")
    answer = await room.reply(BOB, "!backme 1 €1.500,50 1,5u")
    progress = "░░░░░░░░░░ 3% · €\xa01.500,50 van €\xa02.500 · 1,5 van 40 uur · 1 steuner (minimaal 1) · nog 3 dagen"
    assert answer.body.splitlines()[1] == progress
    unknown = await room.reply(BOB, "!frobnicate")
    assert unknown.body == "Het commando !frobnicate ken ik niet. Stuur !hulp voor de lijst met commando's."


async def test_progress_shows_what_was_pledged_without_a_goal(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 3 days min 2")
    answer = await room.reply(BOB, "!backme 1 €25")
    assert answer.body.splitlines()[1] == "▓▓▓▓▓░░░░░ 50% · €25 · 1 of 2 backers · 3 days left"
    answer = await room.reply(CAS, "!backme 1 2h")
    assert answer.body.splitlines()[1] == "▓▓▓▓▓▓▓▓▓▓ 100% · €25 · 2h · 2 backers (at least 2) · 3 days left"


# HTML: every user-supplied string escaped in formatted_body, verbatim in body

TITLE = "<script>alert(1)</script> & <b>courier</b>"
IDEA = "<img src=x onerror=alert(1)> share a courier?"
NOTE = "<b>I drive</b>"
REASON = "<i>too</i> expensive"
CANCEL = "<b>merged</b> with #1"
NAME = "<em>Eve</em>"
TAINTED = (TITLE, IDEA, NOTE, REASON, CANCEL, NAME, "<b>Second</b> plan")


async def test_user_text_is_escaped_in_every_message_that_echoes_it(room: Harness) -> None:
    room.powers[MOD] = 50
    idea, _ = await room.say(ANN, IDEA)
    await room.react(BOB, idea, "👍")
    await room.say(ANN, "!ideas")
    await room.say(ANN, f"!propose {TITLE} €100 in 3 days", reply_to=idea)
    eve = Message("$eve", ROOM, "@eve:test", f"!backme 1 €60 {NOTE}", room.clock.now(), sender_name=NAME)
    await room.kring.handle(eve)
    await room.say(CAS, f"!object 1 {REASON}")
    await room.say(BOB, "!backme 1 €40")
    await room.say(ANN, "!proposals")
    await room.say(ANN, "!proposal 1")
    await room.say(ANN, "!propose <b>Second</b> plan in 5 days")
    await room.say(MOD, "!extend 2 in 6 days")
    await room.say(MOD, f"!cancel 2 {CANCEL}")
    await room.wait(timedelta(days=3))

    echoes = dict.fromkeys(TAINTED, 0)
    for sent in room.sent:
        for text in TAINTED:
            assert text not in sent.html
            if text in sent.body:
                assert html.escape(text, quote=False) in sent.html
                echoes[text] += 1
    assert min(echoes.values()) >= 1, echoes
    titled = [s.body.splitlines()[0] for s in room.sent if TITLE in s.body]
    assert len(titled) >= 7  # announcement, pledge replies, fully backed, list, status, reminder, decision
    assert any(s.body.startswith(f"✅ GO #1 {TITLE}") for s in room.sent)
    assert echoes[NOTE] >= 2 and echoes[REASON] >= 2 and echoes[NAME] >= 3  # status and decision too


async def test_a_multi_line_description_keeps_its_line_breaks_in_html(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Shared courier\ngoal: €100\nTwo vans,\none <route>.")
    assert "Two vans,\none <route>." in announcement.body
    assert "Two vans,<br>one &lt;route&gt;." in announcement.html
    status = await room.reply(BOB, "!proposal 1")
    assert "Two vans,<br>one &lt;route&gt;." in status.html


async def test_braces_in_user_text_are_just_text(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Curly {title} {0} {prefix} braces")
    assert announcement.body.startswith("📣 New proposal #1: Curly {title} {0} {prefix} braces\n")
