"""Matching talents: case-, accent- and spacing-insensitive, word by word, in Dutch and English alike (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from storage.records import Talent

TALENT_MIN = 2
TALENT_MAX = 40
TALENTS_PER_MEMBER = 20
_WORD_RE = re.compile(r"[^\W_]+")
_SHORTEST_STEM = 4  # "deliver" meets "delivery", "bezorgen" meets "bezorging"; "in" meets nothing
_ENDINGS = 3  # letters two forms of one word may differ in at the end: bezorg-ing / bezorg-en


def talent_key(text: str) -> str:
    """`Bézorging  ` -> `bezorging`: the form talents are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD_RE.findall(plain))


def _words(text: str) -> list[str]:
    return talent_key(text).split()


def matches_query(talent_key_: str, query: str) -> bool:
    """`!who driv`: every word of the query begins a word of the talent."""
    words = talent_key_.split()
    asked = _words(query)
    return bool(asked) and all(any(word.startswith(part) for word in words) for part in asked)


def _same_stem(a: str, b: str) -> bool:
    """Two forms of one word: they share all but their last few letters (at least four)."""
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared >= max(_SHORTEST_STEM, min(len(a), len(b)) - _ENDINGS)


def matches_text(talent_key_: str, text: str) -> bool:
    """A need's text asks for a talent when a word of the talent (four letters or more) meets a word of the text
    in another form: "deliver" meets "delivery", "bezorgen" meets "bezorging"."""
    said = [word for word in _words(text) if len(word) >= _SHORTEST_STEM]
    wanted = [word for word in talent_key_.split() if len(word) >= _SHORTEST_STEM]
    return any(_same_stem(a, b) for a in said for b in wanted)


def members_for(
    talents: Iterable[Talent], *, query: str | None = None, text: str | None = None, named: Iterable[str] = ()
) -> dict[str, list[Talent]]:
    """The members whose talents match (a `!who` query, a need's text, or talents named outright), with the
    talents that matched, in the order met."""
    named_keys = [talent_key(name) for name in named]
    found: dict[str, list[Talent]] = {}
    for talent in talents:
        hit = (
            (query is not None and matches_query(talent.key, query))
            or (text is not None and matches_text(talent.key, text))
            or any(matches_query(talent.key, key) for key in named_keys if key)
        )
        if hit:
            found.setdefault(talent.user_id, []).append(talent)
    return found
