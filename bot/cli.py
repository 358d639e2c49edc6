"""The `kring` command line: `run` (Matrix), `console` (terminal, no server), `export`, `payments import` (a bank
statement), and for operators `check`, `backup`, `restore` and `forget`."""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from bot.clock import ManualClock, SystemClock
from bot.config import ConfigError, Settings, load_settings, warn_if_secrets_readable
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from bot.ops.backup import BackupError, backup, restore
from bot.ops.export import TABLES, export_rooms, table_csv, write_tables
from bot.ops.log_secrets import SECRETS, mask_secrets_in_logs
from bot.payments.importer import Refused, read_file, take_in
from bot.payments.statement import StatementError
from handlers.members.own_data import forget_member
from storage.db import StoreLockedError, hold_exclusive_lock
from storage.file_modes import OWNER_ONLY_UMASK, UnsafeFileError
from storage.migrations import SchemaTooNewError
from storage.snapshot import backup_database
from storage.store import Store

USER_ID = re.compile(r"@[^:\s]+(?::\S+)?")  # `@erik` as the console names members, `@erik:example.org` on Matrix
SHOWN_IDS = 5
# What a full disk, a read-only folder or a missing permission raise: said in one line, with the path.
CANNOT_WRITE = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.ENOENT})


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
    run.add_argument(
        "--reset-cross-signing",
        action="store_true",
        help="replace the account's cross-signing keys with new ones (members see a new identity for Kring)",
    )

    console = sub.add_parser("console", help="try Kring in the terminal, no server needed")
    console.add_argument("-c", "--config", type=Path, help="path to config.toml (optional)")
    console.add_argument("--db", help="keep the room in this SQLite file (default: a fresh room each run)")

    export = sub.add_parser("export", help="print proposals, pledges and credits")
    export.add_argument("-c", "--config", type=Path, help="path to config.toml (optional with --db)")
    export.add_argument("--db", help="SQLite file (default: storage.database from the config)")
    export.add_argument("--room", help="only this room id")
    export.add_argument("--format", choices=("json", "csv"), default="json", help="json (the default) or csv")
    export.add_argument("--out", type=Path, help="with --format csv: write one CSV file per table into this folder")
    export.add_argument("--table", choices=TABLES, help="with --format csv: print this one table")
    export.add_argument(
        "--excel",
        action=argparse.BooleanOptionalAction,
        help="with --format csv: as Dutch Excel opens it (';', a BOM, Dutch headers and words, euros and hours "
        "with a decimal comma); the default when [bot] language is nl",
    )
    payments = sub.add_parser("payments", help="money that arrives: read the bank's statement")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    take = payments_sub.add_parser("import", help="match a CAMT.053 or MT940 statement to the payment requests")
    take.add_argument("file", type=Path, help="the statement as the bank exported it (.xml or .sta/.940)")
    take.add_argument("-c", "--config", type=Path, help="path to config.toml (its [money] names the account)")
    take.add_argument("--db", help="SQLite file (default: storage.database from the config)")
    forget = sub.add_parser("forget", help="forget a member, as their !forgetme confirm would (stop kring run first)")
    forget.add_argument("user_id", help="the member's user id, e.g. @ann:example.org")
    forget.add_argument("-c", "--config", type=Path, help="path to config.toml (optional with --db)")
    forget.add_argument("--db", help="SQLite file (default: storage.database from the config)")

    check = sub.add_parser("check", help="can this set-up serve? config, homeserver, login and every room (read-only)")
    check.add_argument("-c", "--config", type=Path, required=True, help="path to config.toml")

    backup = sub.add_parser("backup", help="snapshot the database and the crypto store (safe while kring runs)")
    backup.add_argument("-c", "--config", type=Path, required=True, help="path to config.toml")
    backup.add_argument("--to", type=Path, required=True, help="folder in which a kring-backup-<time> folder is made")

    restore = sub.add_parser("restore", help="put a backup back where config.toml says (kring must be stopped)")
    restore.add_argument("-c", "--config", type=Path, required=True, help="path to config.toml")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="a kring-backup-<time> folder")
    restore.add_argument("--force", action="store_true", help="replace a database and store that are already there")
    return parser


async def _forget(settings: Settings, database: str, user_id: str) -> None:
    lock = hold_exclusive_lock(database)  # never beside a running kring run: it would not know
    try:
        store = await Store.open(database)
        try:
            if await store.member_data.forgotten_among([user_id]):
                sys.stderr.write(f"kring: {user_id} was forgotten before; nothing to do\n")
                return
            held_ids = await store.member_data.held_user_ids()
            async with store.transaction():
                names = await forget_member(store, settings, user_id, SystemClock().now())
            await store.member_data.scrub()
        finally:
            await store.close()
    finally:
        lock.close()
    rooms = ", ".join(f"{room} ({name})" for room, name in names.items())
    if rooms:
        said = f"forgot {user_id}: {rooms}"
    else:
        said = f"held nothing about {user_id}; their later events are ignored"
        held = sorted(held_ids)
        if held:  # a typo, or the other spelling (`@erik` in a console database, `@erik:example.org` on Matrix)
            more = f" (and {len(held) - SHOWN_IDS} more)" if len(held) > SHOWN_IDS else ""
            said += f". ids in this database look like: {', '.join(held[:SHOWN_IDS])}{more}"
    sys.stderr.write(f"kring: {said}\n")


async def _import_statement(settings: Settings, database: str, path: Path) -> int:
    """`kring payments import`: the summary on stdout and 0, or the one sentence that says why nothing was
    imported on stderr and 1."""
    lock = hold_exclusive_lock(database)  # beside a running kring run, the treasurer sends the file in a DM
    try:
        store = await Store.open(database)
        try:
            kring = Kring(store, settings, SystemClock(), settings.matrix.user_id or BOT_ID)
            try:
                data = await asyncio.to_thread(read_file, path)
                said = await take_in(kring, data)
            except StatementError as error:
                said_no = (await kring.texts_for("")).t(error.key, **error.params)
                sys.stderr.write(f"kring: {said_no.plain}\n")
                return 1
            except Refused as refused:
                sys.stderr.write(f"kring: {refused.text.plain}\n")
                return 1
        finally:
            await store.close()
    finally:
        lock.close()
    sys.stdout.write(said.plain + "\n")
    return 0


async def _console(settings: Settings, database: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kring-console-") as fresh:
        path = Path(database) if database else Path(fresh) / "console.db"
        # Never beside a `kring run` on the same file: its GO or a reply marked sent here would never reach Matrix.
        lock = hold_exclusive_lock(path)
        try:
            store = await Store.open(path)
            try:
                clock = ManualClock(SystemClock().now())
                kring = Kring(store, settings, clock, BOT_ID)
                await run_console(kring, clock, sys.stdin, sys.stdout)
            finally:
                await store.close()
        finally:
            lock.close()


async def _export(settings: Settings, database: str, args: argparse.Namespace) -> None:
    # Read a snapshot, never the database itself: an older schema is migrated in the copy only, and nothing is
    # written beside a running bot.
    with tempfile.TemporaryDirectory(prefix="kring-export-") as scratch:
        snapshot = Path(scratch) / "export.db"
        await asyncio.to_thread(backup_database, database, snapshot)
        store = await Store.open(snapshot)
        try:
            document = await export_rooms(store, settings.proposals.zone, args.room)
        finally:
            await store.close()
    if args.format == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    excel = settings.bot.language == "nl" if args.excel is None else args.excel
    if args.table:
        sys.stdout.write(table_csv(document, args.table, excel=excel))
    else:
        for path in write_tables(document, args.out, excel=excel):
            sys.stderr.write(f"kring: wrote {path}\n")


def _database(args: argparse.Namespace, settings: Settings, command: str) -> str:
    if args.config is None and args.db is None:
        raise ConfigError(f"{command} needs -c config.toml or --db FILE")
    database = str(args.db or settings.storage.database)
    if not Path(database).exists():
        raise ConfigError(f"database not found: {database}")
    return database


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # What Kring writes holds the bot's token, its keys or members' data: owner-only, whatever the umask.
    os.umask(OWNER_ONLY_UMASK)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    mask_secrets_in_logs()
    # nio logs every response body it validates: members' messages, and the access token of a login.
    logging.getLogger("nio.responses").setLevel(logging.INFO)
    if logging.getLogger().level > logging.DEBUG:
        # nio logs a line for every event it sees in a room: noise for an operator, and slow on a busy bot.
        logging.getLogger("nio.rooms").setLevel(logging.WARNING)
        # APScheduler logs adding, running and removing every wake-up job; the bot logs what it posts.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command in ("console", "payments"):
        # The console talks to the terminal, and an import answers in one line or its summary: warnings and up only.
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    settings: Settings | None = None
    try:
        settings = load_settings(args.config)
        SECRETS.remember(
            settings.matrix.password,
            settings.matrix.access_token,
            settings.matrix.pickle_key,
            settings.matrix.recovery_key,
        )
        if args.command in ("run", "check") and args.config is not None:
            warn_if_secrets_readable(args.config)
        if args.command == "console":
            asyncio.run(_console(settings, args.db))
        elif args.command == "forget":
            database = _database(args, settings, "forget")
            if not USER_ID.fullmatch(args.user_id):
                raise ConfigError(
                    f"not a user id: {args.user_id!r} (write it like @ann:example.org, or @ann in a console database)"
                )
            asyncio.run(_forget(settings, database, args.user_id))
        elif args.command == "export":
            database = _database(args, settings, "export")
            if args.format == "csv" and (args.out is None) == (args.table is None):
                raise ConfigError("--format csv needs either --out DIR (one file per table) or --table NAME")
            asyncio.run(_export(settings, database, args))
        elif args.command == "payments":
            database = _database(args, settings, "payments import")
            if not args.file.is_file():
                raise ConfigError(f"statement file not found: {args.file}")
            return asyncio.run(_import_statement(settings, database, args.file))
        elif args.command == "check":
            from bot.ops.check import run_check

            return asyncio.run(run_check(settings, sys.stdout))
        elif args.command == "backup":
            folder = backup(settings, args.to)
            sys.stderr.write(f"kring: backed up to {folder}\n")
        elif args.command == "restore":
            restored = restore(settings, args.source, force=args.force)
            for path in restored.written:
                sys.stderr.write(f"kring: restored {path}\n")
            if not restored.replaced:
                sys.stderr.write(
                    "kring: no database was there to carry forgetting over from: members forgotten after the backup "
                    "are in it again; forget them with kring forget (docs/PRIVACY.md, For the operator)\n"
                )
            if restored.forgotten_again:
                count = restored.forgotten_again
                sys.stderr.write(
                    f"kring: forgot again {count} member{'s' if count != 1 else ''} forgotten since the backup\n"
                )
        else:
            from bot.runner import run_bot

            return asyncio.run(
                run_bot(settings, new_device=args.new_device, reset_cross_signing=args.reset_cross_signing)
            )
    except (ConfigError, SchemaTooNewError, StoreLockedError, BackupError) as error:
        sys.stderr.writelines(f"kring: {line}\n" for line in str(error).splitlines())
        return 2
    except UnsafeFileError as error:
        sys.stderr.write(f"kring: {error.strerror}\n")
        return 1
    except OSError as error:
        if error.errno not in CANNOT_WRITE or error.filename is None:
            raise
        sys.stderr.write(f"kring: cannot write {error.filename}: {error.strerror}\n")
        return 1
    except sqlite3.OperationalError as error:  # a full disk or a read-only folder under the database
        where = getattr(args, "db", None) or (settings.storage.database if settings is not None else "")
        sys.stderr.write(f"kring: cannot write the database {where}: {error}; nothing of it was stored\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
