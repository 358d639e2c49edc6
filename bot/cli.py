"""The `kring` command line: `run` (Matrix), `console` (terminal, no server) and `export`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from bot.clock import ManualClock, SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from bot.export import as_csv, export_rooms
from storage.db import StoreLockedError
from storage.migrations import SchemaTooNewError
from storage.store import Store

CONSOLE_DATABASE = "kring-console.db"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kring", description="Kring: a Matrix bot for a self-organising community.")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve the configured Matrix rooms")
    run.add_argument("-c", "--config", type=Path, required=True, help="path to config.toml")
    run.add_argument(
        "--new-device",
        action="store_true",
        help="forget the stored login and log in as a new device (needs a password)",
    )

    console = sub.add_parser("console", help="try Kring in the terminal, no server needed")
    console.add_argument("-c", "--config", type=Path, help="path to config.toml (optional)")
    console.add_argument("--db", default=CONSOLE_DATABASE, help=f"SQLite file (default {CONSOLE_DATABASE})")

    export = sub.add_parser("export", help="print proposals, pledges and credits")
    export.add_argument("-c", "--config", type=Path, required=True, help="path to config.toml")
    export.add_argument("--db", help="SQLite file (default: storage.database from the config)")
    export.add_argument("--room", help="only this room id")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    return parser


async def _console(settings: Settings, database: str) -> None:
    store = await Store.open(database)
    try:
        clock = ManualClock(SystemClock().now())
        kring = Kring(store, settings, clock, BOT_ID)
        await run_console(kring, clock, sys.stdin, sys.stdout)
    finally:
        await store.close()


async def _export(settings: Settings, database: str, room: str | None, output_format: str) -> None:
    store = await Store.open(database)
    try:
        document = await export_rooms(store, settings.proposals.zone, room)
    finally:
        await store.close()
    if output_format == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(as_csv(document))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if logging.getLogger().level > logging.DEBUG:
        # nio logs a line for every event it sees in a room: noise for an operator, and slow on a busy bot.
        logging.getLogger("nio.rooms").setLevel(logging.WARNING)
        # APScheduler logs adding, running and removing every wake-up job; the bot logs what it posts.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command == "console":
        # The console talks to the terminal; keep the log quiet unless asked.
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        settings = load_settings(args.config)
        if args.command == "console":
            asyncio.run(_console(settings, args.db))
        elif args.command == "export":
            database = args.db or settings.storage.database
            if not Path(database).exists():
                raise ConfigError(f"database not found: {database}")
            asyncio.run(_export(settings, database, args.room, args.format))
        else:
            from bot.runner import run_bot

            return asyncio.run(run_bot(settings, new_device=args.new_device))
    except (ConfigError, SchemaTooNewError, StoreLockedError) as error:
        sys.stderr.write(f"kring: {error}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
