"""`python -m bench [--quick] [--write-doc]`: measure, print the figures as JSON, and (when asked) write
docs/PERFORMANCE.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import board, commands, federation, ingest, live, memory, payments, report


@dataclass(frozen=True)
class Size:
    ingest_events: int
    ingest_rounds: int
    latency_samples: int
    roundtrip_samples: int
    missed_events: int
    memory_events: int
    federation_idle_s: float


FULL = Size(
    ingest_events=100_000,
    ingest_rounds=1,
    latency_samples=300,
    roundtrip_samples=50,
    missed_events=10_000,
    memory_events=100_000,
    federation_idle_s=60.0,
)
QUICK = Size(
    ingest_events=10_000,
    ingest_rounds=2,
    latency_samples=100,
    roundtrip_samples=20,
    missed_events=1_000,
    memory_events=100_000,
    federation_idle_s=20.0,
)
PARTS = ("ingest", "commands", "live", "memory", "federation", "board", "payments")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under 5 minutes on 2 cores")
    parser.add_argument("--only", help=f"comma-separated parts to run ({', '.join(PARTS)}); docs are not written")
    parser.add_argument("--write-doc", action="store_true", help="write the report of a full run (all parts) to --docs")
    parser.add_argument("--docs", type=Path, default=DOCS, help=f"where --write-doc writes the report (default {DOCS})")
    return parser


async def _run(parts: list[str], size: Size, workdir: Path) -> dict[str, Any]:
    steps: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "ingest": lambda: ingest.measure(size.ingest_events, workdir / "ingest", size.ingest_rounds),
        "commands": lambda: commands.measure(workdir / "commands", samples=size.latency_samples),
        "live": lambda: live.measure(workdir / "live", samples=size.roundtrip_samples, missed=size.missed_events),
        "memory": lambda: memory.measure(workdir / "memory", size.memory_events),
        "federation": lambda: federation.measure(workdir / "federation", size.federation_idle_s),
        "board": lambda: board.measure(workdir / "board", samples=max(20, size.latency_samples // 5)),
        "payments": lambda: payments.measure(workdir / "payments"),
    }
    figures: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for part in parts:
        (workdir / part).mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        figures.update(await steps[part]())
        seconds[part] = round(time.monotonic() - started, 1)
        print(f"bench: {part} done in {seconds[part]} s", file=sys.stderr, flush=True)
    figures["bench_part_s"] = seconds
    return figures


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parts = [part.strip() for part in args.only.split(",")] if args.only else list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"bench: unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    size = QUICK if args.quick else FULL
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kring-bench-") as workdir:
        figures = asyncio.run(_run(parts, size, Path(workdir)))
    elapsed = time.monotonic() - started
    figures["bench_quick"] = args.quick
    figures["bench_total_s"] = round(elapsed, 1)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.write_doc and args.only is not None:
        print("bench: --write-doc needs every part; the report was not written", file=sys.stderr)
    elif args.write_doc:
        report.write(args.docs, figures, quick=args.quick, elapsed_s=elapsed)
        print(f"bench: wrote {args.docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
