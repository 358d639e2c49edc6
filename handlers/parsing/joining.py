"""Joining words between two amounts (`€100 + 2h`, `€ 100,- en 4 uur`): they join, so they are no part of a note;
the words are `JOINING_WORDS` in the words table."""

from __future__ import annotations

from handlers.parsing.pledges import parse_amounts
from handlers.parsing.problems import ParseError
from handlers.parsing.words import JOINING_WORDS

__all__ = ["without_joining_words"]

_AMOUNT_WORDS = 3  # an amount is written in at most this many words: `€ 100,-`, `2 uur`, `100 euro`


def _is_amount(words: list[str]) -> bool:
    try:
        draft = parse_amounts(" ".join(words))
    except ParseError:
        return False
    return bool(draft.money_cents or draft.minutes) and not draft.note


def without_joining_words(text: str) -> str:
    """The text without the joining words that stand between two amounts (`€100 + 2h` → `€100 2h`); a joining
    word elsewhere (`€60 and on Fridays`) stays part of the note."""
    words = text.split(" ")
    kept: list[str] = []
    for place, word in enumerate(words):
        if word.casefold() in JOINING_WORDS and 0 < place < len(words) - 1:
            before = any(_is_amount(kept[-n:]) for n in range(1, min(_AMOUNT_WORDS, len(kept)) + 1))
            after_words = words[place + 1 : place + 1 + _AMOUNT_WORDS]
            after = any(_is_amount(after_words[:n]) for n in range(1, len(after_words) + 1))
            if before and after:
                continue
        kept.append(word)
    return " ".join(kept)
