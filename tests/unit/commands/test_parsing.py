"""The parsers of amounts, durations, deadlines and command arguments: examples and properties."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parsing import (
    MAX_MIN_BACKERS,
    MAX_MINUTES,
    MAX_MONEY_CENTS,
    TITLE_MAX,
    TITLE_MIN,
    ParseError,
    PledgeDraft,
    Problem,
    ProposalDraft,
    parse_deadline,
    parse_duration,
    parse_hours,
    parse_money,
    parse_pledge,
    parse_proposal_number,
    parse_propose,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=AMS)
MAX_DAYS = 365

FAST = settings(max_examples=300, deadline=None)


def deadline(text: str) -> datetime:
    return parse_deadline(text, NOW, AMS, MAX_DAYS)


def propose(text: str) -> ProposalDraft:
    return parse_propose(text, NOW, AMS, MAX_DAYS)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def utc(moment: datetime) -> datetime:
    """Aware datetimes sharing a tzinfo compare and subtract by wall clock; compare instants in UTC."""
    return moment.astimezone(UTC)


def in_window(moment: datetime, max_days: int) -> bool:
    return utc(NOW) < utc(moment) <= utc(NOW) + timedelta(days=max_days)


def draft(
    title: str,
    money: int | None = None,
    minutes: int | None = None,
    when: datetime | None = None,
    min_backers: int | None = None,
    description: str = "",
) -> ProposalDraft:
    return ProposalDraft(title, description, money, minutes, when, min_backers)


def error_of(parse: Callable[[str], object], text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text)
    return caught.value


def value_or_parse_error(parse: Callable[[str], object], text: str) -> object:
    """Call ``parse``; a ParseError is a fine answer, any other exception fails the test."""
    try:
        return parse(text)
    except ParseError as error:
        assert isinstance(error.code, Problem), error.code  # the closed set: each has its sentences
        return error


ALL_PARSERS: list[Callable[[str], object]] = [
    parse_money,
    parse_hours,
    parse_duration,
    deadline,
    parse_proposal_number,
    propose,
    parse_pledge,
]


# --- money ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("€2500", 250_000),
        ("€ 2.500", 250_000),
        ("€2,500.50", 250_050),
        ("2500 euro", 250_000),
        ("2500 euros", 250_000),
        ("EUR 2500", 250_000),
        ("eur 2500", 250_000),
        ("2500 EUR", 250_000),
        ("2500€", 250_000),
        ("€2.500,50", 250_050),
        ("€1.5", 150),
        ("€0,50", 50),
        ("€0.05", 5),
        ("€1.000.000", 100_000_000),
        ("€1,000,000", 100_000_000),
        ("€1.000", 100_000),
        ("€1,000", 100_000),
        ("€25,-", 2_500),
        ("€2.500,-", 250_000),
        ("300,-", 30_000),  # the Dutch whole-euro mark says money without a sign
        ("300,--", 30_000),
        ("2.500,-", 250_000),
        ("€ 300 euro", 30_000),
        ("€300 EUR", 30_000),
        ("  €\u00a02500  ", 250_000),
        ("€2\u200b500", 250_000),
        ("\u200f€2500\u200e", 250_000),
        ("€007", 700),
        ("€10.000.000", MAX_MONEY_CENTS),
        ("€0,01", 1),
    ],
)
def test_money_examples(text: str, cents: int) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("€2.50.0", "bad_money"),
        ("€1e309", "bad_money"),
        ("€abc", "bad_money"),
        ("€", "bad_money"),
        ("", "bad_money"),
        ("2500", "bad_money"),
        ("€2500€", "bad_money"),
        ("€1,000.000", "bad_money"),
        ("€1.000.50", "bad_money"),
        ("€0.001", "bad_money"),
        ("€12345.000", "bad_money"),
        ("€1.5000", "bad_money"),
        ("€2,5.-", "bad_money"),
        ("€,50", "bad_money"),
        ("€5.", "bad_money"),
        ("€ 2 500", "bad_money"),
        ("€١٢٣", "bad_money"),
        ("€-5", "money_not_positive"),
        ("-€5", "money_not_positive"),
        ("-5 euro", "money_not_positive"),
        ("€0", "money_not_positive"),
        ("€0,00", "money_not_positive"),
        ("€10.000.000,01", "money_too_large"),
        ("€" + "9" * 70_000, "money_too_large"),
    ],
)
def test_money_errors(text: str, code: str) -> None:
    assert error_of(parse_money, text).code == code


def test_a_number_ending_a_title_with_clear_goals_belongs_to_the_title() -> None:
    draft = propose("Scholing deel 2 €300 tot vrijdag")
    assert (draft.title, draft.money_cents, draft.deadline) == ("Scholing deel 2", 30_000, local(2026, 6, 5, 23, 59))
    assert propose("Scholing deel 2 40 uur").title == "Scholing deel 2"
    assert error_of(propose, "Scholing 2500").code == "title_number"  # money, hours, or the title?
    assert error_of(propose, "Scholing 2500 tot vrijdag").code == "title_number"


def test_a_pledge_in_whole_dutch_euros_keeps_its_money() -> None:
    assert parse_pledge("18 300,- 2 uur") == PledgeDraft(18, 30_000, 120, "")
    assert parse_pledge("18 300,-- voor de koerier") == PledgeDraft(18, 30_000, None, "voor de koerier")
    assert parse_pledge("18 € 300 euro") == PledgeDraft(18, 30_000, None, "")
    assert propose("Koerier 300,- tot 15 december").money_cents == 30_000


def test_money_too_large_names_the_limit() -> None:
    assert error_of(parse_money, "€20.000.000").params == {"max_cents": MAX_MONEY_CENTS}


@FAST
@given(st.integers(min_value=1, max_value=MAX_MONEY_CENTS))
def test_money_round_trips_english_and_dutch(cents: int) -> None:
    euros, rest = divmod(cents, 100)
    assert parse_money(f"€{euros}.{rest:02d}") == cents
    assert parse_money(f"€{euros:,}.{rest:02d}") == cents
    assert parse_money(f"€{euros:,}".replace(",", ".") + f",{rest:02d}") == cents
    assert parse_money(f"€ {euros:,}".replace(",", ".") + f",{rest:02d}") == cents


@FAST
@given(st.integers(min_value=1, max_value=MAX_MONEY_CENTS // 100))
def test_whole_euros_round_trip_in_every_spelling(euros: int) -> None:
    dutch = f"{euros:,}".replace(",", ".")
    for text in (f"€{euros}", f"{euros} euro", f"EUR {euros:,}", f"{dutch}€", f"€ {dutch},-"):
        assert parse_money(text) == euros * 100, text


# --- hours ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("40h", 2400),
        ("40 h", 2400),
        ("40 hours", 2400),
        ("1 hour", 60),
        ("40 uur", 2400),
        ("40u", 2400),
        ("40 hrs", 2400),
        ("1.5h", 90),
        ("1,5h", 90),
        ("0.25h", 15),
        ("0,01h", 1),
        ("1.000h", 60_000),
        ("100000h", MAX_MINUTES),
        ("100.000 uur", MAX_MINUTES),
    ],
)
def test_hours_examples(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("40", "bad_hours"),
        ("h", "bad_hours"),
        ("4th", "bad_hours"),
        ("1.5.5h", "bad_hours"),
        ("0.125h", "bad_hours"),
        ("1e3h", "bad_hours"),
        ("€40", "bad_hours"),
        ("0h", "hours_not_positive"),
        ("0.00h", "hours_not_positive"),
        ("-1h", "hours_not_positive"),
        ("100000.01h", "hours_too_large"),
        ("9" * 70_000 + "h", "hours_too_large"),
    ],
)
def test_hours_errors(text: str, code: str) -> None:
    assert error_of(parse_hours, text).code == code


@FAST
@given(st.integers(min_value=1, max_value=100_000 * 100))
def test_hours_round_trip(centi_hours: int) -> None:
    whole, fraction = divmod(centi_hours, 100)
    expected = (centi_hours * 60 + 50) // 100
    assert parse_hours(f"{whole}.{fraction:02d}h") == expected
    assert parse_hours(f"{whole},{fraction:02d} uur") == expected
    if fraction == 0:
        assert parse_hours(f"{whole} hours") == whole * 60
        assert parse_hours(f"{whole}u") == whole * 60


# --- durations --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", timedelta(days=3)),
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("1w", timedelta(weeks=1)),
        ("36 hours", timedelta(hours=36)),
        ("2 weeks", timedelta(weeks=2)),
        ("1 day", timedelta(days=1)),
        ("5 mins", timedelta(minutes=5)),
        ("3 dagen", timedelta(days=3)),
        ("3650d", timedelta(days=3650)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_duration_examples(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "d", "0d", "3651d", "522w", "-3d", "3 fortnights", "1.5d", "9" * 5000 + "d"])
def test_duration_errors(text: str) -> None:
    error = error_of(parse_duration, text)
    assert (error.code, error.params) == ("bad_duration", {"max_days": 3650})


# --- deadlines --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", local(2026, 12, 15, 23, 59)),
        ("2026-12-15 17:00", local(2026, 12, 15, 17, 0)),
        ("2026-12-15T17:00", local(2026, 12, 15, 17, 0)),
        ("15-12-2026", local(2026, 12, 15, 23, 59)),
        ("15-12-2026 17:00", local(2026, 12, 15, 17, 0)),
        ("15/12/2026", local(2026, 12, 15, 23, 59)),
        ("15.12.2026 17.30", local(2026, 12, 15, 17, 30)),
        ("by 2026-12-15", local(2026, 12, 15, 23, 59)),
        ("By 15-12-2026 9:05", local(2026, 12, 15, 9, 5)),
        ("in 3 days", local(2026, 6, 4, 12, 0)),
        ("in 1 day", local(2026, 6, 2, 12, 0)),
        ("in 2w", local(2026, 6, 15, 12, 0)),
        ("in 2 weeks", local(2026, 6, 15, 12, 0)),
        ("in 36h", local(2026, 6, 3, 0, 0)),
        ("in 3 hours", local(2026, 6, 1, 15, 0)),
        ("in 90m", local(2026, 6, 1, 13, 30)),
        ("in 90 minutes", local(2026, 6, 1, 13, 30)),
        ("in 3d", local(2026, 6, 4, 12, 0)),
        ("by in 3d", local(2026, 6, 4, 12, 0)),
        ("in 365 days", local(2027, 6, 1, 12, 0)),
        ("2026-06-01 12:01", local(2026, 6, 1, 12, 1)),
        ("2026-06-01", local(2026, 6, 1, 23, 59)),  # 23:59 of a day that has begun is still ahead
        ("\u200b2026-12-15\u200f", local(2026, 12, 15, 23, 59)),
    ],
)
def test_deadline_examples(text: str, expected: datetime) -> None:
    result = deadline(text)
    assert result == expected
    assert result.tzinfo == AMS


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-02-30", "bad_date"),
        ("2026-13-01", "bad_date"),
        ("2026-12-15 24:00", "bad_date"),
        ("2026-12-15 17:60", "bad_date"),
        ("0000-01-01", "bad_date"),
        ("15-12/2026", "bad_date"),
        ("12/15/2026", "bad_date"),
        ("someday", "bad_date"),
        ("31 februari", "bad_date"),
        ("over drie dagjes", "bad_date"),
        ("by friday the 13th", "bad_date"),
        ("by", "bad_date"),
        ("in", "bad_date"),
        ("in 3", "bad_date"),
        ("in three fortnights", "bad_date"),
        ("in 3 fortnights", "bad_date"),
        ("", "bad_date"),
        ("2026-05-31", "deadline_past"),
        ("2026-06-01 12:00", "deadline_past"),
        ("0001-01-01", "deadline_past"),
        ("in 0 days", "deadline_past"),
        ("in 366 days", "deadline_too_far"),
        ("2027-06-02", "deadline_too_far"),
        ("9999-12-31 23:59", "deadline_too_far"),
        ("in 99999999999999999999999999 weeks", "deadline_too_far"),
    ],
)
def test_deadline_errors(text: str, code: str) -> None:
    assert error_of(deadline, text).code == code


def test_deadline_too_far_names_the_limit() -> None:
    assert error_of(deadline, "in 400 days").params == {"max_days": MAX_DAYS}


def test_deadline_in_a_dst_gap_moves_to_a_real_instant() -> None:
    result = parse_deadline("2027-03-28 02:30", NOW, AMS, MAX_DAYS)
    assert result == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=2)


def test_relative_deadline_is_elapsed_time_across_dst() -> None:
    before_dst_ends = datetime(2026, 10, 24, 12, 0, tzinfo=AMS)
    result = parse_deadline("in 2 days", before_dst_ends, AMS, MAX_DAYS)
    assert utc(result) - utc(before_dst_ends) == timedelta(days=2)
    assert (result.hour, result.utcoffset()) == (11, timedelta(hours=1))


def test_deadline_accepts_now_in_another_zone() -> None:
    assert parse_deadline("in 1 day", NOW.astimezone(UTC), AMS, MAX_DAYS) == local(2026, 6, 2, 12, 0)


def test_deadline_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_deadline("in 1 day", datetime(2026, 6, 1), AMS, MAX_DAYS)


DATE_TEXTS = st.builds(
    lambda year, month, day, hour, minute, style: style.format(y=year, m=month, d=day, hh=hour, mm=minute),
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.sampled_from(
        [
            "{y:04d}-{m:02d}-{d:02d}",
            "{y:04d}-{m}-{d} {hh}:{mm:02d}",
            "{d}-{m}-{y:04d}",
            "by {d}/{m}/{y:04d} {hh}.{mm:02d}",
        ]
    ),
)
RELATIVE_TEXTS = st.builds(
    "in {} {}".format,
    st.integers(0, 10**30) | st.integers(0, 600_000),
    st.sampled_from(["m", "minutes", "h", "hours", "d", "days", "w", "weeks", "uur", "dagen"]),
)


@FAST
@given(DATE_TEXTS | RELATIVE_TEXTS, st.integers(0, 4000))
def test_deadlines_always_fall_within_the_window(text: str, max_days: int) -> None:
    try:
        result = parse_deadline(text, NOW, AMS, max_days)
    except ParseError as error:
        assert error.code in {"bad_date", "deadline_past", "deadline_too_far"}
        return
    assert in_window(result, max_days)
    assert result.tzinfo == AMS


@FAST
@given(st.integers(min_value=1, max_value=MAX_DAYS * 24 * 60))
def test_relative_minutes_land_exactly(minutes: int) -> None:
    assert utc(deadline(f"in {minutes} minutes")) == utc(NOW) + timedelta(minutes=minutes)


# --- proposal ids -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "number"), [("#3", 3), ("3", 3), (" #12 ", 12), ("007", 7), ("1000000000", 10**9)])
def test_proposal_number_examples(text: str, number: int) -> None:
    assert parse_proposal_number(text) == number


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "missing_proposal_number"),
        ("  ", "missing_proposal_number"),
        ("#", "bad_proposal_number"),
        ("#0", "bad_proposal_number"),
        ("0", "bad_proposal_number"),
        ("-3", "bad_proposal_number"),
        ("3.5", "bad_proposal_number"),
        ("#abc", "bad_proposal_number"),
        ("1000000001", "bad_proposal_number"),
        ("9" * 10_000, "bad_proposal_number"),
        ("٣", "bad_proposal_number"),
    ],
)
def test_proposal_number_errors(text: str, code: str) -> None:
    assert error_of(parse_proposal_number, text).code == code


# --- !propose, one line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buy a printer", draft("Buy a printer")),
        ("Buy a printer €500", draft("Buy a printer", money=50_000)),
        (
            "Buy a printer €500 40h by 2026-12-15 min 5",
            draft("Buy a printer", 50_000, 2400, local(2026, 12, 15, 23, 59), 5),
        ),
        (
            "Buy a printer min 5 backers in 3 days 40 hours € 2.500",
            draft("Buy a printer", 250_000, 2400, local(2026, 6, 4, 12, 0), 5),
        ),
        ("Buy a printer by 2026-12-15 17:00", draft("Buy a printer", when=local(2026, 12, 15, 17, 0))),
        ("Buy a printer by 15/12/2026", draft("Buy a printer", when=local(2026, 12, 15, 23, 59))),
        ("Buy a printer 2500 euro", draft("Buy a printer", money=250_000)),
        ("Buy a printer EUR 2500", draft("Buy a printer", money=250_000)),
        ("Buy a printer 40 h", draft("Buy a printer", minutes=2400)),
        ("Buy a printer 1,5 uur", draft("Buy a printer", minutes=90)),
        ("Buy a printer in 2w", draft("Buy a printer", when=local(2026, 6, 15, 12, 0))),
        ("Buy a printer min: 5", draft("Buy a printer", min_backers=5)),
        ("Buy a printer min5", draft("Buy a printer", min_backers=5)),
        ("Buy a printer min 1 backer", draft("Buy a printer", min_backers=1)),
        (f"Buy a printer min {MAX_MIN_BACKERS}", draft("Buy a printer", min_backers=MAX_MIN_BACKERS)),
        ("Buy 3 printers in 2 weeks", draft("Buy 3 printers", when=local(2026, 6, 15, 12, 0))),
        ('"Buy 3 printers in 2 weeks" €500', draft("Buy 3 printers in 2 weeks", money=50_000)),
        ('"Buy 3 printers in 2 weeks"', draft("Buy 3 printers in 2 weeks")),
        ("“Buy 3 printers in 2 weeks” €500", draft("Buy 3 printers in 2 weeks", money=50_000)),
        ('"Big" party €50', draft('"Big" party', money=5_000)),
        ('"Unclosed quote €50', draft('"Unclosed quote', money=5_000)),
        ('"Quoted" then words €5', draft('"Quoted" then words', money=500)),
        ("Plant trees in 3 parks €500", draft("Plant trees in 3 parks", money=50_000)),
        ("Meet by the lake €50", draft("Meet by the lake", money=5_000)),
        ("Celebrate the 4th year €50", draft("Celebrate the 4th year", money=5_000)),
        ("Trip  to   Europe\u00a0 €50", draft("Trip  to   Europe", money=5_000)),
        ("Buy a printer €500, in 3d", draft("Buy a printer", money=50_000, when=local(2026, 6, 4, 12, 0))),
        ("\u200fשלום עולם €5", draft("שלום עולם", money=500)),
        ("abc", draft("abc")),
        ("x" * TITLE_MAX + " €5", draft("x" * TITLE_MAX, money=500)),
    ],
)
def test_propose_one_line(text: str, expected: ProposalDraft) -> None:
    assert propose(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("", "title_missing", ""),
        ("€500", "title_missing", ""),
        ("ab €5", "title_length", ""),
        ('"" €5', "title_missing", ""),
        ("x" * (TITLE_MAX + 1), "title_length", ""),
        ("Buy a printer €500 hello", "unknown_token", "hello"),
        ("Buy a printer €500 in Amsterdam", "unknown_token", "in"),
        ('"Quoted title" €5 hello', "unknown_token", "hello"),
        ("Buy a printer €500 200", "ambiguous_number", "200"),
        ("Buy a printer 40h 1,5", "ambiguous_number", "1,5"),
        ("Buy a printer €500 €600", "duplicate_money", "€600"),
        ("Buy a printer 40h 2 hours", "duplicate_hours", "2 hours"),
        ("Buy a printer in 3d by 2026-12-15", "duplicate_deadline", "by 2026-12-15"),
        ("Buy a printer min 2 min 3", "duplicate_min", "min 3"),
        ("Buy a printer €abc", "bad_money", "€abc"),
        ("Buy a printer €1e309", "bad_money", "€1e309"),
        ("Buy a printer €-5", "money_not_positive", "€-5"),
        ("Buy a printer €20.000.000", "money_too_large", "€20.000.000"),
        ("Buy a printer 1.5.5h", "bad_hours", "1.5.5h"),
        ("Buy a printer 0h", "hours_not_positive", "0h"),
        ("Buy a printer 200000h", "hours_too_large", "200000h"),
        ("Buy a printer by 2026-02-30", "bad_date", "by 2026-02-30"),
        ("Buy a printer by 9999-12-31", "deadline_too_far", "by 9999-12-31"),
        ("Buy a printer by 2020-01-01", "deadline_past", "by 2020-01-01"),
        ("Buy a printer in 400 days", "deadline_too_far", "in 400 days"),
        ("Buy a printer min 0", "bad_min_backers", "min 0"),
        ("Buy a printer min -5", "bad_min_backers", "min -5"),
        ("Buy a printer min: many", "bad_min_backers", "min: many"),
        (f"Buy a printer min {MAX_MIN_BACKERS + 1}", "bad_min_backers", f"min {MAX_MIN_BACKERS + 1}"),
    ],
)
def test_propose_one_line_errors(text: str, code: str, token: str) -> None:
    error = error_of(propose, text)
    assert (error.code, error.token) == (code, token)


def test_title_length_error_carries_its_limits() -> None:
    assert error_of(propose, "ab").params == {"min": TITLE_MIN, "max": TITLE_MAX, "length": 2}


def test_bad_min_backers_carries_its_limits() -> None:
    assert error_of(propose, "Buy a printer min 0").params == {"min": 1, "max": MAX_MIN_BACKERS}


# --- !propose, several lines ------------------------------------------------------------------------------------


def test_propose_multi_line_form() -> None:
    text = (
        "Community printer\n"
        "goal: €2.500\n"
        "Hours: 40\n"
        "DEADLINE: 2026-12-15 17:00\n"
        "backers: 5\n"
        "We print flyers for the market.\n"
        "\n"
        "Note: the old one broke.\n"
    )
    expected = draft(
        "Community printer",
        250_000,
        2400,
        local(2026, 12, 15, 17, 0),
        5,
        "We print flyers for the market.\n\nNote: the old one broke.",
    )
    assert propose(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\nPrinter €500\nuren: 1,5\n", draft("Printer", money=50_000, minutes=90)),
        ("Printer\r\ndoel: 2500\r\nmin: 3\r\n", draft("Printer", money=250_000, min_backers=3)),
        ("Printer\nmoney: EUR 2.500,50", draft("Printer", money=250_050)),
        ("Printer\nhours: 40h\nmin backers: 2 backers", draft("Printer", minutes=2400, min_backers=2)),
        ("Printer\ndeadline: in 3 days", draft("Printer", when=local(2026, 6, 4, 12, 0))),
        ("Printer\ndeadline: by 15-12-2026", draft("Printer", when=local(2026, 12, 15, 23, 59))),
        ("Printer\ngoal:\ndeadline:   ", draft("Printer")),
        ("Printer\nWhy: because\n€5 is cheap", draft("Printer", description="Why: because\n€5 is cheap")),
        ('"Buy 3 printers in 2w"\n  details  ', draft("Buy 3 printers in 2w", description="details")),
        (  # the goals have their own lines: a number ending the first line belongs to the title
            "Scholing MBO ouderen voorjaar 2027\ndoel: € 3.000\nuren: 40",
            draft("Scholing MBO ouderen voorjaar 2027", money=300_000, minutes=2400),
        ),
        ("Scholing tot 2027\ndoel: €300", draft("Scholing tot 2027", money=30_000)),
    ],
)
def test_propose_multi_line_examples(text: str, expected: ProposalDraft) -> None:
    assert propose(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("\n\n", "title_missing"),
        ("ab\ngoal: €5", "title_length"),
        ("Printer €5\ngoal: €6", "duplicate_money"),
        ("Printer\ngoal: €5\nmoney: €6", "duplicate_money"),
        ("Printer 40h\nhours: 2", "duplicate_hours"),
        ("Printer in 3d\ndeadline: 2026-12-15", "duplicate_deadline"),
        ("Printer min 2\nbackers: 3", "duplicate_min"),
        ("Printer\ngoal: lots", "bad_money"),
        ("Printer\nhours: -4", "hours_not_positive"),
        ("Printer\ndeadline: 2026-02-30", "bad_date"),
        ("Printer\nbackers: 0", "bad_min_backers"),
        ("Printer €5 stuff\nmore", "unknown_token"),
    ],
)
def test_propose_multi_line_errors(text: str, code: str) -> None:
    assert error_of(propose, text).code == code


# --- !backme ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", PledgeDraft(3, None, None, "")),
        ("#3", PledgeDraft(3, None, None, "")),
        ("3 €50", PledgeDraft(3, 5_000, None, "")),
        ("#3 €50 4h", PledgeDraft(3, 5_000, 240, "")),
        ("3 €50 40h thanks for organising!", PledgeDraft(3, 5_000, 2400, "thanks for organising!")),
        ("3 happy to help 2 hours on saturday", PledgeDraft(3, None, 120, "happy to help on saturday")),
        ("3 € 50", PledgeDraft(3, 5_000, None, "")),
        ("3 200 €", PledgeDraft(3, 20_000, None, "")),
        ("3, €5 good luck", PledgeDraft(3, 500, None, "good luck")),
        ("3 €5, good luck", PledgeDraft(3, 500, None, "good luck")),
        ("€50", PledgeDraft(None, 5_000, None, "")),
        ("40h great idea", PledgeDraft(None, None, 2400, "great idea")),
        ("50 euro", PledgeDraft(None, 5_000, None, "")),
        ("3 hours", PledgeDraft(None, None, 180, "")),
        ("great idea €5", PledgeDraft(None, 500, None, "great idea")),
        ("count me in", PledgeDraft(None, None, None, "count me in")),
        ("3   spaced\u00a0 out\n note", PledgeDraft(3, None, None, "spaced out note")),
        ("3 €50 for the printers", PledgeDraft(3, 5_000, None, "for the printers")),
        ("3 €50 for A4 paper, 5pm", PledgeDraft(3, 5_000, None, "for A4 paper, 5pm")),
        ("3 " + "x" * 500, PledgeDraft(3, None, None, "x" * 500)),
    ],
)
def test_pledge_examples(text: str, expected: PledgeDraft) -> None:
    assert parse_pledge(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "token"),
    [
        ("", "missing_proposal_number", ""),
        (" \u200b ", "missing_proposal_number", ""),
        ("3 200", "ambiguous_number", "200"),
        ("#3 1,5", "ambiguous_number", "1,5"),
        ("0 €5", "bad_proposal_number", "0"),
        ("3x €5", "bad_proposal_number", "3x"),
        ("#abc €5", "bad_proposal_number", "#abc"),
        ("3 €50 €60", "duplicate_money", "€60"),
        ("3 2h 3 hours", "duplicate_hours", "3 hours"),
        ("3 €abc", "bad_money", "€abc"),
        ("3 €-5", "money_not_positive", "€-5"),
        ("3 €20.000.000", "money_too_large", "€20.000.000"),
        ("3 0h", "hours_not_positive", "0h"),
        ("3 " + "x" * 501, "note_too_long", ""),
        # Money-like text that is no amount Kring reads never becomes the note, wherever it stands.
        ("3 $100", "bad_money", "$100"),
        ("3 USD 100", "bad_money", "USD 100"),
        ("3 100 dollar", "bad_money", "100 dollar"),
        ("3 €50 for 2 printers", "ambiguous_number", "2"),
        ("3 happy to help £20", "bad_money", "£20"),
    ],
)
def test_pledge_errors(text: str, code: str, token: str) -> None:
    error = error_of(parse_pledge, text)
    assert (error.code, error.token) == (code, token)


def test_note_too_long_carries_its_limit() -> None:
    assert error_of(parse_pledge, "3 " + "x" * 600).params == {"max": 500, "length": 600}


# --- ParseError -------------------------------------------------------------------------------------------------


def test_parse_error_keeps_code_token_and_params() -> None:
    error = ParseError(Problem.DEADLINE_TOO_FAR, "in 400 days", max_days=365)
    assert (error.code, error.token, error.params) == ("deadline_too_far", "in 400 days", {"max_days": 365})
    assert isinstance(error, ValueError)
    assert "deadline_too_far" in str(error)


def test_parse_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ParseError(Problem.TITLE_LENGTH, min=3, max=200, length=1)))
    assert (error.code, error.token, error.params) == ("title_length", "", {"min": 3, "max": 200, "length": 1})


def test_parse_error_clips_a_long_token() -> None:
    error = error_of(parse_money, "€" + "x" * 10_000)
    assert error.code == "bad_money"
    assert len(error.token) <= 80


# --- anything goes in, a value or a ParseError comes out --------------------------------------------------------

JUNK = [
    "",
    " ",
    "\n",
    "\u200b\u200c\u200d\ufeff",
    "\u200f\u202e€5\u202c",
    "€1e309",
    "1e309",
    "9999-12-31",
    "by 9999-12-31 23:59",
    "in 9999999999999999999999999999999999 weeks",
    "-" * 1000,
    "€" * 65_536,
    "9" * 65_536,
    "€" + "9" * 65_536,
    "1." * 32_768,
    "in " * 20_000,
    "by 1-1-1 " * 5_000,
    "min " * 16_000,
    "a" * 65_536,
    "#" + "9" * 65_536,
    "Title\n" + "goal: €5\n" * 5_000,
    '"' * 65_536,
    "x €5 " * 13_000,
    "\x00\x01\x7f€5",
    "\ud800€5 \udfff",
]

FRAGMENTS = st.sampled_from(
    [
        "€",
        "€5",
        "EUR",
        "euro",
        "2.500",
        "2,500.50",
        "-",
        "0",
        "3",
        "200",
        "1.5",
        "h",
        "40h",
        "uur",
        "hours",
        "in",
        "by",
        "days",
        "2w",
        "2026-12-15",
        "15/12/2026",
        "17:00",
        "9999-12-31",
        "min",
        "min:",
        "backers",
        "#3",
        '"',
        "“",
        "\n",
        "goal:",
        "hours:",
        "deadline:",
        "backers:",
        "\u200b",
        "\u200f",
        "1e309",
        "word",
    ]
)
SENTENCES = st.lists(FRAGMENTS | st.text(max_size=5), max_size=25).map(" ".join)


@pytest.mark.parametrize("text", JUNK, ids=range(len(JUNK)))
def test_junk_gives_a_value_or_a_parse_error(text: str) -> None:
    for parse in ALL_PARSERS:
        value_or_parse_error(parse, text)


@FAST
@given(st.text())
def test_any_text_gives_a_value_or_a_parse_error(text: str) -> None:
    for parse in ALL_PARSERS:
        value_or_parse_error(parse, text)


@FAST
@given(SENTENCES)
def test_command_like_text_gives_a_value_or_a_parse_error(text: str) -> None:
    for parse in ALL_PARSERS:
        result = value_or_parse_error(parse, text)
        if isinstance(result, ProposalDraft):
            assert TITLE_MIN <= len(result.title) <= TITLE_MAX
            assert result.deadline is None or in_window(result.deadline, MAX_DAYS)
            assert result.money_cents is None or 0 < result.money_cents <= MAX_MONEY_CENTS
            assert result.minutes is None or 0 < result.minutes <= MAX_MINUTES
        if isinstance(result, PledgeDraft):
            assert len(result.note) <= 500
