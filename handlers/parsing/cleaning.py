"""Text as members typed it, made fit to match and to keep: invisible characters, spacing, case, small numbers."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "HUGE",
    "bounded_int",
    "clean_text",
    "norm",
    "parse_small_count",
    "talent_list",
    "title_key",
    "trim",
]

_MAX_DIGITS = 15  # more significant digits than this is out of every range, and int() stays cheap
HUGE: int = 10**_MAX_DIGITS  # stands in for any number with more digits


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
    return norm(title).casefold()


def norm(text: str) -> str:
    """Matching form: no format characters, lower case, single spaces."""
    return " ".join(_strip_format_chars(text).lower().split())


def _is_blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def trim(text: str) -> str:
    """Strip whitespace and invisible format characters from both ends, keep the inside verbatim."""
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def bounded_int(digits: str) -> int | None:
    """``int(digits)`` for an ASCII digit string, or None when it has too many significant digits."""
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS:
        return None
    return int(significant or "0")


def parse_small_count(token: str, max_digits: int = 9) -> int | None:
    """A whole number in at most `max_digits` ASCII digits, else None.

    ASCII only: "²".isdigit() holds yet int("²") raises; and few digits, as int() refuses 4 300 of them.
    """
    if token.isascii() and token.isdigit() and len(token) <= max_digits:
        return int(token)
    return None


def talent_list(text: str) -> list[str]:
    """`driver, trainer; bezorging` as its talents, each trimmed, without empty ones."""
    return [clean_text(trim(part)) for part in re.split(r"[,;]", text) if trim(part)]
