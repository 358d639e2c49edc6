"""Files only their owner may read: Kring's database, its lock and journals hold the bot's access token and
members' data. Made owner-only whatever the umask, and tightened when found wider."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
OWNER_ONLY_UMASK = 0o077


def create_private_file(path: Path) -> None:
    """Create `path` empty and owner-only if it is not there yet (an existing one is left to `tighten`)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(descriptor, FILE_MODE)  # the umask may have taken bits away, never added: make sure
    os.close(descriptor)


def tighten(path: Path) -> bool:
    """Make an existing file or directory owner-only; True when it was wider (and is logged once)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    wanted = DIRECTORY_MODE if path.is_dir() else FILE_MODE
    if mode & 0o077 == 0:
        return False
    path.chmod(mode & ~0o077 | (wanted & 0o700))
    log.warning("%s was readable by others (mode %o); it is owner-only now (%o)", path, mode, wanted)
    return True


def tighten_tree(directory: Path) -> None:
    """The directory and everything below it owner-only."""
    tighten(directory)
    for path in sorted(directory.rglob("*")):
        tighten(path)


def database_files(database: str | Path) -> list[Path]:
    """The database and the files SQLite and Kring keep beside it."""
    base = Path(database)
    return [base, *(Path(f"{base}{suffix}") for suffix in ("-wal", "-shm", ".lock"))]
