"""`kring export`: proposals, pledges, objections, reputation and the credit ledger, for the books."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.ops.export import FORMULA_STARTS, TABLES, export_rooms, table_csv, write_tables
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
OTHER = "!other:test"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def community(room: Harness) -> None:
    """#1 GO, #2 cancelled, #3 NO-GO, #4 open; reactions, one taken back; a second room."""
    idea, _ = await room.say(ANN, "Shared courier?")
    await room.react(BOB, idea, "👍", event_id="$up")
    await room.react(CAS, idea, "👎", event_id="$down")
    await room.redact(CAS, "$down")
    await room.say(ANN, "!propose Shared courier €100 10h in 2 days min 2", reply_to=idea)
    await room.say(BOB, "!backme 1 €60 2h I can drive")
    await room.say(CAS, "!backme 1 €40 8h")
    await room.say(CAS, "!object 1 the insurer already offers this")
    await room.say(BOB, "!propose Night rota in 2 days")
    await room.say(BOB, "!cancel 2 merged")
    await room.say(CAS, "!propose Bike fleet €500 in 2 days")
    await room.say(BOB, "!backme 3 €5")
    await room.say(ANN, "!propose Van in 10 days")
    await room.wait(timedelta(days=2, minutes=1))
    other, _ = await room.say(BOB, "Elsewhere", room=OTHER)
    await room.react(ANN, other, "👍", room=OTHER)


async def test_json_export_has_every_proposal_pledge_objection_and_credit(room: Harness) -> None:
    await community(room)
    document = await export_rooms(room.store, AMSTERDAM, ROOM)
    (exported,) = document["rooms"]
    assert set(exported) == {"room_id", "names", "reputation", "proposals", "credits", "talents", "needs"}
    assert exported["names"] == {ANN: "Ann", BOB: "Bob", CAS: "Cas"}
    assert exported["room_id"] == ROOM
    assert exported["reputation"] == {ANN: 1 + 5, BOB: 1, CAS: 1 + 0}

    go, cancelled, no_go, still_open = exported["proposals"]
    assert go == {
        "id": 1,
        "title": "Shared courier",
        "proposer": ANN,
        "status": "go",
        "money_goal_cents": 10_000,
        "hours_goal_minutes": 600,
        "min_backers": 2,
        "deadline": "2026-03-04T11:00:00+01:00",
        "decided_at": "2026-03-04T11:00:00+01:00",
        "description": "",
        "created_at": "2026-03-02T11:00:00+01:00",
        "cancel_reason": None,
        "pledges": [
            {"user": BOB, "money_cents": 6_000, "minutes": 120, "note": "I can drive", "status": "binding"},
            {"user": CAS, "money_cents": 4_000, "minutes": 480, "note": "", "status": "binding"},
        ],
        "objections": [{"user": CAS, "reason": "the insurer already offers this"}],
        "closed_at": None,
        "close_reason": None,
        "updates": [],
        "deliveries": [],
        "needs": [],
        "payment_requests": [],
        "payments": [],
    }
    assert (cancelled["status"], cancelled["money_goal_cents"], cancelled["hours_goal_minutes"]) == (
        "cancelled",
        None,
        None,
    )
    assert no_go["status"] == "no-go" and no_go["pledges"] == [
        {"user": BOB, "money_cents": 500, "minutes": 0, "note": "", "status": "lapsed"}
    ]
    assert still_open["status"] == "open" and still_open["decided_at"] is None
    assert still_open["deadline"] == "2026-03-12T11:00:00+01:00"

    ledger = [(c["event_id"], c["giver"], c["receiver"], c["delta"], c["reason"]) for c in exported["credits"]]
    assert ledger == [
        ("$up", BOB, ANN, 1, "reaction"),
        ("$down", CAS, ANN, -1, "reaction"),
        (ledger[2][0], CAS, ANN, 1, "reversal"),
        (None, None, ANN, 5, "go_proposer"),
        (None, None, BOB, 1, "go_backer"),
        (None, None, CAS, 1, "go_backer"),
    ]
    assert exported["credits"][0]["at"] == "2026-03-02T11:00:00+01:00"
    totals: dict[str, int] = {}
    for credit in exported["credits"]:
        totals[credit["receiver"]] = totals.get(credit["receiver"], 0) + credit["delta"]
    assert totals == exported["reputation"]


async def test_export_covers_every_room_unless_one_is_named(room: Harness) -> None:
    await community(room)
    everything = await export_rooms(room.store, AMSTERDAM)
    assert [r["room_id"] for r in everything["rooms"]] == [OTHER, ROOM]
    other = everything["rooms"][0]
    assert other["reputation"] == {BOB: 1} and other["proposals"] == []
    assert json.loads(json.dumps(everything)) == everything  # plain JSON all the way down


async def test_csv_export_writes_one_file_per_table(room: Harness, tmp_path: Path) -> None:
    await community(room)
    document = await export_rooms(room.store, AMSTERDAM)
    written = write_tables(document, tmp_path / "books")
    assert [path.name for path in written] == [f"{name}.csv" for name in TABLES]
    tables = {path.stem: list(csv.DictReader(path.open(encoding="utf-8"))) for path in written}
    rooms: list[dict[str, Any]] = document["rooms"]
    assert len(tables["reputation"]) == sum(len(r["reputation"]) for r in rooms)
    assert len(tables["proposals"]) == 4
    assert len(tables["pledges"]) == 3
    assert tables["objections"] == [
        {"room_id": ROOM, "proposal_id": "1", "user": "'" + CAS, "reason": "the insurer already offers this"}
    ]
    assert len(tables["credits"]) == sum(len(r["credits"]) for r in rooms) == 7
    first = tables["proposals"][0]
    assert (first["room_id"], first["id"], first["status"], first["deadline"]) == (
        ROOM,
        "1",
        "go",
        "2026-03-04T11:00:00+01:00",
    )
    assert first["created_at"] == "2026-03-02T11:00:00+01:00" and first["description"] == ""
    assert table_csv(document, "pledges") == (tmp_path / "books" / "pledges.csv").read_text(encoding="utf-8")


async def test_a_csv_for_dutch_excel_has_semicolons_a_bom_euros_and_hours(room: Harness, tmp_path: Path) -> None:
    await community(room)
    await room.say(BOB, "!skills add koerier, EHBO")
    await room.say(ANN, "!need iemand die zaterdag rijdt voor: koerier")
    await room.say(CAS, "!propose Café-avond met 🎉 €1.234,50 1,5h in 3 days")
    document = await export_rooms(room.store, AMSTERDAM, ROOM)
    pledges = table_csv(document, "pledges", excel=True)
    assert pledges.startswith("\ufeffkamer;voorstel;gebruiker;naam;bedrag_eur;uren;toelichting;status\r\n")
    # a user id without the @ that would make it a formula, so no stray apostrophe; its name beside it
    assert f"{ROOM};1;bob:test;Bob;60,00;2;I can drive;bindend\r\n" in pledges
    assert f"{ROOM};3;bob:test;Bob;5,00;0;;vervallen\r\n" in pledges  # lapsed with the NO-GO
    assert not any(cell.startswith(FORMULA_STARTS) for cell in re.split("[;\r\n]", pledges))
    proposals = list(csv.DictReader(io.StringIO(table_csv(document, "proposals", excel=True)[1:]), delimiter=";"))
    cafe = proposals[-1]
    assert (cafe["titel"], cafe["doelbedrag_eur"], cafe["doel_uren"]) == ("Café-avond met 🎉", "1234,50", "1,5")
    assert proposals[0]["deadline"] == "2026-03-04 11:00"
    assert [p["status"] for p in proposals] == ["GO", "geannuleerd", "NO-GO", "loopt", "loopt"]
    written = write_tables(document, tmp_path / "excel", excel=True)
    assert {path.stem for path in written} >= {"talents", "needs"}
    raw = (tmp_path / "excel" / "proposals.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Café-avond met 🎉".encode() in raw
    assert table_csv(document, "talents") == f"room_id,user,talent\n{ROOM},'{BOB},koerier\n{ROOM},'{BOB},EHBO\n"
    (need,) = csv.DictReader(io.StringIO(table_csv(document, "needs")))
    assert (need["user"], need["text"], need["talents"]) == (f"'{ANN}", "iemand die zaterdag rijdt", "koerier")


def test_a_dutch_configuration_exports_csv_for_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    database = tmp_path / "story.db"
    assert main(["console", "--db", str(database)]) == 0
    config = tmp_path / "config.toml"
    config.write_text('[bot]\nlanguage = "nl"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["export", "-c", str(config), "--db", str(database), "--format", "csv", "--table", "pledges"]) == 0
    assert capsys.readouterr().out == "\ufeffkamer;voorstel;gebruiker;naam;bedrag_eur;uren;toelichting;status\r\n"
    assert main(["export", "--db", str(database), "--format", "csv", "--table", "pledges", "--excel"]) == 0
    assert capsys.readouterr().out.startswith("\ufeffkamer;")
    args = ["export", "-c", str(config), "--db", str(database), "--format", "csv", "--table", "pledges", "--no-excel"]
    assert main(args) == 0
    assert capsys.readouterr().out == "room_id,proposal_id,user,name,money_cents,minutes,note,status\n"


async def test_export_names_description_creation_and_cancel_reason(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier\ngoal: €100\nTwo vans.")
    await room.say(ANN, "!cancel 1 merged with another plan")
    (proposal,) = (await export_rooms(room.store, AMSTERDAM))["rooms"][0]["proposals"]
    assert proposal["description"] == "Two vans." and proposal["cancel_reason"] == "merged with another plan"
    assert proposal["created_at"] == "2026-03-02T11:00:00+01:00" and proposal["decided_at"] is not None


def test_export_with_a_database_needs_no_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    database = tmp_path / "story.db"
    assert main(["console", "--db", str(database)]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(database)]) == 0
    assert json.loads(capsys.readouterr().out) == {"rooms": []}
    assert main(["export", "--db", str(database), "--format", "csv", "--table", "pledges"]) == 0
    assert capsys.readouterr().out == "room_id,proposal_id,user,name,money_cents,minutes,note,status\n"
    assert main(["export", "--db", str(database), "--format", "csv"]) == 2
    assert "--out DIR" in capsys.readouterr().err
    assert main(["export"]) == 2
    assert capsys.readouterr().err == "kring: export needs -c config.toml or --db FILE\n"


def test_export_of_a_missing_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    assert main(["export", "-c", str(config), "--db", str(tmp_path / "missing.db")]) == 2
    assert capsys.readouterr().err == f"kring: database not found: {tmp_path / 'missing.db'}\n"
    assert not (tmp_path / "missing.db").exists()


def test_export_reads_the_database_named_in_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    config = tmp_path / "config.toml"
    database = tmp_path / "books.db"
    config.write_text(f'[storage]\ndatabase = "{database}"\n', encoding="utf-8")
    assert main(["console", "-c", str(config), "--db", str(database)]) == 0  # an empty session creates it
    capsys.readouterr()
    assert main(["export", "-c", str(config), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"rooms": []}


async def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_json_stays_exact(room: Harness) -> None:
    """OWASP's CSV injection: a cell beginning with = + - @ tab or CR gets a leading apostrophe."""
    await room.say(ANN, "!propose +1+cmd|' /C calc'!A0 €100 in 2 days")
    await room.say(BOB, "!backme 1 €50 =cmd|' /C calc'!A0")
    await room.say(CAS, "!object 1 @SUM(1+1)*cmd|' /C calc'!A0")
    document = await export_rooms(room.store, AMSTERDAM, ROOM)
    (proposal,) = document["rooms"][0]["proposals"]
    assert proposal["title"] == "+1+cmd|' /C calc'!A0"  # the JSON export is exact
    assert proposal["pledges"][0]["note"] == "=cmd|' /C calc'!A0"
    (title,) = [row["title"] for row in csv.DictReader(io.StringIO(table_csv(document, "proposals")))]
    assert title == "'+1+cmd|' /C calc'!A0"
    (pledge,) = csv.DictReader(io.StringIO(table_csv(document, "pledges")))
    assert pledge["note"] == "'=cmd|' /C calc'!A0"
    assert pledge["user"] == "'" + BOB  # a user id begins with @
    assert pledge["money_cents"] == "5000"  # numbers stay numbers
    (excel,) = csv.DictReader(io.StringIO(table_csv(document, "pledges", excel=True)[1:]), delimiter=";")
    assert (excel["gebruiker"], excel["naam"], excel["toelichting"]) == ("bob:test", "Bob", "'=cmd|' /C calc'!A0")
    (objection,) = csv.DictReader(io.StringIO(table_csv(document, "objections")))
    assert objection["reason"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    ledger = list(csv.DictReader(io.StringIO(table_csv(document, "credits"))))
    assert all(not row["delta"].startswith("'") for row in ledger)
    room_row = document["rooms"][0]
    for user, credits in (("-x", -3), ("\tx", 1), ("\rx", 1)):
        text = table_csv({"rooms": [{**room_row, "reputation": {user: credits}}]}, "reputation")
        assert text.split("\n")[1] == f"{ROOM},'{user},,{credits}"  # a negative number stays a number


def test_export_help_says_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        main(["export", "--help"])
    assert leaving.value.code == 0
    assert "json (the default) or csv" in " ".join(capsys.readouterr().out.split())
