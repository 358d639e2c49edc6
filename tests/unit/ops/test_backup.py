"""`kring backup` and `kring restore`: a snapshot taken while the store is written holds whole transactions, its
export is the live one at that moment, a restore gives the same export back, and both are refused when unsafe."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings, parse_settings
from bot.ops.backup import DATABASE_NAME, STORE_NAME, BackupError, backup, restore
from bot.ops.export import export_rooms
from storage.db import hold_exclusive_lock
from storage.snapshot import backup_database, integrity_problems, read_state
from storage.store import Store
from tests.unit.harness import Harness, make_harness
from tests.unit.ops.test_export import community

ZONE = ZoneInfo("Europe/Amsterdam")


def settings_for(folder: Path) -> Settings:
    return parse_settings({"storage": {"database": str(folder / "kring.db")}})


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{folder / "kring.db"}"\n', encoding="utf-8")
    return path


def make_database(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE keys (k TEXT)")
        conn.commit()


async def export_of(database: Path) -> str:
    store = await Store.open(database)
    try:
        return json.dumps(await export_rooms(store, ZONE), sort_keys=True)
    finally:
        await store.close()


async def test_a_snapshot_while_the_store_is_written_holds_whole_transactions(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "live")
    (tmp_path / "live").mkdir()
    store = await Store.open(settings.storage.database)
    written = 0
    stop = asyncio.Event()

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            async with store.transaction():  # two rows that only ever exist together
                await store.key_values.set(f"pair.{written}.a", "x")
                await asyncio.sleep(0)
                await store.key_values.set(f"pair.{written}.b", "x")
            written += 1

    task = asyncio.create_task(writer())
    try:
        while written < 50:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        folder = await asyncio.to_thread(backup, settings, tmp_path / "backups")
        copied_at = written
        while written < copied_at + 50:  # noqa: ASYNC110  (and the writer went on meanwhile)
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task
        await store.close()
    snapshot = folder / DATABASE_NAME
    assert integrity_problems(snapshot) == []
    keys = set(read_state(snapshot, [f"pair.{n}.{half}" for n in range(written) for half in "ab"]))
    pairs = {key.split(".")[1] for key in keys}
    assert all(f"pair.{n}.a" in keys and f"pair.{n}.b" in keys for n in pairs)
    assert 50 <= len(pairs) < written


async def test_the_snapshot_exports_as_the_live_store_did_and_restores_to_the_same(
    room: Harness, tmp_path: Path
) -> None:
    await community(room)
    settings = parse_settings({"storage": {"database": str(room.path)}})
    async with room.store.transaction():  # no other write can land between the snapshot and the live export
        folder = await asyncio.to_thread(backup, settings, tmp_path / "backups")
        live = json.dumps(await export_rooms(room.store, ZONE), sort_keys=True)
    assert '"Shared courier"' in live
    assert await export_of(folder / DATABASE_NAME) == live
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in folder.iterdir() if path.is_file())

    elsewhere = settings_for(tmp_path / "restored")
    written = (await asyncio.to_thread(restore, elsewhere, folder)).written
    assert written == [Path(elsewhere.storage.database)]
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert await export_of(written[0]) == live


def test_the_crypto_store_is_backed_up_and_restored_owner_only(tmp_path: Path) -> None:
    live = tmp_path / "live"
    settings = settings_for(live)
    (live / "kring-store").mkdir(parents=True)
    make_database(live / "kring-store" / "@kring:test_DEVICE.db")  # nio keeps the device's keys in SQLite
    (live / "kring-store" / "notes").write_text("kept as is")
    with pytest.raises(ConfigError, match="database not found"):
        backup(settings, tmp_path / "backups")
    make_database(live / "kring.db")
    folder = backup(settings, tmp_path / "backups")
    assert (folder / STORE_NAME / "notes").read_text() == "kept as is"
    assert integrity_problems(folder / STORE_NAME / "@kring:test_DEVICE.db") == []
    restore(settings_for(tmp_path / "restored"), folder)
    store = tmp_path / "restored" / "kring-store"
    assert (store / "notes").read_text() == "kept as is"
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in store.iterdir())


async def test_restore_refuses_a_running_bot_and_an_existing_database_unless_forced(
    room: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await community(room)
    config = write_config(tmp_path / "target")
    source = write_config(tmp_path / "source")
    backup_database(room.path, tmp_path / "source" / "kring.db")
    assert await asyncio.to_thread(main, ["backup", "-c", str(source), "--to", str(tmp_path / "backups")]) == 0
    (folder,) = (tmp_path / "backups").iterdir()
    assert f"kring: backed up to {folder}" in capsys.readouterr().err

    running = hold_exclusive_lock(tmp_path / "target" / "kring.db")  # as `kring run` holds it
    try:
        assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder)]) == 2
        assert "another Kring is already running" in capsys.readouterr().err
    finally:
        running.close()
    assert not (tmp_path / "target" / "kring.db").exists()

    assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder)]) == 0
    first = await export_of(tmp_path / "target" / "kring.db")
    assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder)]) == 2
    assert "already there; restore with --force" in capsys.readouterr().err
    with pytest.raises(BackupError, match="not a Kring backup"):
        restore(settings_for(tmp_path / "target"), tmp_path / "backups")  # the parent, not the backup itself
    assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder), "--force"]) == 0
    assert await export_of(tmp_path / "target" / "kring.db") == first == await export_of(room.path)


async def test_a_restore_forgets_again_whoever_was_forgotten_since_the_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backup, then `!forgetme confirm`, then `kring restore --force`: she stays forgotten, under the pseudonym the
    room was told, and the forgotten list and its key survive (a later `kring forget` knows her)."""
    live = await make_harness(tmp_path)
    await community(live)
    await live.say("@ann:test", "!skills add pharmacy logistics")
    config = write_config(tmp_path)
    assert await asyncio.to_thread(main, ["backup", "-c", str(config), "--to", str(tmp_path / "backups")]) == 0
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    assert manifest["forgotten_members"] == 0 and "kring restore forgets them again" in manifest["forgetting"]
    await live.say("@ann:test", "!forgetme")
    done = await live.reply("@ann:test", "!forgetme confirm")
    assert "“former member 1”" in done.body
    await live.store.close()
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder), "--force"]) == 0
    assert "forgot again 1 member forgotten since the backup" in capsys.readouterr().err
    restored = await export_of(tmp_path / "kring.db")
    assert "@ann:test" not in restored and "pharmacy logistics" not in restored
    assert "former member 1" in restored and "@bob:test" in restored
    data = (tmp_path / "kring.db").read_bytes()
    assert b"@ann:test" not in data and b"pharmacy logistics" not in data
    assert await asyncio.to_thread(main, ["forget", "@ann:test", "-c", str(config)]) == 0
    assert "@ann:test was forgotten before; nothing to do" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["forget", "@bob:test", "-c", str(config)]) == 0
    assert "(former member 2)" in capsys.readouterr().err  # numbering goes on after the carried-over one

    fresh = write_config(tmp_path / "fresh")  # nothing to carry the forgetting over from: the operator is told
    assert await asyncio.to_thread(main, ["restore", "-c", str(fresh), "--from", str(folder)]) == 0
    assert "no database was there to carry forgetting over from" in capsys.readouterr().err


async def test_a_restore_that_cannot_carry_the_forgetting_forward_refuses_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup of another database (its own key): the members forgotten here could not be recognised in it."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "live").mkdir()
    elsewhere = await make_harness(tmp_path / "elsewhere")
    await community(elsewhere)
    await elsewhere.say("@cas:test", "!forgetme")
    await elsewhere.say("@cas:test", "!forgetme confirm")  # it has a key of its own now
    await elsewhere.store.close()
    assert (
        await asyncio.to_thread(
            main, ["backup", "-c", str(write_config(tmp_path / "elsewhere")), "--to", str(tmp_path / "b")]
        )
        == 0
    )
    (folder,) = (tmp_path / "b").iterdir()
    live = await make_harness(tmp_path / "live")
    await community(live)
    await live.say("@ann:test", "!forgetme")
    await live.say("@ann:test", "!forgetme confirm")
    await live.store.close()
    before = (tmp_path / "live" / "kring.db").read_bytes()
    capsys.readouterr()
    config = write_config(tmp_path / "live")
    assert await asyncio.to_thread(main, ["restore", "-c", str(config), "--from", str(folder), "--force"]) == 2
    err = capsys.readouterr().err
    assert "1 member forgotten in" in err and "another key" in err and "nothing was restored" in err
    assert (tmp_path / "live" / "kring.db").read_bytes() == before
