"""Counted things: a proposal's number in its room (`#3`) and a minimum number of backers (`min 5`, `5 steuners`)."""

from __future__ import annotations

import re

from handlers.parsing.cleaning import bounded_int, norm, trim
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.quantities import as_digits
from handlers.parsing.words import BACKER_WORDS, MINIMUM_WORDS

__all__ = [
    "MAX_MIN_BACKERS",
    "MAX_PROPOSAL_NUMBER",
    "MIN_GLUED_RE",
    "MIN_WORDS",
    "PROPOSAL_NUMBER_RE",
    "backers_field_from",
    "min_clause_from",
    "parse_proposal_number",
    "proposal_number_from",
]

MAX_MIN_BACKERS = 100_000
MAX_PROPOSAL_NUMBER = 10**9

PROPOSAL_NUMBER_RE = re.compile(r"#? ?(?P<num>[0-9]+)")
# `min 5`, `min. 5`, `minimaal: 5`: a minimum word; one of three letters or fewer is an abbreviation and may take
# a full stop, any may take a colon.
MIN_WORDS = frozenset(
    {
        *MINIMUM_WORDS.all,
        *(word + ":" for word in MINIMUM_WORDS.all),
        *(w + "." for w in MINIMUM_WORDS.all if len(w) <= 3),
    }
)
MIN_GLUED_RE = re.compile(rf"{MINIMUM_WORDS.pattern}:?[-−+]?[0-9].*")  # `min5`, `minimaal:5`
_MIN_RE = re.compile(rf"(?:{MINIMUM_WORDS.pattern}[.:]? ?)?(?P<num>[^ ]+)(?: {BACKER_WORDS.pattern})?")
_BACKERS_VALUE_RE = re.compile(rf"(?P<num>[^ ]+)(?: {BACKER_WORDS.pattern})?")
_DIGITS_RE = re.compile(r"[0-9]+")


def proposal_number_from(norm: str, raw: str) -> int:
    """The number of a proposal in its room, from text in matching form."""
    if not norm:
        raise ParseError(Problem.MISSING_PROPOSAL_NUMBER)
    match = PROPOSAL_NUMBER_RE.fullmatch(norm)
    number = None if match is None else bounded_int(match["num"])
    if number is None or not 0 < number <= MAX_PROPOSAL_NUMBER:
        raise ParseError(Problem.BAD_PROPOSAL_NUMBER, raw)
    return number


def parse_proposal_number(text: str) -> int:
    """``#3`` or ``3`` as 3: a proposal's number in its room (not the row id the store keeps it under)."""
    return proposal_number_from(norm(text), trim(text))


def _backers_count(match: re.Match[str] | None, raw: str) -> int:
    digits = match["num"] if match else ""
    count = bounded_int(digits) if _DIGITS_RE.fullmatch(digits) else None
    if count is None or not 0 < count <= MAX_MIN_BACKERS:
        raise ParseError(Problem.BAD_MIN_BACKERS, raw, min=1, max=MAX_MIN_BACKERS)
    return count


def min_clause_from(norm: str, raw: str) -> int:
    """The count of a minimum clause on a title line: ``min 5``, ``minimaal drie steuners``, ``5 backers``."""
    return _backers_count(_MIN_RE.fullmatch(" ".join(as_digits(norm.split()))), raw)


def backers_field_from(norm: str, raw: str) -> int:
    """The count after a backers field's label: ``5``, ``vijf`` or ``5 steuners``."""
    return _backers_count(_BACKERS_VALUE_RE.fullmatch(" ".join(as_digits(norm.split()))), raw)
