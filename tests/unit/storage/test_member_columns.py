"""Every table and column, after all migrations, is declared: which columns name a member, which hold their text,
which hold neither. The copy (`!mydata`), the renaming and the erasing (`!forgetme`) are derived from it, so a
table that names a member cannot escape them unnoticed."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from storage.queries.member_data import TABLES, unclassified_columns
from storage.store import Store
from tests.unit.harness import Harness


async def migrated(path: Path) -> sqlite3.Connection:
    await (await Store.open(path)).close()
    return sqlite3.connect(path)


async def test_every_column_of_every_table_is_classified(tmp_path: Path) -> None:
    with contextlib.closing(await migrated(tmp_path / "kring.db")) as conn:
        assert unclassified_columns(conn) == []


async def test_a_new_table_or_column_naming_a_member_fails_the_check(tmp_path: Path) -> None:
    with contextlib.closing(await migrated(tmp_path / "kring.db")) as conn:
        conn.execute("CREATE TABLE favourites (room_id TEXT, user_id TEXT, note TEXT)")
        conn.execute("ALTER TABLE pledges ADD COLUMN seconded_by TEXT")
        assert unclassified_columns(conn) == [
            "favourites (a table no declaration names)",
            "pledges.seconded_by",
        ]


async def test_a_declaration_naming_a_column_the_schema_lacks_fails_the_check(tmp_path: Path) -> None:
    with contextlib.closing(await migrated(tmp_path / "kring.db")) as conn:
        conn.execute("ALTER TABLE told RENAME COLUMN topic TO subject")
        assert unclassified_columns(conn) == ["told.subject", "told.topic (declared, not in the schema)"]


async def test_forgetting_leaves_the_id_in_no_declared_member_column(room: Harness) -> None:
    ann = "@ann:test"
    idea, _ = await room.say(ann, "An idea of Ann's")
    await room.react("@bob:test", idea, "👍")
    await room.say(ann, "!skills add courier planning")
    await room.say(ann, "!forgetme")
    await room.say(ann, "!forgetme confirm")
    for table in TABLES:
        for column in table.members:
            rows = await room.rows(f"SELECT count(*) FROM {table.name} WHERE {column} = ?", ann)
            assert rows == [(0,)], f"{table.name}.{column}"
