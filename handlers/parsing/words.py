"""Every word Kring reads in a command, declared once with its meaning, in English and in Dutch.

The parsers build their patterns and look-up tables from these declarations; a word Kring should understand in
another form or language is added here, and only here. Both languages are understood in every room.

A word is one of three kinds of token, told apart by where it stands, and a word means one thing within its kind
(the words test checks this across the languages):

- ``WORD``: a word on its own in the text: ``voor vrijdag``, ``min 5``, ``alle``, ``bevestig``.
- ``UNIT``: a word written with a number, right after it or (money) right before it: ``3 min``, ``40 uur``, ``€50``.
- ``LABEL``: a field's name, at the start of a line or clause and followed by its colon: ``doel:``, ``voor:``.

So ``min`` is the minimum in ``min 5`` (a word) and minutes in ``in 90 min`` (a unit), and Dutch ``voor`` is
"no later than" in ``voor vrijdag`` (a word) while ``voor:`` names whom a need is for (a label): the colon makes
the label a different token, as a number before it makes a unit one. Two meanings of one token of one kind would
make the parse depend on which rule happens to look first; the test refuses that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

__all__ = [
    "ADD_WORDS",
    "ALL_WORDS",
    "ARTICLE_WORDS",
    "ASK_WORDS",
    "AT_WORDS",
    "BACKERS_LABELS",
    "BACKER_WORDS",
    "BEFORE_WORDS",
    "COMING_WORDS",
    "CONFIRM_WORDS",
    "DAYS_FROM_TODAY",
    "DAY_UNITS",
    "DEADLINE_LABELS",
    "DECLARED",
    "DESCRIPTION_LABELS",
    "END_WORDS",
    "EURO_UNITS",
    "FOREIGN_MONEY_UNITS",
    "FOR_LABELS",
    "HOURS_LABELS",
    "HOUR_UNITS",
    "MINIMUM_WORDS",
    "MINUTE_UNITS",
    "MONEY_LABELS",
    "MONTHS",
    "MONTH_WORDS",
    "NEEDS_LABELS",
    "NEXT_WORDS",
    "OFF_WORDS",
    "OF_WORDS",
    "ON_WORDS",
    "PERIOD_WORDS",
    "REMOVE_WORDS",
    "THIS_WORDS",
    "TITLE_LABELS",
    "WEEKDAYS",
    "WEEK_UNITS",
    "WEEK_WORDS",
    "WITHDRAW_WORDS",
    "WITHIN_WORDS",
    "Kind",
    "Words",
]


class Kind(Enum):
    """Where a word stands, which tells its meaning apart from the same letters elsewhere (see the module)."""

    WORD = "word"
    UNIT = "unit"
    LABEL = "label"


@dataclass(frozen=True)
class Words:
    """One meaning and the words for it in each language, in lower case; a word both languages use is in both."""

    meaning: str
    kind: Kind
    en: tuple[str, ...]
    nl: tuple[str, ...]

    @cached_property
    def all(self) -> frozenset[str]:
        """The words of both languages."""
        return frozenset(self.en + self.nl)

    def __contains__(self, word: object) -> bool:
        return word in self.all

    @property
    def pattern(self) -> str:
        """A regular expression matching any of the words: escaped, the longest first, as one group."""
        return "(?:" + "|".join(re.escape(word) for word in sorted(self.all, key=lambda w: (-len(w), w))) + ")"


def _word(meaning: str, en: tuple[str, ...], nl: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.WORD, en, nl)


def _unit(meaning: str, en: tuple[str, ...], nl: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.UNIT, en, nl)


def _label(meaning: str, en: tuple[str, ...], nl: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.LABEL, en, nl)


# --- units: money and time ----------------------------------------------------------------------------------

EURO_UNITS = _unit("euro", ("€", "eur", "euro", "euros"), ("€", "eur", "euro", "euros"))
# Money Kring does not take: `$100`, `100 dollar` is reported as bad money rather than left in a title or note.
FOREIGN_MONEY_UNITS = _unit(
    "money in another currency",
    ("dollar", "dollars", "usdollar", "usdollars", "usd", "gbp", "pound", "pounds", "cent", "cents"),
    ("cent", "cents", "eurocent", "eurocents"),
)
MINUTE_UNITS = _unit("minute", ("m", "min", "mins", "minute", "minutes"), ("min", "minuut", "minuten"))
HOUR_UNITS = _unit("hour", ("h", "hr", "hrs", "hour", "hours"), ("u", "uur", "uren"))
DAY_UNITS = _unit("day", ("d", "day", "days"), ("dag", "dagen"))
WEEK_UNITS = _unit("week", ("w", "wk", "wks", "week", "weeks"), ("week", "weken"))

# --- words of a date ----------------------------------------------------------------------------------------

BEFORE_WORDS = _word("no later than", ("by", "before"), ("tot", "voor", "uiterlijk"))
WITHIN_WORDS = _word("within", ("in",), ("in", "over", "binnen"))
AT_WORDS = _word("at a time", ("at", "t"), ("om",))
MONTHS: tuple[Words, ...] = (
    _word("January", ("jan", "january"), ("januari",)),
    _word("February", ("feb", "february"), ("februari",)),
    _word("March", ("mar", "march"), ("maart", "mrt")),
    _word("April", ("apr", "april"), ("april",)),
    _word("May", ("may",), ("mei",)),
    _word("June", ("jun", "june"), ("juni",)),
    _word("July", ("jul", "july"), ("juli",)),
    _word("August", ("aug", "august"), ("augustus",)),
    _word("September", ("sep", "sept", "september"), ("september",)),
    _word("October", ("oct", "october"), ("oktober", "okt")),
    _word("November", ("nov", "november"), ("november",)),
    _word("December", ("dec", "december"), ("december",)),
)
# Dutch two-letter abbreviations (ma, di, zo …) are left out: "voor ma" is far more often "for mum".
WEEKDAYS: tuple[Words, ...] = (
    _word("Monday", ("monday", "mon"), ("maandag",)),
    _word("Tuesday", ("tuesday", "tue", "tues"), ("dinsdag",)),
    _word("Wednesday", ("wednesday", "wed"), ("woensdag",)),
    _word("Thursday", ("thursday", "thu", "thur", "thurs"), ("donderdag",)),
    _word("Friday", ("friday", "fri"), ("vrijdag",)),
    _word("Saturday", ("saturday", "sat"), ("zaterdag",)),
    _word("Sunday", ("sunday", "sun"), ("zondag",)),
)
# Read so that "yesterday" is refused as past rather than left in a title. Days from today, by meaning.
DAYS_FROM_TODAY: dict[int, Words] = {
    -1: _word("yesterday", ("yesterday",), ("gisteren",)),
    0: _word("today", ("today",), ("vandaag",)),
    1: _word("tomorrow", ("tomorrow",), ("morgen",)),
    2: _word("the day after tomorrow", (), ("overmorgen",)),
}
END_WORDS = _word("the end of", ("end",), ("eind", "einde"))
ARTICLE_WORDS = _word("the", ("the",), ("de", "het"))
OF_WORDS = _word("of", ("of",), ("van",))
THIS_WORDS = _word("this", ("this",), ("deze",))
NEXT_WORDS = _word("next", ("next",), ("volgende",))
COMING_WORDS = _word("the coming", ("coming",), ("aanstaande", "komende"))
WEEK_WORDS = _word("the week", ("week",), ("week",))
MONTH_WORDS = _word("the month", ("month",), ("maand",))
# Spans of time: after `tot`/`by`/… they make the words a date Kring may not read, rather than part of a title.
PERIOD_WORDS = _word(
    "a span of time", ("weekend", "year", "months", "weeks", "days"), ("weekend", "jaar", "maanden", "weken", "dagen")
)

# --- words of a proposal and a pledge -----------------------------------------------------------------------

# Three letters or fewer is an abbreviation, which may also end in a full stop (`min. 5`); any may end in a colon.
MINIMUM_WORDS = _word("at least (backers)", ("min", "minimum"), ("min", "minimaal"))
BACKER_WORDS = _word("backers", ("backer", "backers", "people"), ("steuner", "steuners", "mensen"))

# --- field labels, one a line: `goal: €2.500` ---------------------------------------------------------------

MONEY_LABELS = _label("the money goal", ("goal", "money", "amount", "budget"), ("doel", "bedrag", "geld"))
HOURS_LABELS = _label("the hours goal", ("hours", "time"), ("uren", "uur", "tijd"))
DEADLINE_LABELS = _label(
    "the deadline", ("deadline", "date", "when", "by"), ("deadline", "datum", "wanneer", "tot", "uiterlijk")
)
BACKERS_LABELS = _label(
    "the minimum number of backers",
    ("backers", "people", "min", "minimum", "min backers", "min. backers", "minimum backers"),
    ("steuners", "mensen", "min", "minimum", "minimaal", "min. steuners", "minimum steuners"),
)
NEEDS_LABELS = _label("talents the proposal needs", ("needs",), ("nodig", "gezocht"))
TITLE_LABELS = _label("the title", ("title",), ("titel",))
DESCRIPTION_LABELS = _label("the description", ("description",), ("beschrijving", "omschrijving"))
FOR_LABELS = _label("the talents a need is for", ("for",), ("voor",))

# --- words of other commands --------------------------------------------------------------------------------

ON_WORDS = _word("on", ("on", "yes"), ("aan", "ja"))
OFF_WORDS = _word("off", ("off", "no"), ("uit", "nee"))
ADD_WORDS = _word("add", ("add", "+"), ("toevoegen", "erbij", "+"))
REMOVE_WORDS = _word("remove", ("remove", "-"), ("verwijder", "verwijderen", "weg", "-"))
ASK_WORDS = _word("ask (may be mentioned)", ("ask",), ("vragen", "vraag"))
ALL_WORDS = _word("all, the archive too", ("all",), ("alle",))
CONFIRM_WORDS = _word("confirm", ("confirm",), ("bevestig", "bevestigen"))
WITHDRAW_WORDS = _word("withdraw", ("withdraw",), ("intrekken",))

DECLARED: tuple[Words, ...] = (
    EURO_UNITS,
    FOREIGN_MONEY_UNITS,
    MINUTE_UNITS,
    HOUR_UNITS,
    DAY_UNITS,
    WEEK_UNITS,
    BEFORE_WORDS,
    WITHIN_WORDS,
    AT_WORDS,
    *MONTHS,
    *WEEKDAYS,
    *DAYS_FROM_TODAY.values(),
    END_WORDS,
    ARTICLE_WORDS,
    OF_WORDS,
    THIS_WORDS,
    NEXT_WORDS,
    COMING_WORDS,
    WEEK_WORDS,
    MONTH_WORDS,
    PERIOD_WORDS,
    MINIMUM_WORDS,
    BACKER_WORDS,
    MONEY_LABELS,
    HOURS_LABELS,
    DEADLINE_LABELS,
    BACKERS_LABELS,
    NEEDS_LABELS,
    TITLE_LABELS,
    DESCRIPTION_LABELS,
    FOR_LABELS,
    ON_WORDS,
    OFF_WORDS,
    ADD_WORDS,
    REMOVE_WORDS,
    ASK_WORDS,
    ALL_WORDS,
    CONFIRM_WORDS,
    WITHDRAW_WORDS,
)
"""Every declaration above: what the test of one meaning per word reads."""
