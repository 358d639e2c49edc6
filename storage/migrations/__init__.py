"""Numbered schema migrations: the runner (runner.py) and the versions, grouped in modules named by their first.

A new version is one function with `@migration(N)` at the end of the last group (or a new group `from_N.py`,
imported here); `python -m storage.migrations` then rewrites storage/schema.sql, the schema they all build.
"""

from __future__ import annotations

from storage.migrations import from_01, from_07, from_13
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

VERSION_GROUPS = (from_01, from_07, from_13)
check_numbering()

__all__ = [
    "MIGRATIONS",
    "VERSION_GROUPS",
    "SchemaTooNewError",
    "apply_migrations",
    "current_version",
    "latest_version",
    "migration",
    "refuse_newer_schema",
]
