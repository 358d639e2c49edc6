"""Money and hours as members write them (`€2.500`, `2500 euro`, `€25,-`, `40 uur`, `1,5h`): integer cents and
minutes."""

from __future__ import annotations

import re

from handlers.parsing.cleaning import HUGE, bounded_int, norm, trim
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.words import EURO_UNITS, HOUR_UNITS

__all__ = [
    "BARE_HOURS_RE",
    "BARE_MONEY_RE",
    "HOURS_ATTEMPT_RE",
    "HOURS_RE",
    "MAX_MINUTES",
    "MAX_MONEY_CENTS",
    "MONEY_RE",
    "minutes_from",
    "money_from",
    "parse_hours",
    "parse_money",
]

MAX_MONEY_CENTS = 10_000_000 * 100
MAX_MINUTES = 100_000 * 60

_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_MINUS = r"[-−]"
_CURRENCY = EURO_UNITS.pattern  # €, eur, euro, euros
_CURRENCY_WORD = "(?:" + "|".join(sorted((w for w in EURO_UNITS.all if w.isalpha()), key=len, reverse=True)) + ")"
_WHOLE_MARK = r"(?:[.,]-{1,2})?"  # Dutch "€25,-" means whole euros

MONEY_RE = re.compile(
    rf"(?P<neg>{_MINUS})? ?(?:{_CURRENCY} ?(?P<neg2>{_MINUS})? ?(?P<num>{_NUM}{_WHOLE_MARK})(?: ?{_CURRENCY_WORD})?"
    rf"|(?P<num2>{_NUM}{_WHOLE_MARK}) ?{_CURRENCY}"
    rf"|(?P<num3>{_NUM}[.,]-{{1,2}}))"  # "300,-" is whole euros, a sign or not; "€ 300 euro" says it twice
)
BARE_MONEY_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM}{_WHOLE_MARK})")
HOURS_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM}) ?{HOUR_UNITS.pattern}")
BARE_HOURS_RE = re.compile(rf"(?P<neg>{_MINUS})? ?(?P<num>{_NUM})")
# Shaped like hours but with a malformed number ("1.5.5h", "0.125h"): an attempt, reported as bad_hours.
HOURS_ATTEMPT_RE = re.compile(rf"[-−+]?[0-9][0-9.,]* ?{HOUR_UNITS.pattern}")
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
    units = bounded_int(whole)
    if units is None:
        return HUGE * 100
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


def money_from(norm: str, raw: str, *, bare_ok: bool = False) -> int:
    """The cents of money text in matching form; ``bare_ok`` takes a number without a currency too."""
    found = _amount_match(norm, MONEY_RE, BARE_MONEY_RE if bare_ok else None)
    cents = None if found is None else _hundredths(found[1])
    if found is None or cents is None:
        raise ParseError(Problem.BAD_MONEY, raw)
    if found[0] or cents == 0:
        raise ParseError(Problem.MONEY_NOT_POSITIVE, raw)
    if cents > MAX_MONEY_CENTS:
        raise ParseError(Problem.MONEY_TOO_LARGE, raw, max_cents=MAX_MONEY_CENTS)
    return cents


def minutes_from(norm: str, raw: str, *, bare_ok: bool = False) -> int:
    """The minutes of hours text in matching form; ``bare_ok`` takes a number without a unit too."""
    found = _amount_match(norm, HOURS_RE, BARE_HOURS_RE if bare_ok else None)
    centi_hours = None if found is None else _hundredths(found[1])
    if found is None or centi_hours is None:
        raise ParseError(Problem.BAD_HOURS, raw)
    minutes = (centi_hours * 60 + 50) // 100  # whole minutes, half rounds up
    if found[0] or minutes == 0:
        raise ParseError(Problem.HOURS_NOT_POSITIVE, raw)
    if minutes > MAX_MINUTES:
        raise ParseError(Problem.HOURS_TOO_LARGE, raw, max_minutes=MAX_MINUTES)
    return minutes


def parse_money(text: str) -> int:
    """``€2.500``, ``€2,500.50``, ``2500 euro``, ``EUR 2500``, ``€25,-`` … as integer cents."""
    return money_from(norm(text), trim(text))


def parse_hours(text: str) -> int:
    """``40h``, ``40 hours``, ``40 uur``, ``1,5h`` … as integer minutes."""
    return minutes_from(norm(text), trim(text))
