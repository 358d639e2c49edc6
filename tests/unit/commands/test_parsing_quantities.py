"""Numbers in words and everyday quantities: `twee uur`, `honderd euro`, `een dagdeel`, `binnen twee weken`,
`minimaal drie steuners`, in Dutch and English; and the error that names what could not be read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.parsing import ParseError, Problem, parse_amounts, parse_deadline, parse_edit, parse_pledge, parse_propose
from handlers.parsing.quantities import DayParts
from handlers.parsing.words import MULTIPLIER_WORDS, NUMBER_WORDS

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=AMS)  # a Monday


def end_of(day: date, hour: int = 23, minute: int = 59) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("honderd euro", 10_000),
        ("vijftig euro", 5_000),
        ("twintig euro", 2_000),
        ("duizend euro", 100_000),
        ("twee honderd euro", 20_000),
        ("drie duizend euro", 300_000),
        ("een euro", 100),
        ("anderhalf euro", 150),
        ("a hundred euros", 10_000),
        ("fifty euro", 5_000),
        ("two thousand euros", 200_000),
        ("twelve eur", 1_200),
    ],
)
def test_money_in_words_is_money(text: str, cents: int) -> None:
    draft = parse_pledge(f"2 {text}")
    assert (draft.proposal_number, draft.money_cents, draft.minutes, draft.note) == (2, cents, None, "")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("twee uur", 120),
        ("een uur", 60),
        ("een uurtje", 60),
        ("twee uurtjes", 120),
        ("tien uren", 600),
        ("anderhalf uur", 90),
        ("een half uur", 30),
        ("een dagdeel", 240),
        ("twee dagdelen", 480),
        ("3 dagdelen", 720),
        ("een middag", 240),
        ("een halve dag", 240),
        ("twee halve dagen", 480),
        ("een hele dag", 480),
        ("een volle dag", 480),
        ("two hours", 120),
        ("an hour", 60),
        ("one and a half hours", 90),
        ("half an hour", 30),
        ("a half hour", 30),
        ("a morning", 240),
        ("an afternoon", 240),
        ("half a day", 240),
        ("a half day", 240),
        ("a whole day", 480),
        ("a full day", 480),
    ],
)
def test_hours_in_words_and_parts_of_a_day_are_hours(text: str, minutes: int) -> None:
    draft = parse_pledge(f"2 {text}")
    assert (draft.proposal_number, draft.money_cents, draft.minutes, draft.note) == (2, None, minutes, "")


def test_the_hours_of_a_part_of_a_day_are_the_rooms() -> None:
    parts = DayParts(part=3 * 60, half=5 * 60, whole=7 * 60 + 30)
    assert parse_pledge("2 een dagdeel", parts).minutes == 180
    assert parse_pledge("2 een halve dag", parts).minutes == 300
    assert parse_pledge("2 a full day", parts).minutes == 450
    assert parse_amounts("twee ochtenden", parts).minutes == 360  # a delivery reads them the same way
    assert parse_pledge("2 twee uur", parts).minutes == 120  # an hour stays an hour


def test_money_and_hours_in_words_together_and_with_a_note() -> None:
    draft = parse_pledge("2 honderd euro een dagdeel ik rijd op dinsdag")
    assert (draft.money_cents, draft.minutes, draft.note) == (10_000, 240, "ik rijd op dinsdag")


def test_een_and_a_are_the_article_where_no_unit_follows() -> None:
    draft = parse_pledge("2 € 50 een bijdrage voor een goed doel")
    assert (draft.money_cents, draft.minutes, draft.note) == (5_000, None, "een bijdrage voor een goed doel")
    draft = parse_pledge("2 €50 a gift for a friend")
    assert (draft.money_cents, draft.note) == (5_000, "a gift for a friend")
    # In a title, words with a number in them stay the title's unless the goals follow them or the line ends.
    for title in (
        "Een middag schilderen",
        "Workshop over een dag in de zorg",
        "Koffie min een suiker",
        "Twee uur yoga",
    ):
        proposal = parse_propose(f"{title} € 200", NOW, AMS, 365)
        assert (proposal.title, proposal.money_cents, proposal.minutes, proposal.deadline) == (
            title,
            20_000,
            None,
            None,
        )
    proposal = parse_propose("Yoga twee uur € 20", NOW, AMS, 365)
    assert (proposal.title, proposal.money_cents, proposal.minutes) == ("Yoga", 2_000, 120)


@pytest.mark.parametrize(("value", "words"), sorted(NUMBER_WORDS.items()))
def test_every_number_word_counts_hours_and_backers(value: int, words: object) -> None:
    assert isinstance(words, type(NUMBER_WORDS[1]))
    for word in words.all:
        assert parse_pledge(f"2 {word} uur").minutes == value * 60, word
        assert parse_propose(f"Koerier €10 minimaal {word} steuners", NOW, AMS, 365).min_backers == value, word


@pytest.mark.parametrize("times", sorted(MULTIPLIER_WORDS))
def test_every_multiplier_multiplies(times: int) -> None:
    for word in MULTIPLIER_WORDS[times].all:
        assert parse_pledge(f"2 {word} euro").money_cents == times * 100, word
        assert parse_pledge(f"2 twee {word} euro").money_cents == 2 * times * 100, word


@pytest.mark.parametrize(
    ("text", "minimum"),
    [
        ("Koerier €100 minimaal drie steuners", 3),
        ("Koerier €100 minimaal drie", 3),
        ("Koerier €100 min. 3", 3),
        ("Koerier €100 min. drie", 3),
        ("Koerier €100 vijf steuners", 5),
        ("Courier €100 three backers", 3),
        ("Courier €100 min twelve", 12),
        ("Courier €100 minimum twenty people", 20),
    ],
)
def test_a_minimum_in_words(text: str, minimum: int) -> None:
    draft = parse_propose(text, NOW, AMS, 365)
    assert (draft.title, draft.money_cents, draft.min_backers) == (text.split()[0], 10_000, minimum)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("binnen twee weken", NOW + timedelta(weeks=2)),
        ("over tien dagen", NOW + timedelta(days=10)),
        ("over een week", NOW + timedelta(weeks=1)),
        ("over twee uur", NOW + timedelta(hours=2)),
        ("in two weeks", NOW + timedelta(weeks=2)),
        ("in ten days", NOW + timedelta(days=10)),
        ("over een maand", datetime(2026, 7, 1, 12, 0, tzinfo=AMS)),
        ("over 2 maanden", datetime(2026, 8, 1, 12, 0, tzinfo=AMS)),
        ("in a month", datetime(2026, 7, 1, 12, 0, tzinfo=AMS)),
        ("vrijdag over een week", end_of(date(2026, 6, 12))),  # this Friday is the 5th; a week on, the 12th
        ("vrijdag over twee weken", end_of(date(2026, 6, 19))),
        ("a week from friday", end_of(date(2026, 6, 12))),
        ("tot vrijdag over een week", end_of(date(2026, 6, 12))),
    ],
)
def test_durations_and_dates_in_words(text: str, expected: datetime) -> None:
    assert parse_deadline(text, NOW, AMS, 365) == expected


def test_a_month_on_from_the_31st_is_the_last_day_of_a_shorter_month() -> None:
    now = datetime(2026, 1, 31, 10, 0, tzinfo=AMS)
    assert parse_deadline("over een maand", now, AMS, 365) == datetime(2026, 2, 28, 10, 0, tzinfo=AMS)


@pytest.mark.parametrize(
    "text",
    [
        "Koerier € 2.000 binnen twee weken",
        "Koerier € 2.000 over tien dagen",
        "Koerier binnen twee weken € 2.000",
        "Koerier € 2.000 over een maand",
    ],
)
def test_a_proposal_with_a_duration_in_words(text: str) -> None:
    draft = parse_propose(text, NOW, AMS, 365)
    assert draft.title == "Koerier" and draft.money_cents == 200_000 and draft.deadline is not None


@pytest.mark.parametrize(
    ("text", "problem", "token"),
    [
        ("Koerier € 2.000 binnen twee wekken", Problem.BAD_DATE, "binnen twee wekken"),
        ("Koerier € 2.000 binnen 2 wekken min 3", Problem.BAD_DATE, "binnen 2 wekken"),
        ("Courier €2.000 in two fortnights", Problem.BAD_DATE, "in two fortnights"),
        ("Koerier € 2.000 minimaal veel steuners", Problem.BAD_MIN_BACKERS, "minimaal veel steuners"),
    ],
)
def test_an_error_names_the_words_it_could_not_read(text: str, problem: Problem, token: str) -> None:
    """Not the word that starts them (`binnen`, `minimaal`), which the help lists as valid."""
    with pytest.raises(ParseError) as caught:
        parse_propose(text, NOW, AMS, 365)
    assert (caught.value.code, caught.value.token) == (problem, token)


def test_field_lines_read_words_too() -> None:
    text = "Koerier\ndoel: honderd euro\nuren: een dagdeel\nsteuners: drie\ndeadline: binnen twee weken"
    draft = parse_propose(text, NOW, AMS, 365)
    assert (draft.money_cents, draft.minutes, draft.min_backers) == (10_000, 240, 3)
    assert draft.deadline == NOW + timedelta(weeks=2)
    edit = parse_edit("doel: duizend euro\nuren: twee\nsteuners: vier")
    assert (edit.money_cents, edit.minutes, edit.min_backers) == (100_000, 120, 4)


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("2 alleen steun", ""),
        ("2 support only.", ""),
        ("2 alleen steun, ik ben ziek", "ik ben ziek"),
        ("alleen steun", ""),
    ],
)
def test_plain_support_said_in_so_many_words(text: str, note: str) -> None:
    draft = parse_pledge(text)
    assert (draft.money_cents, draft.minutes, draft.note, draft.support_only) == (None, None, note, True)


def test_a_pledge_without_those_words_is_not_support_only() -> None:
    assert not parse_pledge("2 ik rijd op dinsdag").support_only
    assert not parse_pledge("2").support_only


def test_support_only_with_an_amount_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse_pledge("2 alleen steun € 50")
    assert (caught.value.code, caught.value.token) == (Problem.SUPPORT_ONLY_WITH_AMOUNT, "alleen steun")
