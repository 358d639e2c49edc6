"""storage/schema.sql is the schema the migrations build, and the migrations' SQL runs statement by statement as
SQLite itself splits it, inside each migration's transaction."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from storage.migrations import MIGRATIONS, apply_migrations, latest_version
from storage.migrations.runner import check_numbering, run_script, statements
from storage.migrations.schema_file import REGENERATE, SCHEMA_FILE, migrated_schema, render


def test_schema_sql_is_the_schema_the_migrations_build() -> None:
    assert SCHEMA_FILE.read_text() == migrated_schema(), f"run `{REGENERATE}` and commit storage/schema.sql"


def test_a_new_column_or_index_makes_the_rendered_schema_differ() -> None:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        apply_migrations(conn)
        assert render(conn) == SCHEMA_FILE.read_text()
        conn.execute("ALTER TABLE pledges ADD COLUMN seconded_by TEXT")
        widened = render(conn)
        assert widened != SCHEMA_FILE.read_text()
        assert "    seconded_by TEXT,\n    PRIMARY KEY (proposal_id, user_id)\n);" in widened
        conn.execute("CREATE INDEX pledges_seconded ON pledges (seconded_by)")
        assert "CREATE INDEX pledges_seconded ON pledges (seconded_by);\n" in render(conn)


def test_schema_sql_run_on_an_empty_database_builds_the_same_schema() -> None:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        conn.executescript(SCHEMA_FILE.read_text())
        assert conn.execute("PRAGMA user_version").fetchone() == (latest_version(),)
        assert render(conn) == SCHEMA_FILE.read_text()
        columns = {
            table: conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as migrated:
        apply_migrations(migrated)
        assert columns == {
            table: migrated.execute(f"PRAGMA table_xinfo({table})").fetchall()
            for (table,) in migrated.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }


def test_the_migrations_are_numbered_without_a_gap_and_a_gap_is_refused() -> None:
    assert sorted(MIGRATIONS) == list(range(1, latest_version() + 1))
    skipped = latest_version() + 2  # as a merge that renumbered one migration but not the next would leave it
    MIGRATIONS[skipped] = lambda conn: None
    try:
        with pytest.raises(RuntimeError, match=f"missing \\[{skipped - 1}\\]"):
            check_numbering()
    finally:
        del MIGRATIONS[skipped]


def test_a_semicolon_inside_a_literal_a_comment_or_a_trigger_stays_in_its_statement() -> None:
    script = """
        CREATE TABLE notes (text TEXT NOT NULL DEFAULT 'a; b');  -- a comment; with a semicolon
        CREATE TRIGGER notes_stamp AFTER INSERT ON notes BEGIN
            UPDATE notes SET text = text || ';' WHERE rowid = new.rowid;
        END;
        INSERT INTO notes DEFAULT VALUES
        -- the last line is a comment; it ends the script
    """
    found = list(statements(script))
    assert len(found) == 3
    assert found[0] == "CREATE TABLE notes (text TEXT NOT NULL DEFAULT 'a; b')"
    assert found[1].startswith("-- a comment; with a semicolon\n        CREATE TRIGGER") and found[1].endswith("END")
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        run_script(conn, script)
        assert conn.execute("SELECT text FROM notes").fetchall() == [("a; b;",)]


def test_an_unfinished_statement_is_refused_not_cut() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        list(statements("CREATE TABLE a (x TEXT); INSERT INTO a VALUES ('unclosed;)"))


def test_a_migration_script_runs_inside_the_transaction_and_rolls_back_with_it() -> None:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        run_script(conn, "CREATE TABLE a (x TEXT); INSERT INTO a VALUES ('one; two')")
        assert conn.in_transaction
        conn.execute("ROLLBACK")
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
