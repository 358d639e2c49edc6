"""Numbers and quantities in words (`twee`, `honderd euro`, `anderhalf uur`, `een dagdeel`, `half a day`), read as the
digits the other parsers take."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from handlers.parsing.words import (
    DAY_PART_UNITS,
    DAY_UNITS,
    EURO_UNITS,
    HALF_WORDS,
    HOUR_UNITS,
    MULTIPLIER_WORDS,
    NUMBER_WORDS,
    ONE_AND_A_HALF_WORDS,
    WHOLE_WORDS,
)

__all__ = [
    "DEFAULT_DAY_PARTS",
    "DayParts",
    "as_digits",
    "count_at",
    "hours_in_digits",
    "money_in_digits",
    "number_at",
    "spoken_hours",
    "spoken_money",
]


class DayParts(NamedTuple):
    """The minutes of work in a part of a day (`een dagdeel`, `a morning`), half a day and a whole day."""

    part: int = 4 * 60
    half: int = 4 * 60
    whole: int = 8 * 60


DEFAULT_DAY_PARTS = DayParts()

_PUNCTUATION = ",.;:!?)"
_DIGIT_COUNT_RE = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,2})?")


def _phrases() -> dict[tuple[str, ...], int]:
    """Every number in words, as its words, with its value in hundredths: `twee` 200, `twee honderd` 20000."""
    found: dict[tuple[str, ...], int] = {}
    for n, words in NUMBER_WORDS.items():
        for word in words.all:
            found[(word,)] = n * 100
            for times, multiplier in MULTIPLIER_WORDS.items():
                for by in multiplier.all:
                    found[(word, by)] = n * times * 100
    for times, multiplier in MULTIPLIER_WORDS.items():
        for by in multiplier.all:
            found[(by,)] = times * 100
    for phrase in ONE_AND_A_HALF_WORDS.all:
        found[tuple(phrase.split())] = 150
    return found


_NUMBER_PHRASES = _phrases()
_LONGEST = max(len(phrase) for phrase in _NUMBER_PHRASES)
_FIRST_WORDS = frozenset(phrase[0] for phrase in _NUMBER_PHRASES)
_EURO_WORDS = frozenset(word for word in EURO_UNITS.all if word.isalpha())


def _bare(word: str) -> str:
    return word.rstrip(_PUNCTUATION)


def number_at(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """(value in hundredths, index after it) of a number written in words at ``i``, the longest that fits."""
    if i >= len(words) or _bare(words[i]) not in _FIRST_WORDS:
        return None
    for width in range(min(_LONGEST, len(words) - i), 0, -1):
        phrase = (*words[i : i + width - 1], _bare(words[i + width - 1]))
        if phrase in _NUMBER_PHRASES:
            return _NUMBER_PHRASES[phrase], i + width
    return None


def count_at(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """A number at ``i`` in words or in digits (`2`, `1,5`): (value in hundredths, index after it)."""
    if i < len(words) and _DIGIT_COUNT_RE.fullmatch(words[i]):
        whole, _, fraction = words[i].replace(".", ",").partition(",")
        return int(whole) * 100 + int(fraction.ljust(2, "0") or "0"), i + 1
    return number_at(words, i)


def _digits(hundredths: int) -> str:
    whole, fraction = divmod(hundredths, 100)
    return str(whole) if not fraction else f"{whole},{fraction:02d}"


def as_digits(words: Sequence[str]) -> list[str]:
    """The words with each number in words written in digits: `binnen twee weken` as `binnen 2 weken`."""
    out: list[str] = []
    i = 0
    while i < len(words):
        found = number_at(words, i)
        if found is None:
            out.append(words[i])
            i += 1
            continue
        value, end = found
        out.append(_digits(value) + words[end - 1][len(_bare(words[end - 1])) :])
        i = end
    return out


def _word_at(words: Sequence[str], i: int) -> str:
    return _bare(words[i]) if i < len(words) else ""


def spoken_money(words: Sequence[str], i: int) -> tuple[int, str] | None:
    """`honderd euro`, `twee duizend euro` at ``i``: (index after it, the amount in digits, `100 euro`)."""
    found = number_at(words, i)
    if found is None or _word_at(words, found[1]) not in _EURO_WORDS:
        return None
    return found[1] + 1, f"{_digits(found[0])} euro"


def spoken_hours(words: Sequence[str], i: int, day_parts: DayParts) -> tuple[int, str] | None:
    """`twee uur`, `anderhalf uur`, `een half uur`, `half an hour`, `een dagdeel`, `een halve dag`, `een hele dag`
    at ``i``: (index after it, the hours in digits, `1,50 uur`)."""
    minutes, end = _spoken_minutes(words, i, day_parts)
    if minutes is None:
        return None
    whole, rest = divmod(minutes, 60)
    return end, f"{_digits(whole * 100 + (rest * 100 + 30) // 60)} uur"


def _spoken_minutes(words: Sequence[str], i: int, day_parts: DayParts) -> tuple[int | None, int]:
    half_first = _word_at(words, i) in HALF_WORDS.all  # `half an hour`, `half a day`
    found = count_at(words, i + 1 if half_first else i)
    if found is None:
        return None, i
    count, j = found
    if half_first:
        return _times(count, _half_of(_word_at(words, j), day_parts)), j + 1
    if _word_at(words, j) in HOUR_UNITS.all:
        spoken = number_at(words, i) is not None  # `2 uur` is the amount parser's; `twee uur` is ours
        return (count * 60 // 100 if spoken else None), j + 1
    if _word_at(words, j) in DAY_PART_UNITS.all:
        return _times(count, day_parts.part), j + 1
    if _word_at(words, j) in HALF_WORDS.all:
        return _times(count, _half_of(_word_at(words, j + 1), day_parts)), j + 2
    if _word_at(words, j) in WHOLE_WORDS.all and _word_at(words, j + 1) in DAY_UNITS.all:
        return _times(count, day_parts.whole), j + 2
    return None, i


def _half_of(unit: str, day_parts: DayParts) -> int | None:
    """The minutes of `half` before a unit: half an hour, or half a day as the room counts it."""
    if unit in HOUR_UNITS.all:
        return 30
    if unit in DAY_UNITS.all:
        return day_parts.half
    return None


def _times(count: int, minutes: int | None) -> int | None:
    return None if minutes is None else count * minutes // 100


def money_in_digits(norm: str) -> str:
    """A money field's value with an amount in words in digits: `honderd euro` as `100 euro`, `honderd` as `100`."""
    words = norm.split()
    said = spoken_money(words, 0)
    return said[1] if said is not None and said[0] == len(words) else " ".join(as_digits(words))


def hours_in_digits(norm: str, day_parts: DayParts) -> str:
    """An hours field's value with hours in words in digits: `een dagdeel` as `4 uur`, `twee` as `2`."""
    words = norm.split()
    said = spoken_hours(words, 0, day_parts)
    return said[1] if said is not None and said[0] == len(words) else " ".join(as_digits(words))
