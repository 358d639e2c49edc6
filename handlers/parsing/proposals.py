"""`!propose` and `!edit`: a title with its goals on one line, or a title line and field lines (`doel: €2.500`)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.parsing.amounts import minutes_from, money_from
from handlers.parsing.clauses import (
    BARE_NUMBER_RE,
    Clause,
    Evaluator,
    Token,
    Value,
    amount_clauses,
    deadline_span,
    duplicate,
    hours_span,
    int_field,
    match_clause,
    min_span,
    money_like,
    money_span,
    record,
    stray,
    tokenize,
)
from handlers.parsing.cleaning import clean_text, norm, talent_list, trim
from handlers.parsing.dates import DeadlineRules, date_phrase, deadline_from, deadline_rules
from handlers.parsing.numbers import backers_field_from, min_clause_from
from handlers.parsing.problems import ParseError, Problem
from handlers.parsing.quantities import DEFAULT_DAY_PARTS, DayParts, hours_in_digits, money_in_digits, number_at
from handlers.parsing.words import (
    BACKERS_LABELS,
    DEADLINE_LABELS,
    DESCRIPTION_LABELS,
    HOURS_LABELS,
    MONEY_LABELS,
    NEEDS_LABELS,
    TITLE_LABELS,
)

__all__ = [
    "DESCRIPTION_MAX",
    "TITLE_MAX",
    "TITLE_MIN",
    "ProposalDraft",
    "ProposalEdit",
    "parse_edit",
    "parse_propose",
]

TITLE_MIN = 3
TITLE_MAX = 200
DESCRIPTION_MAX = 4000  # with its HTML twice over, an announcement stays far below Matrix's 64 KiB per event


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal as written, its goals read; None where a goal was not given."""

    title: str
    description: str
    money_cents: int | None
    minutes: int | None
    deadline: datetime | None
    min_backers: int | None
    needs: tuple[str, ...] = ()


_QUOTE_CLOSERS = {'"': '"', "“": "”“", "„": "”“", "«": "»"}
_FIELD_RE = re.compile(r"(?P<key>[a-z][a-z. ]*?) ?: ?(?P<value>.*)")
_FIELD_KINDS: dict[str, str] = {
    **dict.fromkeys(MONEY_LABELS.all, "money"),
    **dict.fromkeys(HOURS_LABELS.all, "hours"),
    **dict.fromkeys(DEADLINE_LABELS.all, "deadline"),
    **dict.fromkeys(BACKERS_LABELS.all, "min"),
}


def _propose_clauses(rules: DeadlineRules, day_parts: DayParts) -> tuple[Clause, ...]:
    def deadline(norm: str, raw: str) -> datetime:
        return deadline_from(norm, raw, rules)

    # An amount in words does not start a line: `Een middag schilderen` is a title.
    amounts = amount_clauses(day_parts, spoken_first=False)
    return (("deadline", deadline_span, deadline), ("min", min_span, min_clause_from), *amounts)


def _field_parsers(rules: DeadlineRules, day_parts: DayParts) -> dict[str, Evaluator]:
    def money(norm: str, raw: str) -> int:
        return money_from(money_in_digits(norm), raw, bare_ok=True)

    def hours(norm: str, raw: str) -> int:
        return minutes_from(hours_in_digits(norm, day_parts), raw, bare_ok=True)

    def deadline(norm: str, raw: str) -> datetime:
        return deadline_from(norm, raw, rules)

    return {"money": money, "hours": hours, "deadline": deadline, "min": backers_field_from}


def _check_title(title: str) -> str:
    if not title:
        raise ParseError(Problem.TITLE_MISSING)  # `!propose €500`
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ParseError(Problem.TITLE_LENGTH, length=len(title), min=TITLE_MIN, max=TITLE_MAX)
    return title


def _collect_clauses(
    tokens: list[Token], clauses: tuple[Clause, ...], found: dict[str, Value], *, title_first: bool
) -> int:
    """Record every clause into ``found``; return the index of the first clause (the end of the title).

    Before the first clause (only when ``title_first``) tokens belong to the title; after it, every token
    must be part of a clause. A clause with a number in words ends the title only when the line ends with it or
    another clause follows: `Workshop over een dag in de zorg` is a title, `Koerier binnen twee weken` is not.
    """
    title_end = None if title_first else 0
    i = 0
    while i < len(tokens):
        hit = match_clause(tokens, i, clauses)
        in_title = hit is not None and title_end is None and hit.end < len(tokens)
        if (
            in_title
            and hit is not None
            and _in_words(tokens, i, hit.end)
            and not match_clause(tokens, hit.end, clauses)
        ):
            hit = None
        if hit is None:
            if title_end is not None:
                raise stray(tokens, i)
            i += 1
            continue
        if title_end is None:
            title_end = i
        record(found, hit)
        i = hit.end
    return len(tokens) if title_end is None else title_end


def _in_words(tokens: list[Token], start: int, end: int) -> bool:
    """Whether a number in words stands among the tokens from ``start`` to ``end``."""
    norms = [token.norm for token in tokens[start:end]]
    return any(number_at(norms, k) is not None for k in range(len(norms)))


def _split_quoted_title(line: str) -> tuple[str, str] | None:
    """("title", rest) when the line starts with a quoted title, else None."""
    text = trim(line)
    closers = _QUOTE_CLOSERS.get(text[:1])
    if closers is None:
        return None
    for j in range(1, len(text)):
        if text[j] in closers:
            return trim(text[1:j]), text[j + 1 :]
    return None


def _parse_title_line(
    line: str, clauses: tuple[Clause, ...], *, goals_below: bool = False
) -> tuple[str, dict[str, Value]]:
    """The title and the clauses of a proposal's first line. A number ending the title belongs to it when the goals
    are clear without it: money or hours given on the line, or (``goals_below``) the goals on lines of their own."""
    found: dict[str, Value] = {}
    quoted = _split_quoted_title(line)
    if quoted is not None:
        title, rest = quoted
        tokens = tokenize(rest)
        # `"Big" party €50` is an unquoted title that starts with a quote, not a quoted one.
        if not tokens or match_clause(tokens, 0, clauses) is not None:
            _collect_clauses(tokens, clauses, found, title_first=False)
            return _check_title(clean_text(title)), found
    tokens = tokenize(line)
    title_end = _collect_clauses(tokens, clauses, found, title_first=True)
    for i in range(title_end):
        wrong = money_like(tokens, i)
        if wrong is not None and wrong.code is Problem.BAD_MONEY:  # a number inside a title is fine: "Top 10 ideas"
            raise wrong
    goals_clear = goals_below or "money" in found or "hours" in found
    if title_end > 1 and BARE_NUMBER_RE.fullmatch(tokens[title_end - 1].norm) and not goals_clear:
        raise ParseError(Problem.TITLE_NUMBER, tokens[title_end - 1].raw)  # `Test 2500`: money, hours, or the title?
    title = line[: tokens[title_end].start] if title_end < len(tokens) else line
    return _check_title(clean_text(trim(title))), found


def _refuse_unknown_field(line: str) -> None:
    """`budgett: €500` is a field Kring does not know, not description: the amount must not get lost."""
    match = _FIELD_RE.fullmatch(norm(line))
    if match is None or not match["value"] or " " in match["key"].strip():
        return
    value = match["value"]
    tokens = tokenize(value)
    whole = [span(tokens, 0) for span in (money_span, hours_span, deadline_span)]
    looks_like = any(s is not None and s.end == len(tokens) for s in whole) or date_phrase(value) is not None
    if looks_like:
        raise ParseError(Problem.UNKNOWN_FIELD, trim(line.partition(":")[0]))


def _field_line(line: str) -> tuple[str, str, str] | None:
    """(kind, value norm, value raw) for a ``goal: €2.500`` style line with a known key."""
    match = _FIELD_RE.fullmatch(norm(line))
    if match is None or match["key"] not in _FIELD_KINDS:
        return None
    return _FIELD_KINDS[match["key"]], match["value"], trim(line.partition(":")[2])


def _draft(title: str, description: str, found: dict[str, Value]) -> ProposalDraft:
    deadline = found.get("deadline")
    return ProposalDraft(
        title=title,
        description=description,
        money_cents=int_field(found, "money"),
        minutes=int_field(found, "hours"),
        deadline=deadline if isinstance(deadline, datetime) else None,
        min_backers=int_field(found, "min"),
    )


_NEEDS_FIELD_RE = re.compile(rf"{NEEDS_LABELS.pattern} ?: ?(?P<value>.*)")


def _parse_multiline(lines: list[str], rules: DeadlineRules, day_parts: DayParts) -> ProposalDraft:
    first = next((n for n, line in enumerate(lines) if trim(line)), len(lines))
    if first == len(lines):
        return _draft(_check_title(""), "", {})
    title, found = _parse_title_line(lines[first], _propose_clauses(rules, day_parts), goals_below=True)
    parsers = _field_parsers(rules, day_parts)
    description = []
    needs: list[str] = []
    for line in lines[first + 1 :]:
        wanted = _NEEDS_FIELD_RE.fullmatch(norm(line))
        if wanted is not None:
            needs += talent_list(line.partition(":")[2])
            continue
        field = _field_line(line)
        if field is None:
            _refuse_unknown_field(line)
            description.append(line)
            continue
        kind, value, raw = field
        if not value:  # a template line left empty: not given
            continue
        if kind in found:
            raise ParseError(duplicate(kind), raw)
        found[kind] = parsers[kind](value, raw)
    text = clean_text(trim("\n".join(description)))
    if len(text) > DESCRIPTION_MAX:
        raise ParseError(Problem.DESCRIPTION_TOO_LONG, max=DESCRIPTION_MAX, length=len(text))
    return dataclasses.replace(_draft(title, text, found), needs=tuple(needs))


@dataclass(frozen=True)
class ProposalEdit:
    """What `!edit` changes; None leaves it as it is."""

    title: str | None = None
    description: str | None = None
    money_cents: int | None = None
    minutes: int | None = None
    min_backers: int | None = None
    deadline: datetime | None = None


_EDIT_TEXT_KINDS: dict[str, str] = {
    **dict.fromkeys(TITLE_LABELS.all, "title"),
    **dict.fromkeys(DESCRIPTION_LABELS.all, "description"),
}
_EDIT_FIELD_RE = re.compile(r"(?P<key>[^\s:][^:]*?) ?: ?(?P<value>.*)", re.DOTALL)


def parse_edit(
    text: str,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    max_days: int = 365,
    day_parts: DayParts = DEFAULT_DAY_PARTS,
) -> ProposalEdit:
    """``title: …``, ``description: …``, ``goal: €3.000``, ``hours: 40``, ``backers: 4``, ``deadline: vrijdag``
    (or their Dutch names), one a line; a description runs to the end. ``unknown_edit`` when a line is none of them,
    and for a deadline when no ``now`` and ``tz`` are given to read it against."""
    edit = ProposalEdit()
    seen: set[str] = set()
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if not trim(line):
            continue
        match = _EDIT_FIELD_RE.fullmatch(trim(line))
        key = norm(match["key"]) if match else ""
        kind = _EDIT_TEXT_KINDS.get(key) or _FIELD_KINDS.get(key)
        if match is None or kind is None or (kind == "deadline" and (now is None or tz is None)):
            raise ParseError(Problem.UNKNOWN_EDIT, line)
        if kind in seen:
            known = kind in ("money", "hours", "min", "deadline")
            raise ParseError(duplicate(kind) if known else Problem.UNKNOWN_EDIT, line)
        seen.add(kind)
        value = trim(match["value"])
        if kind == "description":
            description = clean_text(trim("\n".join([value, *lines[n + 1 :]])))
            if len(description) > DESCRIPTION_MAX:
                raise ParseError(Problem.DESCRIPTION_TOO_LONG, max=DESCRIPTION_MAX, length=len(description))
            return dataclasses.replace(edit, description=description)
        if kind == "title":
            edit = dataclasses.replace(edit, title=_check_title(clean_text(value)))
        elif kind == "money":
            edit = dataclasses.replace(edit, money_cents=money_from(money_in_digits(norm(value)), value, bare_ok=True))
        elif kind == "hours":
            minutes = minutes_from(hours_in_digits(norm(value), day_parts), value, bare_ok=True)
            edit = dataclasses.replace(edit, minutes=minutes)
        elif kind == "deadline":
            assert now is not None and tz is not None
            edit = dataclasses.replace(
                edit, deadline=deadline_from(norm(value), value, deadline_rules(now, tz, max_days))
            )
        else:
            edit = dataclasses.replace(edit, min_backers=backers_field_from(norm(value), value))
    if not seen:
        raise ParseError(Problem.UNKNOWN_EDIT, text)
    return edit


def parse_propose(
    args: str, now: datetime, tz: ZoneInfo, max_days: int, day_parts: DayParts = DEFAULT_DAY_PARTS
) -> ProposalDraft:
    """``<title> [€<money>] [<n>h] [by <date>|in <n> <unit>] [min <n>]``, or a title line plus field lines.

    Clauses may come in any order after the title; a title in double quotes is taken verbatim. Numbers may be
    words (`honderd euro`, `binnen twee weken`, `minimaal drie steuners`; `een dagdeel` as ``day_parts`` counts).
    """
    rules = deadline_rules(now, tz, max_days)
    if "\n" in args or "\r" in args:
        return _parse_multiline(args.splitlines(), rules, day_parts)
    title, found = _parse_title_line(args, _propose_clauses(rules, day_parts))
    return _draft(title, "", found)
