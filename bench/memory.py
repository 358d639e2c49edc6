"""Memory of `kring run` serving 100 rooms after ingesting 100 000 events (VmRSS of the process)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from subprocess import Popen
from typing import Any

from bench.shapes import BOT_ID, PER_ROOM_PER_BODY, STEP_MS, community, count_events, initial_body, room_id
from bench.shapes import sync_bodies as room_bodies
from bench.stub_homeserver import StubHomeserver
from bench.timing import rounded

ROOMS = 100
MEMBERS = 20
ROOMS_PER_BODY = 10  # a busy hour: ten rooms with a hundred new events each in one sync
QUIET_S = 2.0


def bodies(events: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The rooms' events in syncs of ten rooms each; rooms take turns, as activity moves around."""
    per_room = events // ROOMS
    story = community(ROOMS, per_room, MEMBERS, seed=17)
    start_ms = int(time.time() * 1000) - per_room * STEP_MS - 3_600_000
    out: list[dict[str, Any]] = []
    groups = [list(range(first, first + ROOMS_PER_BODY)) for first in range(0, ROOMS, ROOMS_PER_BODY)]
    per_group = [list(room_bodies([story[r] for r in group], start_ms)) for group in groups]
    for turn in range(-(-per_room // PER_ROOM_PER_BODY)):
        for group_bodies in per_group:
            body = group_bodies[turn]
            body["next_batch"] = f"m{len(out) + 1}"
            out.append(body)
    return initial_body(ROOMS, MEMBERS, start_ms), out


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM … of a process in kB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.startswith("Vm") and value.strip().endswith("kB"):
            fields[key] = int(value.split()[0])
    return fields


def _config(workdir: Path, homeserver: str, rooms_served: int = ROOMS) -> Path:
    rooms = json.dumps([room_id(r) for r in range(rooms_served)])
    path = workdir / "config.toml"
    path.write_text(
        f'[matrix]\nhomeserver = "{homeserver}"\nuser_id = "{BOT_ID}"\npassword = "bench-password"\n'
        f'pickle_key = "bench-pickle-key"\nrooms = {rooms}\n\n[storage]\ndatabase = "{workdir / "kring.db"}"\n',
        encoding="utf-8",
    )
    return path


def start_kring(workdir: Path, homeserver: str, rooms_served: int = ROOMS) -> subprocess.Popen[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    config = _config(workdir, homeserver, rooms_served)
    with (workdir / "kring.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "--log-level", "INFO", "run", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


@asynccontextmanager
async def kring_on(stub: StubHomeserver, workdir: Path, rooms_served: int = ROOMS) -> AsyncIterator[Popen[bytes]]:
    """`kring run` against the started stub homeserver; stopped (and the stub too) when the block ends. The stub
    must have been asked only what it knows: anything else would make the figures those of another path."""
    process = start_kring(workdir, stub.url, rooms_served)
    try:
        yield process
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 30)
        await stub.stop()
    if stub.unknown:
        raise RuntimeError(f"the stub homeserver was asked for {sorted(set(stub.unknown))}")


async def until_quiet(stub: StubHomeserver, drained_within: float) -> None:
    """Until every prepared body was handed out and the bot has sent nothing for QUIET_S (its replies are out)."""
    await asyncio.wait_for(stub.drained.wait(), timeout=drained_within)
    while time.monotonic() - stub.last_send < QUIET_S:  # noqa: ASYNC110  (polling what another process sends)
        await asyncio.sleep(0.2)


async def measure(workdir: Path, events: int) -> dict[str, Any]:
    initial, prepared = bodies(events)
    count = count_events(prepared)
    stub = StubHomeserver(BOT_ID, initial, prepared)
    await stub.start()
    async with kring_on(stub, workdir) as process:
        await until_quiet(stub, drained_within=1800)
        status = status_kb(process.pid)
    assert stub.first_body_at is not None and stub.drained_at is not None
    return {
        "rss_mb": rounded(status["VmRSS"] / 1024),
        "rss_peak_mb": rounded(status["VmHWM"] / 1024),
        "rss_rooms": ROOMS,
        "rss_events": count,
        "live_ingest_events_per_s": rounded(count / (stub.drained_at - stub.first_body_at)),
        "live_replies_sent": stub.sends,
    }
