"""Clauses in a stream of words: where an amount, a deadline or a minimum starts and ends, and what it says."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from handlers.parsing.amounts import HOURS_ATTEMPT_RE, HOURS_RE, MONEY_RE, minutes_from, money_from
from handlers.parsing.cleaning import norm
from handlers.parsing.dates import (
    DATE_WORDS,
    LEAD_WORDS,
    STRONG_DATE_WORDS,
    UNIT_MINUTES,
    date_phrase,
    deadline_lead,
    duration_minutes,
)
from handlers.parsing.numbers import MIN_GLUED_RE, MIN_WORDS
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.quantities import DEFAULT_DAY_PARTS, DayParts, count_at, number_at, spoken_hours, spoken_money
from handlers.parsing.words import BACKER_WORDS, FOREIGN_MONEY_UNITS, MONTH_UNITS, WITHIN_WORDS

__all__ = [
    "AMOUNT_CLAUSES",
    "BARE_NUMBER_RE",
    "NUMBERISH_RE",
    "TRAILING_PUNCTUATION",
    "Clause",
    "Evaluator",
    "Token",
    "Value",
    "amount_clauses",
    "deadline_span",
    "duplicate",
    "hours_span",
    "int_field",
    "match_clause",
    "min_span",
    "money_like",
    "money_span",
    "norm_at",
    "raw_text",
    "record",
    "stray",
    "tokenize",
]

_TOKEN_RE = re.compile(r"\S+")
TRAILING_PUNCTUATION = ",.;:!?)"
_TIME_RE = re.compile(r"[0-9]{1,2}[:.][0-9]{2}")
_DATE_SHAPE_RE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]")
NUMBERISH_RE = re.compile(r"[-−+]?[0-9]")
BARE_NUMBER_RE = re.compile(r"[-−+]?[0-9][0-9.,]*")
_DIGITS_RE = re.compile(r"[0-9]+")
_DUPLICATE: dict[str, Problem] = {
    "money": Problem.DUPLICATE_MONEY,
    "hours": Problem.DUPLICATE_HOURS,
    "deadline": Problem.DUPLICATE_DEADLINE,
    "min": Problem.DUPLICATE_MIN,
}

Value = int | datetime


class Token(NamedTuple):
    raw: str
    norm: str
    start: int


class _Span(NamedTuple):
    end: int  # index just past the last token of the clause
    norm: str  # the clause text in matching form


class _Hit(NamedTuple):
    kind: str
    value: Value
    end: int
    raw: str


_Recognizer = Callable[[list[Token], int], _Span | None]
Evaluator = Callable[[str, str], Value]
Clause = tuple[str, _Recognizer, Evaluator]


def duplicate(kind: str) -> Problem:
    """The problem of a clause or field of `kind` given twice."""
    return _DUPLICATE[kind]


def tokenize(text: str) -> list[Token]:
    """The words of the text, each as typed and in matching form, with where it starts."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        normal = norm(match.group())
        if normal:  # a token of only zero-width characters is no token
            tokens.append(Token(match.group(), normal, match.start()))
    return tokens


def _joined(tokens: list[Token], start: int, end: int) -> str:
    return " ".join(token.norm for token in tokens[start:end])


_WINDOW = 8  # tokens: the longest phrase read at one place (`half one and a half hours`, `tot en met`) fits


def _norms(tokens: list[Token], i: int) -> list[str]:
    """The matching forms of the few tokens from ``i`` on: what a phrase there can span, so that looking at every
    place of a long message stays linear."""
    return [token.norm for token in tokens[i : i + _WINDOW]]


def _number_at(tokens: list[Token], i: int) -> int | None:
    """The index after a number in words at ``i``, else None."""
    found = number_at(_norms(tokens, i), 0)
    return None if found is None else i + found[1]


def raw_text(tokens: list[Token], start: int, end: int) -> str:
    return " ".join(token.raw for token in tokens[start:end])


def _amount_span(
    tokens: list[Token],
    i: int,
    pattern: re.Pattern[str],
    attempt: Callable[[str], bool],
    loose: bool,
    spoken: Callable[[list[str], int], tuple[int, str] | None] | None,
) -> _Span | None:
    """A one- or two-token amount at ``i``; a trailing punctuation mark ("€50,") is not part of it.

    ``loose`` also takes a token that is clearly meant as an amount but malformed, so it is reported as such;
    ``spoken`` reads an amount in words (`honderd euro`), which the span then holds in digits.
    """
    for width in (3, 2, 1):  # "€ 300 euro"
        if i + width > len(tokens):
            continue
        text = _joined(tokens, i, i + width)
        if pattern.fullmatch(text):
            return _Span(i + width, text)
        if text[-1] in TRAILING_PUNCTUATION and pattern.fullmatch(text[:-1]):
            return _Span(i + width, text[:-1])
    if spoken is not None:
        said = spoken(_norms(tokens, i), 0)
        if said is not None:
            return _Span(i + said[0], said[1])
    if loose and attempt(tokens[i].norm):
        return _Span(i + 1, tokens[i].norm)
    return None


def money_span(tokens: list[Token], i: int, loose: bool = True, spoken: bool = True) -> _Span | None:
    return _amount_span(tokens, i, MONEY_RE, lambda norm: "€" in norm, loose, spoken_money if spoken else None)


def hours_span(
    tokens: list[Token], i: int, loose: bool = True, spoken: bool = True, day_parts: DayParts = DEFAULT_DAY_PARTS
) -> _Span | None:
    def in_words(words: list[str], at: int) -> tuple[int, str] | None:
        return spoken_hours(words, at, day_parts)

    attempt = HOURS_ATTEMPT_RE.fullmatch
    return _amount_span(tokens, i, HOURS_RE, lambda norm: bool(attempt(norm)), loose, in_words if spoken else None)


def norm_at(tokens: list[Token], i: int) -> str:
    return tokens[i].norm if i < len(tokens) else ""


def _duration_end(tokens: list[Token], i: int) -> int | None:
    """The end of ``3d`` / ``3 days`` / ``2 weken`` at ``i``; also of a broken one (``-3 days``, ``3`` at the end,
    ``-3d``), which the deadline's evaluation then reports, instead of leaving it in the title."""
    following = norm_at(tokens, i)
    if not following:
        return None
    if duration_minutes(following) is not None and tokens[i].raw == tokens[i].raw.lower():
        return i + 1  # "3d"; "3D" is a thing in a title ("Workshop over 3D")
    numberish = NUMBERISH_RE.match(following) is not None
    if numberish and norm_at(tokens, i + 1) in _DURATION_UNITS:
        return i + 2
    spoken = _number_at(tokens, i)  # `binnen twee weken`, `over een maand`
    if spoken is not None and norm_at(tokens, spoken) in _DURATION_UNITS:
        return spoken + 1
    glued = _GLUED_DURATION_RE.fullmatch(following) is not None and tokens[i].raw == tokens[i].raw.lower()
    if numberish and (i + 1 == len(tokens) or glued):
        return i + 1
    return None


_GLUED_DURATION_RE = re.compile(r"[-−+]?[0-9][0-9.,]*[a-z]+")
_LONGEST_DATE = 7  # tokens: "the end of the month om 17:00"
_DURATION_UNITS = frozenset(UNIT_MINUTES) | MONTH_UNITS.all


def _deadline_end(tokens: list[Token], i: int) -> int | None:
    word = tokens[i].norm
    if word in WITHIN_WORDS.all:
        return _duration_end(tokens, i + 1)
    lead = deadline_lead(_norms(tokens, i), 0)
    if lead is None:
        return None
    start = i + lead[0]
    following = norm_at(tokens, start)
    if following in WITHIN_WORDS.all:
        return _duration_end(tokens, start + 1)
    for end in range(min(len(tokens), start + _LONGEST_DATE), start, -1):
        if date_phrase(_joined(tokens, start, end)) is not None:
            return end
    if _DATE_SHAPE_RE.match(following):  # meant as a date, though none: reported as a bad date
        return start + 2 if _TIME_RE.fullmatch(norm_at(tokens, start + 1)) else start + 1
    return _date_words_end(tokens, start)


def _date_words_end(tokens: list[Token], i: int) -> int | None:
    """The end of words after `tot`/`by`/… meant as a date Kring cannot read (`volgende vrijdag`), which the
    deadline's evaluation then reports by name; None when they are no date (`by next generation`)."""
    if norm_at(tokens, i) not in DATE_WORDS:
        return None
    end = i
    while end < len(tokens) and not _clause_starts(tokens, end):
        end += 1
    strong = any(token.norm.rstrip(TRAILING_PUNCTUATION) in STRONG_DATE_WORDS for token in tokens[i:end])
    return end if strong else None


def _clause_starts(tokens: list[Token], i: int) -> bool:
    """Whether a money, hours, minimum or deadline clause starts at ``i``."""
    return (
        tokens[i].norm in LEAD_WORDS
        or tokens[i].norm in WITHIN_WORDS.all
        or money_span(tokens, i, loose=False) is not None
        or hours_span(tokens, i, loose=False) is not None
        or min_span(tokens, i) is not None
    )


def deadline_span(tokens: list[Token], i: int) -> _Span | None:
    """``by|tot|voor|… <date> [<time>]`` or ``in|over|binnen <n><unit>`` / ``<n> <unit>``."""
    end = _deadline_end(tokens, i)
    return None if end is None else _Span(end, _joined(tokens, i, end))


def min_span(tokens: list[Token], i: int) -> _Span | None:
    """``min 5``, ``min: 5``, ``min5``, ``minimaal drie``, each optionally followed by ``backers``/``steuners``; or
    ``5 backers`` / ``vijf steuners``. ``minimaal veel steuners`` is a minimum written wrong, reported whole."""
    word, count = tokens[i].norm, len(tokens)
    spoken = _number_at(tokens, i)
    if spoken is not None and norm_at(tokens, spoken) in BACKER_WORDS.all:
        return _Span(spoken + 1, _joined(tokens, i, spoken + 1))
    if _DIGITS_RE.fullmatch(word) and norm_at(tokens, i + 1) in BACKER_WORDS.all:
        return _Span(i + 2, _joined(tokens, i, i + 2))
    if MIN_GLUED_RE.fullmatch(word):
        end = i + 1
    elif word in MIN_WORDS and i + 1 < count:
        # `min 5`; `min abc` at the end is a minimum written wrong; "Koffie min suiker …" is a title
        spoken = _number_at(tokens, i + 1)
        if spoken is not None and (len(word) > 4 or spoken == count or norm_at(tokens, spoken) in BACKER_WORDS):
            end = spoken  # `min een suiker` is a title's; `min drie`, `minimaal drie` are minimums
        elif word.endswith(":") or NUMBERISH_RE.match(tokens[i + 1].norm) or i + 2 == count:
            end = i + 2
        elif norm_at(tokens, i + 2) in BACKER_WORDS.all:
            end = i + 2  # `minimaal veel steuners`: the count is the word Kring cannot read
        else:
            return None
    else:
        return None
    if end < count and tokens[end].norm in BACKER_WORDS.all:
        end += 1
    return _Span(end, _joined(tokens, i, end))


def match_clause(tokens: list[Token], i: int, clauses: tuple[Clause, ...]) -> _Hit | None:
    for kind, recognize, evaluate in clauses:
        span = recognize(tokens, i)
        if span is not None:
            raw = raw_text(tokens, i, span.end)
            return _Hit(kind, evaluate(span.norm, raw), span.end, raw)
    return None


def record(found: dict[str, Value], hit: _Hit) -> None:
    if hit.kind in found:
        raise ParseError(duplicate(hit.kind), hit.raw)
    found[hit.kind] = hit.value


def int_field(found: dict[str, Value], kind: str) -> int | None:
    value = found.get(kind)
    return value if isinstance(value, int) else None


_STRAY_DATE_WORDS = 4  # `binnen twee wekken om 17:00`: enough of a deadline Kring cannot read to name it


def stray(tokens: list[Token], i: int) -> ParseError:
    """The error for a token at ``i`` that is part of no clause. `binnen`, `over`, `in` before a number start a
    deadline: the words meant as one are named with it (`binnen twee wekken`), not the word that starts them."""
    token = tokens[i]
    if token.norm in WITHIN_WORDS.all and count_at(_norms(tokens, i + 1), 0) is not None:
        end = i + 1
        while end < min(len(tokens), i + 1 + _STRAY_DATE_WORDS) and not _clause_starts(tokens, end):
            end += 1
        return ParseError(Problem.BAD_DATE, raw_text(tokens, i, end))
    code = Problem.AMBIGUOUS_NUMBER if BARE_NUMBER_RE.fullmatch(token.norm) else Problem.UNKNOWN_TOKEN
    return ParseError(code, token.raw)


_FOREIGN_SIGN_RE = re.compile(r"[$£¥₹₽]")
_FOREIGN_CODE = FOREIGN_MONEY_UNITS.pattern
_FOREIGN_CURRENCY_RE = re.compile(_FOREIGN_CODE)
_GLUED_FOREIGN_RE = re.compile(rf"{_FOREIGN_CODE}[0-9][0-9.,]*|[0-9][0-9.,]*{_FOREIGN_CODE}")


def money_like(tokens: list[Token], i: int) -> ParseError | None:
    """The error for a money-like token at ``i`` that is no amount Kring reads: ``$100``, ``USD 100``,
    ``100 dollar`` (bad money) or a bare number (unclear); None for any other word."""
    word = tokens[i].norm.rstrip(TRAILING_PUNCTUATION)
    if (_FOREIGN_SIGN_RE.search(word) and re.search("[0-9]", word)) or _GLUED_FOREIGN_RE.fullmatch(word):
        return ParseError(Problem.BAD_MONEY, tokens[i].raw)
    following = norm_at(tokens, i + 1).rstrip(TRAILING_PUNCTUATION)
    if BARE_NUMBER_RE.fullmatch(word) and _FOREIGN_CURRENCY_RE.fullmatch(following):
        return ParseError(Problem.BAD_MONEY, raw_text(tokens, i, i + 2))
    if _FOREIGN_CURRENCY_RE.fullmatch(word) and BARE_NUMBER_RE.fullmatch(following):
        return ParseError(Problem.BAD_MONEY, raw_text(tokens, i, i + 2))
    if BARE_NUMBER_RE.fullmatch(word):
        return ParseError(Problem.AMBIGUOUS_NUMBER, tokens[i].raw)
    return None


def amount_clauses(day_parts: DayParts = DEFAULT_DAY_PARTS, *, spoken_first: bool = True) -> tuple[Clause, ...]:
    """Money and hours; ``spoken_first`` False leaves an amount in words at the very start to a title
    (`Een middag schilderen`)."""

    def money(tokens: list[Token], i: int) -> _Span | None:
        return money_span(tokens, i, spoken=spoken_first or i > 0)

    def hours(tokens: list[Token], i: int) -> _Span | None:
        return hours_span(tokens, i, spoken=spoken_first or i > 0, day_parts=day_parts)

    return (("money", money, money_from), ("hours", hours, minutes_from))


AMOUNT_CLAUSES = amount_clauses()
