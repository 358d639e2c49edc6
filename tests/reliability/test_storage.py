"""Storage faults in `kring run`: a second bot on the same database, a database from a newer Kring, and the
database locked by another process while the bot stores a batch (disk full at every call is test_disk_full.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from nio import AsyncClient, LoginResponse

from storage.migrations import latest_version
from tests.integration.community import send_text
from tests.integration.kring_process import BOT_PASSWORD, KringProcess
from tests.integration.synapse_server import SynapseServer

from .burst import play, pledge_scripts, reaction_scripts
from .conftest import Figures, MakeProxy
from .matrix_kit import MakeMemberOn, community, position, start
from .model import Sent
from .scenario import check_the_books


def _run(config: Path, within: float = 30.0) -> subprocess.CompletedProcess[str]:
    """`kring run -c config`, expected to stop by itself; a bot that keeps running is killed and reported."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "-c", str(config)],
            capture_output=True,
            text=True,
            timeout=within,
        )
    except subprocess.TimeoutExpired as running:
        raise AssertionError(f"the second bot was not refused; it ran:\n{running.stderr!r}") from None


async def test_a_second_bot_on_the_same_database_is_refused(
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    room = await community(synapse, member_on, tmp_path, processes, members=1, bot_name="kring-first")
    await start(room.bot)
    before = await send_text(room.members[0], room.room_id, "!backme 1")
    await room.watcher.wait_for_reply(before)
    database = room.bot.database
    (database.parent / "sub").mkdir()
    (database.parent / "alias.db").symlink_to(database)
    spellings = {
        "the same path": database,
        "a symlink to it": database.parent / "alias.db",
        "a path through ..": database.parent / "sub" / ".." / database.name,
    }
    config = room.bot.config_path.read_text(encoding="utf-8")
    refused = 0
    for n, path in enumerate(spellings.values()):
        second = tmp_path / f"second-{n}.toml"
        second.write_text(config.replace(json.dumps(str(database)), json.dumps(str(path))), encoding="utf-8")
        second.chmod(0o600)  # it holds the password (else kring run rightly warns about it)
        result = await asyncio.to_thread(_run, second)
        assert result.returncode == 2, (path, result.returncode, result.stderr[-2000:])
        assert result.stderr.count("\n") == 1 and "another Kring is already running" in result.stderr, result.stderr
        refused += 1

    # The first bot is unharmed and its database intact.
    after = await send_text(room.members[0], room.room_id, "!rep")
    await room.watcher.wait_for_reply(after)
    assert room.bot.stop() == 0
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert len(room.watcher.replies_to(before)) == 1 and len(room.watcher.replies_to(after)) == 1
    figures.record(
        "a second `kring run` on the same database (same path, symlink, path with ..)",
        times=len(spellings),
        sent=len(spellings),
        counted=0,
        lost=0,
        duplicated=len(spellings) - refused,
        test="test_a_second_bot_on_the_same_database_is_refused (second bots started / refused)",
    )


def test_a_database_from_a_newer_kring_is_refused_untouched(tmp_path: Path, figures: Figures) -> None:
    database = tmp_path / "kring.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    config = tmp_path / "config.toml"
    config.write_text(
        "[matrix]\n"
        'homeserver = "http://127.0.0.1:9"\nuser_id = "@kring:localhost"\npassword = "secret"\n'
        'pickle_key = "pickle"\nrooms = ["!room:localhost"]\n'
        f"[storage]\ndatabase = {json.dumps(str(database))}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)  # it holds the password (else kring run rightly warns about it)
    result = _run(config)
    assert result.returncode == 2, result.stderr[-2000:]
    assert (
        result.stderr.startswith("kring: ") and "schema version" in result.stderr and "upgrade Kring" in result.stderr
    )
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    figures.record(
        "`kring run` on a database from a newer Kring",
        times=1,
        sent=1,
        counted=0,
        lost=0,
        duplicated=0,
        test="test_a_database_from_a_newer_kring_is_refused_untouched (refused, file unchanged)",
    )


class Locker:
    """Another process holding the database's write lock (an operator's sqlite3 shell, a backup tool)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> Locker:
        self.conn = sqlite3.connect(self.database, isolation_level=None, timeout=30)
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.conn is not None
        self.conn.execute("ROLLBACK")
        self.conn.close()


LOCKED_S = 6  # longer than the bot's busy_timeout of 5 s: its transaction fails and is retried


async def test_a_locked_database_delays_batches_and_loses_nothing(
    synapse: SynapseServer,
    member_on: MakeMemberOn,
    make_proxy: MakeProxy,
    tmp_path: Path,
    processes: list[KringProcess],
    figures: Figures,
) -> None:
    proxy = await make_proxy(synapse)
    room = await community(
        synapse, member_on, tmp_path, processes, members=6, bot_name="kring-locked", homeserver=proxy.url
    )
    since = await position(room.owner)
    idea = await send_text(room.owner, room.room_id, "Shall we share a van?")  # before the bot's first start
    # The bot's account is in the room already (an operator accepted the invite in a client, or starts over
    # with a new database): its very first sync brings the room's history, which must be remembered.
    account = AsyncClient(synapse.url, room.bot.user_id)
    assert isinstance(await account.login(BOT_PASSWORD), LoginResponse)
    await account.join(room.room_id)
    await account.logout()
    await account.close()

    # The very first batch (the room's history) meets a locked database.
    proxy.hold("/sync")
    room.bot.start()
    await proxy.wait_held(within=60)
    with Locker(room.bot.database):
        proxy.release()
        await asyncio.sleep(LOCKED_S)
    await asyncio.to_thread(room.bot.wait_for_log, "ready:", 60)
    failures = room.bot.run_log().count("handling a sync batch failed")
    assert failures >= 1, "the lock did not hit the first batch"

    # Later batches meet it too, in the middle of a burst.
    await send_text(room.owner, room.room_id, "!propose Shared van €300 in 10 days")
    await room.watcher.wait_for("New proposal #1:")
    rng = random.Random(7)
    scripts = reaction_scripts(rng, room.members[:4], [idea], reactions=16, daily_cap=20, spammers=0)
    scripts += pledge_scripts(rng, room.members[4:], [1], 8)
    sent = Sent()
    await play(scripts, room.room_id, sent, upto=0.3)
    with Locker(room.bot.database):
        locked = time.monotonic()
        await play(scripts, room.room_id, sent)
        await asyncio.sleep(max(0.0, LOCKED_S - (time.monotonic() - locked)))
    outcome = await check_the_books(
        room,
        sent,
        since,
        20,
        figures,
        f"database write-locked by another process for {LOCKED_S} s, twice (first batch, mid-burst)",
        times=2,
    )
    log = room.bot.log_path.read_text(errors="replace")
    retried = log.count("handling a sync batch failed") + log.count("sending failed (OperationalError")
    assert retried > failures, "the second lock hit no transaction"
    assert outcome.counted == outcome.sent
