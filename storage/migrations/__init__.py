"""Numbered schema migrations: the runner (runner.py) and the versions, grouped in modules named by their first.

A new version is one function with `@migration(N)` at the end of the last group (or a new group `from_N.py`,
imported here); `python -m storage.migrations` then rewrites storage/schema.sql, the schema they all build.
"""

from __future__ import annotations

from storage.migrations import from_01, from_07, from_13, from_23
from storage.migrations.from_23 import BOARD_BLIND, count_board_writes
from storage.migrations.runner import (
    MIGRATIONS,
    SchemaTooNewError,
    apply_migrations,
    check_numbering,
    current_version,
    latest_version,
    migration,
    refuse_newer_schema,
)

VERSION_GROUPS = (from_01, from_07, from_13, from_23)
check_numbering()

__all__ = [
    "BOARD_BLIND",
    "MIGRATIONS",
    "VERSION_GROUPS",
    "SchemaTooNewError",
    "apply_migrations",
    "count_board_writes",
    "current_version",
    "latest_version",
    "migration",
    "refuse_newer_schema",
]
