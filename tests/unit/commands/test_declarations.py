"""The command declarations: found without a hand list, complete in every language, typed, and the README's tables."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from handlers.commands.arguments import ProposalRef, Reason
from handlers.commands.context import Context, Role
from handlers.commands.declaration import Command, CommandSet, command
from handlers.commands.readme import render
from handlers.commands.registry import COMMANDS, declared_in
from handlers.events import Say
from handlers.wording.sentences import SENTENCES
from storage.records import Proposal
from tests.unit.commands.test_catalogs import TRANSLATED, load

README = Path(__file__).resolve().parents[3] / "README.md"


def lacking(commands: Iterable[Command], catalogs: dict[str, Catalog]) -> list[str]:
    """What a declared command lacks: a sentence of its help or refusals in some language, or its names there."""
    found = []
    for declared in commands:
        for key in declared.sentence_keys():
            if key not in SENTENCES:
                found.append(f"{declared.name}: no English sentence {key}")
                continue
            sentence = SENTENCES[key]
            msgid = sentence.text if sentence.plural is None else (sentence.text, sentence.plural)
            for language, catalog in catalogs.items():
                message = catalog.get(msgid, context=key)
                if message is None or message.fuzzy or not message.string:
                    found.append(f"{declared.name}: no {language} sentence {key}")
        for named in (declared, *declared.subcommands):
            for language in catalogs:
                if named.names_in(language) == named.names:
                    found.append(f"{declared.name}: no {language} name for {named.name}")
    return found


def test_every_command_has_its_summary_example_refusal_and_help_in_every_language() -> None:
    assert lacking(COMMANDS, {language: load(language) for language in TRANSLATED}) == []


async def _frobnicate(ctx: Context) -> list[Say]:
    return []


def test_a_command_without_its_sentences_or_dutch_names_is_named() -> None:
    bare = command("frobnicate", order=999, who=Role.MODERATOR, help_extra="help.frobnicate")(_frobnicate)
    bare.sub("twice")(_frobnicate)
    assert lacking([bare], {"nl": load("nl")}) == [
        "frobnicate: no English sentence summary.frobnicate",
        "frobnicate: no English sentence example.frobnicate",
        "frobnicate: no English sentence denied.frobnicate",
        "frobnicate: no English sentence help.frobnicate",
        "frobnicate: no nl name for frobnicate",
        "frobnicate: no nl name for twice",
    ]
    untranslated = load("nl")
    untranslated.delete(SENTENCES["summary.backme"].text, context="summary.backme")
    backme = next(declared for declared in COMMANDS if declared.name == "backme")
    assert lacking([backme], {"nl": untranslated}) == ["backme: no nl sentence summary.backme"]


def test_a_command_declared_in_any_module_is_found_and_listed_by_its_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "made_up"
    (package / "deeper").mkdir(parents=True)
    header = "from handlers.commands.declaration import command\n\n\n"
    (package / "__init__.py").write_text('"""A made-up package of handlers."""\n')
    (package / "deeper" / "__init__.py").write_text('"""Deeper still."""\n')
    (package / "early.py").write_text(header + '@command("early", nl=("vroeg",), order=5)\nasync def early(ctx): ...\n')
    (package / "deeper" / "late.py").write_text(
        header + '@command("late", nl=("laat",), order=1)\nasync def late(ctx): ...\n'
        "from made_up.early import early  # imported, still one command\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = declared_in(importlib.import_module("made_up"))
    assert [declared.name for declared in found] == ["late", "early"]
    for name in [module for module in sys.modules if module.startswith("made_up")]:
        monkeypatch.delitem(sys.modules, name)


def test_two_commands_at_one_place_in_help_or_with_one_name_are_refused() -> None:
    one = command("frobnicate", order=1, nl=("frobbel",))(_frobnicate)
    with pytest.raises(RuntimeError, match="share an order"):
        CommandSet((one, command("twiddle", order=1, nl=("draai",))(_frobnicate)))
    with pytest.raises(RuntimeError, match="'frobbel' declared twice"):
        CommandSet((one, command("twiddle", order=2, nl=("frobbel",))(_frobnicate)))


def test_the_readme_tables_are_those_the_declarations_render() -> None:
    readme = README.read_text(encoding="utf-8")
    assert render(readme, COMMANDS) == readme, "run: python -m handlers.commands.readme"
    assert "| `!language nl\\|en` | the language this room speaks (moderator) | `!language nl` |" in readme
    assert "| `!language` | `!taal` |" in readme
    assert "| `!skills` (`add`, `remove`, `ask`) | `!talenten` (`toevoegen`, `verwijderen`, `vragen`) |" in readme


def test_a_new_command_gets_its_rows_in_the_readme_and_stale_rows_go() -> None:
    readme = README.read_text(encoding="utf-8")
    fewer = CommandSet(tuple(declared for declared in COMMANDS if declared.name != "language"))
    without = render(readme, fewer)
    assert "`!taal`" not in without and "!language nl\\|en" not in without
    assert render(without, COMMANDS) == readme
    with pytest.raises(ValueError, match="markers"):
        render(readme.replace("<!-- command-names:end -->", ""), COMMANDS)


def test_a_handler_whose_parameters_differ_from_its_arguments_does_not_type_check() -> None:
    """mypy checks this test: each `type: ignore` below is an error it must report (`warn_unused_ignores` is on)."""

    @command("twiddle", order=1, args=(ProposalRef(), Reason()))  # type: ignore[arg-type]
    async def wrong_kind(ctx: Context, proposal: int, reason: str) -> list[Say]:
        return []

    @command("twiddle", order=1, args=(ProposalRef(),))  # type: ignore[arg-type]
    async def one_too_many(ctx: Context, proposal: Proposal, reason: str) -> list[Say]:
        return []

    @command("twiddle", order=1, args=(ProposalRef(), Reason()))
    async def right(ctx: Context, proposal: Proposal, reason: str) -> list[Say]:
        return []

    assert all(isinstance(declared, Command) for declared in (wrong_kind, one_too_many, right))  # at run time too
