"""`!backme` and `!delivered`: a proposal's number, money and hours anywhere, and the other words as a note."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.parsing.clauses import (
    BARE_NUMBER_RE,
    NUMBERISH_RE,
    TRAILING_PUNCTUATION,
    Token,
    Value,
    amount_clauses,
    hours_span,
    int_field,
    match_clause,
    money_like,
    money_span,
    norm_at,
    raw_text,
    record,
    tokenize,
)
from handlers.parsing.cleaning import clean_text, trim
from handlers.parsing.numbers import PROPOSAL_NUMBER_RE, proposal_number_from
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.quantities import DEFAULT_DAY_PARTS, DayParts
from handlers.parsing.words import SUPPORT_ONLY_WORDS

__all__ = [
    "NOTE_MAX",
    "PledgeDraft",
    "parse_amounts",
    "parse_pledge",
    "pledge_in_order",
    "starts_with_amount",
]

NOTE_MAX = 500
_NUMBER_LIKE_RE = re.compile(r"[-−+]?[0-9]")


@dataclass(frozen=True)
class PledgeDraft:
    """A pledge as written: the proposal's number in its room (None when the reply or thread names it).

    ``support_only`` says the member asked for plain support in so many words (`alleen steun`): only then may a new
    pledge without an amount replace one with money or hours.
    """

    proposal_number: int | None
    money_cents: int | None
    minutes: int | None
    note: str
    support_only: bool = False


def _is_amount_at(tokens: list[Token], i: int) -> bool:
    if i >= len(tokens):
        return False
    return money_span(tokens, i, loose=False) is not None or hours_span(tokens, i, loose=False) is not None


def _leading_proposal_number(tokens: list[Token]) -> tuple[int | None, int]:
    """(proposal number, index after it); the number may be left out only when the first token is clearly none."""
    first = tokens[0]
    if not first.norm.startswith("#"):
        if not _NUMBER_LIKE_RE.match(first.norm) or _is_amount_at(tokens[:1], 0):
            return None, 0
        # "3 € 50" is number 3 with €50, while "50 euro" is €50 without a number.
        if not _is_amount_at(tokens, 1) and _is_amount_at(tokens, 0):
            return None, 0
    norm = first.norm[:-1] if first.norm[-1] in TRAILING_PUNCTUATION else first.norm
    return proposal_number_from(norm, first.raw), 1


def starts_with_amount(text: str) -> bool:
    """Whether the text starts with a number and its unit, `6 uur` or `50 euro`: an amount, not a proposal number.

    `3 € 50` is no such start: there the 3 is a number before €50.
    """
    tokens = tokenize(text)
    if len(tokens) < 2 or not BARE_NUMBER_RE.fullmatch(tokens[0].norm):
        return False
    if tokens[1].norm == "€" and NUMBERISH_RE.match(norm_at(tokens, 2)):
        return False
    return any(
        span is not None and span.end >= 2
        for span in (money_span(tokens, 0, loose=False), hours_span(tokens, 0, loose=False))
    )


def parse_pledge(args: str, day_parts: DayParts = DEFAULT_DAY_PARTS) -> PledgeDraft:
    """``<number> [€<money>] [<n>h] [note]``; amounts may stand anywhere, the other words form the note.

    Amounts may be in words (`honderd euro`, `twee uur`, `een dagdeel`: hours as ``day_parts`` counts them);
    `alleen steun` / `support only` asks for plain support.
    """
    tokens = tokenize(args)
    if not tokens:
        raise ParseError(Problem.MISSING_PROPOSAL_NUMBER)
    proposal_number, i = _leading_proposal_number(tokens)
    return _amounts_and_note(tokens, i, proposal_number, day_parts)


def pledge_in_order(args: str) -> str | None:
    """`€50 1` as `1 €50`: the pledge's words with the proposal number moved to the front, when that reads as a
    pledge with a number and the words as given do not; else None."""
    tokens = tokenize(args)
    if tokens and PROPOSAL_NUMBER_RE.fullmatch(tokens[0].norm):
        return None
    for i in range(1, len(tokens)):
        if not PROPOSAL_NUMBER_RE.fullmatch(tokens[i].norm.rstrip(TRAILING_PUNCTUATION)):
            continue
        words = [tokens[i].raw, *(token.raw for token in tokens[:i]), *(token.raw for token in tokens[i + 1 :])]
        try:
            draft = parse_pledge(" ".join(words))
        except ParseError:
            continue
        if draft.proposal_number is not None and (draft.money_cents or draft.minutes):
            return " ".join(words)
    return None


def parse_amounts(text: str, day_parts: DayParts = DEFAULT_DAY_PARTS) -> PledgeDraft:
    """``[€<money>] [<n>h] [note]`` with no proposal number in front (a delivery)."""
    return _amounts_and_note(tokenize(text), 0, None, day_parts)


_SUPPORT_ONLY = frozenset(tuple(phrase.split()) for phrase in SUPPORT_ONLY_WORDS.all)
_SUPPORT_ONLY_WIDTH = max(len(phrase) for phrase in _SUPPORT_ONLY)


def _support_only_end(tokens: list[Token], i: int) -> int | None:
    """The end of `alleen steun` / `support only` at ``i``, else None."""
    for width in range(_SUPPORT_ONLY_WIDTH, 0, -1):
        words = [token.norm for token in tokens[i : i + width]]
        if len(words) == width and (*words[:-1], words[-1].rstrip(TRAILING_PUNCTUATION)) in _SUPPORT_ONLY:
            return i + width
    return None


def _amounts_and_note(
    tokens: list[Token], i: int, proposal_number: int | None, day_parts: DayParts = DEFAULT_DAY_PARTS
) -> PledgeDraft:
    found: dict[str, Value] = {}
    note_words = []
    support_only: str | None = None
    clauses = amount_clauses(day_parts)
    while i < len(tokens):
        support_end = _support_only_end(tokens, i) if support_only is None else None
        if support_end is not None:
            support_only = raw_text(tokens, i, support_end).rstrip(TRAILING_PUNCTUATION)
            i = support_end
            continue
        hit = match_clause(tokens, i, clauses)
        if hit is not None:
            record(found, hit)
            i = hit.end
            continue
        wrong = money_like(tokens, i)
        if wrong is not None:  # never part of a note: it was meant as an amount
            raise wrong
        note_words.append(tokens[i].raw)
        i += 1
    note = clean_text(trim(" ".join(note_words)))
    if len(note) > NOTE_MAX:
        raise ParseError(Problem.NOTE_TOO_LONG, max=NOTE_MAX, length=len(note))
    if support_only is not None and found:
        raise ParseError(Problem.SUPPORT_ONLY_WITH_AMOUNT, support_only)
    money, minutes = int_field(found, "money"), int_field(found, "hours")
    return PledgeDraft(proposal_number, money, minutes, note, support_only=support_only is not None)
