"""`kring run` as a child process whose stderr is read as it comes, so a test waits for the line it expects."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WITHIN_S = 60.0  # only against a hang: each wait ends as soon as its line is there


class KringRun:
    """`python -m bot.cli run -c <config>`, started at once; `stop` ends it with SIGTERM like an operator."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "-c", str(config)], stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._lines.append("")  # end of output: wakes a waiter that would otherwise wait for the timeout
            self._changed.notify_all()

    def wait_for(self, needle: str, times: int = 1) -> None:
        """Until `needle` stands in `times` lines of stderr; fails if the process ends first or hangs."""

        def seen() -> bool:
            return sum(needle in line for line in self._lines) >= times or not self._reader.is_alive()

        with self._changed:
            self._changed.wait_for(seen, timeout=WITHIN_S)
            if sum(needle in line for line in self._lines) < times:
                raise AssertionError(f"kring run did not log {needle!r} {times} times:\n" + "\n".join(self._lines))

    def stop(self) -> str:
        """SIGTERM, then all it wrote to stderr."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=WITHIN_S)
        self._reader.join(timeout=WITHIN_S)
        with self._changed:
            return "\n".join(self._lines)
