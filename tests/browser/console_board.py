"""`kring console` with its board switched on, driven line by line from a test: what it prints, and its links."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.integration.helpers import free_port

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/board/in/[A-Za-z0-9_-]+)")


class ConsoleWithBoard:
    """One console process whose `[board] listen` is a free port on 127.0.0.1."""

    def __init__(self, workdir: Path, *, language: str = "en") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / "config.toml"
        config.write_text(
            f'[bot]\nlanguage = "{language}"\n\n[board]\nlisten = "127.0.0.1:{self.port}"\n', encoding="utf-8"
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "console", "-c", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=workdir,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("@you")  # the welcome line, in either language
        self._wait_for_port()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))

    def _wait_for_port(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError(f"the console's board never listened on {self.port}:\n" + "\n".join(self.output))

    def wait_for(self, needle: str, within: float = 15.0) -> str:
        deadline = time.monotonic() + within
        for line in self.output:
            if needle in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.output.append(line)
            if needle in line:
                return line
        raise AssertionError(f"the console never printed {needle!r}:\n" + "\n".join(self.output))

    def type(self, *lines: str) -> None:
        assert self.process.stdin is not None
        for line in lines:
            self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def board_link(self, user: str) -> str:
        """`!board` as `user`: the one-time link the console prints for them."""
        self.output.clear()
        self.type(f"/as {user}", "!board")
        line = self.wait_for("/board/in/")
        found = LINK.search(line)
        assert found, line
        return found[1]

    def close(self) -> None:
        if self.process.poll() is None:
            self.type("/quit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
