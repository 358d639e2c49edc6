"""Importing a year of bank statements (5 000 lines, CAMT.053) beside a plain parse of the same file, in one run.

The store holds 1 000 payment requests of 200 GO proposals. The statement's lines: about a third pay a request by
its structured reference, a tenth type the reference in the description (some paying in two parts), the rest are
other incoming payments and debits, as an association's account has them. `payments_parse_s` reads the file
(`read_statement`: XML with entities refused, every entry and transaction); `payments_import_s` is the whole
import as `kring payments import` does it, into a fresh copy of the store each round: the same read, matching,
deliveries confirmed and credited, the thread messages queued, every line kept once. The ratio is parse ÷ import:
1.0 would mean the import costs nothing beyond the parse.
"""

from __future__ import annotations

import shutil
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.engine import Kring
from bot.payments.statements import read_statement
from handlers.payments.references import reference_for
from storage.records import NewProposal, Status
from storage.store import Store
from tests.unit.payments.statements import ACCOUNT, Tx, camt053

LINES = 5_000
PROPOSALS = 200
BACKERS = 5
ROUNDS = 3
ROOM = "!bench:payments"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def _store(path: Path) -> list[str]:
    """A store with the requests; their references."""
    store = await Store.open(path)
    references = []
    try:
        async with store.transaction():
            for number in range(PROPOSALS):
                proposal = await store.proposals.create(
                    NewProposal(
                        ROOM,
                        f"Plan {number}",
                        "",
                        "@proposer:bench",
                        100_000,
                        None,
                        1,
                        START,
                        START,
                        f"$p{number}",
                        None,
                    )
                )
                await store.proposals.set_status(proposal.id, Status.GO, START)
                rows = [
                    (proposal.id, f"@member{number * BACKERS + b}:bench", 2_500, reference_for(proposal.id, b + 1))
                    for b in range(BACKERS)
                ]
                await store.payments.add_requests(rows, START)
                references += [row[3] for row in rows]
    finally:
        await store.close()
    return references


def _statement(references: list[str]) -> bytes:
    entries = []
    for index in range(LINES):
        booked = date(2026, 1, 1) + timedelta(days=index * 365 // LINES)
        kind = index % 10
        if kind < 3 and index // 10 < len(references):
            tx = Tx("25.00", reference=references[index // 10 * 3 % len(references)], booked=booked)
        elif kind == 3:
            spaced = references[(index * 7) % len(references)].lower()
            tx = Tx("12.50", text=f"bijdrage {spaced[:4]} {spaced[4:]}", booked=booked)
        elif kind < 7:
            tx = Tx(
                f"{10 + index % 90}.{index % 100:02d}",
                name=f"Payer {index}",
                text=f"contributie {index}",
                booked=booked,
            )
        else:
            tx = Tx(f"{5 + index % 40}.00", name="Supplier", text=f"invoice {index}", debit=True, booked=booked)
        entries.append([tx])
    return camt053(entries, account=ACCOUNT)


async def measure(workdir: Path) -> dict[str, Any]:
    seed = workdir / "seed.db"
    references = await _store(seed)
    data = _statement(references)
    settings = parse_settings({"money": {"iban": ACCOUNT, "account_name": "Bench"}})
    parse_s, import_s = [], []
    matched = 0
    for round_number in range(ROUNDS):
        started = time.perf_counter()
        statement = read_statement(data)
        parse_s.append(time.perf_counter() - started)
        copy = workdir / f"round{round_number}.db"
        shutil.copyfile(seed, copy)
        copy.chmod(0o600)
        store = await Store.open(copy)
        try:
            kring = Kring(store, settings, ManualClock(START + timedelta(days=400)), "@kring:bench")
            started = time.perf_counter()
            statement = read_statement(data)
            imported = await kring.take_statement(statement.account_iban, statement.lines)
            import_s.append(time.perf_counter() - started)
            matched = sum(1 for m in imported.matches if m.outcome.value == "matched")
        finally:
            await store.close()
    parse, whole = statistics.median(parse_s), statistics.median(import_s)
    return {
        "payments_lines": LINES,
        "payments_matched": matched,
        "payments_bytes": len(data),
        "payments_parse_s": round(parse, 3),
        "payments_import_s": round(whole, 3),
        "payments_import_vs_parse": round(parse / whole, 3),
    }
