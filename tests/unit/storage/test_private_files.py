"""Secrets at rest: everything Kring writes is owner-only whatever the umask, and wider files are tightened."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import warn_if_secrets_readable
from bot.ops.export import write_tables
from storage.db import hold_exclusive_lock
from storage.file_modes import UnsafeFileError, write_private_file
from storage.store import Store
from tests.unit.kring_run import KringRun

ROOT = Path(__file__).resolve().parents[3]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask 022", "umask 000"])
def permissive_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


async def test_the_database_its_journals_and_lock_are_owner_only(tmp_path: Path, permissive_umask: int) -> None:
    database = tmp_path / "kring.db"
    lock = hold_exclusive_lock(database)
    store = await Store.open(database)
    try:
        async with store.transaction():
            await store.key_values.set("matrix.login", '{"access_token": "syt_secret"}')
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}.lock")):
            assert mode(path) == 0o600, path
    finally:
        await store.close()
        lock.close()


async def test_a_database_found_readable_by_others_is_tightened_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "kring.db"
    await (await Store.open(database)).close()
    database.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        store = await Store.open(database)
    await store.close()
    assert mode(database) == 0o600
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"{database}") and line.endswith("readable by others; owner-only now")


def test_exported_tables_are_owner_only(tmp_path: Path, permissive_umask: int) -> None:
    written = write_tables({"rooms": []}, tmp_path / "books")
    assert mode(tmp_path / "books") == 0o700
    assert {mode(path) for path in written} == {0o600}


def test_a_config_with_secrets_that_others_can_read_gets_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[matrix]\npassword = "hunter2"\npickle_key = "k"\n', encoding="utf-8")
    config.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert warn_if_secrets_readable(config)
    (line,) = [r.getMessage() for r in caplog.records]
    assert "holds matrix.password, matrix.pickle_key" in line and "chmod 600" in line and "hunter2" not in line
    config.chmod(0o600)
    assert not warn_if_secrets_readable(config)
    config.write_text('[matrix]\nhomeserver = "https://hs"\n', encoding="utf-8")
    config.chmod(0o644)
    assert not warn_if_secrets_readable(config)  # nothing secret in it


def test_kring_run_keeps_its_files_owner_only_and_warns_about_a_readable_config(
    tmp_path: Path, permissive_umask: int
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "@kring:district.nl"\npassword = "secret-word"\n'
        'rooms = ["!room:district.nl"]\npickle_key = "pickle-secret"\n'
        f'[storage]\ndatabase = "{tmp_path / "kring.db"}"\n',
        encoding="utf-8",
    )
    config.chmod(0o644)
    store = tmp_path / "kring-store"
    store.mkdir(mode=0o755)
    (store / "old-keys.db").write_text("keys", encoding="utf-8")
    (store / "old-keys.db").chmod(0o644)
    kring = KringRun(config)
    kring.wait_for("retrying in")  # the store is open and the key store tightened: now it tries the homeserver
    err = kring.stop()
    assert kring.process.returncode == 0, err
    assert "holds matrix.password, matrix.pickle_key and others can read it (mode 644)" in err
    assert "secret-word" not in err and "pickle-secret" not in err
    assert mode(store) == 0o700 and mode(store / "old-keys.db") == 0o600
    written = sorted(tmp_path.glob("kring.db*"))
    assert tmp_path / "kring.db" in written and tmp_path / "kring.db.lock" in written, written
    for path in written:
        assert mode(path) == 0o600, path


def test_kring_backup_never_leaves_the_live_databases_journals_readable_by_others(tmp_path: Path) -> None:
    """Under umask 022, a database another tool left at 0644 (its -wal and -shm follow its mode): after `kring
    backup` the database, its -wal and its -shm are all owner-only."""
    old = os.umask(0o022)
    try:
        database = tmp_path / "kring.db"
        config = tmp_path / "config.toml"
        config.write_text(f'[storage]\ndatabase = "{database}"\n', encoding="utf-8")
        with contextlib.closing(sqlite3.connect(database)) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.commit()
        assert mode(database) == 0o644
        completed = subprocess.run(
            [sys.executable, "-m", "bot.cli", "backup", "-c", str(config), "--to", str(tmp_path / "backups")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr
        journals = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(path.exists() for path in journals)  # the snapshot's reader leaves them behind
        for path in (database, *journals):
            assert mode(path) == 0o600, path
        assert "readable by others; owner-only now" in completed.stderr
    finally:
        os.umask(old)


def test_a_private_file_is_never_written_through_a_symlink_planted_at_its_name(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone else's file", encoding="utf-8")
    elsewhere.chmod(0o644)
    target = tmp_path / "books"
    target.mkdir()
    (target / "pledges.csv").symlink_to(elsewhere)
    with pytest.raises(UnsafeFileError, match=r"pledges\.csv is a symbolic link"):
        write_private_file(target / "pledges.csv", b"members' pledges")
    assert elsewhere.read_text(encoding="utf-8") == "someone else's file" and mode(elsewhere) == 0o644
    (tmp_path / "dangling.json").symlink_to(tmp_path / "not-there.json")
    with pytest.raises(UnsafeFileError):
        write_private_file(tmp_path / "dangling.json", b"{}")
    assert not (tmp_path / "not-there.json").exists()
