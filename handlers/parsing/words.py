"""Every word Kring reads in a command, declared once with its meaning, in English and in Dutch.

The parsers build their patterns and look-up tables from these declarations; a word Kring should understand in
another form or language is added here, and only here. Both languages are understood in every room.

A word is one of four kinds of token, told apart by where it stands, and a word means one thing within its kind
(the words test checks this across the languages):

- ``WORD``: a word on its own in the text: ``voor vrijdag``, ``min 5``, ``alle``, ``bevestig``.
- ``UNIT``: a word written with a number, right after it or (money) right before it: ``3 min``, ``40 uur``, ``€50``,
  ``15e``.
- ``LABEL``: a field's name, at the start of a line or clause and followed by its colon: ``doel:``, ``voor:``.
- ``JOINER``: a word between two amounts that joins them: ``€100 + 2 uur``, ``€ 100,- en 4 uur`` (so ``+`` joins
  there, while ``!talenten + koerier`` adds a talent).

So ``min`` is the minimum in ``min 5`` (a word) and minutes in ``in 90 min`` (a unit), and Dutch ``voor`` is
"before" in ``voor vrijdag`` (a word) while ``voor:`` names whom a need is for (a label): the colon makes
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
    "DAY_PART_UNITS",
    "DAY_UNITS",
    "DEADLINE_LABELS",
    "DECLARED",
    "DESCRIPTION_LABELS",
    "ENDS_BEFORE_WORDS",
    "END_WORDS",
    "EURO_UNITS",
    "FOREIGN_MONEY_UNITS",
    "FOR_LABELS",
    "FROM_WORDS",
    "HALF_WORDS",
    "HOURS_LABELS",
    "HOUR_UNITS",
    "JOINING_WORDS",
    "MINIMUM_WORDS",
    "MINUTE_UNITS",
    "MONEY_LABELS",
    "MONTHS",
    "MONTH_UNITS",
    "MONTH_WORDS",
    "MULTIPLIER_WORDS",
    "NEEDS_LABELS",
    "NEXT_WORDS",
    "NUMBER_WORDS",
    "OFF_WORDS",
    "OF_WORDS",
    "ONE_AND_A_HALF_WORDS",
    "ON_WORDS",
    "ORDINAL_SUFFIXES",
    "PERIOD_WORDS",
    "REMOVE_WORDS",
    "SUPPORT_ONLY_WORDS",
    "THIS_WORDS",
    "THROUGH_WORDS",
    "TITLE_LABELS",
    "WEEKDAYS",
    "WEEK_UNITS",
    "WEEK_WORDS",
    "WHOLE_WORDS",
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
    JOINER = "joiner"


@dataclass(frozen=True)
class Words:
    """One meaning and the words for it, per language, in lower case; a word two languages share is in both."""

    meaning: str
    kind: Kind
    by_language: tuple[tuple[str, tuple[str, ...]], ...]  # (language, its words): en, nl, …

    def in_language(self, language: str) -> tuple[str, ...]:
        """The words of one language (none when it has no word for this)."""
        return next((words for code, words in self.by_language if code == language), ())

    @cached_property
    def all(self) -> frozenset[str]:
        """The words of every language: each is understood in every room."""
        return frozenset(word for _, words in self.by_language for word in words)

    def __contains__(self, word: object) -> bool:
        return word in self.all

    @property
    def pattern(self) -> str:
        """A regular expression matching any of the words: escaped, the longest first, as one group."""
        return "(?:" + "|".join(re.escape(word) for word in sorted(self.all, key=lambda w: (-len(w), w))) + ")"


def _word(meaning: str, **by_language: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.WORD, tuple(by_language.items()))


def _unit(meaning: str, **by_language: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.UNIT, tuple(by_language.items()))


def _label(meaning: str, **by_language: tuple[str, ...]) -> Words:
    return Words(meaning, Kind.LABEL, tuple(by_language.items()))


# --- units: money and time ----------------------------------------------------------------------------------

EURO_UNITS = _unit("euro", en=("€", "eur", "euro", "euros"), nl=("€", "eur", "euro", "euros"))
# Money Kring does not take: `$100`, `100 dollar` is reported as bad money rather than left in a title or note.
FOREIGN_MONEY_UNITS = _unit(
    "money in another currency",
    en=("dollar", "dollars", "usdollar", "usdollars", "usd", "gbp", "pound", "pounds", "cent", "cents"),
    nl=("cent", "cents", "eurocent", "eurocents"),
)
MINUTE_UNITS = _unit("minute", en=("m", "min", "mins", "minute", "minutes"), nl=("min", "minuut", "minuten"))
HOUR_UNITS = _unit("hour", en=("h", "hr", "hrs", "hour", "hours"), nl=("u", "uur", "uren", "uurtje", "uurtjes"))
DAY_UNITS = _unit("day", en=("d", "day", "days"), nl=("dag", "dagen"))
WEEK_UNITS = _unit("week", en=("w", "wk", "wks", "week", "weeks"), nl=("week", "weken"))
# Calendar months: `over een maand` is the same day next month (months differ in length, so no minutes).
MONTH_UNITS = _unit("month", en=("month", "months"), nl=("maand", "maanden"))
# A part of a day as hours of work: `een dagdeel`, `a morning`; how many hours the room sets (default 4).
DAY_PART_UNITS = _unit(
    "a part of a day (hours set in the settings)",
    en=("morning", "mornings", "afternoon", "afternoons"),
    nl=("dagdeel", "dagdelen", "ochtend", "ochtenden", "middag", "middagen"),
)
# Glued to a day of the month: `15e`, `1ste`, `2nd`.
ORDINAL_SUFFIXES = _unit("(of a day) -th", en=("st", "nd", "rd", "th"), nl=("e", "ste", "de"))

# --- words of a date ----------------------------------------------------------------------------------------

# `by friday` / `tot vrijdag` ends with that day, `before friday` / `voor vrijdag` before it (the day before's
# 23:59), `through friday` / `tot en met vrijdag` with it; with a time, each ends at that time.
BEFORE_WORDS = _word("no later than", en=("by",), nl=("tot", "uiterlijk"))
ENDS_BEFORE_WORDS = _word("before (that day)", en=("before",), nl=("voor", "vóór"))
THROUGH_WORDS = _word("up to and including", en=("through", "thru"), nl=("tot en met", "t/m"))
WITHIN_WORDS = _word("within", en=("in",), nl=("in", "over", "binnen"))
# `a week from friday`; Dutch says `vrijdag over een week`, with a word of WITHIN_WORDS.
FROM_WORDS = _word("from (a day on)", en=("from",), nl=("na",))
AT_WORDS = _word("at a time", en=("at", "t"), nl=("om",))
MONTHS: tuple[Words, ...] = (
    _word("January", en=("jan", "january"), nl=("januari",)),
    _word("February", en=("feb", "february"), nl=("februari",)),
    _word("March", en=("mar", "march"), nl=("maart", "mrt")),
    _word("April", en=("apr", "april"), nl=("april",)),
    _word("May", en=("may",), nl=("mei",)),
    _word("June", en=("jun", "june"), nl=("juni",)),
    _word("July", en=("jul", "july"), nl=("juli",)),
    _word("August", en=("aug", "august"), nl=("augustus",)),
    _word("September", en=("sep", "sept", "september"), nl=("september",)),
    _word("October", en=("oct", "october"), nl=("oktober", "okt")),
    _word("November", en=("nov", "november"), nl=("november",)),
    _word("December", en=("dec", "december"), nl=("december",)),
)
# Dutch two-letter abbreviations (ma, di, zo …) are left out: "voor ma" is far more often "for mum".
WEEKDAYS: tuple[Words, ...] = (
    _word("Monday", en=("monday", "mon"), nl=("maandag",)),
    _word("Tuesday", en=("tuesday", "tue", "tues"), nl=("dinsdag",)),
    _word("Wednesday", en=("wednesday", "wed"), nl=("woensdag",)),
    _word("Thursday", en=("thursday", "thu", "thur", "thurs"), nl=("donderdag",)),
    _word("Friday", en=("friday", "fri"), nl=("vrijdag",)),
    _word("Saturday", en=("saturday", "sat"), nl=("zaterdag",)),
    _word("Sunday", en=("sunday", "sun"), nl=("zondag",)),
)
# Read so that "yesterday" is refused as past rather than left in a title. Days from today, by meaning.
DAYS_FROM_TODAY: dict[int, Words] = {
    -1: _word("yesterday", en=("yesterday",), nl=("gisteren",)),
    0: _word("today", en=("today",), nl=("vandaag",)),
    1: _word("tomorrow", en=("tomorrow",), nl=("morgen",)),
    2: _word("the day after tomorrow", en=(), nl=("overmorgen",)),
}
END_WORDS = _word("the end of", en=("end",), nl=("eind", "einde"))
ARTICLE_WORDS = _word("the", en=("the",), nl=("de", "het"))
OF_WORDS = _word("of", en=("of",), nl=("van",))
THIS_WORDS = _word("this", en=("this",), nl=("deze",))
NEXT_WORDS = _word("next", en=("next",), nl=("volgende",))
COMING_WORDS = _word("the coming", en=("coming",), nl=("aanstaande", "komende"))
WEEK_WORDS = _word("the week", en=("week",), nl=("week",))
MONTH_WORDS = _word("the month", en=("month",), nl=("maand",))
# Spans of time: after `tot`/`by`/… they make the words a date Kring may not read, rather than part of a title.
PERIOD_WORDS = _word(
    "a span of time",
    en=("weekend", "year", "months", "weeks", "days"),
    nl=("weekend", "jaar", "maanden", "weken", "dagen"),
)

# --- number words: `twee uur`, `honderd euro`, `binnen twee weken`, `minimaal drie steuners` -------------------

# Read as a number only where a number stands: before a unit, after `minimaal`, before `steuners`. Dutch `een` and
# English `a`/`an` are the article as well as one, and before a unit the two say the same: `een uur`, `an hour`.
NUMBER_WORDS: dict[int, Words] = {
    n: _word(meaning, en=en, nl=nl)
    for n, meaning, en, nl in (
        (1, "one", ("one", "a", "an"), ("een", "één", "eén")),
        (2, "two", ("two",), ("twee",)),
        (3, "three", ("three",), ("drie",)),
        (4, "four", ("four",), ("vier",)),
        (5, "five", ("five",), ("vijf",)),
        (6, "six", ("six",), ("zes",)),
        (7, "seven", ("seven",), ("zeven",)),
        (8, "eight", ("eight",), ("acht",)),
        (9, "nine", ("nine",), ("negen",)),
        (10, "ten", ("ten",), ("tien",)),
        (11, "eleven", ("eleven",), ("elf",)),
        (12, "twelve", ("twelve",), ("twaalf",)),
        (13, "thirteen", ("thirteen",), ("dertien",)),
        (14, "fourteen", ("fourteen",), ("veertien",)),
        (15, "fifteen", ("fifteen",), ("vijftien",)),
        (16, "sixteen", ("sixteen",), ("zestien",)),
        (17, "seventeen", ("seventeen",), ("zeventien",)),
        (18, "eighteen", ("eighteen",), ("achttien",)),
        (19, "nineteen", ("nineteen",), ("negentien",)),
        (20, "twenty", ("twenty",), ("twintig",)),
        (30, "thirty", ("thirty",), ("dertig",)),
        (40, "forty", ("forty",), ("veertig",)),
        (50, "fifty", ("fifty",), ("vijftig",)),
        (60, "sixty", ("sixty",), ("zestig",)),
        (70, "seventy", ("seventy",), ("zeventig",)),
        (80, "eighty", ("eighty",), ("tachtig",)),
        (90, "ninety", ("ninety",), ("negentig",)),
    )
}
# A number word before one of these multiplies: `twee honderd`, `a thousand`; alone, `honderd euro`.
MULTIPLIER_WORDS: dict[int, Words] = {
    100: _word("hundred", en=("hundred",), nl=("honderd",)),
    1000: _word("thousand", en=("thousand",), nl=("duizend",)),
}
ONE_AND_A_HALF_WORDS = _word("one and a half", en=("one and a half",), nl=("anderhalf", "anderhalve"))
HALF_WORDS = _word("half", en=("half",), nl=("half", "halve"))  # `een half uur`, `een halve dag`, `half a day`
WHOLE_WORDS = _word("whole (a day)", en=("whole", "full"), nl=("hele", "volle"))  # `een hele dag`

# --- words of a proposal and a pledge -----------------------------------------------------------------------

# Three letters or fewer is an abbreviation, which may also end in a full stop (`min. 5`); any may end in a colon.
MINIMUM_WORDS = _word("at least (backers)", en=("min", "minimum"), nl=("min", "minimaal"))
BACKER_WORDS = _word("backers", en=("backer", "backers", "people"), nl=("steuner", "steuners", "mensen"))
# `!steun 3 alleen steun`: the pledge becomes plain support, its money and hours said goodbye to on purpose.
SUPPORT_ONLY_WORDS = _word(
    "plain support (no money, no hours)",
    en=("support only", "only support", "just support"),
    nl=("alleen steun", "alleen steunen", "gewoon steun"),
)

# --- field labels, one a line: `goal: €2.500` ---------------------------------------------------------------

MONEY_LABELS = _label("the money goal", en=("goal", "money", "amount", "budget"), nl=("doel", "bedrag", "geld"))
HOURS_LABELS = _label("the hours goal", en=("hours", "time"), nl=("uren", "uur", "tijd"))
DEADLINE_LABELS = _label(
    "the deadline", en=("deadline", "date", "when", "by"), nl=("deadline", "datum", "wanneer", "tot", "uiterlijk")
)
BACKERS_LABELS = _label(
    "the minimum number of backers",
    en=("backers", "people", "min", "minimum", "min backers", "min. backers", "minimum backers"),
    nl=("steuners", "mensen", "min", "minimum", "minimaal", "min. steuners", "minimum steuners"),
)
NEEDS_LABELS = _label("talents the proposal needs", en=("needs",), nl=("nodig", "gezocht"))
TITLE_LABELS = _label("the title", en=("title",), nl=("titel",))
DESCRIPTION_LABELS = _label("the description", en=("description",), nl=("beschrijving", "omschrijving"))
FOR_LABELS = _label("the talents a need is for", en=("for",), nl=("voor",))

# --- words of other commands --------------------------------------------------------------------------------

ON_WORDS = _word("on", en=("on", "yes"), nl=("aan", "ja"))
OFF_WORDS = _word("off", en=("off", "no"), nl=("uit", "nee"))
ADD_WORDS = _word("add", en=("add", "+"), nl=("toevoegen", "erbij", "+"))
REMOVE_WORDS = _word("remove", en=("remove", "-"), nl=("verwijderen", "verwijder", "weg", "-"))
ASK_WORDS = _word("ask (may be mentioned)", en=("ask",), nl=("vragen", "vraag"))
ALL_WORDS = _word("all, the archive too", en=("all",), nl=("alle",))
CONFIRM_WORDS = _word("confirm", en=("confirm",), nl=("bevestig", "bevestigen"))
WITHDRAW_WORDS = _word("withdraw", en=("withdraw",), nl=("intrekken",))
JOINING_WORDS = Words(
    "joins two amounts", Kind.JOINER, (("en", ("+", "&", "and", "plus", "/")), ("nl", ("+", "&", "en", "plus", "/")))
)

DECLARED: tuple[Words, ...] = (
    EURO_UNITS,
    FOREIGN_MONEY_UNITS,
    MINUTE_UNITS,
    HOUR_UNITS,
    DAY_UNITS,
    WEEK_UNITS,
    ORDINAL_SUFFIXES,
    MONTH_UNITS,
    DAY_PART_UNITS,
    BEFORE_WORDS,
    ENDS_BEFORE_WORDS,
    THROUGH_WORDS,
    WITHIN_WORDS,
    FROM_WORDS,
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
    *NUMBER_WORDS.values(),
    *MULTIPLIER_WORDS.values(),
    ONE_AND_A_HALF_WORDS,
    HALF_WORDS,
    WHOLE_WORDS,
    MINIMUM_WORDS,
    BACKER_WORDS,
    SUPPORT_ONLY_WORDS,
    MONEY_LABELS,
    HOURS_LABELS,
    DEADLINE_LABELS,
    BACKERS_LABELS,
    NEEDS_LABELS,
    TITLE_LABELS,
    DESCRIPTION_LABELS,
    FOR_LABELS,
    JOINING_WORDS,
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
