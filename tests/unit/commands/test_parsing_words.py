"""Dates, minimums and fields in words, Dutch and English alike: every form the language issue lists parses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.parsing import ParseError, parse_deadline, parse_propose

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=AMS)  # a Monday
NOW_UTC = NOW.astimezone(UTC)  # a relative deadline is elapsed time, across a change to winter time too
MAX_DAYS = 365
MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")  # fmt: skip
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")  # fmt: skip
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def deadline(text: str) -> datetime:
    return parse_deadline(text, NOW, AMS, MAX_DAYS)


def end_of(day: date, hour: int = 23, minute: int = 59) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("over 3 dagen", NOW + timedelta(days=3)),
        ("binnen 2 weken", NOW + timedelta(weeks=2)),
        ("over 36 uur", NOW + timedelta(hours=36)),
        ("in 3 days", NOW + timedelta(days=3)),
        ("in 2w", NOW + timedelta(weeks=2)),
        ("morgen", end_of(date(2026, 6, 2))),
        ("overmorgen", end_of(date(2026, 6, 3))),
        ("tomorrow", end_of(date(2026, 6, 2))),
        ("vrijdag", end_of(date(2026, 6, 5))),
        ("Friday", end_of(date(2026, 6, 5))),
        ("maandag", end_of(date(2026, 6, 8))),  # today is Monday: the next one
        ("15 december", end_of(date(2026, 12, 15))),
        ("15 dec 2026", end_of(date(2026, 12, 15))),
        ("15 December", end_of(date(2026, 12, 15))),
        ("Dec 15", end_of(date(2026, 12, 15))),
        ("December 15, 2026", end_of(date(2026, 12, 15))),
        ("15-12", end_of(date(2026, 12, 15))),
        ("1 maart", end_of(date(2027, 3, 1))),  # more than 60 days past this year: next year's
        ("tot 15-12", end_of(date(2026, 12, 15))),
        ("voor vrijdag", end_of(date(2026, 6, 4))),  # before Friday: Thursday's end
        ("uiterlijk 15 december om 17:00", end_of(date(2026, 12, 15), 17, 0)),
        ("before Dec 15 17:00", end_of(date(2026, 12, 15), 17, 0)),
        ("by 2026-12-15 17:00", end_of(date(2026, 12, 15), 17, 0)),
        ("morgen 9.30", end_of(date(2026, 6, 2), 9, 30)),
        ("15-12-2026", end_of(date(2026, 12, 15))),
    ],
)
def test_every_listed_date_form_parses(text: str, expected: datetime) -> None:
    assert deadline(text) == expected


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (datetime(2026, 12, 2, 10, 0, tzinfo=AMS), "tot 1 december"),
        (datetime(2026, 12, 17, 10, 0, tzinfo=AMS), "tot 15 dec"),
        (datetime(2026, 12, 2, 10, 0, tzinfo=AMS), "tot 1-12"),
        (NOW, "1 mei"),
        (NOW, "April 2"),  # 60 days ago
    ],
)
def test_a_day_and_month_that_just_passed_is_refused_as_past(now: datetime, text: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_deadline(text, now, AMS, MAX_DAYS)
    assert raised.value.code == "deadline_past"


def test_a_day_and_month_long_past_is_next_years() -> None:
    assert deadline("1 april") == end_of(date(2027, 4, 1))  # 61 days ago
    assert parse_deadline("15 oktober", datetime(2026, 12, 17, 10, 0, tzinfo=AMS), AMS, MAX_DAYS) == end_of(
        date(2027, 10, 15)
    )


@given(offset=st.integers(min_value=1, max_value=300), dutch=st.booleans(), with_year=st.booleans())
def test_a_named_date_is_that_day_at_the_end_of_it(offset: int, dutch: bool, with_year: bool) -> None:
    day = NOW.date() + timedelta(days=offset)
    month = (MONTHS_NL if dutch else MONTHS_EN)[day.month - 1]
    text = f"{day.day} {month}" + (f" {day.year}" if with_year else "")
    assert deadline(text) == end_of(day)


@given(index=st.integers(min_value=0, max_value=6), dutch=st.booleans())
def test_a_weekday_is_the_next_one_after_today(index: int, dutch: bool) -> None:
    moment = deadline((WEEKDAYS_NL if dutch else WEEKDAYS_EN)[index])
    assert moment.weekday() == index and 1 <= (moment.date() - NOW.date()).days <= 7


@given(count=st.integers(min_value=1, max_value=52), unit=st.sampled_from(["dagen", "days", "weken", "weeks"]))
def test_relative_deadlines_count_from_now_in_either_language(count: int, unit: str) -> None:
    days = count * (7 if unit.startswith("we") else 1)
    if days > MAX_DAYS:
        return
    word = "over" if unit in ("dagen", "weken") else "in"
    assert deadline(f"{word} {count} {unit}") == NOW_UTC + timedelta(days=days)


@pytest.mark.parametrize(
    "text",
    [
        "Scholingsavond € 2.500,- 40 uur tot 15 december minimaal 3",
        "Scholingsavond €2500 40h by Dec 15 min 3",
        "Scholingsavond 2500 euro 40 uren tot en met 15-12 3 steuners",
        "Scholingsavond 2500 euro 40 uren voor 16-12 3 steuners",
        "Scholingsavond €2.500 40u uiterlijk 15 december min. 3",
        "Scholingsavond EUR 2500 40 hours through 15 December 3 backers",
        "Scholingsavond EUR 2500 40 hours before 16 December 3 backers",
    ],
)
def test_a_one_line_proposal_in_dutch_or_english_words(text: str) -> None:
    draft = parse_propose(text, NOW, AMS, MAX_DAYS)
    assert (draft.title, draft.money_cents, draft.minutes, draft.min_backers) == ("Scholingsavond", 250_000, 2400, 3)
    assert draft.deadline == end_of(date(2026, 12, 15))


def test_a_multi_line_proposal_with_dutch_field_names() -> None:
    text = "Gedeelde koerier\ndoel: € 2.500,-\nuren: 40\ndatum: morgen om 17:00\nsteuners: 5\nTwee keer per dag."
    draft = parse_propose(text, NOW, AMS, MAX_DAYS)
    assert (draft.title, draft.money_cents, draft.minutes, draft.min_backers) == ("Gedeelde koerier", 250_000, 2400, 5)
    assert draft.deadline == end_of(date(2026, 6, 2), 17, 0) and draft.description == "Twee keer per dag."
    draft = parse_propose("Koerier\nbedrag: €500\ndeadline: vrijdag", NOW, AMS, MAX_DAYS)
    assert draft.money_cents == 50_000 and draft.deadline == end_of(date(2026, 6, 5))


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # NOW is Monday 1 June 2026
        ("volgende week vrijdag", end_of(date(2026, 6, 12))),
        ("tot volgende week vrijdag", end_of(date(2026, 6, 12))),
        ("vrijdag volgende week om 17:00", end_of(date(2026, 6, 12), 17, 0)),
        ("next week Friday", end_of(date(2026, 6, 12))),
        ("volgende week maandag", end_of(date(2026, 6, 8))),
        ("aanstaande vrijdag", end_of(date(2026, 6, 5))),
        ("eind van de maand", end_of(date(2026, 6, 30))),
        ("einde van de maand", end_of(date(2026, 6, 30))),
        ("eind deze maand", end_of(date(2026, 6, 30))),
        ("by the end of the month", end_of(date(2026, 6, 30))),
        ("end of month", end_of(date(2026, 6, 30))),
        ("eind volgende maand", end_of(date(2026, 7, 31))),
        ("eind volgende week", end_of(date(2026, 6, 14))),
        ("end of next week", end_of(date(2026, 6, 14))),
        ("eind van de week", end_of(date(2026, 6, 7))),
        ("eind juli", end_of(date(2026, 7, 31))),
        ("end of February", end_of(date(2027, 2, 28))),
    ],
)
def test_common_date_words_are_read(text: str, expected: datetime) -> None:
    assert deadline(text) == expected


def test_a_proposal_until_next_week_friday_has_that_deadline_and_a_clean_title() -> None:
    draft = parse_propose("Vakantierooster afstemmen tot volgende week vrijdag", NOW, AMS, MAX_DAYS)
    assert (draft.title, draft.deadline) == ("Vakantierooster afstemmen", end_of(date(2026, 6, 12)))
    draft = parse_propose("Inventaris tellen €50 tot eind van de maand min 2", NOW, AMS, MAX_DAYS)
    assert (draft.title, draft.deadline, draft.min_backers) == ("Inventaris tellen", end_of(date(2026, 6, 30)), 2)


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("Vakantierooster tot gisteren", "deadline_past", "tot gisteren"),
        ("Vakantierooster tot volgende vrijdag", "bad_date", "tot volgende vrijdag"),
        ("Rooster uiterlijk eind april 2026 €50", "deadline_past", "uiterlijk eind april 2026"),
        ("Rooster tot volgende week €50", "bad_date", "tot volgende week"),
        ("Rooster by next month's Friday", "bad_date", "by next month's Friday"),
    ],
)
def test_a_deadline_clause_kring_cannot_read_is_an_error_naming_its_words(text: str, code: str, token: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_propose(text, NOW, AMS, MAX_DAYS)
    assert (raised.value.code, raised.value.token) == (code, token)


@pytest.mark.parametrize(
    "title",
    ["Koerier voor de wijk", "Inspired by next generation", "Samen tot het eind", "Feest voor end users"],
)
def test_deadline_words_before_ordinary_words_stay_in_the_title(title: str) -> None:
    assert parse_propose(f"{title} €20", NOW, AMS, MAX_DAYS).title == title


@pytest.mark.parametrize("title", ["Cadeau voor ma", "Friday drinks", "Zorg van morgen", "Training on Friday"])
def test_date_words_without_a_deadline_word_stay_in_the_title(title: str) -> None:
    draft = parse_propose(f"{title} €20", NOW, AMS, MAX_DAYS)
    assert draft.title == title and draft.deadline is None
