"""Numbered schema migrations: the runner (runner.py) and the versions, grouped by number in the modules below.

A new version is one function with `@migration(N)` at the end of the last group (or in a new group module,
imported here); `python -m storage.migrations` then rewrites storage/schema.sql, the schema they build.
"""

from __future__ import annotations

from storage.migrations import versions_01_06, versions_07_12, versions_13_20
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

VERSION_GROUPS = (versions_01_06, versions_07_12, versions_13_20)
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
