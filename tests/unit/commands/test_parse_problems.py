"""Parse problems are a closed set: each is worded in every language, raised somewhere, and nothing else is raised."""

from __future__ import annotations

import ast
import pickle
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from handlers.parsing import ParseError, Problem, parse_money, parse_propose
from handlers.wording.catalog import Texts, catalog_path, languages
from handlers.wording.sentences import SENTENCES

ROOT = Path(__file__).resolve().parents[3]
ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=ZONE)
PRODUCT = [path for folder in ("bot", "handlers") for path in (ROOT / folder).rglob("*.py")]


@pytest.mark.parametrize("problem", list(Problem))
def test_every_problem_has_an_english_sentence(problem: Problem) -> None:
    assert f"err.{problem}" in SENTENCES


@pytest.mark.parametrize("language", [language for language in languages() if language != "en"])
def test_every_problem_is_translated_in_every_catalog(language: str) -> None:
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain="kring")
    worded = {message.context for message in catalog if message.id and message.string and not message.fuzzy}
    assert [problem.value for problem in Problem if f"err.{problem}" not in worded] == []


@pytest.mark.parametrize("language", languages())
def test_the_texts_of_every_language_have_every_problem(language: str) -> None:
    texts = Texts(language, ZONE)
    assert [problem.value for problem in Problem if not texts.has(f"err.{problem}")] == []


def test_a_code_outside_the_set_is_refused_where_it_is_raised() -> None:
    with pytest.raises(ValueError, match="not_a_problem"):
        ParseError("not_a_problem")  # type: ignore[arg-type]


def test_a_parse_error_carries_its_member_also_after_pickling() -> None:
    error = pickle.loads(pickle.dumps(ParseError(Problem.BAD_MONEY, "€x")))
    assert error.code is Problem.BAD_MONEY


def test_the_parsers_raise_members() -> None:
    with pytest.raises(ParseError) as bad_money:
        parse_money("€abc")
    assert bad_money.value.code is Problem.BAD_MONEY
    with pytest.raises(ParseError) as duplicate:
        parse_propose("Printer €5 €6", NOW, ZONE, 365)
    assert duplicate.value.code is Problem.DUPLICATE_MONEY


def _calls_with_a_text_code(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ParseError"
        and node.args
        and isinstance(node.args[0], ast.Constant | ast.JoinedStr)  # `ParseError("bad_money")`, `f"duplicate_…"`
    ]


def test_every_raise_in_the_product_names_a_member_not_a_text() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in PRODUCT
        for line in _calls_with_a_text_code(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert found == set()


def test_every_member_is_raised_somewhere() -> None:
    used = {
        node.attr
        for path in PRODUCT
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Problem"
    }
    assert {problem.name for problem in Problem} - used == set()
