"""The words Kring reads: declared once, one meaning per token across English and Dutch, and read by the parsers
exactly as declared."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import handlers.parsing.words as declared
from handlers.parsing import (
    ParseError,
    Problem,
    parse_deadline,
    parse_duration,
    parse_edit,
    parse_hours,
    parse_money,
    parse_pledge,
    parse_propose,
)
from handlers.parsing.words import (
    BACKER_WORDS,
    BACKERS_LABELS,
    BEFORE_WORDS,
    DAY_UNITS,
    DAYS_FROM_TODAY,
    DEADLINE_LABELS,
    DECLARED,
    DESCRIPTION_LABELS,
    EURO_UNITS,
    FOR_LABELS,
    FOREIGN_MONEY_UNITS,
    HOUR_UNITS,
    HOURS_LABELS,
    MINIMUM_WORDS,
    MINUTE_UNITS,
    MONEY_LABELS,
    MONTHS,
    NEEDS_LABELS,
    ORDINAL_SUFFIXES,
    TITLE_LABELS,
    WEEK_UNITS,
    WEEKDAYS,
    WITHIN_WORDS,
    Kind,
    Words,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=AMS)  # a Monday
TEN_YEARS = 3650


def clashes(declarations: Iterable[Words]) -> dict[str, list[str]]:
    """Each token (a word of a kind) that more than one declaration gives a meaning, with those meanings."""
    meanings: dict[tuple[Kind, str], set[str]] = defaultdict(set)
    for words in declarations:
        for word in words.all:
            meanings[(words.kind, word)].add(words.meaning)
    return {f"{kind.value} {word}": sorted(found) for (kind, word), found in meanings.items() if len(found) > 1}


def test_no_word_means_two_things_across_the_languages() -> None:
    assert clashes(DECLARED) == {}


def test_the_check_would_catch_voor_if_a_field_label_were_a_plain_word() -> None:
    """Dutch `voor` is "before" before a date and names whom a need is for as `voor:`; the colon keeps them
    apart. Read as one kind of token, they clash, and the check says so."""
    as_words = [dataclasses.replace(w, kind=Kind.WORD) if w is FOR_LABELS else w for w in DECLARED]
    assert clashes(as_words) == {"word voor": ["before (that day)", "the talents a need is for"]}


def test_every_declaration_is_listed_once_with_its_own_meaning() -> None:
    in_module: list[Words] = []
    for value in vars(declared).values():
        if isinstance(value, Words):
            in_module.append(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, Words) for v in value) and value is not DECLARED:
            in_module.extend(value)
        elif isinstance(value, dict) and value and all(isinstance(v, Words) for v in value.values()):
            in_module.extend(value.values())
    assert sorted(w.meaning for w in in_module) == sorted(w.meaning for w in DECLARED)
    assert len({(w.kind, w.meaning) for w in DECLARED}) == len(DECLARED)
    assert all(word == word.lower() and word.strip() == word for w in DECLARED for word in w.all)


def test_the_module_names_every_declaration_in_all() -> None:
    public = {name for name, value in vars(declared).items() if not name.startswith("_") and value in DECLARED}
    assert public - set(declared.__all__) == set()


# --- the parsers read every declared word -------------------------------------------------------------------


@pytest.mark.parametrize("unit", sorted(HOUR_UNITS.all))
def test_every_hour_unit_is_hours_in_an_amount_and_in_a_duration(unit: str) -> None:
    assert parse_hours(f"40 {unit}") == 40 * 60
    assert parse_hours(f"1,5{unit}") == 90
    assert parse_duration(f"36 {unit}") == timedelta(hours=36)


@pytest.mark.parametrize(
    ("words", "unit"),
    [(MINUTE_UNITS, timedelta(minutes=1)), (DAY_UNITS, timedelta(days=1)), (WEEK_UNITS, timedelta(weeks=1))],
)
def test_every_duration_unit_counts_its_length(words: Words, unit: timedelta) -> None:
    for word in words.all:
        assert parse_duration(f"3 {word}") == 3 * unit, word
        assert parse_deadline(f"{sorted(WITHIN_WORDS.all)[0]} 3 {word}", NOW, AMS, 365) == NOW + 3 * unit, word


@pytest.mark.parametrize("word", sorted(EURO_UNITS.all))
def test_every_euro_word_is_money_before_and_after_the_number(word: str) -> None:
    assert parse_money(f"{word} 25") == 2500
    assert parse_money(f"25 {word}") == 2500


@pytest.mark.parametrize("word", sorted(FOREIGN_MONEY_UNITS.all))
def test_money_in_another_currency_is_refused_not_kept_as_a_note(word: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_pledge(f"3 100 {word}")
    assert raised.value.code is Problem.BAD_MONEY


@pytest.mark.parametrize("word", sorted(BEFORE_WORDS.all | WITHIN_WORDS.all))
def test_every_deadline_word_leads_a_deadline(word: str) -> None:
    text = f"{word} 3 dagen" if word in WITHIN_WORDS else f"{word} 15 december"
    expected = NOW + timedelta(days=3) if word in WITHIN_WORDS else datetime(2026, 12, 15, 23, 59, tzinfo=AMS)
    assert parse_propose(f"Printer €500 {text}", NOW, AMS, 365).deadline == expected


def test_every_month_and_weekday_and_day_word_names_its_day() -> None:
    for number, month in enumerate(MONTHS, 1):
        for word in month.all:
            assert parse_deadline(f"15 {word} 2027", NOW, AMS, TEN_YEARS).date() == date(2027, number, 15), word
    for number, weekday in enumerate(WEEKDAYS):
        for word in weekday.all:
            assert parse_deadline(word, NOW, AMS, 365).weekday() == number, word
    for days, day in DAYS_FROM_TODAY.items():
        for word in day.all:
            if days < 1:
                with pytest.raises(ParseError):  # today at 23:59 lies ahead; yesterday has passed
                    parse_deadline(f"{word} 11:00", NOW, AMS, 365)
            else:
                assert parse_deadline(word, NOW, AMS, 365).date() == NOW.date() + timedelta(days=days), word


@pytest.mark.parametrize("suffix", sorted(ORDINAL_SUFFIXES.all))
def test_every_ordinal_suffix_may_follow_the_day(suffix: str) -> None:
    assert parse_deadline(f"15{suffix} december", NOW, AMS, 365) == datetime(2026, 12, 15, 23, 59, tzinfo=AMS)
    assert parse_deadline(f"december 15{suffix} 17:00u", NOW, AMS, 365) == datetime(2026, 12, 15, 17, 0, tzinfo=AMS)


@pytest.mark.parametrize("word", sorted(MINIMUM_WORDS.all))
def test_every_minimum_word_sets_the_minimum_with_or_without_a_colon(word: str) -> None:
    for written in (f"{word} 5", f"{word}: 5", f"{word}5"):
        assert parse_propose(f"Printer €500 {written}", NOW, AMS, 365).min_backers == 5, written


@pytest.mark.parametrize("word", sorted(BACKER_WORDS.all))
def test_every_backers_word_counts_backers(word: str) -> None:
    assert parse_propose(f"Printer €500 5 {word}", NOW, AMS, 365).min_backers == 5
    assert parse_propose(f"Printer €500 min 5 {word}", NOW, AMS, 365).min_backers == 5


@pytest.mark.parametrize(
    ("labels", "value", "field", "expected"),
    [
        (MONEY_LABELS, "€500", "money_cents", 50_000),
        (HOURS_LABELS, "40", "minutes", 2400),
        (DEADLINE_LABELS, "15 december", "deadline", datetime(2026, 12, 15, 23, 59, tzinfo=AMS)),
        (BACKERS_LABELS, "4", "min_backers", 4),
        (NEEDS_LABELS, "driver, first aid", "needs", ("driver", "first aid")),
    ],
)
def test_every_field_label_of_the_multiline_form_fills_its_field(
    labels: Words, value: str, field: str, expected: object
) -> None:
    for label in labels.all:
        draft = parse_propose(f"Printer\n{label}: {value}", NOW, AMS, 365)
        assert getattr(draft, field) == expected, label
        assert draft.description == "", label


def test_every_label_of_an_edit_changes_its_part() -> None:
    for label in TITLE_LABELS.all:
        assert parse_edit(f"{label}: A new title").title == "A new title", label
    for label in DESCRIPTION_LABELS.all:
        assert parse_edit(f"{label}: More to say").description == "More to say", label
    for label in MONEY_LABELS.all:
        assert parse_edit(f"{label}: €3.000").money_cents == 300_000, label
