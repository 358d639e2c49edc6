"""`kring console`: the bot in a terminal, scripted through stdin, and `kring export` of what it stored."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from handlers.sentences import SENTENCES
from handlers.texts import catalog_path
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
        {"user": "@bob", "money_cents": 60_000, "minutes": 0, "note": "I can drive"},
        {"user": "@cas", "money_cents": 40_000, "minutes": 240, "note": ""},
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
        "pledges.csv",
        "proposals.csv",
        "reputation.csv",
        "talents.csv",
        "updates.csv",
    ]
    pledges = list(csv.DictReader((tmp_path / "csv" / "pledges.csv").open(encoding="utf-8")))
    assert [(p["user"], p["money_cents"], p["minutes"]) for p in pledges] == [
        ("@bob", "60000", "0"),
        ("@cas", "40000", "240"),
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
    assert "The deadline of #1 Shared courier is now 6 March 2026, 11:00" in out
    assert "🚫 Proposal #1 Shared courier was cancelled by you." in out


async def test_a_backslash_continues_a_multi_line_propose(terminal: Terminal) -> None:
    out = await terminal.run("!propose Shared courier\\", "goal: €2.500\\", "Two vans, one route.")
    assert "Goals: €2,500 · 1 backer" in out
    assert "Two vans, one route." in out


async def test_delete_removes_an_idea_from_ideas(terminal: Terminal) -> None:
    out = await terminal.run("An idea", "/as @bob", "/react 1 👍", "!ideas", "/as @you", "/delete 1", "!ideas")
    assert "+1 you: “An idea”" in out
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


async def test_the_copy_of_my_data_speaks_the_rooms_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = await Store.open(tmp_path / "dutch.db")
    try:
        clock = ManualClock(START)
        await Terminal(Kring(store, parse_settings({"bot": {"language": "nl"}}), clock, BOT_ID), clock).run(
            "Een idee", "!mijngegevens"
        )
    finally:
        await store.close()
    (written,) = await asyncio.to_thread(lambda: list(tmp_path.glob("kring-data-*.json")))
    about = json.loads(await asyncio.to_thread(written.read_text, encoding="utf-8"))["about"]
    assert about == "Alles wat Kring over dit lid bewaart, in elke kamer die het bedient."
