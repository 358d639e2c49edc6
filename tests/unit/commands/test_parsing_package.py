"""The input language's package: small modules that say what they hold, one front door, and nothing impure."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import tomllib
from pathlib import Path

import handlers
import handlers.parsing

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "handlers" / "parsing"
OUTSIDE = [
    path
    for folder in ("bot", "handlers", "storage", "bench", "tests")
    for path in (ROOT / folder).rglob("*.py")
    if PACKAGE not in path.parents
]


def test_every_module_is_small_and_says_what_it_holds() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 500, path.name
        assert ast.get_docstring(ast.parse(text)), path.name


def test_the_front_door_names_everything_others_import() -> None:
    imported = {
        alias.name
        for path in OUTSIDE
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "handlers.parsing"
        for alias in node.names
    }
    assert imported - set(handlers.parsing.__all__) == set()
    assert all(hasattr(handlers.parsing, name) for name in handlers.parsing.__all__)


def test_the_product_imports_the_package_only_through_its_front_door() -> None:
    """Tests may look inside (the words test reads every declaration); the product goes through `__init__`."""
    inside = {
        f"{path.relative_to(ROOT)}: {node.module}"
        for path in OUTSIDE
        if path.parts[len(ROOT.parts)] != "tests"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers.parsing.")
    }
    assert inside == set()


def test_every_module_names_its_public_parts() -> None:
    for info in pkgutil.iter_modules(handlers.parsing.__path__):
        module = importlib.import_module(f"handlers.parsing.{info.name}")
        assert all(hasattr(module, name) for name in module.__all__), info.name


def test_the_purity_contract_forbids_every_other_part_of_the_bot() -> None:
    """A new package under handlers/ is forbidden to the parser too, without anyone remembering to add it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if c.get("source_modules") == ["handlers.parsing"])
    assert pure["type"] == "forbidden"
    siblings = {f"handlers.{info.name}" for info in pkgutil.iter_modules(handlers.__path__) if info.name != "parsing"}
    assert set(pure["forbidden_modules"]) == siblings | {"bot", "storage"}
