"""`kring backup` while `kring run` serves a burst of commands on a real Synapse, and `kring restore` of it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from storage.snapshot import integrity_problems

from .community import BotWatcher, send_text, served_room
from .helpers import MakeMember
from .kring_process import KringProcess
from .synapse_server import SynapseServer


def kring_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=60)


def backed_up(result: subprocess.CompletedProcess[str]) -> Path:
    assert result.returncode == 0, result.stderr
    return Path(result.stderr.rsplit("kring: backed up to ", 1)[1].strip())


def export(*args: str) -> dict[str, Any]:
    result = kring_cli("export", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


async def test_backup_while_serving_then_restore(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    bob = await make_member("bob")
    room_id, kring = await served_room(synapse, anna, [bob], tmp_path / "bot", processes, "kring-backup")
    watcher = BotWatcher(bob, room_id, kring.user_id)
    config = str(kring.config_path)

    # A burst of commands; the backup is taken while the bot handles them.
    for number in range(1, 9):
        await send_text(anna, room_id, f"!propose Courier {'ABCDEFGH'[number - 1]} €100 in 3 days")
        await send_text(bob, room_id, f"!backme {number} €{number}")
    during = backed_up(await asyncio.to_thread(kring_cli, "backup", "-c", config, "--to", str(tmp_path / "backups")))
    assert integrity_problems(during / "kring.db") == []
    assert (during / "kring-store").is_dir()  # the device's keys came along
    proposals_then = export("--db", str(during / "kring.db"))["rooms"]
    assert len(proposals_then) <= 1  # a consistent moment: opens and exports, whatever it had reached

    await watcher.wait_for("you back #8")
    await watcher.settle()
    assert kring.running
    idle = backed_up(await asyncio.to_thread(kring_cli, "backup", "-c", config, "--to", str(tmp_path / "backups")))
    live = export("-c", config)
    assert len(live["rooms"][0]["proposals"]) == 8
    assert export("--db", str(idle / "kring.db")) == live
    assert kring.stop() == 0, kring.log_tail()

    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "config.toml").write_text(f'[storage]\ndatabase = "{restored / "kring.db"}"\n', encoding="utf-8")
    result = await asyncio.to_thread(kring_cli, "restore", "-c", str(restored / "config.toml"), "--from", str(idle))
    assert result.returncode == 0, result.stderr
    assert (restored / "kring-store").is_dir()
    assert export("-c", str(restored / "config.toml")) == export("-c", config) == live
