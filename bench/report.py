"""docs/PERFORMANCE.md from one run's figures: the machine, the date, how to rerun, and what each figure means."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    figure: str
    text: str
    met: Callable[[float], bool]


TARGETS = (
    Target("ingest_vs_nio_parse", "≥ 0.8", lambda v: v >= 0.8),
    Target("command_latency_ms_p50", "≤ 5 ms", lambda v: v <= 5),
    Target("roundtrip_vs_echo", "≤ 1.5", lambda v: v <= 1.5),
    Target("catchup_vs_pagination", "≤ 1.1", lambda v: v <= 1.1),
    Target("rss_mb", "≤ 120 MB", lambda v: v <= 120),
    Target("federation_rss_mb", "≤ 200 MB", lambda v: v <= 200),
    Target("federation_first_sync_s", "≤ 60 s", lambda v: v <= 60),
    Target("federation_idle_cpu_percent", "≤ 1 %", lambda v: v <= 1),
    Target("board_page_after_write_vs_command", "≤ 1", lambda v: v <= 1),
    Target("board_page_vs_command", "≤ 1", lambda v: v <= 1),
)

ROWS: tuple[tuple[str, str | None, str, str | None, str | None], ...] = (
    (
        "Ingest (bot's whole sync handling)",
        "ingest_events_per_s",
        "events/s",
        "nio_parse_events_per_s",
        "ingest_vs_nio_parse",
    ),
    ("Ingest without commands", None, "", None, "ingest_vs_nio_parse_without_commands"),
    ("Ingest: share of its time inside SQLite", "ingest_share_in_sqlite", "", None, None),
    ("Ingest ceiling: parse + Kring's SQLite statements, nothing else", None, "", None, "ingest_ceiling_vs_nio_parse"),
    ("SQLite, same rows, executemany in one transaction", "sqlite_batched_rows_per_s", "rows/s", None, None),
    ("Command latency p50 (1 M credits, 10 000 proposals)", "command_latency_ms_p50", "ms", None, None),
    ("Command latency p99", "command_latency_ms_p99", "ms", None, None),
    ("Command latency p50, metrics on", "command_latency_ms_p50_metrics_on", "ms", "command_latency_ms_p50", None),
    ("Command latency p99, metrics on", "command_latency_ms_p99_metrics_on", "ms", "command_latency_ms_p99", None),
    ("Round trip `!proposal 1` on Synapse, p50", "roundtrip_ms_p50", "ms", "synapse_echo_ms_p50", "roundtrip_vs_echo"),
    ("Catch-up after downtime", "catchup_s", "s", "synapse_pagination_s", "catchup_vs_pagination"),
    ("Memory of `kring run`, 100 rooms", "rss_mb", "MB", None, None),
    ("Memory of `kring run`, 1 000 rooms of 20 members", "federation_rss_mb", "MB", None, None),
    ("First sync handled, 1 000 rooms (from start)", "federation_first_sync_s", "s", None, None),
    ("CPU while idle, 1 000 rooms (% of one core)", "federation_idle_cpu_percent", "%", None, None),
    (
        "`GET /board`, store unchanged since the last look, p50",
        "board_page_ms_p50",
        "ms",
        "board_proposals_command_ms_p50",
        "board_page_vs_command",
    ),
    (
        "`GET /board` right after a write (a sync token), p50",
        "board_page_after_write_ms_p50",
        "ms",
        "board_proposals_command_ms_p50",
        "board_page_after_write_vs_command",
    ),
    (
        "`GET /board` right after a write the board shows, p50",
        "board_page_after_board_write_ms_p50",
        "ms",
        "board_proposals_command_ms_p50",
        "board_page_after_board_write_vs_command",
    ),
)


def machine() -> dict[str, str]:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f"{total_kb / 1024 / 1024:.0f} GB RAM"
    return {
        "cpu": f"{model}, {os.cpu_count()} cores, {memory}",
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "matrix-nio": _version("matrix-nio"),
        "matrix-synapse": _version("matrix-synapse"),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _value(figures: dict[str, Any], key: str | None) -> str:
    if key is None or key not in figures:
        return ""
    return f"{figures[key]:,}".replace(",", " ")


def _verdict(figures: dict[str, Any], key: str | None) -> str:
    for target in TARGETS:
        if key == target.figure and key in figures:
            return f"{target.text}: {'met' if target.met(float(figures[key])) else '**missed**'}"
    return ""


def _table(figures: dict[str, Any]) -> list[str]:
    lines = ["| figure | value | baseline (same run) | ratio | target |", "|---|---|---|---|---|"]
    for title, key, unit, baseline, ratio in ROWS:
        target_key = ratio or key
        lines.append(
            f"| {title} | {_value(figures, key)} {unit} | {_value(figures, baseline)} | {_value(figures, ratio)} "
            f"| {_verdict(figures, target_key)} |"
        )
    return lines


def _queries(figures: dict[str, Any]) -> list[str]:
    query_ms: dict[str, dict[str, float]] = figures.get("query_ms", {})
    sizes = list(next(iter(query_ms.values()), {}).keys())
    lines = ["| command | " + " | ".join(f"{size} credits" for size in sizes) + " |"]
    lines.append("|---|" + "---|" * len(sizes))
    for command, costs in query_ms.items():
        lines.append(f"| `{command}` | " + " | ".join(f"{costs[size]} ms" for size in sizes) + " |")
    return lines


def write(path: Path, figures: dict[str, Any], *, quick: bool, elapsed_s: float) -> None:
    about = machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "`python -m bench --quick --write-doc`" if quick else "`python -m bench --write-doc` (full run)"
    text = "\n".join(
        [
            "# Kring performance",
            "",
            f"Measured {when} with {mode} in {elapsed_s / 60:.1f} minutes, on {about['cpu']}; {about['system']}, "
            f"Python {about['python']}, SQLite {about['sqlite']}, matrix-nio {about['matrix-nio']}, "
            f"Synapse {about['matrix-synapse']}. Shared virtual machines vary a lot from minute to minute (the "
            "same loop can take twice as long), which is why every figure that has a baseline is measured beside "
            "it in the same run: read the ratios first.",
            "",
            "Rerun: `pip install -e '.[test]'`, then `python -m bench` (4–15 minutes, depending on the machine) or "
            "`python -m bench --quick` (under 5 minutes: 10 000 events instead of 100 000 for ingest, 1 000 "
            "instead of 10 000 missed events for catch-up). It prints the figures as JSON; `--write-doc` rewrites "
            "this page. Benchmarks report; they never fail a build.",
            "",
            *_table(figures),
            "",
            "Listing commands at growing store sizes (median time from command to reply handed to the client; "
            "10 000 proposals in every store):",
            "",
            *_queries(figures),
            "",
            *DEFINITIONS,
            "",
            *board_section(figures),
            "",
            *_how_far(figures),
            "",
            "## The figures of this run",
            "",
            "```json",
            _json(figures),
            "```",
            "",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def board_ratios(figures: dict[str, Any]) -> dict[str, float]:
    """Each board figure over `!proposals` in the same run (below 1: the board is the faster)."""
    command = figures.get("board_proposals_command_ms_p50")
    if not command:
        return {}
    ratios = {}
    for figure in ("board_page", "board_page_after_write", "board_page_after_board_write"):
        if f"{figure}_ms_p50" in figures:
            ratios[f"{figure}_vs_command"] = round(figures[f"{figure}_ms_p50"] / command, 2)
    return ratios


def board_section(figures: dict[str, Any]) -> list[str]:
    def cell(key: str) -> str:
        return f"{_value(figures, key)} ms" if key in figures else "not measured"

    rows = [
        ("`GET /board` for one member, store unchanged since the last look", "board_page_ms"),
        (
            "`GET /board` right after a write the board cannot show (a sync token, as after a chat message)",
            "board_page_after_write_ms",
        ),
        (
            "`GET /board` right after a write to a table the board reads (read and rendered again)",
            "board_page_after_board_write_ms",
        ),
        ("`!proposals`, from its parsed event to its reply handed to the client", "board_proposals_command_ms"),
    ]
    return [
        "## The board beside a command",
        "",
        "bench/board.py: one store with 1 M credits and 10 000 proposals (20 open, 2–8 pledges each; about 5 000 "
        "underway), in one process. A look is `GET /board` as a browser on the same machine sees it (server time "
        "plus a loopback round trip). Three kinds of look take turns: on a store unchanged since the look before, "
        "right after a write the board cannot show, and right after a write to a table it reads.",
        "",
        "| figure | p50 | p99 |",
        "|---|---|---|",
        *(f"| {title} | {cell(key + '_p50')} | {cell(key + '_p99')} |" for title, key in rows),
        "",
        "What every member of a room sees alike (the open proposals with every backer and the bars, the 10 "
        "underway decided last, a page of 20 from the archive, needs, talents and the leaderboard) is read and "
        "rendered once and kept (`bot/board/cache.py`) until a table the board reads is written or the minute "
        "turns (the time left); each look reads only the viewer's own part and puts the page together. Which "
        "writes count is kept by SQLite triggers on every table except those named blind "
        "(`storage.migrations.BOARD_BLIND`: the sync token and other keys, chat, the outbox, sign-ins, the "
        "schedule); tests/unit/test_board_writes.py reads what the board reads through SQLite's authorizer and "
        "fails if any of it goes uncounted. So in a busy room, where most writes are chat and sync tokens, a "
        "look after them costs what a look at an unchanged store costs; a look after a pledge, a reaction or a "
        "new member reads and renders the room's part again.",
    ]


def _how_far(figures: dict[str, Any]) -> list[str]:
    rss = figures.get("federation_rss_mb", "?")
    first = figures.get("federation_first_sync_s", "?")
    idle = figures.get("federation_idle_cpu_percent", "?")
    return [
        "## How far one process goes",
        "",
        f"One `kring run` serving 1 000 rooms of 20 members each held {rss} MB, handled its first sync {first} s "
        f"after it started and used {idle} % of one core while idle (a long poll on /sync, nothing else). The stub "
        "homeserver answers at once: against a real one the very first sync also waits for the homeserver to put "
        "1 000 rooms' state together (later starts sync from the stored token). What limits one process is its "
        "memory (nio keeps every room's members and power levels), its one event loop and its one SQLite writer: "
        "every batch of every room is handled in "
        "turn, so a burst in one room delays the replies in all others (the ingest figure says how many events a "
        "second that is).",
        "",
        "Beyond that — thousands of rooms, or communities that should not wait for one another — run one process "
        "per group of rooms (up to about a thousand each): each with its own `matrix.rooms`, its own "
        "`storage.database` and its own `matrix.store_path`, and best its own bot account (two processes on one "
        "account would each see the other's rooms in every sync). Two processes never share a database: Kring "
        "refuses to start on a database another one holds. Each is checked (`kring check`) and backed up "
        "(`kring backup`) on its own, and with `[metrics] listen` on its own port one Prometheus scrapes them all.",
    ]


def _json(figures: dict[str, Any]) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False)


DEFINITIONS = [
    "## What is measured",
    "",
    "- **Ingest** (`ingest_*`, bench/ingest.py). /sync bodies shaped as Synapse sends them with our filter (up to "
    "100 timeline events per room, ten busy rooms per body, 40 members) carry N events: per 100, about 30 chat "
    "messages, 60 reactions (up, down and other emoji), 6 redactions of reactions and 4 commands (`!backme`, "
    "`!proposal`, `!top`, `!rep`, `!proposals`, `!ideas`, now and then `!propose`). For each body, side by side: "
    "nio's bare `SyncResponse.from_dict` (the baseline), then the bot's real handling of the same body — "
    "`SyncResponse.from_dict`, an unconnected nio `AsyncClient.receive_response`, `SyncLoop.process` into a "
    "fresh SQLite store (credits, reputation, scores, replies queued in the outbox, sync token). "
    "`ingest_vs_nio_parse` = parse time ÷ ingest time; since ingest includes the same parse, 1.0 would mean "
    "Kring costs nothing, and 0.8 means Kring adds a quarter to what nio's parse costs. "
    "`ingest_vs_nio_parse_without_commands` is the same with the commands left out (the per-batch path alone). "
    "`ingest_share_in_sqlite` is the part of the ingest time spent inside SQLite calls on aiosqlite's thread "
    "(the event loop waits meanwhile); `ingest_vs_nio_parse_outside_sqlite` is the ratio if those calls took no "
    "time, and `ingest_ceiling_vs_nio_parse` = parse ÷ (parse + time inside SQLite) is the best ratio the same "
    "statements allow even if everything else Kring does took no time. The bot commits once per /sync batch "
    "(the sync token with its effects, so nothing is lost or counted twice after a crash); event ids are random, "
    "so each batch dirties pages all over the event-id indexes, and that write cost grows with the store. "
    "`sqlite_batched_rows_per_s` writes the rows that ingest produced into an empty copy of the schema with "
    "`executemany` in one transaction: the physical limit of the store.",
    "- **Command latency** (bench/commands.py): a store seeded with 1 M credits (reactions to 200 000 messages "
    "over a year, 500 members) and 10 000 proposals (20 open, 2–8 pledges each). From the moment a parsed "
    "/sync holding one `!backme`, `!proposal` or `!top` is in hand to the moment the reply is handed to the "
    "(unconnected) nio client's `room_send` by the bot's outbox task. p50 and p99 over all three commands. "
    "`query_ms` times `!top`, `!proposals`, `!rep` and `!ideas` the same way on stores of 1 k, 100 k and 1 M "
    "credits: the cost must not grow with the ledger.",
    "- **Round trip** (bench/live.py, a real Synapse on 127.0.0.1): a member sends `!proposal 1` and her "
    "client, long-polling /sync all along, sees Kring's reply; beside it Synapse's own echo: she sends a "
    "message and another member's client sees it. Interleaved, medians. The round trip crosses the homeserver "
    "twice (her message to the bot, the reply back), the echo once, so the ratio cannot go below about 2 even "
    "for a bot that takes no time; the bot's own share is the difference `roundtrip − 2 × echo`.",
    "- **Catch-up** (bench/live.py): the bot is stopped (SIGTERM), members send N events (the ingest mix), and "
    "the bot is started again. `catchup_s` is the time between its log lines `serving … rooms` and `ready:` "
    "(first sync from the stored token, back-fill over `/messages`, handling every missed event, due "
    "announcements); `synapse_pagination_s` is a bare nio client doing the same sync and paging the same events "
    "back to the same token (median of three, before the bot restarts).",
    "- **Memory** (bench/memory.py): `kring run` (default config, encryption on) serving 100 rooms, against a "
    "stub homeserver on 127.0.0.1 that serves prepared /sync bodies (100 000 events, ten rooms per sync) — a "
    "real Synapse on SQLite stores only 30–110 events a second here (`synapse_send_events_per_s`), so sending "
    "100 000 would take 15–60 minutes. `rss_mb` is VmRSS from /proc/<pid>/status once every body is handled and "
    "the replies are sent; `rss_peak_mb` is VmHWM.",
    "- **Metrics on** (bench/commands.py): the same command latency on the same store, by a second bot that "
    "counts as `[metrics] listen` makes it (events, commands, send latency, and the store-backed figures read "
    "every thirtieth command, as a scrape would); the two bots take turns, three commands each, so both meet the "
    "same moments of a noisy machine, and each figure is over half the samples. The baseline column is the bot "
    "with metrics off.",
    "- **Federation size** (bench/federation.py): `kring run` (default config, encryption on) configured with 1 000 "
    "rooms of 20 members, against the same stub homeserver: a first full-state sync with every room, then one "
    "sync in which 100 rooms say 10 things each (a few commands among them), then nothing. "
    "`federation_first_sync_s` is the time from starting the process to its `ready:` line (log-in, the first "
    "sync handled and stored); `federation_rss_mb` is VmRSS after the idle window; "
    "`federation_idle_cpu_percent` is the process's user + system CPU time over the idle window (60 s, 20 s "
    "with `--quick`) as a share of one core (Linux counts CPU time in hundredths of a second: 0.0 means less than "
    "one hundredth over the window).",
]
