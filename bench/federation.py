"""How far one `kring run` goes: 1 000 rooms of 20 members, its memory, its first sync and its CPU while idle."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from bench.memory import kring_on, status_kb, until_quiet
from bench.shapes import BOT_ID, community, initial_body
from bench.shapes import sync_bodies as room_bodies
from bench.stub_homeserver import StubHomeserver
from bench.timing import rounded

ROOMS = 1_000
MEMBERS = 20
ACTIVE_ROOMS = 100  # after the first sync, a hundred rooms say something (10 events each), then all is quiet


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bodies() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start_ms = int(time.time() * 1000) - 7_200_000
    story = community(ACTIVE_ROOMS, 10, MEMBERS, seed=23)
    out = list(room_bodies(story, start_ms))
    for number, body in enumerate(out, start=1):
        body["next_batch"] = f"m{number}"
    return initial_body(ROOMS, MEMBERS, start_ms), out


async def measure(workdir: Path, idle_s: float) -> dict[str, Any]:
    initial, prepared = bodies()
    stub = StubHomeserver(BOT_ID, initial, prepared)
    await stub.start()
    started = time.monotonic()
    async with kring_on(stub, workdir, ROOMS) as process:
        log = workdir / "kring.log"
        while "ready:" not in (log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""):
            if process.poll() is not None:
                raise RuntimeError(f"kring exited during its first sync; see {log}")
            await asyncio.sleep(0.1)
        first_sync_s = time.monotonic() - started
        await until_quiet(stub, drained_within=600)
        cpu_before, idle_from = _cpu_seconds(process.pid), time.monotonic()
        await asyncio.sleep(idle_s)
        idle_cpu = (_cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - idle_from)
        status = status_kb(process.pid)
    return {
        "federation_rooms": ROOMS,
        "federation_members_per_room": MEMBERS,
        "federation_rss_mb": rounded(status["VmRSS"] / 1024),
        "federation_rss_peak_mb": rounded(status["VmHWM"] / 1024),
        "federation_first_sync_s": rounded(first_sync_s),
        "federation_idle_cpu_percent": rounded(idle_cpu * 100),
        "federation_idle_window_s": idle_s,
    }
