"""storage/schema.sql: the schema all migrations together build, written out so it reads in one place.

`python -m storage.migrations` rewrites it; tests/unit/storage/test_schema_file.py fails when it differs from what
the migrations build. Tables come in name order, each followed by its indexes (and triggers) in name order; the
text is SQLite's own, laid out one column per line (ALTER TABLE appends columns to a table's text on one line).
Run as a script on an empty database, it builds the same schema.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from storage.migrations.runner import apply_migrations, current_version

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.sql"
REGENERATE = "python -m storage.migrations"
INDENT = "    "
LINE = 120
_NAME = re.compile(r'^CREATE TABLE "([a-z_][a-z0-9_]*)"', re.IGNORECASE)  # SQLite quotes a renamed table's name
_CONSTRAINT = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")


def migrated_schema() -> str:
    """The text of schema.sql as the migrations of this code build it (on an empty database in memory)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        apply_migrations(conn)
        return render(conn)
    finally:
        conn.close()


def render(conn: sqlite3.Connection) -> str:
    """The schema a database holds, as a script that builds it again, in a stable order and layout."""
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    tables = sorted((name, sql) for kind, name, _, sql in rows if kind == "table")
    parts = [
        f"-- The schema Kring's migrations build (version {current_version(conn)}, below): generated, do not edit.\n"
        f"-- Change it with a new migration in storage/migrations/, then run `{REGENERATE}`.\n"
    ]
    for table, sql in tables:
        attached = sorted((kind, name, sql) for kind, name, owner, sql in rows if owner == table and kind != "table")
        parts.append(_table(sql) + "".join(_one_statement(sql) for _, _, sql in attached))
    views = sorted((name, sql) for kind, name, _, sql in rows if kind == "view")
    parts.extend(_one_statement(sql) for _, sql in views)
    parts.append(f"PRAGMA user_version = {current_version(conn)};\n")
    return "\n".join(parts)


def _table(sql: str) -> str:
    opening, body = sql.split("(", 1)
    header = _NAME.sub(r"CREATE TABLE \1", _collapse(opening))
    items = [_collapse(item) for item in _top_level_items(body.rstrip().removesuffix(")"))]
    columns = [item for item in items if not item.upper().startswith(_CONSTRAINT)]
    width = max(len(item.split(" ", 1)[0]) for item in columns)
    lines = []
    for item in items:
        if item in columns and " " in item:
            name, definition = item.split(" ", 1)
            item = f"{name.ljust(width)} {definition}"
        lines.append(INDENT + item)
    return f"{header} (\n" + ",\n".join(lines) + "\n);\n"


def _one_statement(sql: str) -> str:
    text = _collapse(sql)
    if len(text) > LINE and " WHERE " in text:
        head, where = text.rsplit(" WHERE ", 1)
        text = f"{head}\n{INDENT}WHERE {where}"
    return f"{text};\n"


def _scan(text: str) -> list[tuple[str, bool]]:
    """Each character with whether it lies outside quotes (string literals and quoted names keep their spaces);
    an opening quote counts as outside, its closing one as inside."""
    closing = {"'": "'", '"': '"', "`": "`", "[": "]"}
    scanned: list[tuple[str, bool]] = []
    quote: str | None = None
    for char in text:
        if quote is not None:
            scanned.append((char, False))
            if char == quote:
                quote = None
        else:
            scanned.append((char, True))  # an opening quote is still outside
            quote = closing.get(char)
    return scanned


def _collapse(text: str) -> str:
    """Runs of whitespace outside quotes become one space; no space just inside parentheses."""
    out: list[str] = []
    for char, outside in _scan(text.strip()):
        if outside and char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        if outside and char == ")" and out and out[-1] == " ":
            out.pop()
        if out and out[-1] == " " and len(out) > 1 and out[-2] == "(" and outside:
            out.pop()
        out.append(char)
    return "".join(out).strip()


def _top_level_items(body: str) -> list[str]:
    """A table's column definitions and constraints: split on the commas outside parentheses and quotes."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char, outside in _scan(body):
        if outside and char == "(":
            depth += 1
        elif outside and char == ")":
            depth -= 1
        elif outside and char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def main() -> None:
    SCHEMA_FILE.write_text(migrated_schema())
    print(f"wrote {SCHEMA_FILE.name}")
