"""Money that arrives: payment requests of GO proposals and the bank lines that statements brought."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from datetime import date, datetime

from storage.db import Database
from storage.records import BankLine, LineOutcome, PaymentRequest
from storage.timeconv import from_db, from_db_optional, to_db

# The bank lines whose money counts as arrived: matched ones, and suggestions once a treasurer confirmed them.
COUNTED_LINES = (
    "(outcome = 'matched' OR (outcome = 'suggested' "
    "AND delivery_id IN (SELECT id FROM deliveries WHERE confirmed_by IS NOT NULL)))"
)
_REQUEST_COLUMNS = "id, proposal_id, user_id, amount_cents, reference, requested_at, reminded_at"


def _request(row: sqlite3.Row) -> PaymentRequest:
    return PaymentRequest(
        id=row[0],
        proposal_id=row[1],
        user_id=row[2],
        amount_cents=row[3],
        reference=row[4],
        requested_at=from_db(row[5]),
        reminded_at=from_db_optional(row[6]),
    )


class PaymentQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    # requests
    async def add_requests(self, requests: Iterable[tuple[int, str, int, str]], at: datetime) -> None:
        """(proposal id, backer, amount in cents, reference) each; a backer already asked is not asked again."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO payment_requests (proposal_id, user_id, amount_cents, reference, requested_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(proposal_id, user, cents, reference, to_db(at)) for proposal_id, user, cents, reference in requests],
        )

    async def request_of(self, proposal_id: int, user_id: str) -> PaymentRequest | None:
        row = await self.db.fetch_one(
            f"SELECT {_REQUEST_COLUMNS} FROM payment_requests WHERE proposal_id = ? AND user_id = ?",
            (proposal_id, user_id),
        )
        return None if row is None else _request(row)

    async def requests_of(self, proposal_ids: Collection[int]) -> list[PaymentRequest]:
        if not proposal_ids:
            return []
        marks = ",".join("?" * len(proposal_ids))
        rows = await self.db.fetch_all(
            f"SELECT {_REQUEST_COLUMNS} FROM payment_requests WHERE proposal_id IN ({marks}) ORDER BY id",
            tuple(proposal_ids),
        )
        return [_request(r) for r in rows]

    async def requests_of_member(self, user_id: str) -> list[PaymentRequest]:
        rows = await self.db.fetch_all(
            f"SELECT {_REQUEST_COLUMNS} FROM payment_requests WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [_request(r) for r in rows]

    async def unreminded(self, requested_before: datetime) -> list[PaymentRequest]:
        """Requests made before this moment that were never reminded of."""
        rows = await self.db.fetch_all(
            f"SELECT {_REQUEST_COLUMNS} FROM payment_requests WHERE reminded_at IS NULL AND requested_at <= ? "
            "ORDER BY id",
            (to_db(requested_before),),
        )
        return [_request(r) for r in rows]

    async def mark_reminded(self, request_ids: Collection[int], at: datetime) -> None:
        await self.db.executemany(
            "UPDATE payment_requests SET reminded_at = ? WHERE id = ?", [(to_db(at), i) for i in request_ids]
        )

    async def all_requests(self) -> list[PaymentRequest]:
        """Every request, paid or not: what arrived is counted from the bank lines."""
        rows = await self.db.fetch_all(f"SELECT {_REQUEST_COLUMNS} FROM payment_requests ORDER BY id")
        return [_request(r) for r in rows]

    async def arrived(self, request_ids: Collection[int]) -> dict[int, int]:
        """Cents the bank brought per request: matched lines, and suggestions once confirmed."""
        if not request_ids:
            return {}
        marks = ",".join("?" * len(request_ids))
        rows = await self.db.fetch_all(
            f"SELECT request_id, SUM(amount_cents) FROM bank_lines WHERE {COUNTED_LINES} "
            f"AND request_id IN ({marks}) GROUP BY request_id",
            tuple(request_ids),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    # bank lines
    async def known_keys(self, keys: Collection[str]) -> set[str]:
        """Which of these bank lines were imported before (from whatever file)."""
        found: set[str] = set()
        chunk = list(keys)
        for start in range(0, len(chunk), 500):
            part = chunk[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = await self.db.fetch_all(f"SELECT line_key FROM bank_lines WHERE line_key IN ({marks})", tuple(part))
            found.update(str(r[0]) for r in rows)
        return found

    async def booked_between(self, first: date, last: date) -> list[BankLine]:
        """Every line imported before that was booked in these days."""
        rows = await self.db.fetch_all(
            "SELECT line_key, booked_on, amount_cents, currency, payer_name, payer_iban, text FROM bank_lines "
            "WHERE booked_on BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        )
        return [BankLine(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]

    async def add_line(
        self,
        line: BankLine,
        outcome: LineOutcome,
        at: datetime,
        *,
        request_id: int | None = None,
        delivery_id: int | None = None,
    ) -> None:
        await self.add_lines([(line, outcome, request_id, delivery_id)], at)

    async def add_lines(
        self, lines: Iterable[tuple[BankLine, LineOutcome, int | None, int | None]], at: datetime
    ) -> None:
        """(line, outcome, request id, delivery id) each, kept with the moment they were imported."""
        await self.db.executemany(
            "INSERT INTO bank_lines (line_key, booked_on, amount_cents, currency, payer_name, payer_iban, text, "
            "outcome, request_id, user_id, delivery_id, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT user_id FROM payment_requests WHERE id = ?), ?, ?)",
            [
                (
                    line.key,
                    line.booked_on.isoformat(),
                    line.amount_cents,
                    line.currency,
                    line.payer_name,
                    line.payer_iban,
                    line.text,
                    outcome.value,
                    request_id,
                    request_id,
                    delivery_id,
                    to_db(at),
                )
                for line, outcome, request_id, delivery_id in lines
            ],
        )

    async def suggestions_waiting(self, proposal_id: int, user_id: str) -> list[tuple[int, BankLine, int]]:
        """The bank lines suggested as this backer's payment to this proposal that nobody confirmed yet:
        (line id, line, the id of its waiting delivery), oldest first."""
        rows = await self.db.fetch_all(
            "SELECT b.id, b.line_key, b.booked_on, b.amount_cents, b.currency, b.payer_name, b.payer_iban, b.text, "
            "b.delivery_id FROM bank_lines b JOIN payment_requests r ON r.id = b.request_id "
            "JOIN deliveries d ON d.id = b.delivery_id "
            "WHERE r.proposal_id = ? AND r.user_id = ? AND b.outcome = 'suggested' AND d.confirmed_by IS NULL "
            "ORDER BY b.id",
            (proposal_id, user_id),
        )
        return [
            (int(r[0]), BankLine(r[1], date.fromisoformat(r[2]), r[3], r[4], r[5], r[6], r[7]), int(r[8])) for r in rows
        ]

    async def reject_suggestions(self, waiting: Collection[tuple[int, int]]) -> None:
        """(line id, delivery id) each: the line is no payment of a request after all, but one for the treasurer
        to handle, and the delivery it made, never confirmed, is gone."""
        await self.db.executemany(
            "UPDATE bank_lines SET outcome = 'unmatched', request_id = NULL, user_id = NULL, delivery_id = NULL "
            "WHERE id = ?",
            [(line_id,) for line_id, _ in waiting],
        )
        await self.db.executemany(
            "DELETE FROM deliveries WHERE id = ? AND confirmed_by IS NULL", [(d,) for _, d in waiting]
        )

    async def mark_double(self, line_id: int, delivery_id: int) -> None:
        """A suggested line that would pay its request beyond what it asks: a double payment for the treasurer,
        still the request's, and the delivery it made, never confirmed, is gone."""
        await self.db.execute("UPDATE bank_lines SET outcome = 'double', delivery_id = NULL WHERE id = ?", (line_id,))
        await self.db.execute("DELETE FROM deliveries WHERE id = ? AND confirmed_by IS NULL", (delivery_id,))

    async def lines_of_proposals(self, proposal_ids: Collection[int]) -> list[tuple[BankLine, LineOutcome, int]]:
        """The bank lines taken for the requests of these proposals: (line, outcome, request id), oldest first."""
        if not proposal_ids:
            return []
        marks = ",".join("?" * len(proposal_ids))
        rows = await self.db.fetch_all(
            "SELECT b.line_key, b.booked_on, b.amount_cents, b.currency, b.payer_name, b.payer_iban, b.text, "
            "b.outcome, b.request_id FROM bank_lines b JOIN payment_requests r ON r.id = b.request_id "
            f"WHERE r.proposal_id IN ({marks}) ORDER BY b.id",
            tuple(proposal_ids),
        )
        return [
            (BankLine(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6]), LineOutcome(r[7]), int(r[8]))
            for r in rows
        ]

    async def lines_of_member(self, user_id: str) -> list[tuple[BankLine, LineOutcome, int]]:
        """The bank lines matched to a member's requests: (line, outcome, proposal id)."""
        rows = await self.db.fetch_all(
            "SELECT b.line_key, b.booked_on, b.amount_cents, b.currency, b.payer_name, b.payer_iban, b.text, "
            "b.outcome, r.proposal_id FROM bank_lines b JOIN payment_requests r ON r.id = b.request_id "
            "WHERE r.user_id = ? ORDER BY b.id",
            (user_id,),
        )
        return [
            (
                BankLine(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6]),
                LineOutcome(r[7]),
                int(r[8]),
            )
            for r in rows
        ]
