"""Kring's sentences in the room's language (gettext catalogs), and numbers, money and moments through Babel.

English is the source (handlers/wording/sentences/); every other language is a catalog under
handlers/wording/locale, read from its .po file when first needed, so a pip install needs no compile step.
"""

from __future__ import annotations

import functools
import gettext
import io
import math
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from handlers.wording.markup import Rendered, user_text
from handlers.wording.sentences import SENTENCES

SOURCE_LANGUAGE = "en"
DOMAIN = "kring"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CURRENCY = "EUR"
BAR_WIDTH = 10
_FORMATTER = Formatter()


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def languages() -> tuple[str, ...]:
    """English and every language with a catalog, e.g. ("en", "nl")."""
    found = sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *(language for language in found if language != SOURCE_LANGUAGE))


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language`, compiled in memory from its .po file (fuzzy entries left out: English shows)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Texts:
    """Sentences in one language, with the room's values (money, hours, moments) formatted for it."""

    def __init__(self, language: str, timezone: ZoneInfo, prefix: str = "!") -> None:
        if language not in languages():
            raise ValueError(f"no catalog for language {language!r}")
        self.language = language
        self.zone = timezone
        self.prefix = prefix
        self._translations = _translations(language)
        self._locale = Locale.parse(language)
        self._prefix = user_text(prefix)
        self._formats: dict[str, str] = {}  # the date patterns, read from the catalog once

    def t(self, key: str, **params: str | int | Rendered) -> Rendered:
        """The sentence `key`; plain strings and numbers are user text and get escaped in HTML."""
        sentence = SENTENCES[key]
        if sentence.plural is not None:
            raise ValueError(f"{key} has plural forms: use tn()")
        return self._render(self._translations.pgettext(key, sentence.text), params)

    def tn(self, key: str, n: int, /, **params: str | int | Rendered) -> Rendered:
        """The form of sentence `key` for the number `n` (by the language's plural rules); {count} is `n` unless
        given."""
        sentence = SENTENCES[key]
        if sentence.plural is None:
            raise ValueError(f"{key} has no plural forms: use t()")
        template = self._translations.npgettext(key, sentence.text, sentence.plural, n)
        return self._render(template, {"count": n, **params})

    def has(self, key: str) -> bool:
        return key in SENTENCES

    def is_plural(self, key: str) -> bool:
        return SENTENCES[key].plural is not None

    def _render(self, template: str, params: dict[str, str | int | Rendered]) -> Rendered:
        values: dict[str, Rendered] = {"prefix": self._prefix}
        for name, value in params.items():
            values[name] = value if isinstance(value, Rendered) else user_text(str(value))
        plain: list[str] = []
        html: list[str] = []
        for literal, literal_html, field in _parsed(template):
            plain.append(literal)
            html.append(literal_html)
            if field is not None:
                plain.append(values[field].plain)
                html.append(values[field].html)
        return Rendered("".join(plain), "".join(html))

    def _format(self, key: str) -> str:
        if key not in self._formats:
            self._formats[key] = self.t(key).plain
        return self._formats[key]

    # values
    def money(self, cents: int) -> str:
        """`€2,500.50` / `€ 2.500,50`; whole amounts without decimals: `€2,500` / `€ 2.500`."""
        return _money(self.language, cents)

    def _hour_number(self, minutes: int) -> str:
        return _hour_number(self.language, minutes)

    def hours(self, minutes: int) -> str:
        """`40h`, `1.5h` / `40 uur`, `1,5 uur`."""
        return self.t("value.hours", hours=self._hour_number(minutes)).plain

    def hours_of(self, done_minutes: int, goal_minutes: int) -> str:
        """`12/40h` / `12/40 uur`."""
        return self.t(
            "value.hours_of", done=self._hour_number(done_minutes), goal=self._hour_number(goal_minutes)
        ).plain

    def when(self, moment: datetime) -> str:
        """`15 December 2026, 17:00` / `15 december 2026 17:00`, in the configured time zone."""
        pattern = self._format("format.datetime")
        return format_datetime(moment.astimezone(self.zone), pattern, tzinfo=self.zone, locale=self._locale)

    def deadline(self, moment: datetime) -> str:
        """`Friday 15 January 2027, 23:59` / `vrijdag 15 januari 2027 om 23:59`: a deadline as it is set, with its
        weekday, so that no one wonders whether the day itself still counts."""
        pattern = self._format("format.deadline")
        return format_datetime(moment.astimezone(self.zone), pattern, tzinfo=self.zone, locale=self._locale)

    def day(self, moment: datetime) -> str:
        """`15 December 2026` / `15 december 2026`, in the configured time zone."""
        pattern = self._format("format.date")
        return format_datetime(moment.astimezone(self.zone), pattern, tzinfo=self.zone, locale=self._locale)

    def time_left(self, remaining: timedelta) -> Rendered:
        # Count in started minutes: "in 3 days" stored to the whole second must still read "3 days left".
        seconds = math.ceil(remaining.total_seconds() / 60) * 60
        if seconds <= 60:
            return self.t("left.closing")
        if seconds >= 86400:
            return self.tn("left.days", int(seconds // 86400))
        if seconds >= 3600:
            return self.tn("left.hours", int(seconds // 3600))
        return self.tn("left.minutes", int(seconds // 60))

    def bar(self, ratio: Fraction) -> str:
        """`▓▓▓▓▓▓░░░░ 60%`; never past 100%."""
        percent = min(100, math.floor(ratio * 100))
        filled = max(0, min(BAR_WIDTH, percent // 10))
        return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {percent}%"


@functools.lru_cache(maxsize=8192)  # a page of the board formats a thousand amounts, most of them alike
def _money(language: str, cents: int) -> str:
    locale = Locale.parse(language)
    pattern = locale.currency_formats["standard"].pattern
    if cents % 100 == 0:
        pattern = pattern.replace("0.00", "0")
    return format_currency(Decimal(cents) / 100, CURRENCY, format=pattern, locale=locale, currency_digits=False)


@functools.lru_cache(maxsize=8192)
def _hour_number(language: str, minutes: int) -> str:
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return format_decimal(hours, format="#,##0.##", locale=Locale.parse(language))


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str, str | None], ...]:
    """A template's literal parts (plain and as HTML) and fields, worked out once per template."""
    return tuple((literal, _escape_literal(literal), field) for literal, field, _, _ in _FORMATTER.parse(template))


def _escape_literal(literal: str) -> str:
    escaped = literal.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")
