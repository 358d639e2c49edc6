"""The README's command tables, rendered from the declarations; `python -m handlers.commands.readme` rewrites them.

Each table stands between two marker comments (`<!-- commands:begin -->` … `<!-- commands:end -->`); a unit test
fails when README.md differs from what the declarations render, so a new command shows up there by itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale

from handlers.commands.declaration import Command, CommandSet
from handlers.wording.catalog import Texts, languages

SOURCE = "en"  # the README is written in the catalogs' source language
_PREFIX = "!"


def _cell(text: str) -> str:
    """Text in a table cell: a `|` in it would end the cell."""
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def _forms(declared: Command, texts: Texts) -> str:
    """`!object <id> <reason>`, `!object <id> withdraw` (or `!status`): how it is written, its other names."""
    forms = [declared.usage_line(texts).plain]
    if declared.arguments:  # otherwise the usage line shows its sub-commands already
        for sub in declared.subcommands:
            shared = [texts.t(argument.usage_key).plain for argument in declared.arguments[: sub.shared]]
            forms.append(" ".join([f"{_PREFIX}{declared.name}", *shared, sub.usage_line(texts).plain]))
    written = ", ".join(_code(form) for form in forms)
    others = declared.names_in(texts.language)[1:]
    return written + (f" (or {', '.join(_code(_PREFIX + name) for name in others)})" if others else "")


def command_table(commands: CommandSet) -> str:
    """Each command: how to write it, what it does (its summary, and its notes), an example."""
    texts = Texts(SOURCE, ZoneInfo("UTC"), _PREFIX)
    rows = ["| command | what it does | example |", "|---|---|---|"]
    for declared in commands:
        does = texts.t(f"summary.{declared.name}").plain + (f"; {declared.notes}" if declared.notes else "")
        example = texts.t(f"example.{declared.name}").plain
        shown = f" {_code(example)} |" if example != _PREFIX + declared.name else " |"
        rows.append(f"| {_forms(declared, texts)} | {_cell(does)} |{shown}")
    return "\n".join(rows) + "\n"


def _names(declared: Command, language: str) -> str:
    """`!object` (`withdraw`): its names in one language, and the words of its sub-commands."""
    names = " / ".join(_code(_PREFIX + name) for name in declared.names_in(language))
    subs = ", ".join(_code(sub.name_in(language)) for sub in declared.subcommands)
    return names + (f" ({subs})" if subs else "")


def names_table(commands: CommandSet) -> str:
    """The names of each command in every language (any of them is understood in every room)."""
    others = [language for language in languages() if language != SOURCE]
    order = [SOURCE, *others]
    header = " | ".join(Locale.parse(language).english_name or language for language in order)
    rows = [f"| {header} |", "|" + "---|" * len(order)]
    rows += ["| " + " | ".join(_names(declared, language) for language in order) + " |" for declared in commands]
    return "\n".join(rows) + "\n"


TABLES: dict[str, Callable[[CommandSet], str]] = {"commands": command_table, "command-names": names_table}


def render(readme: str, commands: CommandSet) -> str:
    """The README with every table between its markers rendered afresh."""
    for name, table in TABLES.items():
        begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
        head, found, rest = readme.partition(begin)
        _, found_end, tail = rest.partition(end)
        if not found or not found_end:
            raise ValueError(f"the README lacks the markers {begin.strip()} … {end}")
        readme = head + begin + table(commands) + end + tail
    return readme


def main(arguments: list[str]) -> None:
    from handlers.commands.registry import COMMANDS  # here: the registry imports this module while it looks

    path = Path(arguments[0] if arguments else "README.md")
    path.write_text(render(path.read_text(encoding="utf-8"), COMMANDS), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
