"""`voor` means before: `voor 1 februari` ends on 31 January; `tot`, `uiterlijk`, `by`, `tot en met` and `through`
end with the day named; and `!wijzig` reads a new deadline."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.parsing import ParseError, Problem, parse_deadline, parse_edit, parse_propose

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=AMS)  # a Monday


def end_of(day: date, hour: int = 23, minute: int = 59) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("voor 1 februari", end_of(date(2027, 1, 31))),
        ("vóór 1 februari", end_of(date(2027, 1, 31))),
        ("voor vrijdag", end_of(date(2026, 6, 4))),
        ("voor morgen", end_of(date(2026, 6, 1))),
        ("voor 1-7-2026", end_of(date(2026, 6, 30))),
        ("before friday", end_of(date(2026, 6, 4))),
        ("before 1 February", end_of(date(2027, 1, 31))),
        ("tot en met 1 februari", end_of(date(2027, 2, 1))),
        ("t/m vrijdag", end_of(date(2026, 6, 5))),
        ("through friday", end_of(date(2026, 6, 5))),
        ("tot 1 februari", end_of(date(2027, 2, 1))),
        ("uiterlijk vrijdag", end_of(date(2026, 6, 5))),
        ("by friday", end_of(date(2026, 6, 5))),
        ("by 1 February", end_of(date(2027, 2, 1))),
        # With a time, each ends at that time; the end of a month is its last day, before it or not.
        ("voor vrijdag 17:00", end_of(date(2026, 6, 5), 17, 0)),
        ("before friday at 9:30", end_of(date(2026, 6, 5), 9, 30)),
        ("voor eind juli", end_of(date(2026, 7, 31))),
        ("voor het eind van de maand", end_of(date(2026, 6, 30))),
    ],
)
def test_voor_ends_the_day_before_and_tot_en_met_that_day(text: str, expected: datetime) -> None:
    assert parse_deadline(text, NOW, AMS, 365) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Koerier € 2.000 voor 1 februari", end_of(date(2027, 1, 31))),
        ("Koerier € 2.000 tot en met 1 februari", end_of(date(2027, 2, 1))),
        ("Courier €2.000 before 1 February", end_of(date(2027, 1, 31))),
        ("Courier €2.000 through 1 February", end_of(date(2027, 2, 1))),
        ("Koerier € 2.000 t/m vrijdag min 2", end_of(date(2026, 6, 5))),
    ],
)
def test_a_proposal_line_reads_them_alike(line: str, expected: datetime) -> None:
    draft = parse_propose(line, NOW, AMS, 365)
    assert (draft.title, draft.money_cents, draft.deadline) == (line.split()[0], 200_000, expected)


def test_voor_tomorrow_late_at_night_has_passed() -> None:
    late = datetime(2026, 6, 1, 23, 59, 30, tzinfo=AMS)
    with pytest.raises(ParseError) as caught:
        parse_deadline("voor morgen", late, AMS, 365)
    assert caught.value.code is Problem.DEADLINE_PAST


def test_edit_reads_a_deadline_against_the_clock() -> None:
    edit = parse_edit("deadline: voor 1 februari\ndoel: € 500", NOW, AMS, 365)
    assert (edit.deadline, edit.money_cents) == (end_of(date(2027, 1, 31)), 50_000)
    assert parse_edit("datum: over twee weken", NOW, AMS, 365).deadline == datetime(2026, 6, 15, 12, 0, tzinfo=AMS)
    with pytest.raises(ParseError) as caught:
        parse_edit("deadline: gisteren", NOW, AMS, 365)
    assert caught.value.code is Problem.DEADLINE_PAST
    with pytest.raises(ParseError) as caught:
        parse_edit("deadline: vrijdag\ndeadline: zaterdag", NOW, AMS, 365)
    assert caught.value.code is Problem.DUPLICATE_DEADLINE
