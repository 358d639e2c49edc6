"""Files only their owner may read: Kring's database, its lock and journals hold the bot's access token and
members' data. Made owner-only whatever the umask, and tightened when found wider."""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
OWNER_ONLY_UMASK = 0o077


class UnsafeFileError(OSError):
    """Something other than a plain file stands where Kring would write members' data (a symlink planted there)."""


def create_private_file(path: Path) -> None:
    """Create `path` empty and owner-only if it is not there yet (an existing one is left to `tighten`)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(descriptor, FILE_MODE)  # the umask may have taken bits away, never added: make sure
    os.close(descriptor)


def write_private_file(path: Path, payload: bytes) -> None:
    """Write `path` owner-only (members' data, for one reader's eyes), replacing an older file of that name.

    Never through a symbolic link planted at that name (it would write the data wherever the link points):
    UnsafeFileError, and nothing is written."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    except OSError as error:
        if path.is_symlink():
            raise UnsafeFileError(
                errno.ELOOP, f"{path} is a symbolic link; members' data is not written through it (remove it)"
            ) from error
        raise
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnsafeFileError(errno.EINVAL, f"{path} is not a plain file; members' data is not written there")
        os.fchmod(descriptor, FILE_MODE)  # an older file of that name may have been wider
        os.ftruncate(descriptor, 0)
        view = memoryview(payload)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def tighten(path: Path) -> bool:
    """Make an existing file or directory owner-only; True when it was wider."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if mode & 0o077 == 0:
        return False
    path.chmod(mode & 0o700)
    return True


def tighten_all(paths: Iterable[Path]) -> list[Path]:
    """Make each of `paths` owner-only, saying in one log line which were not."""
    tightened = [path for path in paths if tighten(path)]
    if tightened:
        log.warning(
            "%s %s readable by others; owner-only now",
            ", ".join(str(path) for path in tightened),
            "was" if len(tightened) == 1 else "were",
        )
    return tightened


def tighten_tree(directory: Path) -> list[Path]:
    """The directory and everything below it owner-only (one log line for all that were not)."""
    return tighten_all([directory, *sorted(directory.rglob("*"))])


def database_files(database: str | Path) -> list[Path]:
    """The database and the files SQLite and Kring keep beside it."""
    base = Path(database)
    return [base, *(Path(f"{base}{suffix}") for suffix in ("-wal", "-shm", ".lock"))]
