"""What a sentence is: its key (the gettext context), its English text, and its plural form if it has one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str
    plural: str | None = None


def _msg(key: str, text: str) -> Sentence:
    return Sentence(key, text)


def _plural(key: str, singular: str, plural: str) -> Sentence:
    return Sentence(key, singular, plural)
