"""Ingest: /sync bodies through the bot's real sync handling into a fresh store, beside nio's bare parse of them."""

from __future__ import annotations

import copy
import dataclasses
import gc
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from nio import SyncResponse

from bench.botkit import SqliteClock, close_bot, feed, open_bot
from bench.shapes import STEP_MS, Action, Kind, community, count_events, initial_body, room_id, sync_bodies
from bench.timing import rounded
from storage.db import WAL_CHECKPOINT_PAGES

ROOMS = 10
MEMBERS = 40
# Tables that only hold the bot's own bookkeeping of the run, not the community's data.
SKIPPED_TABLES = ("kv",)


def _bodies(events: int, *, commands: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, int]]:
    """The initial sync, the incremental ones, and the count of each kind of event in them.

    Without `commands`, each command is sent as a chat message instead (same text without the `!`).
    """
    per_room = events // ROOMS
    story = community(ROOMS, per_room, MEMBERS)
    if not commands:
        story = [[_as_chat(action) for action in actions] for actions in story]
    start_ms = int(time.time() * 1000) - per_room * STEP_MS - 3_600_000
    mix = Counter(action.kind.value for actions in story for action in actions)
    return initial_body(ROOMS, MEMBERS, start_ms), list(sync_bodies(story, start_ms)), dict(mix)


def _as_chat(action: Action) -> Action:
    if action.kind is not Kind.COMMAND:
        return action
    return dataclasses.replace(action, kind=Kind.MESSAGE, text=action.text.removeprefix("!"))


async def side_by_side(
    initial: dict[str, Any], bodies: list[dict[str, Any]], database: Path
) -> tuple[float, float, float]:
    """Seconds for nio's bare parse and for the bot's whole handling of the same bodies, body by body, and the
    part of the handling spent inside SQLite.

    Alternating per body keeps both sides under the same machine conditions (CPU speed varies a lot on shared
    machines). The initial sync is set-up, not timed; each ingest starts from an empty store.
    """
    bot, _client = await open_bot(database, [room_id(r) for r in range(ROOMS)])
    parse = ingest = 0.0
    try:
        since = await feed(bot, copy.deepcopy(initial), None)
        sqlite = SqliteClock(bot)
        for body in bodies:
            started = time.perf_counter()
            SyncResponse.from_dict(body)
            parsed = time.perf_counter()
            since = await feed(bot, body, since)
            parse += parsed - started
            ingest += time.perf_counter() - parsed
    finally:
        await close_bot(bot)
    return parse, ingest, sqlite.seconds


def batched_rows_per_s(source: Path, target: Path) -> tuple[float, int]:
    """Write the rows the ingest produced into an empty copy of the schema: executemany, one transaction."""
    with sqlite3.connect(source) as src:
        schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
        tables = [
            name
            for (name,) in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
            if name not in SKIPPED_TABLES
        ]
        rows = {name: src.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall() for name in tables}
    written = sum(len(table_rows) for table_rows in rows.values())
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("PRAGMA journal_mode = WAL")
        dst.execute("PRAGMA synchronous = NORMAL")
        dst.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")  # as the store has it
        dst.execute("PRAGMA foreign_keys = OFF")
        for statement in schema:
            dst.execute(statement)
        started = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        for name, table_rows in rows.items():
            if table_rows:
                marks = ",".join("?" * len(table_rows[0]))
                dst.executemany(f"INSERT INTO {name} VALUES ({marks})", table_rows)
        dst.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        dst.close()
    return written / elapsed, written


async def measure(events: int, workdir: Path, rounds: int) -> dict[str, Any]:
    """Sums over `rounds` side-by-side runs, each ingest into a fresh store; then once without commands."""
    initial, bodies, mix = _bodies(events)
    plain_initial, plain_bodies, _ = _bodies(events, commands=False)
    count = count_events(bodies)
    gc.collect()
    gc.freeze()  # the bodies live through the whole run: keep the collector from walking them again and again
    parse = ingest = sqlite = 0.0
    database = workdir / "ingest.db"
    for round_number in range(rounds):
        database = workdir / f"ingest-{round_number}.db"
        round_parse, round_ingest, round_sqlite = await side_by_side(initial, bodies, database)
        parse += round_parse
        ingest += round_ingest
        sqlite += round_sqlite
    plain_parse, plain_ingest, _ = await side_by_side(plain_initial, plain_bodies, workdir / "ingest-chat.db")
    gc.unfreeze()
    rows_per_s, rows = batched_rows_per_s(database, workdir / "batched.db")
    return {
        "ingest_events": count,
        "ingest_mix": mix,
        "ingest_events_per_s": rounded(count * rounds / ingest),
        "nio_parse_events_per_s": rounded(count * rounds / parse),
        "ingest_vs_nio_parse": round(parse / ingest, 3),
        "ingest_vs_nio_parse_without_commands": round(plain_parse / plain_ingest, 3),
        "ingest_share_in_sqlite": round(sqlite / ingest, 3),
        "ingest_vs_nio_parse_outside_sqlite": round(parse / (ingest - sqlite), 3),
        # The best ratio the same SQLite work allows: nio's parse, then nothing but the store's own statements.
        "ingest_ceiling_vs_nio_parse": round(parse / (parse + sqlite), 3),
        "sqlite_batched_rows_per_s": rounded(rows_per_s),
        "sqlite_batched_rows": rows,
    }
