"""`kring export`: proposals, pledges, objections, reputation, the credit ledger, talents and needs, as JSON or one
CSV per table (plain, or as Dutch Excel opens it: `;`, a BOM, Dutch headers and words, euros and hours with a decimal
comma)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.file_modes import DIRECTORY_MODE, write_private_file
from storage.records import Status
from storage.store import Store

TABLES = (
    "reputation",
    "proposals",
    "pledges",
    "objections",
    "updates",
    "deliveries",
    "credits",
    "talents",
    "needs",
    "payment_requests",  # [money]: what GO asked each money backer for, and what arrived
    "payments",  # [money]: the bank lines taken for those requests
)


def pledge_status(status: Status) -> str:
    """What a pledge is worth now: `open` until the decision, `binding` after GO, `lapsed` with a NO-GO or a
    cancel (nobody owes anything)."""
    if status is Status.OPEN:
        return "open"
    if status in (Status.NO_GO, Status.CANCELLED):
        return "lapsed"
    return "binding"


def _iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


async def export_rooms(store: Store, zone: ZoneInfo, room_id: str | None = None) -> dict[str, Any]:
    """The export document: `{"rooms": [{"room_id", "reputation", "proposals", "credits"}]}`."""
    rooms = [room_id] if room_id else await store.proposals.rooms()
    return {"rooms": [await _room(store, zone, room) for room in rooms]}


async def _room(store: Store, zone: ZoneInfo, room_id: str) -> dict[str, Any]:
    pseudonyms = await store.members.pseudonyms(room_id)

    def who(user_id: str) -> str:
        """A member's user id; a forgotten member's pseudonym as the room says it ("oud-lid 7" in Dutch)."""
        return pseudonyms.get(user_id, user_id)

    def who_maybe(user_id: str | None) -> str | None:
        return None if user_id is None else who(user_id)

    proposals = []
    in_room = await store.proposals.in_room(room_id)
    involved: set[str] = set()
    deliveries = await store.underway.deliveries([p.id for p in in_room])
    requests = await store.payments.requests_of([p.id for p in in_room])
    arrived = await store.payments.arrived([r.id for r in requests])
    paid_lines = await store.payments.lines_of_proposals([p.id for p in in_room])
    for proposal in in_room:
        pledges = await store.proposals.pledges(proposal.id)
        objections = await store.proposals.objections(proposal.id)
        updates = await store.underway.updates(proposal.id)
        involved.update(p.user_id for p in pledges)
        proposals.append(
            {
                "id": proposal.number,
                "title": proposal.title,
                "proposer": who(proposal.proposer),
                "status": proposal.status.value,
                "money_goal_cents": proposal.money_goal_cents,
                "hours_goal_minutes": proposal.hours_goal_minutes,
                "min_backers": proposal.min_backers,
                "deadline": _iso(proposal.deadline, zone),
                "decided_at": _iso(proposal.decided_at, zone),
                "description": proposal.description,
                "created_at": _iso(proposal.created_at, zone),
                "cancel_reason": proposal.cancel_reason,
                "pledges": [
                    {
                        "user": who(p.user_id),
                        "money_cents": p.money_cents,
                        "minutes": p.minutes,
                        "note": p.note,
                        "status": pledge_status(proposal.status),
                    }
                    for p in pledges
                ],
                "objections": [{"user": who(o.user_id), "reason": o.reason} for o in objections],
                "needs": list(proposal.needs),
                "closed_at": _iso(proposal.closed_at, zone),
                "close_reason": proposal.close_reason,
                "updates": [
                    {"user": who(u.user_id), "text": u.text, "percent": u.percent, "at": _iso(u.at, zone)}
                    for u in updates
                ],
                "deliveries": [
                    {
                        "user": who(d.user_id),
                        "money_cents": d.money_cents,
                        "minutes": d.minutes,
                        "note": d.note,
                        "at": _iso(d.at, zone),
                        "confirmed_by": who_maybe(d.confirmed_by),
                        "confirmed_at": _iso(d.confirmed_at, zone),
                    }
                    for d in deliveries
                    if d.proposal_id == proposal.id
                ],
                "payment_requests": [
                    {
                        "user": who(r.user_id),
                        "reference": r.reference,
                        "money_cents": r.amount_cents,
                        "arrived_cents": arrived.get(r.id, 0),
                        "requested_at": _iso(r.requested_at, zone),
                        "reminded_at": _iso(r.reminded_at, zone),
                    }
                    for r in requests
                    if r.proposal_id == proposal.id
                ],
                "payments": [
                    {
                        "user": who(request.user_id),
                        "booked_on": line.booked_on.isoformat(),
                        "money_cents": line.amount_cents,
                        "outcome": outcome.value,
                        "payer_name": line.payer_name,
                        "bank_reference": line.key,
                    }
                    for line, outcome, request_id in paid_lines
                    for request in requests
                    if request.id == request_id and request.proposal_id == proposal.id
                ],
            }
        )
    credits = [
        {
            "event_id": c.source_event_id,
            "giver": who_maybe(c.giver),
            "receiver": who(c.receiver),
            "delta": c.delta,
            "reason": c.reason.value,
            "at": _iso(c.at, zone),
        }
        for c in await store.credits.ledger(room_id)
    ]
    talents: dict[str, list[str]] = {}
    for talent in await store.talents.in_room(room_id):
        talents.setdefault(who(talent.user_id), []).append(talent.talent)
    needs = [
        {
            "id": n.number,
            "user": who(n.user_id),
            "text": n.text,
            "talents": list(n.talents),
            "at": _iso(n.at, zone),
            "solved_at": _iso(n.solved_at, zone),
            "helped_by": who_maybe(n.helped_by),
        }
        for n in await store.talents.all_needs(room_id)
    ]
    balances = await store.credits.all_balances(room_id)
    involved.update(balances)
    involved.update(d.user_id for d in deliveries)
    involved.update(p.proposer for p in in_room)
    shown = await store.members.display_names(room_id, sorted(involved))
    return {
        "room_id": room_id,
        # the name each member goes by in the room (a forgotten member: the pseudonym), for a spreadsheet's reader
        "names": {who(user): pseudonyms.get(user, shown.get(user, user)) for user in sorted(involved)},
        "reputation": {who(user): credits for user, credits in balances.items()},
        "proposals": proposals,
        "credits": credits,
        "talents": talents,
        "needs": needs,
    }


def as_tables(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Flatten the export document into one list of rows per table, each row naming its room."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for room in document["rooms"]:
        room_id = room["room_id"]
        names: dict[str, str] = room.get("names", {})
        for user, credits in room["reputation"].items():
            tables["reputation"].append({"room_id": room_id, "user": user, "name": names.get(user), "credits": credits})
        for proposal in room["proposals"]:
            flat = {
                k: v
                for k, v in proposal.items()
                if k not in ("pledges", "objections", "updates", "deliveries", "needs", "payment_requests", "payments")
            }
            tables["proposals"].append({"room_id": room_id, **flat})
            for pledge in proposal["pledges"]:
                named = {"name": names.get(pledge["user"])}
                tables["pledges"].append({"room_id": room_id, "proposal_id": proposal["id"], **pledge, **named})
            for objection in proposal["objections"]:
                tables["objections"].append({"room_id": room_id, "proposal_id": proposal["id"], **objection})
            for update in proposal["updates"]:
                tables["updates"].append({"room_id": room_id, "proposal_id": proposal["id"], **update})
            for delivery in proposal["deliveries"]:
                named = {"name": names.get(delivery["user"])}
                tables["deliveries"].append({"room_id": room_id, "proposal_id": proposal["id"], **delivery, **named})
            for name in ("payment_requests", "payments"):
                tables[name] += [{"room_id": room_id, "proposal_id": proposal["id"], **row} for row in proposal[name]]
        for credit in room["credits"]:
            tables["credits"].append({"room_id": room_id, **credit})
        for user, talents in room["talents"].items():
            tables["talents"] += [{"room_id": room_id, "user": user, "talent": talent} for talent in talents]
        for need in room["needs"]:
            tables["needs"].append({"room_id": room_id, **need, "talents": ", ".join(need["talents"])})
    return tables


COLUMNS = {
    "reputation": ["room_id", "user", "name", "credits"],
    "proposals": [
        "room_id",
        "id",
        "title",
        "proposer",
        "status",
        "money_goal_cents",
        "hours_goal_minutes",
        "min_backers",
        "deadline",
        "decided_at",
        "description",
        "created_at",
        "cancel_reason",
        "closed_at",
        "close_reason",
    ],
    "pledges": ["room_id", "proposal_id", "user", "name", "money_cents", "minutes", "note", "status"],
    "objections": ["room_id", "proposal_id", "user", "reason"],
    "updates": ["room_id", "proposal_id", "user", "text", "percent", "at"],
    "deliveries": [
        "room_id",
        "proposal_id",
        "user",
        "name",
        "money_cents",
        "minutes",
        "note",
        "at",
        "confirmed_by",
        "confirmed_at",
    ],
    "credits": ["room_id", "event_id", "giver", "receiver", "delta", "reason", "at"],
    "talents": ["room_id", "user", "talent"],
    "needs": ["room_id", "id", "user", "text", "talents", "at", "solved_at", "helped_by"],
    "payment_requests": [
        "room_id",
        "proposal_id",
        "user",
        "reference",
        "money_cents",
        "arrived_cents",
        "requested_at",
        "reminded_at",
    ],
    "payments": [
        "room_id",
        "proposal_id",
        "user",
        "booked_on",
        "money_cents",
        "outcome",
        "payer_name",
        "bank_reference",
    ],
}
# For Excel: cents become euros and minutes hours, each with a decimal comma, and the column says so.
_EXCEL_AMOUNTS = {
    "money_goal_cents": ("money_goal_eur", 100),
    "money_cents": ("money_eur", 100),
    "arrived_cents": ("arrived_eur", 100),
    "hours_goal_minutes": ("hours_goal", 60),
    "minutes": ("hours", 60),
}
_EXCEL_MOMENTS = frozenset(
    {"deadline", "decided_at", "created_at", "closed_at", "at", "confirmed_at", "solved_at"}
    | {"requested_at", "reminded_at"}
)
# Dutch Excel reads Dutch: the headers, and the words of a status (proposals: as the room says them; pledges).
DUTCH_HEADERS = {
    "room_id": "kamer",
    "id": "nr",
    "proposal_id": "voorstel",
    "user": "gebruiker",
    "name": "naam",
    "credits": "punten",
    "title": "titel",
    "proposer": "indiener",
    "status": "status",
    "money_goal_eur": "doelbedrag_eur",
    "hours_goal": "doel_uren",
    "min_backers": "min_steuners",
    "deadline": "deadline",
    "decided_at": "besloten_op",
    "description": "beschrijving",
    "created_at": "ingediend_op",
    "cancel_reason": "reden_annulering",
    "closed_at": "afgesloten_op",
    "close_reason": "reden_afsluiting",
    "money_eur": "bedrag_eur",
    "hours": "uren",
    "note": "toelichting",
    "reason": "reden",
    "text": "tekst",
    "percent": "procent_klaar",
    "at": "moment",
    "confirmed_by": "bevestigd_door",
    "confirmed_at": "bevestigd_op",
    "event_id": "matrix_event",
    "giver": "gever",
    "receiver": "ontvanger",
    "delta": "punten",
    "talent": "talent",
    "talents": "talenten",
    "solved_at": "opgelost_op",
    "helped_by": "geholpen_door",
    "reference": "betalingskenmerk",  # [money]
    "arrived_eur": "binnengekomen_eur",
    "requested_at": "gevraagd_op",
    "reminded_at": "herinnerd_op",
    "booked_on": "boekdatum",
    "outcome": "uitkomst",
    "payer_name": "naam_betaler",
    "bank_reference": "bankreferentie",
}
DUTCH_STATUS = {
    "proposals": {
        "open": "loopt",
        "go": "GO",
        "no-go": "NO-GO",
        "cancelled": "geannuleerd",
        "done": "klaar",
        "dropped": "gestaakt",
    },
    "pledges": {"open": "loopt", "binding": "bindend", "lapsed": "vervallen"},
}
# Columns that hold a Matrix user id: in Excel written without the @ that would make the cell a formula, so no
# stray apostrophe shows (`bob:example.org`, beside the member's name).
USER_COLUMNS = frozenset({"user", "proposer", "giver", "receiver", "confirmed_by", "helped_by"})


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: object) -> object:
    """A text cell a spreadsheet would run gets a leading apostrophe (user ids too: they begin with @); numbers,
    None and harmless text stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _decimal_comma(value: int | None, per: int) -> str:
    """`250050` cents as `2500,50`, `90` minutes as `1,5` (hours keep the decimals they need)."""
    if value is None:
        return ""
    whole, part = divmod(value, per)
    if per == 100:
        return f"{whole},{part:02d}"
    hundredths = round(part * 100 / per)
    if hundredths == 100:
        whole, hundredths = whole + 1, 0
    return str(whole) if not hundredths else f"{whole},{hundredths:02d}".rstrip("0")


def _excel_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row as Dutch Excel reads it: amounts in euros and hours, moments as `2026-03-04 11:00` (local time),
    statuses in Dutch, user ids without their @, under Dutch headers."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _EXCEL_AMOUNTS:
            name, per = _EXCEL_AMOUNTS[key]
            out[DUTCH_HEADERS[name]] = _decimal_comma(value, per)
        elif key in _EXCEL_MOMENTS and isinstance(value, str):
            out[DUTCH_HEADERS[key]] = value[:16].replace("T", " ")
        elif key == "status" and isinstance(value, str):
            out[DUTCH_HEADERS[key]] = DUTCH_STATUS.get(table, {}).get(value, value)
        elif key in USER_COLUMNS and isinstance(value, str) and value.startswith("@") and ":" in value:
            out[DUTCH_HEADERS[key]] = value[1:]
        else:
            out[DUTCH_HEADERS.get(key, key)] = value
    return out


def _excel_columns(name: str) -> list[str]:
    plain = [_EXCEL_AMOUNTS[column][0] if column in _EXCEL_AMOUNTS else column for column in COLUMNS[name]]
    return [DUTCH_HEADERS[column] for column in plain]


def table_csv(document: dict[str, Any], name: str, *, excel: bool = False) -> str:
    """One table of the export as CSV text, with a header row; `excel`: as Dutch Excel opens it (`;`, a BOM, CRLF,
    euros and hours with a decimal comma). Text a spreadsheet would run is made inert (the JSON export stays
    exact)."""
    buffer = io.StringIO()
    rows = as_tables(document)[name]
    if excel:
        buffer.write("\ufeff")  # without it Excel reads the file as ANSI: € and ë garbled
        writer = csv.DictWriter(buffer, fieldnames=_excel_columns(name), delimiter=";", lineterminator="\r\n")
        rows = [_excel_row(name, row) for row in rows]
    else:
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS[name], lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: inert(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def write_tables(document: dict[str, Any], folder: Path, *, excel: bool = False) -> list[Path]:
    """Every table as `<folder>/<table>.csv`, which any spreadsheet opens (`excel`: Dutch Excel); the paths
    written."""
    folder.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        # members' names, pledges and credits: for the operator's eyes
        write_private_file(path, table_csv(document, name, excel=excel).encode())
        written.append(path)
    return written
