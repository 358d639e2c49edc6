"""The recovery key of new cross-signing keys goes to an owner-only file, never to standard error (issue 31)."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from bot.identity.cross_signing import announce_recovery_key

KEY = "EsTx 1234 5678 9abc defg hijk mnop qrst uvwx yzAB CDEF GHJK"


def test_the_recovery_key_is_written_to_an_owner_only_file_named_on_stderr(tmp_path: Path) -> None:
    err = io.StringIO()
    path = announce_recovery_key(err, tmp_path / "kring.db", "@kring:example.org", KEY)
    said = err.getvalue()
    assert KEY not in said and str(path) in said  # journald and `podman logs` keep stderr
    assert path.parent == tmp_path.resolve() and KEY in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
