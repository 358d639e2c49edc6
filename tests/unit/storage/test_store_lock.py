"""Two bots on one database: the second `kring run` is refused before it touches anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import StoreLockedError, hold_exclusive_lock


def test_second_lock_on_the_same_database_is_refused_and_released_after(tmp_path: Path) -> None:
    database = tmp_path / "kring.db"
    first = hold_exclusive_lock(database)
    with pytest.raises(StoreLockedError, match="another Kring is already running"):
        hold_exclusive_lock(database)
    first.close()
    again = hold_exclusive_lock(database)  # a clean stop frees the database for the next start
    again.close()


def test_locks_on_different_databases_do_not_interfere(tmp_path: Path) -> None:
    one = hold_exclusive_lock(tmp_path / "one.db")
    two = hold_exclusive_lock(tmp_path / "two.db")
    one.close()
    two.close()
