"""Parsers for amounts, durations, deadlines and command arguments; pure, no I/O."""

from __future__ import annotations

import calendar
import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "DESCRIPTION_MAX",
    "MAX_DURATION_DAYS",
    "MAX_MINUTES",
    "MAX_MIN_BACKERS",
    "MAX_MONEY_CENTS",
    "MAX_PROPOSAL_ID",
    "NOTE_MAX",
    "TITLE_MAX",
    "TITLE_MIN",
    "ParseError",
    "PledgeDraft",
    "ProposalDraft",
    "ProposalEdit",
    "parse_deadline",
    "parse_duration",
    "parse_edit",
    "parse_hours",
    "parse_money",
    "parse_pledge",
    "parse_proposal_id",
    "parse_propose",
    "pledge_in_order",
    "shown",
    "starts_with_amount",
]

MAX_MONEY_CENTS = 10_000_000 * 100
MAX_MINUTES = 100_000 * 60
MAX_MIN_BACKERS = 100_000
TITLE_MIN = 3
TITLE_MAX = 200
NOTE_MAX = 500
DESCRIPTION_MAX = 4000  # with its HTML twice over, an announcement stays far below Matrix's 64 KiB per event
MAX_DURATION_DAYS = 3650
MAX_PROPOSAL_ID = 10**9

_TOKEN_SHOWN_MAX = 80  # an error echoes the offending text back to the room; keep that short
_MAX_DIGITS = 15  # more significant digits than this is out of every range, and int() stays cheap
_HUGE: int = 10**_MAX_DIGITS  # stands in for any number with more digits


class ParseError(ValueError):
    """Input that cannot be understood. ``code`` is a machine key, ``token`` the offending text.

    ``token`` is clipped to 80 characters. Codes and their ``params``:

    - ``bad_money``, ``money_not_positive``; ``money_too_large`` (max_cents)
    - ``bad_hours``, ``hours_not_positive``; ``hours_too_large`` (max_minutes)
    - ``bad_duration`` (max_days)
    - ``bad_date``, ``deadline_past``; ``deadline_too_far`` (max_days)
    - ``bad_proposal_id``, ``missing_proposal_id``
    - ``title_missing``; ``title_length`` (length, min, max)
    - ``bad_min_backers`` (min, max)
    - ``unknown_token``, ``ambiguous_number``
    - ``duplicate_money``, ``duplicate_hours``, ``duplicate_deadline``, ``duplicate_min``
    - ``note_too_long`` (max, length), ``description_too_long`` (max, length)

    A known field of the multi-line form with a bad value reports the specific code (``bad_money`` …).
    """

    def __init__(self, code: str, token: str = "", **params: object) -> None:
        token = shown(token)
        super().__init__(code, token)
        self.code = code
        self.token = token
        self.params: dict[str, object] = params

    def __str__(self) -> str:
        extra = "".join(f" {key}={value!r}" for key, value in self.params.items())
        return f"{self.code}: {self.token!r}{extra}"

    def __reduce__(self) -> tuple[Callable[[str, str, dict[str, object]], ParseError], tuple[object, ...]]:
        return (_rebuild_parse_error, (self.code, self.token, self.params))


def shown(text: str) -> str:
    """User text echoed back in a reply, clipped: a 64 KiB message must not make a reply too big to send."""
    return text if len(text) <= _TOKEN_SHOWN_MAX else text[: _TOKEN_SHOWN_MAX - 1] + "…"


def parse_small_count(token: str, max_digits: int = 9) -> int | None:
    """A whole number in at most `max_digits` ASCII digits, else None.

    ASCII only: "²".isdigit() holds yet int("²") raises; and few digits, as int() refuses 4 300 of them.
    """
    if token.isascii() and token.isdigit() and len(token) <= max_digits:
        return int(token)
    return None


def _rebuild_parse_error(code: str, token: str, params: dict[str, object]) -> ParseError:
    return ParseError(code, token, **params)


@dataclass(frozen=True)
class ProposalDraft:
    title: str
    description: str
    money_cents: int | None
    minutes: int | None
    deadline: datetime | None
    min_backers: int | None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PledgeDraft:
    proposal_id: int | None
    money_cents: int | None
    minutes: int | None
    note: str


# --- text clean-up ------------------------------------------------------------------------------------------


def _strip_format_chars(text: str) -> str:
    """Drop invisible format characters (zero-width spaces and joiners, bidi marks, BOM)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


# Bidi controls (which can make a title read as another) and invisible spaces; zero-width joiners stay, as emoji
# sequences and Persian spelling need them.
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """What members typed, as Kring keeps it: without bidi controls and invisible spaces."""
    return _INVISIBLE.sub("", text)


def title_key(title: str) -> str:
    """A title as compared with the open ones: case, spacing and invisible characters ignored."""
    return _norm(title).casefold()


def _norm(text: str) -> str:
    """Matching form: no format characters, lower case, single spaces."""
    return " ".join(_strip_format_chars(text).lower().split())


def _is_blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def _trim(text: str) -> str:
    """Strip whitespace and invisible format characters from both ends, keep the inside verbatim."""
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def _bounded_int(digits: str) -> int | None:
    """``int(digits)`` for an ASCII digit string, or None when it has too many significant digits."""
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS:
        return None
    return int(significant or "0")


# --- amounts: money and hours -------------------------------------------------------------------------------

_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_MINUS = r"[-−]"
_CURRENCY = r"(?:€|eur(?:os?)?)"
_WHOLE_MARK = r"(?:[.,]-{1,2})?"  # Dutch "€25,-" means whole euros

_MONEY_RE = re.compile(
    rf"(?P<neg>{_MINUS})? ?(?:{_CURRENCY} ?(?P<neg2>{_MINUS})? ?(?P<num>{_NUM}{_WHOLE_MARK})(?: ?eur(?:os?)?)?"
    rf"|(?P<num2>{_NUM}{_WHOLE_MARK}) ?{_CURRENCY}"
    rf"|(?P<num3>{_NUM}[.,]-{{1,2}}))"  # "300,-" is whole euros, a sign or not; "€ 300 euro" says it twice
)
_BARE_MONEY_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM}{_WHOLE_MARK})")
_HOURS_UNIT = r"(?:h|hrs?|hours?|u|uur|uren)"
_HOURS_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM}) ?{_HOURS_UNIT}")
_BARE_HOURS_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM})")
# Shaped like hours but with a malformed number ("1.5.5h", "0.125h"): an attempt, reported as bad_hours.
_HOURS_ATTEMPT_RE = re.compile(rf"[-−+]?[0-9][0-9.,]* ?{_HOURS_UNIT}")
_SEPARATOR_RE = re.compile(r"([.,])")
_LEADING_GROUP_RE = re.compile(r"[1-9][0-9]{0,2}")


def _split_amount(number: str) -> tuple[str, str] | None:
    """Split ``1.234,5`` style text into integer digits and at most two fraction digits, None if malformed.

    A separator followed by exactly three digits groups thousands; by one or two, it is the decimal mark.
    """
    whole_only = number.endswith("-")
    if whole_only:
        number = number.rstrip("-")[:-1]
    parts = _SEPARATOR_RE.split(number)
    groups, separators = parts[0::2], parts[1::2]
    fraction = ""
    if separators and len(groups[-1]) <= 2:
        if whole_only:
            return None
        fraction = groups.pop()
        decimal_mark = separators.pop()
        if decimal_mark in separators:
            return None
    if separators:
        if len(set(separators)) > 1 or not _LEADING_GROUP_RE.fullmatch(groups[0]):
            return None
        if any(len(group) != 3 for group in groups[1:]):
            return None
    return "".join(groups), fraction


def _hundredths(number: str) -> int | None:
    """The number in hundredths (cents, centi-hours), or None if malformed; huge values come back huge."""
    split = _split_amount(number)
    if split is None:
        return None
    whole, fraction = split
    units = _bounded_int(whole)
    if units is None:
        return _HUGE * 100
    return units * 100 + int(fraction.ljust(2, "0"))


def _amount_match(norm: str, pattern: re.Pattern[str], bare: re.Pattern[str] | None) -> tuple[bool, str] | None:
    """(negative, number text) from the first pattern that matches the whole text."""
    match = pattern.fullmatch(norm)
    if match is None and bare is not None:
        match = bare.fullmatch(norm)
    if match is None:
        return None
    groups = match.groupdict()
    number = groups.get("num") or groups.get("num2") or groups.get("num3") or ""
    return bool(groups.get("neg") or groups.get("neg2")), number


def _money_from(norm: str, raw: str, *, bare_ok: bool = False) -> int:
    found = _amount_match(norm, _MONEY_RE, _BARE_MONEY_RE if bare_ok else None)
    cents = None if found is None else _hundredths(found[1])
    if found is None or cents is None:
        raise ParseError("bad_money", raw)
    if found[0] or cents == 0:
        raise ParseError("money_not_positive", raw)
    if cents > MAX_MONEY_CENTS:
        raise ParseError("money_too_large", raw, max_cents=MAX_MONEY_CENTS)
    return cents


def _minutes_from(norm: str, raw: str, *, bare_ok: bool = False) -> int:
    found = _amount_match(norm, _HOURS_RE, _BARE_HOURS_RE if bare_ok else None)
    centi_hours = None if found is None else _hundredths(found[1])
    if found is None or centi_hours is None:
        raise ParseError("bad_hours", raw)
    minutes = (centi_hours * 60 + 50) // 100  # whole minutes, half rounds up
    if found[0] or minutes == 0:
        raise ParseError("hours_not_positive", raw)
    if minutes > MAX_MINUTES:
        raise ParseError("hours_too_large", raw, max_minutes=MAX_MINUTES)
    return minutes


def parse_money(text: str) -> int:
    """``€2.500``, ``€2,500.50``, ``2500 euro``, ``EUR 2500``, ``€25,-`` … as integer cents."""
    return _money_from(_norm(text), _trim(text))


def parse_hours(text: str) -> int:
    """``40h``, ``40 hours``, ``40 uur``, ``1,5h`` … as integer minutes."""
    return _minutes_from(_norm(text), _trim(text))


# --- durations and deadlines --------------------------------------------------------------------------------

_UNIT_MINUTES: dict[str, int] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuut", "minuten"), 1),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren"), 60),
    **dict.fromkeys(("d", "day", "days", "dag", "dagen"), 24 * 60),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "weken"), 7 * 24 * 60),
}
_DURATION_RE = re.compile(r"(?P<num>[0-9]+) ?(?P<unit>[a-z]+)")
_HUGE_MINUTES = _HUGE * 7 * 24 * 60

_DATE_YMD_RE = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_DATE_DMY_RE = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
_ISO_T_RE = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t([0-9])")  # 2026-12-15T17:00
_DATE_DM_RE = re.compile(r"(?P<d>[0-9]{1,2})[-/](?P<m>[0-9]{1,2})")  # 15-12: the next 15 December
_DAY_RE = re.compile(r"(?P<d>[0-9]{1,2})(?:e|ste|de|st|nd|rd|th)?,?")
_YEAR_RE = re.compile(r"[0-9]{4}")
_CLOCK_RE = re.compile(r"(?P<hh>[0-9]{1,2})[:.](?P<mm>[0-9]{2})(?:u|h)?")
_AT_WORDS = frozenset({"om", "at", "t"})
# Words before a date that say "no later than": English and Dutch are understood in every room.
_DATE_PREFIXES = frozenset({"by", "before", "tot", "voor", "uiterlijk"})
_RELATIVE_WORDS = frozenset({"in", "over", "binnen"})
_MONTHS: dict[str, int] = {
    **{
        name: n
        for n, name in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
        )
    },
    **{
        name: n
        for n, name in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    **{
        name: n
        for n, name in enumerate(
            (
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ),
            1,
        )
    },
    "mrt": 3,
    "mei": 5,
    "okt": 10,
    "sept": 9,
}
# Dutch two-letter abbreviations (ma, di, zo …) are left out: "voor ma" is far more often "for mum".
_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "mon", "maandag"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "dinsdag"), 1),
    **dict.fromkeys(("wednesday", "wed", "woensdag"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "donderdag"), 3),
    **dict.fromkeys(("friday", "fri", "vrijdag"), 4),
    **dict.fromkeys(("saturday", "sat", "zaterdag"), 5),
    **dict.fromkeys(("sunday", "sun", "zondag"), 6),
}
_DAYS_FROM_TODAY: dict[str, int] = {
    **{"yesterday": -1, "gisteren": -1},  # read, so that the deadline is refused as past rather than left in a title
    **{"today": 0, "vandaag": 0, "tomorrow": 1, "morgen": 1, "overmorgen": 2},
}
_END_WORDS = frozenset({"eind", "einde", "end"})
_FILLER_WORDS = frozenset({"van", "de", "het", "of", "the"})
_THIS_WORDS = frozenset({"deze", "this"})
_NEXT_WORDS = frozenset({"volgende", "next"})
_COMING_WORDS = frozenset({"aanstaande", "komende", "coming"})
_WEEK_WORDS = frozenset({"week"})
_MONTH_WORDS = frozenset({"maand", "month"})
# Words that make the text after `tot`/`by`/… a deadline, though perhaps one Kring cannot read: then it is an
# error naming those words, not part of the title. "Inspired by next generation" has none of them.
_STRONG_DATE_WORDS = frozenset(
    {*_WEEKDAYS, *(name for name in _MONTHS if len(name) > 3), *_DAYS_FROM_TODAY, *_WEEK_WORDS, *_MONTH_WORDS}
    | {"weekend", "jaar", "year", "maanden", "months", "weken", "weeks", "dagen", "days"}
)
_DATE_WORDS = _STRONG_DATE_WORDS | _END_WORDS | _THIS_WORDS | _NEXT_WORDS | _COMING_WORDS
_END_OF_DAY = (23, 59)
_JUST_PASSED_DAYS = 60  # a day and month this many days ago or fewer was meant this year, and has passed


class _DatePhrase(NamedTuple):
    """A date as written, before it is checked against the calendar and the clock."""

    day: int | None = None  # a calendar date: day, month and (if given) year
    month: int | None = None
    year: int | None = None
    days_from_today: int | None = None  # tomorrow, overmorgen
    weekday: int | None = None  # friday, vrijdag: the next one after today
    week: int | None = None  # with a weekday: that day of the week this many weeks on (the week starts on Monday)
    months_ahead: int | None = None  # the last day of this month (0) or of the next (1)
    end_of_month: bool = False  # with a month: its last day
    time: tuple[int, int] | None = None


def _month(word: str) -> int | None:
    return _MONTHS.get(word.rstrip("."))


def _day_month(words: list[str]) -> _DatePhrase | None:
    """`15 december [2026]`, `dec 15[,] [2026]`, `15-12`, `2026-12-15`, `15-12-2026`."""
    if len(words) == 1:
        full = _DATE_YMD_RE.fullmatch(words[0]) or _DATE_DMY_RE.fullmatch(words[0])
        if full is not None:
            return _DatePhrase(int(full["d"]), int(full["m"]), int(full["y"]))
        short = _DATE_DM_RE.fullmatch(words[0])
        return None if short is None else _DatePhrase(int(short["d"]), int(short["m"]))
    if len(words) not in (2, 3) or (len(words) == 3 and not _YEAR_RE.fullmatch(words[2])):
        return None
    year = int(words[2]) if len(words) == 3 else None
    for day_word, month_word in ((words[0], words[1]), (words[1], words[0])):
        day, month = _DAY_RE.fullmatch(day_word), _month(month_word)
        if day is not None and month is not None:
            return _DatePhrase(int(day["d"]), month, year)
    return None


def _weeks_and_months(words: list[str]) -> _DatePhrase | None:
    """`volgende week vrijdag`, `aanstaande vrijdag`, `eind van de maand`, `end of next week`, `eind juli` …"""
    if words[:1] == ["the"]:
        words = words[1:]
    if len(words) == 2 and words[0] in _COMING_WORDS and words[1] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[1]])
    if len(words) == 3 and words[0] in _WEEKDAYS and words[1] in _NEXT_WORDS and words[2] in _WEEK_WORDS:
        words = [words[1], words[2], words[0]]
    if len(words) == 3 and words[0] in _NEXT_WORDS and words[1] in _WEEK_WORDS and words[2] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[2]], week=1)
    if not words or words[0] not in _END_WORDS:
        return None
    rest = [word for word in words[1:] if word not in _FILLER_WORDS]
    ahead = 1 if rest[:1] and rest[0] in _NEXT_WORDS else 0
    if rest[:1] and rest[0] in _NEXT_WORDS | _THIS_WORDS:
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in _MONTH_WORDS:
        return _DatePhrase(months_ahead=ahead)
    if len(rest) == 1 and rest[0] in _WEEK_WORDS:
        return _DatePhrase(weekday=6, week=ahead)
    if len(rest) in (1, 2) and len(words) == len(rest) + 1 and (month := _month(rest[0])) is not None:
        year = rest[1] if len(rest) == 2 else None
        if year is not None and not _YEAR_RE.fullmatch(year):
            return None
        return _DatePhrase(month=month, year=None if year is None else int(year), end_of_month=True)
    if len(rest) == 1 and (month := _month(rest[0])) is not None:  # end of February
        return _DatePhrase(month=month, end_of_month=True)
    return None


def _date_phrase(norm: str) -> _DatePhrase | None:
    """What a date in words or digits says, with an optional time (`om 17:00`, `at 17:00`, `17:00`); None if the
    text is no date at all. English and Dutch words both count."""
    words = _ISO_T_RE.sub(r"\1 \2", norm).split()
    time = None
    if words and (clock := _CLOCK_RE.fullmatch(words[-1])) is not None:
        time = (int(clock["hh"]), int(clock["mm"]))
        words = words[:-1]
        if words and words[-1] in _AT_WORDS:
            words = words[:-1]
    if len(words) == 1 and words[0] in _DAYS_FROM_TODAY:
        return _DatePhrase(days_from_today=_DAYS_FROM_TODAY[words[0]], time=time)
    if len(words) == 1 and words[0] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[0]], time=time)
    phrase = _day_month(words) or _weeks_and_months(words)
    return None if phrase is None else phrase._replace(time=time)


def _duration_minutes(norm: str) -> int | None:
    """``3d``, ``36 hours``, ``2 weken`` … in minutes (possibly zero or huge), None if not a duration."""
    match = _DURATION_RE.fullmatch(norm)
    if match is None or match["unit"] not in _UNIT_MINUTES:
        return None
    count = _bounded_int(match["num"])
    if count is None:
        return _HUGE_MINUTES
    return count * _UNIT_MINUTES[match["unit"]]


def parse_duration(text: str) -> timedelta:
    """``3d``, ``90m``, ``2h``, ``1w``, ``36 hours``, ``2 weeks`` as a timedelta of 1 minute to 3650 days."""
    minutes = _duration_minutes(_norm(text))
    if minutes is None or not 0 < minutes <= MAX_DURATION_DAYS * 24 * 60:
        raise ParseError("bad_duration", _trim(text), max_days=MAX_DURATION_DAYS)
    return timedelta(minutes=minutes)


class _DeadlineRules(NamedTuple):
    now_utc: datetime
    tz: ZoneInfo
    max_days: int


def _deadline_rules(now: datetime, tz: ZoneInfo, max_days: int) -> _DeadlineRules:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return _DeadlineRules(now.astimezone(UTC), tz, max_days)


def _local_datetime(phrase: _DatePhrase, rules: _DeadlineRules) -> datetime | None:
    """The wall-clock moment a date phrase names in the configured zone; None if it is no real date.

    Without a time it is 23:59 that day; without a year, this year's (also when it fell in the last 60 days, so it
    is refused as past) or else next year's; a weekday is the next one after today.
    """
    hour, minute = phrase.time or _END_OF_DAY
    today = rules.now_utc.astimezone(rules.tz).date()
    try:
        if phrase.days_from_today is not None:
            day = today + timedelta(days=phrase.days_from_today)
        elif phrase.weekday is not None and phrase.week is not None:
            day = today + timedelta(days=7 * phrase.week + phrase.weekday - today.weekday())
        elif phrase.weekday is not None:
            day = today + timedelta(days=(phrase.weekday - today.weekday() - 1) % 7 + 1)
        elif phrase.months_ahead is not None:
            year, month = divmod(today.year * 12 + today.month - 1 + phrase.months_ahead, 12)
            day = _calendar_day(year, month + 1, None)
        else:
            assert phrase.month is not None
            year = phrase.year if phrase.year is not None else today.year
            day_of_month = None if phrase.end_of_month else phrase.day
            day = _calendar_day(year, phrase.month, day_of_month)
            if phrase.year is None and (today - day).days > _JUST_PASSED_DAYS:
                day = _calendar_day(year + 1, phrase.month, day_of_month)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=rules.tz)
    except (ValueError, OverflowError):
        return None


def _calendar_day(year: int, month: int, day: int | None) -> date:
    """The date, or with no day the last day of that month."""
    return date(year, month, day if day is not None else calendar.monthrange(year, month)[1])


def _within_window(when_utc: datetime, raw: str, rules: _DeadlineRules) -> datetime:
    delta = when_utc - rules.now_utc
    if delta <= timedelta(0):
        raise ParseError("deadline_past", raw)
    delta_us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if delta_us > rules.max_days * 86_400 * 1_000_000:
        raise ParseError("deadline_too_far", raw, max_days=rules.max_days)
    try:
        return when_utc.astimezone(rules.tz)
    except (OverflowError, ValueError):
        raise ParseError("bad_date", raw) from None


def _relative_deadline(minutes: int, raw: str, rules: _DeadlineRules) -> datetime:
    if minutes <= 0:
        raise ParseError("deadline_past", raw)
    if minutes > rules.max_days * 24 * 60:
        raise ParseError("deadline_too_far", raw, max_days=rules.max_days)
    try:
        when_utc = rules.now_utc + timedelta(minutes=minutes)
    except OverflowError:
        raise ParseError("deadline_too_far", raw, max_days=rules.max_days) from None
    return _within_window(when_utc, raw, rules)


def _absolute_deadline(norm: str, raw: str, rules: _DeadlineRules) -> datetime:
    phrase = _date_phrase(norm)
    local = None if phrase is None else _local_datetime(phrase, rules)
    if local is None:
        raise ParseError("bad_date", raw)
    try:
        when_utc = local.astimezone(UTC)  # also moves a wall time that falls in a DST gap to a real instant
    except (OverflowError, ValueError):
        raise ParseError("bad_date", raw) from None
    return _within_window(when_utc, raw, rules)


def _deadline_from(norm: str, raw: str, rules: _DeadlineRules) -> datetime:
    first, _, rest = norm.partition(" ")
    if first in _DATE_PREFIXES and rest:
        first, _, rest = rest.partition(" ")
        norm = f"{first} {rest}".strip()
    if first in _RELATIVE_WORDS and rest:
        minutes = _duration_minutes(rest)
        if minutes is None:
            raise ParseError("bad_date", raw)
        return _relative_deadline(minutes, raw, rules)
    return _absolute_deadline(norm, raw, rules)


def parse_deadline(text: str, now: datetime, tz: ZoneInfo, max_days: int) -> datetime:
    """A deadline, aware, in ``tz``: ``[by|tot|voor|uiterlijk] <date> [[om|at] 17:00]`` or ``in|over|binnen 3 days``.

    A date is ``2026-12-15``, ``15-12-2026``, ``15-12``, ``15 december [2026]``, ``Dec 15``, ``tomorrow``,
    ``morgen``, ``overmorgen`` or a weekday (``friday``, ``vrijdag``: the next one). A date without a time means
    23:59 that day. The result lies in (now, now + max_days].
    """
    return _deadline_from(_norm(text), _trim(text), _deadline_rules(now, tz, max_days))


# --- proposal ids and minimum backers -----------------------------------------------------------------------

_PROPOSAL_ID_RE = re.compile(r"#? ?(?P<num>[0-9]+)")
_ID_LIKE_RE = re.compile(r"[-−+]?[0-9]")
_BACKERS_NOUNS = ("backer", "backers", "steuner", "steuners", "people", "mensen")
_BACKERS_NOUN = "(?:" + "|".join(_BACKERS_NOUNS) + ")"
_MIN_RE = re.compile(rf"(?:min(?:imum|imaal)?[.:]? ?)?(?P<num>[^ ]+)(?: {_BACKERS_NOUN})?")
_BACKERS_VALUE_RE = re.compile(rf"(?P<num>[^ ]+)(?: {_BACKERS_NOUN})?")
_DIGITS_RE = re.compile(r"[0-9]+")


def _proposal_id_from(norm: str, raw: str) -> int:
    if not norm:
        raise ParseError("missing_proposal_id")
    match = _PROPOSAL_ID_RE.fullmatch(norm)
    number = None if match is None else _bounded_int(match["num"])
    if number is None or not 0 < number <= MAX_PROPOSAL_ID:
        raise ParseError("bad_proposal_id", raw)
    return number


def parse_proposal_id(text: str) -> int:
    """``#3`` or ``3`` as 3."""
    return _proposal_id_from(_norm(text), _trim(text))


def _backers_count(match: re.Match[str] | None, raw: str) -> int:
    digits = match["num"] if match else ""
    count = _bounded_int(digits) if _DIGITS_RE.fullmatch(digits) else None
    if count is None or not 0 < count <= MAX_MIN_BACKERS:
        raise ParseError("bad_min_backers", raw, min=1, max=MAX_MIN_BACKERS)
    return count


def _min_clause_from(norm: str, raw: str) -> int:
    return _backers_count(_MIN_RE.fullmatch(norm), raw)


def _backers_field_from(norm: str, raw: str) -> int:
    return _backers_count(_BACKERS_VALUE_RE.fullmatch(norm), raw)


# --- clause recognition in a token stream -------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\S+")
_TRAILING_PUNCTUATION = ",.;:!?)"
_TIME_RE = re.compile(r"[0-9]{1,2}[:.][0-9]{2}")
_DATE_SHAPE_RE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]")
_NUMBERISH_RE = re.compile(r"[-−+]?[0-9]")
_BARE_NUMBER_RE = re.compile(r"[-−+]?[0-9][0-9.,]*")
_MIN_WORDS = frozenset({"min", "minimum", "min.", "min:", "minimum:", "minimaal", "minimaal:"})
_MIN_GLUED_RE = re.compile(r"min(?:imum|imaal)?:?[-−+]?[0-9].*")
_BACKERS_WORDS = frozenset(_BACKERS_NOUNS)

_Value = int | datetime


class _Token(NamedTuple):
    raw: str
    norm: str
    start: int


class _Span(NamedTuple):
    end: int  # index just past the last token of the clause
    norm: str  # the clause text in matching form


class _Hit(NamedTuple):
    kind: str
    value: _Value
    end: int
    raw: str


_Recognizer = Callable[[list[_Token], int], _Span | None]
_Evaluator = Callable[[str, str], _Value]
_Clause = tuple[str, _Recognizer, _Evaluator]


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        norm = _norm(match.group())
        if norm:  # a token of only zero-width characters is no token
            tokens.append(_Token(match.group(), norm, match.start()))
    return tokens


def _joined(tokens: list[_Token], start: int, end: int) -> str:
    return " ".join(token.norm for token in tokens[start:end])


def _raw(tokens: list[_Token], start: int, end: int) -> str:
    return " ".join(token.raw for token in tokens[start:end])


def _amount_span(
    tokens: list[_Token], i: int, pattern: re.Pattern[str], attempt: Callable[[str], bool], loose: bool
) -> _Span | None:
    """A one- or two-token amount at ``i``; a trailing punctuation mark ("€50,") is not part of it.

    ``loose`` also takes a token that is clearly meant as an amount but malformed, so it is reported as such.
    """
    for width in (3, 2, 1):  # "€ 300 euro"
        if i + width > len(tokens):
            continue
        text = _joined(tokens, i, i + width)
        if pattern.fullmatch(text):
            return _Span(i + width, text)
        if text[-1] in _TRAILING_PUNCTUATION and pattern.fullmatch(text[:-1]):
            return _Span(i + width, text[:-1])
    if loose and attempt(tokens[i].norm):
        return _Span(i + 1, tokens[i].norm)
    return None


def _money_span(tokens: list[_Token], i: int, loose: bool = True) -> _Span | None:
    return _amount_span(tokens, i, _MONEY_RE, lambda norm: "€" in norm, loose)


def _hours_span(tokens: list[_Token], i: int, loose: bool = True) -> _Span | None:
    return _amount_span(tokens, i, _HOURS_RE, lambda norm: bool(_HOURS_ATTEMPT_RE.fullmatch(norm)), loose)


def _norm_at(tokens: list[_Token], i: int) -> str:
    return tokens[i].norm if i < len(tokens) else ""


def _duration_end(tokens: list[_Token], i: int) -> int | None:
    """The end of ``3d`` / ``3 days`` / ``2 weken`` at ``i``; also of a broken one (``-3 days``, ``3`` at the end,
    ``-3d``), which the deadline's evaluation then reports, instead of leaving it in the title."""
    following = _norm_at(tokens, i)
    if not following:
        return None
    if _duration_minutes(following) is not None and tokens[i].raw == tokens[i].raw.lower():
        return i + 1  # "3d"; "3D" is a thing in a title ("Workshop over 3D")
    numberish = _NUMBERISH_RE.match(following) is not None
    if numberish and _norm_at(tokens, i + 1) in _UNIT_MINUTES:
        return i + 2
    glued = _GLUED_DURATION_RE.fullmatch(following) is not None and tokens[i].raw == tokens[i].raw.lower()
    if numberish and (i + 1 == len(tokens) or glued):
        return i + 1
    return None


_GLUED_DURATION_RE = re.compile(r"[-−+]?[0-9][0-9.,]*[a-z]+")
_LONGEST_DATE = 7  # tokens: "the end of the month om 17:00"


def _deadline_end(tokens: list[_Token], i: int) -> int | None:
    word = tokens[i].norm
    if word in _RELATIVE_WORDS:
        return _duration_end(tokens, i + 1)
    if word not in _DATE_PREFIXES:
        return None
    following = _norm_at(tokens, i + 1)
    if following in _RELATIVE_WORDS:
        return _duration_end(tokens, i + 2)
    for end in range(min(len(tokens), i + 1 + _LONGEST_DATE), i + 1, -1):
        if _date_phrase(_joined(tokens, i + 1, end)) is not None:
            return end
    if _DATE_SHAPE_RE.match(following):  # meant as a date, though none: reported as a bad date
        return i + 3 if _TIME_RE.fullmatch(_norm_at(tokens, i + 2)) else i + 2
    return _date_words_end(tokens, i + 1)


def _date_words_end(tokens: list[_Token], i: int) -> int | None:
    """The end of words after `tot`/`by`/… meant as a date Kring cannot read (`volgende vrijdag`), which the
    deadline's evaluation then reports by name; None when they are no date (`by next generation`)."""
    if _norm_at(tokens, i) not in _DATE_WORDS:
        return None
    end = i
    while end < len(tokens) and not _clause_starts(tokens, end):
        end += 1
    strong = any(token.norm.rstrip(_TRAILING_PUNCTUATION) in _STRONG_DATE_WORDS for token in tokens[i:end])
    return end if strong else None


def _clause_starts(tokens: list[_Token], i: int) -> bool:
    """Whether a money, hours, minimum or deadline clause starts at ``i``."""
    return (
        tokens[i].norm in _DATE_PREFIXES
        or tokens[i].norm in _RELATIVE_WORDS
        or _money_span(tokens, i, loose=False) is not None
        or _hours_span(tokens, i, loose=False) is not None
        or _min_span(tokens, i) is not None
    )


def _deadline_span(tokens: list[_Token], i: int) -> _Span | None:
    """``by|tot|voor|… <date> [<time>]`` or ``in|over|binnen <n><unit>`` / ``<n> <unit>``."""
    end = _deadline_end(tokens, i)
    return None if end is None else _Span(end, _joined(tokens, i, end))


def _min_span(tokens: list[_Token], i: int) -> _Span | None:
    """``min 5``, ``min: 5``, ``min5``, ``minimaal 5``, each optionally followed by ``backers``/``steuners``; or
    ``5 backers`` / ``5 steuners``."""
    word, count = tokens[i].norm, len(tokens)
    if _DIGITS_RE.fullmatch(word) and _norm_at(tokens, i + 1) in _BACKERS_WORDS:
        return _Span(i + 2, _joined(tokens, i, i + 2))
    if _MIN_GLUED_RE.fullmatch(word):
        end = i + 1
    elif word in _MIN_WORDS and i + 1 < count:
        # `min 5`; `min abc` at the end is a minimum written wrong; "Koffie min suiker …" is a title
        if not (word.endswith(":") or _NUMBERISH_RE.match(tokens[i + 1].norm) or i + 2 == count):
            return None
        end = i + 2
    else:
        return None
    if end < count and tokens[end].norm in _BACKERS_WORDS:
        end += 1
    return _Span(end, _joined(tokens, i, end))


def _match_clause(tokens: list[_Token], i: int, clauses: tuple[_Clause, ...]) -> _Hit | None:
    for kind, recognize, evaluate in clauses:
        span = recognize(tokens, i)
        if span is not None:
            raw = _raw(tokens, i, span.end)
            return _Hit(kind, evaluate(span.norm, raw), span.end, raw)
    return None


def _record(found: dict[str, _Value], hit: _Hit) -> None:
    if hit.kind in found:
        raise ParseError(f"duplicate_{hit.kind}", hit.raw)
    found[hit.kind] = hit.value


def _int_field(found: dict[str, _Value], kind: str) -> int | None:
    value = found.get(kind)
    return value if isinstance(value, int) else None


def _stray(token: _Token) -> ParseError:
    code = "ambiguous_number" if _BARE_NUMBER_RE.fullmatch(token.norm) else "unknown_token"
    return ParseError(code, token.raw)


_FOREIGN_SIGN_RE = re.compile(r"[$£¥₹₽]")
_FOREIGN_CODE = r"(?:us)?dollars?|usd|gbp|pounds?|cents?|eurocents?"
_FOREIGN_CURRENCY_RE = re.compile(_FOREIGN_CODE)
_GLUED_FOREIGN_RE = re.compile(rf"(?:{_FOREIGN_CODE})[0-9][0-9.,]*|[0-9][0-9.,]*(?:{_FOREIGN_CODE})")


def _money_like(tokens: list[_Token], i: int) -> ParseError | None:
    """The error for a money-like token at ``i`` that is no amount Kring reads: ``$100``, ``USD 100``,
    ``100 dollar`` (bad money) or a bare number (unclear); None for any other word."""
    word = tokens[i].norm.rstrip(_TRAILING_PUNCTUATION)
    if (_FOREIGN_SIGN_RE.search(word) and re.search("[0-9]", word)) or _GLUED_FOREIGN_RE.fullmatch(word):
        return ParseError("bad_money", tokens[i].raw)
    following = _norm_at(tokens, i + 1).rstrip(_TRAILING_PUNCTUATION)
    if _BARE_NUMBER_RE.fullmatch(word) and _FOREIGN_CURRENCY_RE.fullmatch(following):
        return ParseError("bad_money", _raw(tokens, i, i + 2))
    if _FOREIGN_CURRENCY_RE.fullmatch(word) and _BARE_NUMBER_RE.fullmatch(following):
        return ParseError("bad_money", _raw(tokens, i, i + 2))
    if _BARE_NUMBER_RE.fullmatch(word):
        return ParseError("ambiguous_number", tokens[i].raw)
    return None


_AMOUNT_CLAUSES: tuple[_Clause, ...] = (
    ("money", _money_span, _money_from),
    ("hours", _hours_span, _minutes_from),
)


# --- !propose -----------------------------------------------------------------------------------------------

_QUOTE_CLOSERS = {'"': '"', "“": "”“", "„": "”“", "«": "»"}
_FIELD_RE = re.compile(r"(?P<key>[a-z][a-z. ]*?) ?: ?(?P<value>.*)")
_FIELD_KINDS: dict[str, str] = {
    **dict.fromkeys(("goal", "money", "amount", "budget", "doel", "bedrag", "geld"), "money"),
    **dict.fromkeys(("hours", "time", "uren", "uur", "tijd"), "hours"),
    **dict.fromkeys(("deadline", "date", "when", "by", "datum", "wanneer", "tot", "uiterlijk"), "deadline"),
    **dict.fromkeys(
        (
            "backers",
            "people",
            "min",
            "minimum",
            "min backers",
            "min. backers",
            "minimum backers",
            "steuners",
            "mensen",
            "minimaal",
            "min. steuners",
            "minimum steuners",
        ),
        "min",
    ),
}


def _propose_clauses(rules: _DeadlineRules) -> tuple[_Clause, ...]:
    def deadline(norm: str, raw: str) -> datetime:
        return _deadline_from(norm, raw, rules)

    return (("deadline", _deadline_span, deadline), ("min", _min_span, _min_clause_from), *_AMOUNT_CLAUSES)


def _field_parsers(rules: _DeadlineRules) -> dict[str, _Evaluator]:
    def money(norm: str, raw: str) -> int:
        return _money_from(norm, raw, bare_ok=True)

    def hours(norm: str, raw: str) -> int:
        return _minutes_from(norm, raw, bare_ok=True)

    def deadline(norm: str, raw: str) -> datetime:
        return _deadline_from(norm, raw, rules)

    return {"money": money, "hours": hours, "deadline": deadline, "min": _backers_field_from}


def _check_title(title: str) -> str:
    if not title:
        raise ParseError("title_missing")  # `!propose €500`
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ParseError("title_length", length=len(title), min=TITLE_MIN, max=TITLE_MAX)
    return title


def _collect_clauses(
    tokens: list[_Token], clauses: tuple[_Clause, ...], found: dict[str, _Value], *, title_first: bool
) -> int:
    """Record every clause into ``found``; return the index of the first clause (the end of the title).

    Before the first clause (only when ``title_first``) tokens belong to the title; after it, every token
    must be part of a clause.
    """
    title_end = None if title_first else 0
    i = 0
    while i < len(tokens):
        hit = _match_clause(tokens, i, clauses)
        if hit is None:
            if title_end is not None:
                raise _stray(tokens[i])
            i += 1
            continue
        if title_end is None:
            title_end = i
        _record(found, hit)
        i = hit.end
    return len(tokens) if title_end is None else title_end


def _split_quoted_title(line: str) -> tuple[str, str] | None:
    """("title", rest) when the line starts with a quoted title, else None."""
    text = _trim(line)
    closers = _QUOTE_CLOSERS.get(text[:1])
    if closers is None:
        return None
    for j in range(1, len(text)):
        if text[j] in closers:
            return _trim(text[1:j]), text[j + 1 :]
    return None


def _parse_title_line(
    line: str, clauses: tuple[_Clause, ...], *, goals_below: bool = False
) -> tuple[str, dict[str, _Value]]:
    """The title and the clauses of a proposal's first line. A number ending the title belongs to it when the goals
    are clear without it: money or hours given on the line, or (``goals_below``) the goals on lines of their own."""
    found: dict[str, _Value] = {}
    quoted = _split_quoted_title(line)
    if quoted is not None:
        title, rest = quoted
        tokens = _tokenize(rest)
        # `"Big" party €50` is an unquoted title that starts with a quote, not a quoted one.
        if not tokens or _match_clause(tokens, 0, clauses) is not None:
            _collect_clauses(tokens, clauses, found, title_first=False)
            return _check_title(clean_text(title)), found
    tokens = _tokenize(line)
    title_end = _collect_clauses(tokens, clauses, found, title_first=True)
    for i in range(title_end):
        wrong = _money_like(tokens, i)
        if wrong is not None and wrong.code == "bad_money":  # a number inside a title is fine: "Top 10 ideas"
            raise wrong
    goals_clear = goals_below or "money" in found or "hours" in found
    if title_end > 1 and _BARE_NUMBER_RE.fullmatch(tokens[title_end - 1].norm) and not goals_clear:
        raise ParseError("title_number", tokens[title_end - 1].raw)  # `Test 2500`: money, hours, or the title?
    title = line[: tokens[title_end].start] if title_end < len(tokens) else line
    return _check_title(clean_text(_trim(title))), found


def _refuse_unknown_field(line: str) -> None:
    """`budgett: €500` is a field Kring does not know, not description: the amount must not get lost."""
    match = _FIELD_RE.fullmatch(_norm(line))
    if match is None or not match["value"] or " " in match["key"].strip():
        return
    value = match["value"]
    tokens = _tokenize(value)
    whole = [span(tokens, 0) for span in (_money_span, _hours_span, _deadline_span)]
    looks_like = any(s is not None and s.end == len(tokens) for s in whole) or _date_phrase(value) is not None
    if looks_like:
        raise ParseError("unknown_field", _trim(line.partition(":")[0]))


def _field_line(line: str) -> tuple[str, str, str] | None:
    """(kind, value norm, value raw) for a ``goal: €2.500`` style line with a known key."""
    match = _FIELD_RE.fullmatch(_norm(line))
    if match is None or match["key"] not in _FIELD_KINDS:
        return None
    return _FIELD_KINDS[match["key"]], match["value"], _trim(line.partition(":")[2])


def _draft(title: str, description: str, found: dict[str, _Value]) -> ProposalDraft:
    deadline = found.get("deadline")
    return ProposalDraft(
        title=title,
        description=description,
        money_cents=_int_field(found, "money"),
        minutes=_int_field(found, "hours"),
        deadline=deadline if isinstance(deadline, datetime) else None,
        min_backers=_int_field(found, "min"),
    )


_NEEDS_FIELD_RE = re.compile(r"(?:needs|nodig|gezocht) ?: ?(?P<value>.*)")


def talent_list(text: str) -> list[str]:
    """`driver, trainer; bezorging` as its talents, each trimmed, without empty ones."""
    return [clean_text(_trim(part)) for part in re.split(r"[,;]", text) if _trim(part)]


def _parse_multiline(lines: list[str], rules: _DeadlineRules) -> ProposalDraft:
    first = next((n for n, line in enumerate(lines) if _trim(line)), len(lines))
    if first == len(lines):
        return _draft(_check_title(""), "", {})
    title, found = _parse_title_line(lines[first], _propose_clauses(rules), goals_below=True)
    parsers = _field_parsers(rules)
    description = []
    needs: list[str] = []
    for line in lines[first + 1 :]:
        wanted = _NEEDS_FIELD_RE.fullmatch(_norm(line))
        if wanted is not None:
            needs += talent_list(line.partition(":")[2])
            continue
        field = _field_line(line)
        if field is None:
            _refuse_unknown_field(line)
            description.append(line)
            continue
        kind, norm, raw = field
        if not norm:  # a template line left empty: not given
            continue
        if kind in found:
            raise ParseError(f"duplicate_{kind}", raw)
        found[kind] = parsers[kind](norm, raw)
    text = clean_text(_trim("\n".join(description)))
    if len(text) > DESCRIPTION_MAX:
        raise ParseError("description_too_long", max=DESCRIPTION_MAX, length=len(text))
    return dataclasses.replace(_draft(title, text, found), needs=tuple(needs))


@dataclass(frozen=True)
class ProposalEdit:
    """What `!edit` changes; None leaves it as it is."""

    title: str | None = None
    description: str | None = None
    money_cents: int | None = None
    minutes: int | None = None
    min_backers: int | None = None


_EDIT_TEXT_KINDS: dict[str, str] = {
    **dict.fromkeys(("title", "titel"), "title"),
    **dict.fromkeys(("description", "beschrijving", "omschrijving"), "description"),
}
_EDIT_FIELD_RE = re.compile(r"(?P<key>[^\s:][^:]*?) ?: ?(?P<value>.*)", re.DOTALL)


def parse_edit(text: str) -> ProposalEdit:
    """``title: …``, ``description: …``, ``goal: €3.000``, ``hours: 40``, ``backers: 4`` (or their Dutch names),
    one a line; a description runs to the end. ``unknown_edit`` when a line is none of them."""
    edit = ProposalEdit()
    seen: set[str] = set()
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if not _trim(line):
            continue
        match = _EDIT_FIELD_RE.fullmatch(_trim(line))
        key = _norm(match["key"]) if match else ""
        kind = _EDIT_TEXT_KINDS.get(key) or _FIELD_KINDS.get(key)
        if match is None or kind is None or kind == "deadline":  # a deadline moves with !extend
            raise ParseError("unknown_edit", line)
        if kind in seen:
            raise ParseError(f"duplicate_{kind}" if kind in ("money", "hours", "min") else "unknown_edit", line)
        seen.add(kind)
        value = _trim(match["value"])
        if kind == "description":
            description = clean_text(_trim("\n".join([value, *lines[n + 1 :]])))
            if len(description) > DESCRIPTION_MAX:
                raise ParseError("description_too_long", max=DESCRIPTION_MAX, length=len(description))
            return dataclasses.replace(edit, description=description)
        if kind == "title":
            edit = dataclasses.replace(edit, title=_check_title(clean_text(value)))
        elif kind == "money":
            edit = dataclasses.replace(edit, money_cents=_money_from(_norm(value), value, bare_ok=True))
        elif kind == "hours":
            edit = dataclasses.replace(edit, minutes=_minutes_from(_norm(value), value, bare_ok=True))
        else:
            edit = dataclasses.replace(edit, min_backers=_backers_field_from(_norm(value), value))
    if not seen:
        raise ParseError("unknown_edit", text)
    return edit


def parse_propose(args: str, now: datetime, tz: ZoneInfo, max_days: int) -> ProposalDraft:
    """``<title> [€<money>] [<n>h] [by <date>|in <n> <unit>] [min <n>]``, or a title line plus field lines.

    Clauses may come in any order after the title; a title in double quotes is taken verbatim.
    """
    rules = _deadline_rules(now, tz, max_days)
    if "\n" in args or "\r" in args:
        return _parse_multiline(args.splitlines(), rules)
    title, found = _parse_title_line(args, _propose_clauses(rules))
    return _draft(title, "", found)


# --- !backme ------------------------------------------------------------------------------------------------


def _is_amount_at(tokens: list[_Token], i: int) -> bool:
    if i >= len(tokens):
        return False
    return _money_span(tokens, i, loose=False) is not None or _hours_span(tokens, i, loose=False) is not None


def _leading_proposal_id(tokens: list[_Token]) -> tuple[int | None, int]:
    """(proposal id, index after it); the id may be left out only when the first token is clearly no id."""
    first = tokens[0]
    if not first.norm.startswith("#"):
        if not _ID_LIKE_RE.match(first.norm) or _is_amount_at(tokens[:1], 0):
            return None, 0
        # "3 € 50" is id 3 with €50, while "50 euro" is €50 without an id.
        if not _is_amount_at(tokens, 1) and _is_amount_at(tokens, 0):
            return None, 0
    norm = first.norm[:-1] if first.norm[-1] in _TRAILING_PUNCTUATION else first.norm
    return _proposal_id_from(norm, first.raw), 1


def starts_with_amount(text: str) -> bool:
    """Whether the text starts with a number and its unit, `6 uur` or `50 euro`: an amount, not a proposal number.

    `3 € 50` is no such start: there the 3 is a number before €50.
    """
    tokens = _tokenize(text)
    if len(tokens) < 2 or not _BARE_NUMBER_RE.fullmatch(tokens[0].norm):
        return False
    if tokens[1].norm == "€" and _NUMBERISH_RE.match(_norm_at(tokens, 2)):
        return False
    return any(
        span is not None and span.end >= 2
        for span in (_money_span(tokens, 0, loose=False), _hours_span(tokens, 0, loose=False))
    )


def parse_pledge(args: str) -> PledgeDraft:
    """``<id> [€<money>] [<n>h] [note]``; amounts may stand anywhere, the other words form the note."""
    tokens = _tokenize(args)
    if not tokens:
        raise ParseError("missing_proposal_id")
    proposal_id, i = _leading_proposal_id(tokens)
    return _amounts_and_note(tokens, i, proposal_id)


def pledge_in_order(args: str) -> str | None:
    """`€50 1` as `1 €50`: the pledge's words with the proposal number moved to the front, when that reads as a
    pledge with a number and the words as given do not; else None."""
    tokens = _tokenize(args)
    if tokens and _PROPOSAL_ID_RE.fullmatch(tokens[0].norm):
        return None
    for i in range(1, len(tokens)):
        if not _PROPOSAL_ID_RE.fullmatch(tokens[i].norm.rstrip(_TRAILING_PUNCTUATION)):
            continue
        words = [tokens[i].raw, *(token.raw for token in tokens[:i]), *(token.raw for token in tokens[i + 1 :])]
        try:
            draft = parse_pledge(" ".join(words))
        except ParseError:
            continue
        if draft.proposal_id is not None and (draft.money_cents or draft.minutes):
            return " ".join(words)
    return None


def parse_amounts(text: str) -> PledgeDraft:
    """``[€<money>] [<n>h] [note]`` with no proposal id in front (a delivery)."""
    return _amounts_and_note(_tokenize(text), 0, None)


def _amounts_and_note(tokens: list[_Token], i: int, proposal_id: int | None) -> PledgeDraft:
    found: dict[str, _Value] = {}
    note_words = []
    while i < len(tokens):
        hit = _match_clause(tokens, i, _AMOUNT_CLAUSES)
        if hit is not None:
            _record(found, hit)
            i = hit.end
            continue
        wrong = _money_like(tokens, i)
        if wrong is not None:  # never part of a note: it was meant as an amount
            raise wrong
        note_words.append(tokens[i].raw)
        i += 1
    note = clean_text(_trim(" ".join(note_words)))
    if len(note) > NOTE_MAX:
        raise ParseError("note_too_long", max=NOTE_MAX, length=len(note))
    return PledgeDraft(proposal_id, _int_field(found, "money"), _int_field(found, "hours"), note)
