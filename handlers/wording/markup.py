"""Text that is plain and HTML at once, so every user-supplied string is escaped exactly once."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from storage.queries.members import clean_name


@dataclass(frozen=True)
class Rendered:
    plain: str
    html: str

    def __add__(self, other: Rendered) -> Rendered:
        return Rendered(self.plain + other.plain, self.html + other.html)

    @staticmethod
    def join(separator: Rendered, parts: Iterable[Rendered]) -> Rendered:
        listed = list(parts)
        return Rendered(
            separator.plain.join(p.plain for p in listed),
            separator.html.join(p.html for p in listed),
        )


def user_text(value: str) -> Rendered:
    """Anything a user typed: escaped for HTML, its line breaks kept (HTML would fold them into spaces)."""
    return Rendered(value, html.escape(value, quote=False).replace("\n", "<br>"))


def markup(plain: str, html_text: str) -> Rendered:
    """Our own markup; never pass user input here."""
    return Rendered(plain, html_text)


def mention(user_id: str, name: str) -> Rendered:
    """A Matrix pill: a matrix.to link with the display name as text; a forgotten member's pseudonym (no user id)
    as plain text."""
    label = clean_name(name) or user_id  # a name never brings its own line breaks or bidi controls
    if not user_id.startswith("@"):
        return user_text(label)
    href = "https://matrix.to/#/" + quote(user_id, safe="@:")
    return Rendered(label, f'<a href="{html.escape(href)}">{html.escape(label, quote=False)}</a>')


NEWLINE = Rendered("\n", "<br>")
EMPTY = Rendered("", "")


def lines(parts: Iterable[Rendered]) -> Rendered:
    return Rendered.join(NEWLINE, parts)


def bullet_list(items: Iterable[Rendered]) -> Rendered:
    """A list that follows a heading: each item on a line of its own."""
    listed = list(items)
    if not listed:
        return EMPTY
    plain = "".join("\n• " + item.plain for item in listed)
    html_text = "<ul>" + "".join(f"<li>{item.html}</li>" for item in listed) + "</ul>"
    return Rendered(plain, html_text)
