"""`kring console`: the bot in a terminal, scripted through stdin, and `kring export` of what it stored."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import errno
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.cli import main
from bot.clock import ManualClock
from bot.config import parse_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from handlers.wording.catalog import catalog_path
from handlers.wording.sentences import SENTENCES
from storage.db import hold_exclusive_lock
from storage.migrations import MIGRATIONS, latest_version
from storage.store import Store
from tests.unit.harness import START

ROOT = Path(__file__).resolve().parents[2]
FLOW = [
    "Shall we share one courier for the district?",
    "/as @bob",
    "/react 1 👍",
    "/as @cas",
    "/react 1 🎉",
    "/as @you",
    "/reply 1 !propose Shared courier €1.000 in 3 days min 2",
    "/as @bob",
    "!backme 1 €600 I can drive",
    "/as @cas",
    "!backme 1 €400 4h",
    "/wait 4d",
    "/quit",
    "this line is never read",
]


def kring_cli(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def numbered(output: str) -> dict[int, str]:
    """The console's numbered messages: [n] -> the text of its first line."""
    return {int(m[1]): m[2] for m in re.finditer(r"^\[(\d+)\] (.*)$", output, re.MULTILINE)}


def test_bytes_that_are_not_utf8_become_replacement_characters(tmp_path: Path) -> None:
    typed = "Shared courier \xff?\n!propose Shared courier \xfe van\n".encode("latin-1")
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--db", str(tmp_path / "console.db")],
        input=typed,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    output = run.stdout.decode("utf-8")
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    assert "New proposal #1: Shared courier \ufffd van" in output
    assert "Traceback" not in run.stderr.decode("utf-8", "replace")


class Terminal:
    def __init__(self, kring: Kring, clock: ManualClock) -> None:
        self.kring = kring
        self.clock = clock

    async def run(self, *lines: str) -> str:
        out = io.StringIO()
        await run_console(self.kring, self.clock, io.StringIO("".join(line + "\n" for line in lines)), out)
        return out.getvalue()


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    store = await Store.open(tmp_path / "console.db")
    clock = ManualClock(START)
    yield Terminal(Kring(store, parse_settings({}), clock, BOT_ID), clock)
    await store.close()


def test_console_flow_then_export_shows_the_same_numbers(tmp_path: Path) -> None:
    database = str(tmp_path / "console.db")
    run = kring_cli("console", "--db", database, stdin="\n".join(FLOW) + "\n")
    assert run.returncode == 0, run.stderr
    messages = numbered(run.stdout)
    assert messages[1] == "@you: Shall we share one courier for the district?"
    assert messages[2].startswith("@you (↩ 1): !propose Shared courier")
    assert messages[3] == "kring: 📣 New proposal #1: Shared courier"
    assert messages[5] == "kring (↩ 4): Thank you bob: you back #1 Shared courier with €600."
    assert sorted(messages) == list(range(1, len(messages) + 1))  # numbered from 1, the bot's included
    go = run.stdout[run.stdout.index("✅ GO #1 Shared courier") :]
    assert "• bob: €600 — “I can drive”" in go and "• cas: €400 + 4h" in go
    assert "never read" not in run.stdout

    config = tmp_path / "tiny.toml"
    config.write_text('[proposals]\ntimezone = "Europe/Amsterdam"\n', encoding="utf-8")
    export = kring_cli("export", "-c", str(config), "--db", database, "--format", "json")
    assert export.returncode == 0, export.stderr
    (room,) = json.loads(export.stdout)["rooms"]
    assert room["room_id"] == "!console:kring.local"
    assert room["reputation"] == {"@you": 2 + 5, "@bob": 1, "@cas": 1}
    (proposal,) = room["proposals"]
    assert (proposal["id"], proposal["title"], proposal["proposer"]) == (1, "Shared courier", "@you")
    assert (proposal["status"], proposal["money_goal_cents"], proposal["min_backers"]) == ("go", 100_000, 2)
    assert proposal["pledges"] == [
        {"user": "@bob", "money_cents": 60_000, "minutes": 0, "note": "I can drive", "status": "binding"},
        {"user": "@cas", "money_cents": 40_000, "minutes": 240, "note": "", "status": "binding"},
    ]
    assert sorted((c["receiver"], c["delta"], c["reason"]) for c in room["credits"]) == [
        ("@bob", 1, "go_backer"),
        ("@cas", 1, "go_backer"),
        ("@you", 1, "reaction"),
        ("@you", 1, "reaction"),
        ("@you", 5, "go_proposer"),
    ]

    tables = kring_cli("export", "-c", str(config), "--db", database, "--format", "csv", "--out", str(tmp_path / "csv"))
    assert tables.returncode == 0, tables.stderr
    assert sorted(path.name for path in (tmp_path / "csv").iterdir()) == [
        "credits.csv",
        "deliveries.csv",
        "needs.csv",
        "objections.csv",
        "payment_requests.csv",
        "payments.csv",
        "pledges.csv",
        "proposals.csv",
        "reputation.csv",
        "talents.csv",
        "updates.csv",
    ]
    pledges = list(csv.DictReader((tmp_path / "csv" / "pledges.csv").open(encoding="utf-8")))
    assert [(p["user"], p["money_cents"], p["minutes"]) for p in pledges] == [
        ("'@bob", "60000", "0"),
        ("'@cas", "40000", "240"),
    ]
    (row,) = csv.DictReader((tmp_path / "csv" / "proposals.csv").open(encoding="utf-8"))
    assert (row["id"], row["status"]) == ("1", "go")


async def test_unreact_takes_the_credit_back(terminal: Terminal) -> None:
    out = await terminal.run(
        "An idea",
        "/as @bob",
        "/react 1 👍",
        "/unreact 1 👍",
        "/unreact 1 👍",
        "!rep @you",
        "/react 1 👍",
        "/react 1 👍",
    )
    assert "@bob removed 👍 from [1]" in out
    assert "@bob has no 👍 reaction on [1]." in out
    assert "you has 0 credits" in out
    assert "@bob already reacted 👍 to [1]." in out
    assert await terminal.kring.store.credits.balance("!console:kring.local", "@you") == 1


async def test_console_verbs_answer_mistakes(terminal: Terminal) -> None:
    out = await terminal.run("/react 9 👍", "/wait soon", "/frobnicate", "/as", "/power @bob high")
    assert "There is no message [9]; messages are numbered from 1." in out
    assert "Usage: /wait <duration>" in out
    assert "Unknown console verb /frobnicate." in out
    assert "Usage: /as @bob" in out
    assert "Usage: /power @bob 50" in out
    assert "[1]" not in out  # nothing reached the room


async def test_wait_moves_the_clock_and_posts_what_falls_due(terminal: Terminal) -> None:
    out = await terminal.run("!propose Shared courier in 2 days", "/wait 1d", "/time")
    assert "⏰ Reminder: #1 Shared courier" in out
    assert "It is 3 March 2026, 11:00." in out
    out = await terminal.run("/wait 1d")
    assert "❌ NO-GO #1 Shared courier" in out


async def test_you_are_a_moderator_and_power_makes_others_one(terminal: Terminal) -> None:
    out = await terminal.run(
        "!propose Shared courier in 2 days",
        "/as @bob",
        "!extend 1 in 3 days",
        "/power @bob 50",
        "!extend 1 in 4 days",
        "/as @you",
        "!cancel 1 done",
    )
    assert "Only a moderator" in out
    assert "The deadline of #1 Shared courier is now Friday 6 March 2026, 11:00" in out
    assert "🚫 Proposal #1 Shared courier was cancelled by you." in out


async def test_a_backslash_continues_a_multi_line_propose(terminal: Terminal) -> None:
    out = await terminal.run("!propose Shared courier\\", "goal: €2.500\\", "Two vans, one route.")
    assert "Goals: €2,500 · 1 backer" in out
    assert "Two vans, one route." in out


async def test_delete_removes_an_idea_from_ideas(terminal: Terminal) -> None:
    out = await terminal.run("An idea", "/as @bob", "/react 1 👍", "!ideas", "/as @you", "/delete 1", "!ideas")
    assert "+1 you: “An idea”" in out
    assert "No credited ideas" in out.split("deleted [1]")[1]


async def test_a_members_delete_of_someone_elses_message_is_not_applied(terminal: Terminal) -> None:
    out = await terminal.run("An idea", "/as @bob", "/react 1 👍", "/delete 1", "!ideas")
    assert "+1 you: “An idea”" in out.split("deleted [1]")[1]


async def test_a_moderator_deletes_someone_elses_message(terminal: Terminal) -> None:
    out = await terminal.run("An idea", "/power @bob 50", "/as @bob", "/react 1 👍", "/delete 1", "!ideas")
    assert "No credited ideas" in out.split("deleted [1]")[1]


DUTCH_FLOW = [
    "Zullen we samen één koerier regelen voor de wijk?",
    "/as @bob",
    "/react 1 👍",
    "/as @you",
    "/reply 1 !voorstel Gedeelde koerier € 1.000 tot overmorgen minimaal 2",
    "/as @bob",
    "!steun 1 € 600 ik kan rijden",
    "!steun abc",
    "/as @cas",
    "!steun 1 € 400 4 uur",
    "!bezwaar 1 misschien te duur",
    "!voorstellen",
    "!status 1",
    "!reputatie",
    "!top",
    "/wait 2m",  # at most 6 commands a minute per member
    "!ideeën",
    "!hulp",
    "!hulp steun",
    "!onbekend",
    "/as @you",
    "!voorstel Nieuwe weegschaal € 300 over 5 dagen minimaal 3",
    "!verleng 2 over 6 dagen",
    "!voorstel x",
    "/as @dik",
    "!steun 2 € 50",
    "!intrekken 2",
    "!annuleer 2",
    "/wait 7d",
    "/time",
]


def english_fragments() -> set[str]:
    """Pieces of the English sentences that no Dutch sentence contains: if one shows, English leaked."""
    with catalog_path("nl").open("rb") as handle:
        translated = [m.string for m in read_po(handle) if m.id]
    dutch = " ".join(" ".join(s) if isinstance(s, tuple | list) else str(s) for s in translated)
    pieces = set()
    for sentence in SENTENCES.values():
        for text in (sentence.text, sentence.plural or ""):
            for literal in re.split(r"\{[a-z_]+\}", text):
                piece = literal.strip(" .,:;()“”—\n")
                if len(piece) >= 10 and re.search("[a-z]{3}", piece) and piece not in dutch:
                    pieces.add(piece)
    return pieces


async def test_a_dutch_room_runs_the_whole_flow_in_dutch_only(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "console.db")
    try:
        clock = ManualClock(START)
        kring = Kring(store, parse_settings({"bot": {"language": "nl"}}), clock, BOT_ID)
        out = await Terminal(kring, clock).run(*DUTCH_FLOW)
    finally:
        await store.close()
    messages = numbered(out)
    assert messages[3] == "kring: 📣 Nieuw voorstel #1: Gedeelde koerier"
    assert "Dank je, bob: je steunt #1 Gedeelde koerier met € 600." in out.replace("\xa0", " ")
    assert "✅ GO #1 Gedeelde koerier" in out and "Alle doelen zijn gehaald" in out
    assert "🚫 Voorstel #2 Nieuwe weegschaal is geannuleerd door dik." not in out  # dik may not cancel it
    assert "Alleen de indiener (you) of een moderator kan #2 annuleren." in out
    assert "❌ NO-GO #2 Nieuwe weegschaal" in out and "Tekort: € 300 · nog 3 steuners." in out.replace("\xa0", " ")
    assert "“abc” is geen voorstelnummer" in out and "Het commando !onbekend ken ik niet" in out
    assert "Zo gebruik je het: !steun <nr> [€<bedrag>] [<n> uur] [toelichting]" in out
    leaked = sorted(piece for piece in english_fragments() if piece in out)
    assert leaked == []


def test_the_readme_example_ends_in_go_and_runs_the_same_twice(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Try it in one minute", 1)[1].split("```\n", 2)[2].split("```", 1)[0]
    runs = [kring_cli("console", stdin=example, cwd=tmp_path) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "✅ GO #1 Shared courier" in run.stdout and "NO-GO" not in run.stdout
    assert numbered(runs[0].stdout).keys() == numbered(runs[1].stdout).keys()  # the second run is a fresh room
    assert list(tmp_path.iterdir()) == []  # nothing left behind without --db


def console_session(database: Path, lines: list[str], monkeypatch: pytest.MonkeyPatch, cwd: Path) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))
    monkeypatch.chdir(cwd)
    return main(["console", "--db", str(database)])


def database_bytes(database: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())


def test_event_ids_the_console_makes_are_opaque_so_a_forgotten_id_is_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "console.db"
    lines = ["/as @erik", "An idea from Erik", "/as @you", "/as @erik", "!forgetme", "!forgetme confirm"]
    assert console_session(database, lines, monkeypatch, tmp_path) == 0
    assert "Done: Kring has forgotten you" in capsys.readouterr().out
    assert b"@erik" not in database_bytes(database)
    with contextlib.closing(sqlite3.connect(database)) as conn:
        ids = [r[0] for r in conn.execute("SELECT event_id FROM processed_events")]
    assert ids and all(re.fullmatch(r"\$[a-z]+-[0-9a-f]{32}", event_id) for event_id in ids), ids


def test_the_console_refuses_a_database_that_kring_run_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "kring.db"
    assert console_session(database, ["A first message"], monkeypatch, tmp_path) == 0
    before = database_bytes(database)
    running = hold_exclusive_lock(database)  # as `kring run` holds it
    try:
        assert console_session(database, ["!propose Van in 1 day", "/wait 2d"], monkeypatch, tmp_path) == 2
    finally:
        running.close()
    assert "another Kring is already running" in capsys.readouterr().err
    assert database_bytes(database) == before


def test_export_reads_without_migrating_or_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as conn:
        for version in range(1, latest_version()):  # a database of the Kring before the last migration
            conn.execute("BEGIN")
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
    before = database.read_bytes()
    assert main(["export", "--db", str(database)]) == 0
    assert json.loads(capsys.readouterr().out) == {"rooms": []}
    assert database.read_bytes() == before
    with contextlib.closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() - 1


def test_a_full_disk_or_read_only_folder_gives_one_line_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "console.db"

    def read_only(path: Path, payload: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr("bot.console.write_private_file", read_only)
    assert console_session(database, ["!mydata"], monkeypatch, tmp_path) == 1
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert line.startswith(f"kring: cannot write {tmp_path}/kring-data-you-") and "Read-only file system" in line
    monkeypatch.undo()
    assert console_session(database, [], monkeypatch, tmp_path) == 0  # the copy was kept, and goes out now
    assert "kring-data-you-" in capsys.readouterr().out

    async def disk_full(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Kring, "handle", disk_full)
    assert console_session(database, ["!propose Van in 1 day"], monkeypatch, tmp_path) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"kring: cannot write the database {database}: database or disk is full; nothing of it was stored"
    monkeypatch.setattr("bot.ops.export.write_private_file", read_only)
    assert main(["export", "--db", str(database), "--format", "csv", "--out", str(tmp_path / "books")]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"kring: cannot write {tmp_path / 'books' / 'reputation.csv'}: Read-only file system"


def test_forget_takes_the_console_ids_and_lists_how_ids_look_when_none_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "console.db"
    assert console_session(database, ["/as @erik", "Hello from Erik", "/as @anna", "Hi"], monkeypatch, tmp_path) == 0
    capsys.readouterr()
    assert main(["forget", "@erik:kring.local", "--db", str(database)]) == 0
    err = capsys.readouterr().err
    assert "held nothing about @erik:kring.local" in err and "ids in this database look like: @anna, @erik" in err
    assert main(["forget", "@erik", "--db", str(database)]) == 0
    assert "forgot @erik: !console:kring.local (former member" in capsys.readouterr().err
    assert b"@erik" not in database_bytes(database)


async def test_the_copy_of_my_data_speaks_the_rooms_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = await Store.open(tmp_path / "dutch.db")
    try:
        clock = ManualClock(START)
        out = await Terminal(Kring(store, parse_settings({"bot": {"language": "nl"}}), clock, BOT_ID), clock).run(
            "Een idee", "!propose Koerier €100 in 3 days", "!mijngegevens"
        )
    finally:
        await store.close()
    (written,) = await asyncio.to_thread(lambda: list(tmp_path.glob("kring-data-*.json")))
    about = json.loads(await asyncio.to_thread(written.read_text, encoding="utf-8"))["about"]
    assert about == "Alles wat Kring over dit lid bewaart, in alle kamers waar Kring actief is."
    # beside the JSON, a summary a member reads without opening it
    summary = [line.strip() for line in out[out.index("Kort samengevat") :].splitlines()[:8]]
    assert summary[0] == "Kort samengevat staat in het bestand:"
    assert "berichten van jou die Kring las: 3" in summary and "je voorstellen: 1" in summary
    assert "Het bestand zelf is in JSON, met alle gegevens volledig." in summary


async def dutch_terminal(tmp_path: Path) -> tuple[Terminal, Store]:
    store = await Store.open(tmp_path / "dutch.db")
    clock = ManualClock(START)
    return Terminal(Kring(store, parse_settings({"bot": {"language": "nl"}}), clock, BOT_ID), clock), store


async def test_a_pledge_is_never_lost_to_words_kring_cannot_read(tmp_path: Path) -> None:
    """Issue 32, 1 and 2: `een dagdeel`, `twee uur`, `honderd euro` are amounts; words without one keep the pledge."""
    terminal, store = await dutch_terminal(tmp_path)
    try:
        out = await terminal.run(
            "!voorstel Gedeelde koerier € 2.500 40 uur binnen twee weken minimaal drie steuners",
            "/as @bob",
            "!STEUN 1 € 1.250,50",
            "!steun 1 wat tijd",
            "!steun 1 een dagdeel",
            "!steun 1 honderd euro en twee uur",
            "!steun 1 alleen steun",
        )
    finally:
        await store.close()
    out = out.replace("\xa0", " ")
    assert "Doelen: € 2.500 · 40 uur · 3 steuners" in out
    assert "Deadline: tot en met maandag 16 maart 2026 om 11:00 (nog 14 dagen)" in out
    assert "Ik lees geen bedrag of uren in “wat tijd”; je toezegging voor #1 blijft € 1.250,50." in out
    assert "je steunt #1 nu met 4 uur (was € 1.250,50)" in out
    assert "je steunt #1 nu met € 100 + 2 uur (was 4 uur)" in out
    assert "je steunt #1 nu zonder geld of uren (was € 100 + 2 uur)" in out


async def test_voor_a_date_ends_the_day_before_and_the_reply_says_the_moment(tmp_path: Path) -> None:
    """Issue 32, 3: `voor 1 april` is 31 March 23:59, `tot en met` that day's end; the proposer may pull it back."""
    terminal, store = await dutch_terminal(tmp_path)
    try:
        out = await terminal.run(
            "!voorstel Gedeelde koerier € 500 voor 1 april",
            "!voorstel Nieuwe weegschaal € 300 tot en met 1 april",
            "!wijzig 2 deadline: voor vrijdag",
            "!voorstel Bakfiets € 300 binnen twee wekken",
        )
    finally:
        await store.close()
    assert "Deadline: tot en met dinsdag 31 maart 2026 om 23:59 (nog 29 dagen)" in out
    assert "Deadline: tot en met woensdag 1 april 2026 om 23:59 (nog 30 dagen)" in out
    assert "Deadline: woensdag 1 april 2026 om 23:59 → donderdag 5 maart 2026 om 23:59 (nog 3 dagen)" in out
    assert "De deadline “binnen twee wekken” kan ik niet lezen." in out


async def test_the_english_room_reads_the_same_words(terminal: Terminal) -> None:
    out = await terminal.run(
        "!propose Shared courier €1.000 20h in two weeks min three",
        "!propose Cargo bike €300 before 1 April",
        "/as @bob",
        "!backme 1 €250",
        "!backme 1 some time",
        "!backme 1 half a day",
        "!backme 1 support only",
    )
    assert "Goals: €1,000 · 20h · 3 backers" in out
    assert "Deadline: Monday 16 March 2026, 11:00 (14 days left)" in out
    assert "Deadline: Tuesday 31 March 2026, 23:59 (29 days left)" in out
    assert "I read no amount or hours in “some time”; your pledge to #1 stays €250." in out
    assert "your pledge to #1 is now 4h (was €250)" in out
    assert "you now back #1 without money or hours (was 4h)" in out
