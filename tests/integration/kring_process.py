"""`kring run` as a real subprocess against the test Synapse: config, start, stop, kill, export."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .synapse_server import SynapseServer

BOT_PASSWORD = "kring-bot-password"


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):  # an inline table
        return "{ " + ", ".join(f"{json.dumps(key)} = {_toml_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)  # JSON strings, numbers and arrays are valid TOML


class KringProcess:
    """One bot account and its database; `start()` runs `kring run` until `stop()` or `kill()`."""

    log_level = "DEBUG"

    def __init__(self, synapse: SynapseServer, base_dir: Path, localpart: str, rooms: list[str], **tables: Any) -> None:
        self.synapse = synapse
        self.base_dir = base_dir
        base_dir.mkdir(parents=True, exist_ok=True)
        self.user_id = synapse.register_user(localpart, BOT_PASSWORD, keep_device=False)  # the bot makes its own
        self.database = base_dir / "kring.db"
        self.config_path = base_dir / "config.toml"
        self.log_path = base_dir / "kring.log"
        self.rooms = rooms
        self.tables = tables
        self.process: subprocess.Popen[bytes] | None = None
        self.environment: dict[str, str] = {}  # added to the test's own, e.g. KRING_RECOVERY_KEY
        self.run_log_offset = 0  # where the current run's lines begin in the (appended) log
        self.write_config()

    def write_config(self) -> None:
        sections: dict[str, dict[str, Any]] = {
            "matrix": {
                "homeserver": self.synapse.url,
                "user_id": self.user_id,
                "password": BOT_PASSWORD,
                "pickle_key": "integration-test-pickle-key",
                "rooms": self.rooms,
            },
            "storage": {"database": str(self.database)},
            # The tests send many commands a minute from one member: the volume limits are off unless set.
            "bot": {"commands_per_minute": 0},
            "proposals": {"max_open_per_member": 0},
        }
        for table, values in self.tables.items():
            sections.setdefault(table, {}).update(values)
        lines: list[str] = []
        for table, values in sections.items():
            lines.append(f"[{table}]")
            lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
            lines.append("")
        self.config_path.write_text("\n".join(lines), encoding="utf-8")
        self.config_path.chmod(0o600)  # it holds the password (else kring run rightly warns about it)

    def start(self, *options: str) -> None:
        """`kring run` with `options` (e.g. --new-device), its output appended to the log."""
        assert self.process is None or self.process.poll() is not None, "already running"
        log = self.log_path.open("ab")
        self.run_log_offset = log.tell()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.environment}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "--log-level",
                self.log_level,
                "run",
                "-c",
                str(self.config_path),
                *options,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait: returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"kring did not stop within {timeout} s on SIGTERM:\n{self.log_tail()}") from None

    def wait_for_exit(self, within: float = 60.0) -> int:
        """Until this run ends by itself (a refusal at start): its exit code."""
        assert self.process is not None
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"kring still runs after {within} s:\n{self.log_tail()}") from None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def run_log(self) -> str:
        """What the current (or last) run logged so far."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.run_log_offset)
            return log.read().decode("utf-8", errors="replace")

    def wait_for_log(self, needle: str, within: float = 30.0) -> None:
        """Wait until the current run has logged `needle` (earlier runs in the same log do not count)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if needle in self.run_log():
                return
            if not self.running:
                raise AssertionError(f"kring exited before logging {needle!r}:\n{self.log_tail()}")
            time.sleep(0.1)
        raise AssertionError(f"kring did not log {needle!r} within {within} s:\n{self.log_tail()}")

    def stored_device(self) -> str:
        """The device of the bot's stored login."""
        with sqlite3.connect(self.database) as db:
            [(value,)] = db.execute("SELECT value FROM kv WHERE key = 'matrix.login'").fetchall()
        return str(json.loads(value)["device_id"])

    def export(self) -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "export", "-c", str(self.config_path), "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
        )
        document: dict[str, Any] = json.loads(result.stdout)
        return document
