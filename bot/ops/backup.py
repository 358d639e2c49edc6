"""`kring backup` and `kring restore`: the database (SQLite's online backup) and the crypto store, owner-only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.config import ConfigError, Settings
from bot.matrix.session import crypto_store_dir
from handlers.members.own_data import forget_member
from storage.db import hold_exclusive_lock
from storage.file_modes import (
    DIRECTORY_MODE,
    FILE_MODE,
    create_private_file,
    database_files,
    tighten_all,
    tighten_tree,
    write_private_file,
)
from storage.queries.member_data import Forgetting, KeyMismatchError, forgetting_in
from storage.snapshot import backup_database, integrity_problems, read_with
from storage.store import Store

DATABASE_NAME = "kring.db"
STORE_NAME = "kring-store"
MANIFEST_NAME = "backup.json"
FORGETTING_NOTE = (
    "Members forgotten after taken_at are still in this backup, as they were. kring restore forgets them again "
    "from the database it replaces (its forgotten list and key); restored anywhere else, forget them again with "
    "kring forget, and delete or rotate this backup on the schedule you tell members (docs/PRIVACY.md)."
)
T = TypeVar("T")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _copy_store(source: Path, target: Path) -> int:
    """The crypto store folder: its SQLite files through the online backup (nio may be writing them), the rest
    as they are. The number of files copied."""
    target.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    copied = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        destination = target / relative
        if path.is_dir():
            destination.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        elif path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # part of the SQLite file beside it, which the online backup copies whole
        elif path.suffix == ".db":
            backup_database(path, destination)
            copied += 1
        else:
            create_private_file(destination)
            shutil.copyfile(path, destination)
            copied += 1
    tighten_tree(target)
    return copied


def backup(settings: Settings, into: Path, now: datetime | None = None) -> Path:
    """A consistent snapshot of the database and a copy of the crypto store, in a new `kring-backup-<UTC time>`
    folder under `into`; safe while `kring run` serves. Returns that folder."""
    database = Path(settings.storage.database)
    if not database.exists():
        raise ConfigError(f"database not found: {database}")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    into.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    folder = into / f"kring-backup-{moment:%Y%m%dT%H%M%SZ}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = into / f"kring-backup-{moment:%Y%m%dT%H%M%SZ}-{suffix}"
    folder.mkdir(mode=DIRECTORY_MODE)
    # SQLite gives the -wal and -shm it makes the database's own mode, and the snapshot's reader leaves them
    # behind when no bot runs: owner-only before (a database another tool made wider) and after.
    tighten_all(database_files(database))
    backup_database(database, folder / DATABASE_NAME)
    tighten_all(database_files(database))
    problems = integrity_problems(folder / DATABASE_NAME)
    if problems:
        raise BackupError(f"the snapshot in {folder} fails its integrity check: {'; '.join(problems[:5])}")
    store = crypto_store_dir(settings)
    store_files = _copy_store(store, folder / STORE_NAME) if store.is_dir() else 0
    manifest = {
        "taken_at": moment.isoformat(),
        "database": str(database.resolve()),
        "store": str(store.resolve()) if store.is_dir() else None,
        "store_files": store_files,
        "forgotten_members": len(read_with(folder / DATABASE_NAME, forgetting_in).forgotten),
        "forgetting": FORGETTING_NOTE,
    }
    write_private_file(folder / MANIFEST_NAME, (json.dumps(manifest, indent=2) + "\n").encode())
    return folder


@dataclass(frozen=True)
class Restored:
    written: list[Path]
    forgotten_again: int  # members the replaced database had forgotten since the backup, forgotten in it again
    replaced: bool  # False: no database was there, so who was forgotten since the backup could not be known


def _in_a_loop_of_its_own(work: Coroutine[Any, Any, T]) -> T:
    """Run async store work from this synchronous command, whether or not the caller has an event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _forgetting_of(database: Path) -> Forgetting:
    """The forgotten members (hashes, pseudonyms, key) of the database about to be replaced."""
    if not database.exists():
        return Forgetting(None, (), 0)
    try:
        return read_with(database, forgetting_in)
    except sqlite3.Error as error:
        raise BackupError(
            f"cannot read which members {database} has forgotten ({error}), so the restore could bring them back; "
            "nothing was restored. Move it away first if it is beyond repair, then forget them again with kring forget"
        ) from None


async def _forget_again(settings: Settings, staged: Path, earlier: Forgetting) -> int:
    """In the restored copy, before it replaces anything: forget again, under the pseudonyms they were given,
    the members the replaced database forgot, and keep its forgotten list and key. How many were forgotten."""
    store = await Store.open(staged)
    try:
        now = datetime.now(UTC)
        async with store.transaction():
            again = await store.member_data.forgotten_since(earlier)
            for user_id, number in sorted(again.items()):
                await forget_member(store, settings, user_id, now, number=number)
            await store.member_data.remember_forgotten(earlier)
        await store.member_data.scrub()
        return len(again)
    finally:
        await store.close()
        # One file again, as the snapshot was: a -wal left beside the staged copy would not follow it into place.
        with contextlib.closing(sqlite3.connect(staged)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")


def restore(settings: Settings, source: Path, *, force: bool = False) -> Restored:
    """Put a backup folder's database (and crypto store) where the config says.

    Refused while a `kring run` holds the database, and when something is already there unless `force`. The
    members the replaced database has forgotten are forgotten again in the restored copy, in the same step (or
    the restore is refused, saying why, and nothing is replaced).
    """
    snapshot = source / DATABASE_NAME
    if not snapshot.is_file():
        raise BackupError(f"{source} is not a Kring backup: {snapshot} is missing")
    problems = integrity_problems(snapshot)
    if problems:
        raise BackupError(f"{snapshot} fails its integrity check: {'; '.join(problems[:5])}")
    database = Path(settings.storage.database)
    store = crypto_store_dir(settings)
    backed_up_store = source / STORE_NAME
    database.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    lock = hold_exclusive_lock(database)  # StoreLockedError while a kring runs on it
    try:
        present = [path for path in database_files(database)[:3] if path.exists()]
        if backed_up_store.is_dir() and store.is_dir() and any(store.iterdir()):
            present.append(store)
        if present and not force:
            raise BackupError(
                f"{', '.join(str(path) for path in present)} already there; restore with --force to replace "
                "(what is there now is lost: back it up first)"
            )
        replaced = database.exists()
        earlier = _forgetting_of(database)
        staged = database.with_name(f".{database.name}.restoring")
        staged.unlink(missing_ok=True)
        backup_database(snapshot, staged)
        forgotten_again = 0
        if earlier.forgotten:
            try:
                forgotten_again = _in_a_loop_of_its_own(_forget_again(settings, staged, earlier))
            except BaseException as error:
                for path in database_files(staged)[:3]:
                    path.unlink(missing_ok=True)
                if isinstance(error, KeyMismatchError):
                    count = len(earlier.forgotten)
                    raise BackupError(
                        f"{count} member{'s' if count != 1 else ''} forgotten in {database} cannot be recognised in "
                        f"{snapshot}: {error} (a backup of another database?); nothing was restored"
                    ) from None
                raise
        for stale in database_files(database)[1:3]:  # a -wal left beside would be replayed onto the backup
            stale.unlink(missing_ok=True)
        staged.replace(database)
        database.chmod(FILE_MODE)
        written = [database]
        if backed_up_store.is_dir():
            if store.exists():
                shutil.rmtree(store)
            _copy_store(backed_up_store, store)
            written.append(store)
        return Restored(written, forgotten_again, replaced)
    finally:
        lock.close()
