"""Durations (`3d`, `2 weken`) and deadlines (`voor vrijdag`, `15 december om 17:00`, `over 3 dagen`), in English and
Dutch alike."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from handlers.parsing.cleaning import HUGE, bounded_int, norm, trim
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.quantities import as_digits
from handlers.parsing.words import (
    ARTICLE_WORDS,
    AT_WORDS,
    BEFORE_WORDS,
    COMING_WORDS,
    DAY_UNITS,
    DAYS_FROM_TODAY,
    END_WORDS,
    ENDS_BEFORE_WORDS,
    FROM_WORDS,
    HOUR_UNITS,
    MINUTE_UNITS,
    MONTH_UNITS,
    MONTH_WORDS,
    MONTHS,
    NEXT_WORDS,
    OF_WORDS,
    ORDINAL_SUFFIXES,
    PERIOD_WORDS,
    THIS_WORDS,
    THROUGH_WORDS,
    WEEK_UNITS,
    WEEK_WORDS,
    WEEKDAYS,
    WITHIN_WORDS,
)

__all__ = [
    "DATE_WORDS",
    "LEAD_WORDS",
    "MAX_DURATION_DAYS",
    "STRONG_DATE_WORDS",
    "UNIT_MINUTES",
    "DeadlineRules",
    "date_phrase",
    "deadline_from",
    "deadline_lead",
    "deadline_rules",
    "duration_minutes",
    "parse_deadline",
    "parse_duration",
]

MAX_DURATION_DAYS = 3650

UNIT_MINUTES: dict[str, int] = {
    **dict.fromkeys(MINUTE_UNITS.all, 1),
    **dict.fromkeys(HOUR_UNITS.all, 60),
    **dict.fromkeys(DAY_UNITS.all, 24 * 60),
    **dict.fromkeys(WEEK_UNITS.all, 7 * 24 * 60),
}
_DURATION_RE = re.compile(r"(?P<num>[0-9]+) ?(?P<unit>[a-z]+)")
_HUGE_MINUTES = HUGE * 7 * 24 * 60

_DATE_YMD_RE = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_DATE_DMY_RE = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
_ISO_T_RE = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t([0-9])")  # 2026-12-15T17:00
_DATE_DM_RE = re.compile(r"(?P<d>[0-9]{1,2})[-/](?P<m>[0-9]{1,2})")  # 15-12: the next 15 December
_DAY_RE = re.compile(rf"(?P<d>[0-9]{{1,2}}){ORDINAL_SUFFIXES.pattern}?,?")
_YEAR_RE = re.compile(r"[0-9]{4}")
_CLOCK_HOUR = "(?:" + "|".join(sorted(w for w in HOUR_UNITS.all if len(w) == 1)) + ")"  # `17:00u`, `17.00h`
_CLOCK_RE = re.compile(rf"(?P<hh>[0-9]{{1,2}})[:.](?P<mm>[0-9]{{2}}){_CLOCK_HOUR}?")
_MONTHS: dict[str, int] = {word: n for n, month in enumerate(MONTHS, 1) for word in month.all}
_WEEKDAYS: dict[str, int] = {word: n for n, weekday in enumerate(WEEKDAYS) for word in weekday.all}
_DAYS_FROM_TODAY: dict[str, int] = {word: days for days, words in DAYS_FROM_TODAY.items() for word in words.all}
# Words that make the text after `tot`/`by`/… a deadline, though perhaps one Kring cannot read: then it is an
# error naming those words, not part of the title. "Inspired by next generation" has none of them.
STRONG_DATE_WORDS = frozenset(
    {*_WEEKDAYS, *(name for name in _MONTHS if len(name) > 3), *_DAYS_FROM_TODAY}
    | WEEK_WORDS.all
    | MONTH_WORDS.all
    | PERIOD_WORDS.all
)
DATE_WORDS = STRONG_DATE_WORDS | END_WORDS.all | THIS_WORDS.all | NEXT_WORDS.all | COMING_WORDS.all
_END_OF_DAY = (23, 59)
_THROUGH = frozenset(tuple(phrase.split()) for phrase in THROUGH_WORDS.all)
_LEADS: dict[tuple[str, ...], bool] = {  # the words before a date, and whether the deadline ends before that day
    **{(word,): False for word in BEFORE_WORDS.all},
    **{(word,): True for word in ENDS_BEFORE_WORDS.all},
    **dict.fromkeys(_THROUGH, False),
}
_LONGEST_LEAD = max(len(lead) for lead in _LEADS)
# A word that may start the words before a date: `by`, `voor`, `tot` (`tot en met`), `t/m`.
LEAD_WORDS = frozenset(lead[0] for lead in _LEADS)
_MONTHS_AHEAD_RE = re.compile(rf"(?P<num>[0-9]+) ?{MONTH_UNITS.pattern}")
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
    weeks_later: int = 0  # `vrijdag over een week`: that many weeks after the day named
    end_of_period: bool = False  # the end of a week or month: `voor eind juli` means its last day all the same
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
    english_article = words[:1] and words[0] in ARTICLE_WORDS.in_language("en")  # "the end of the month"
    if english_article or (words[:1] and words[0] in ARTICLE_WORDS.all and words[1:2] and words[1] in END_WORDS.all):
        words = words[1:]  # "het eind van de maand"
    if len(words) == 2 and words[0] in COMING_WORDS.all and words[1] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[1]])
    if len(words) == 3 and words[0] in _WEEKDAYS and words[1] in NEXT_WORDS.all and words[2] in WEEK_WORDS.all:
        words = [words[1], words[2], words[0]]
    if len(words) == 3 and words[0] in NEXT_WORDS.all and words[1] in WEEK_WORDS.all and words[2] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[2]], week=1)
    later = _weeks_from_a_day(words)
    if later is not None:
        return later
    if not words or words[0] not in END_WORDS.all:
        return None
    rest = [word for word in words[1:] if word not in ARTICLE_WORDS.all and word not in OF_WORDS.all]
    ahead = 1 if rest[:1] and rest[0] in NEXT_WORDS.all else 0
    if rest[:1] and rest[0] in NEXT_WORDS.all | THIS_WORDS.all:
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in MONTH_WORDS.all:
        return _DatePhrase(months_ahead=ahead)
    if len(rest) == 1 and rest[0] in WEEK_WORDS.all:
        return _DatePhrase(weekday=6, week=ahead)
    if len(rest) in (1, 2) and len(words) == len(rest) + 1 and (month := _month(rest[0])) is not None:
        year = rest[1] if len(rest) == 2 else None
        if year is not None and not _YEAR_RE.fullmatch(year):
            return None
        return _DatePhrase(month=month, year=None if year is None else int(year), end_of_month=True)
    if len(rest) == 1 and (month := _month(rest[0])) is not None:  # end of February
        return _DatePhrase(month=month, end_of_month=True)
    return None


def _weeks_from_a_day(words: list[str]) -> _DatePhrase | None:
    """`vrijdag over 1 week`, `1 week from friday`, `2 weken na vrijdag`: the day named, that many weeks later."""
    if len(words) != 4:
        return None
    if words[0] in _WEEKDAYS and words[1] in WITHIN_WORDS.all:
        weekday, count, unit = words[0], words[2], words[3]
    elif words[2] in FROM_WORDS.all and words[3] in _WEEKDAYS:
        weekday, count, unit = words[3], words[0], words[1]
    else:
        return None
    if not count.isascii() or not count.isdigit() or len(count) > 3 or unit not in WEEK_UNITS.all:
        return None
    return _DatePhrase(weekday=_WEEKDAYS[weekday], weeks_later=int(count))


def date_phrase(norm: str) -> _DatePhrase | None:
    """What a date in words or digits says, with an optional time (`om 17:00`, `at 17:00`, `17:00`); None if the
    text is no date at all. English and Dutch words both count."""
    words = as_digits(_ISO_T_RE.sub(r"\1 \2", norm).split())
    time = None
    if words and (clock := _CLOCK_RE.fullmatch(words[-1])) is not None:
        time = (int(clock["hh"]), int(clock["mm"]))
        words = words[:-1]
        if words and words[-1] in AT_WORDS.all:
            words = words[:-1]
    if len(words) == 1 and words[0] in _DAYS_FROM_TODAY:
        return _DatePhrase(days_from_today=_DAYS_FROM_TODAY[words[0]], time=time)
    if len(words) == 1 and words[0] in _WEEKDAYS:
        return _DatePhrase(weekday=_WEEKDAYS[words[0]], time=time)
    phrase = _day_month(words) or _weeks_and_months(words)
    if phrase is not None and any(word in END_WORDS.all for word in words[:2]):
        phrase = phrase._replace(end_of_period=True)
    return None if phrase is None else phrase._replace(time=time)


def duration_minutes(norm: str) -> int | None:
    """``3d``, ``36 hours``, ``2 weken`` … in minutes (possibly zero or huge), None if not a duration."""
    match = _DURATION_RE.fullmatch(norm)
    if match is None or match["unit"] not in UNIT_MINUTES:
        return None
    count = bounded_int(match["num"])
    if count is None:
        return _HUGE_MINUTES
    return count * UNIT_MINUTES[match["unit"]]


def parse_duration(text: str) -> timedelta:
    """``3d``, ``90m``, ``2h``, ``1w``, ``36 hours``, ``2 weeks`` as a timedelta of 1 minute to 3650 days."""
    minutes = duration_minutes(norm(text))
    if minutes is None or not 0 < minutes <= MAX_DURATION_DAYS * 24 * 60:
        raise ParseError(Problem.BAD_DURATION, trim(text), max_days=MAX_DURATION_DAYS)
    return timedelta(minutes=minutes)


class DeadlineRules(NamedTuple):
    """What a deadline is measured against: the moment now, the room's zone, and how far ahead it may lie."""

    now_utc: datetime
    tz: ZoneInfo
    max_days: int


def deadline_rules(now: datetime, tz: ZoneInfo, max_days: int) -> DeadlineRules:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return DeadlineRules(now.astimezone(UTC), tz, max_days)


def _local_datetime(phrase: _DatePhrase, rules: DeadlineRules, ends_before: bool = False) -> datetime | None:
    """The wall-clock moment a date phrase names in the configured zone; None if it is no real date.

    Without a time it is 23:59 that day (``ends_before``: the day before, as `voor vrijdag` ends on Thursday);
    without a year, this year's (also when it fell in the last 60 days, so it is refused as past) or else next
    year's; a weekday is the next one after today.
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
        day += timedelta(weeks=phrase.weeks_later)
        if ends_before and phrase.time is None and not phrase.end_of_period and not phrase.end_of_month:
            day -= timedelta(days=1)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=rules.tz)
    except (ValueError, OverflowError):
        return None


def _calendar_day(year: int, month: int, day: int | None) -> date:
    """The date, or with no day the last day of that month."""
    return date(year, month, day if day is not None else calendar.monthrange(year, month)[1])


def _within_window(when_utc: datetime, raw: str, rules: DeadlineRules) -> datetime:
    delta = when_utc - rules.now_utc
    if delta <= timedelta(0):
        raise ParseError(Problem.DEADLINE_PAST, raw)
    delta_us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if delta_us > rules.max_days * 86_400 * 1_000_000:
        raise ParseError(Problem.DEADLINE_TOO_FAR, raw, max_days=rules.max_days)
    try:
        return when_utc.astimezone(rules.tz)
    except (OverflowError, ValueError):
        raise ParseError(Problem.BAD_DATE, raw) from None


def _relative_deadline(minutes: int, raw: str, rules: DeadlineRules) -> datetime:
    if minutes <= 0:
        raise ParseError(Problem.DEADLINE_PAST, raw)
    if minutes > rules.max_days * 24 * 60:
        raise ParseError(Problem.DEADLINE_TOO_FAR, raw, max_days=rules.max_days)
    try:
        when_utc = rules.now_utc + timedelta(minutes=minutes)
    except OverflowError:
        raise ParseError(Problem.DEADLINE_TOO_FAR, raw, max_days=rules.max_days) from None
    return _within_window(when_utc, raw, rules)


def _months_later(months: int, raw: str, rules: DeadlineRules) -> datetime:
    """`over een maand`: the same day and time that many calendar months on (or the month's last day)."""
    if months <= 0:
        raise ParseError(Problem.DEADLINE_PAST, raw)
    if months > rules.max_days // 28 + 1:
        raise ParseError(Problem.DEADLINE_TOO_FAR, raw, max_days=rules.max_days)
    local = rules.now_utc.astimezone(rules.tz)
    year, month = divmod(local.year * 12 + local.month - 1 + months, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    moment = datetime(year, month + 1, day, local.hour, local.minute, tzinfo=rules.tz)
    return _within_window(moment.astimezone(UTC), raw, rules)


def _absolute_deadline(norm: str, raw: str, rules: DeadlineRules, ends_before: bool = False) -> datetime:
    phrase = date_phrase(norm)
    local = None if phrase is None else _local_datetime(phrase, rules, ends_before)
    if local is None:
        raise ParseError(Problem.BAD_DATE, raw)
    try:
        when_utc = local.astimezone(UTC)  # also moves a wall time that falls in a DST gap to a real instant
    except (OverflowError, ValueError):
        raise ParseError(Problem.BAD_DATE, raw) from None
    return _within_window(when_utc, raw, rules)


def deadline_lead(words: list[str], i: int) -> tuple[int, bool] | None:
    """The words before a date at ``i`` (`by`, `voor`, `tot en met`): (the index after them, whether the deadline
    ends before the day named); None when none stand there."""
    for width in range(min(_LONGEST_LEAD, len(words) - i), 0, -1):
        ends_before = _LEADS.get(tuple(words[i : i + width]))
        if ends_before is not None:
            return i + width, ends_before
    return None


def deadline_from(norm: str, raw: str, rules: DeadlineRules) -> datetime:
    """A deadline from its clause in matching form: `[by|tot|voor|tot en met …] <date>` or `in|over <n> <unit>`;
    a date after `voor` / `before` ends the day before it, unless it has a time."""
    words = as_digits(norm.split())
    lead = deadline_lead(words, 0)
    ends_before = False
    if lead is not None and lead[0] < len(words):
        words, ends_before = words[lead[0] :], lead[1]
    if len(words) > 1 and words[0] in WITHIN_WORDS.all:
        rest = " ".join(words[1:])
        months = _MONTHS_AHEAD_RE.fullmatch(rest)
        if months is not None:
            return _months_later(int(months["num"][:6]), raw, rules)
        minutes = duration_minutes(rest)
        if minutes is None:
            raise ParseError(Problem.BAD_DATE, raw)
        return _relative_deadline(minutes, raw, rules)
    return _absolute_deadline(" ".join(words), raw, rules, ends_before)


def parse_deadline(text: str, now: datetime, tz: ZoneInfo, max_days: int) -> datetime:
    """A deadline, aware, in ``tz``: ``[by|tot|voor|tot en met|…] <date> [[om|at] 17:00]`` or
    ``in|over|binnen 3 days``, ``over twee weken``, ``over een maand``.

    A date is ``2026-12-15``, ``15-12-2026``, ``15-12``, ``15 december [2026]``, ``Dec 15``, ``tomorrow``,
    ``morgen``, ``overmorgen``, a weekday (``friday``, ``vrijdag``: the next one) or ``vrijdag over een week``. A
    date without a time means 23:59 that day, after ``voor`` / ``before`` 23:59 the day before. The result lies in
    (now, now + max_days].
    """
    return deadline_from(norm(text), trim(text), deadline_rules(now, tz, max_days))
