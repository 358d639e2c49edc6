"""Which payment request a bank line pays: by its structured reference, by the reference typed in its text, or,
as a suggestion only, by its amount and the proposal's number. Pure: no store, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.payments.references import compact, is_ours, references_in
from storage.records import BankLine, LineOutcome, PaymentRequest

EURO = "EUR"


class UnknownReference(Exception):
    """A line carries a reference of Kring's form that no request has: a statement for another Kring, or a typo
    in a bank's file. Nothing is imported."""

    def __init__(self, line: BankLine, reference: str) -> None:
        super().__init__(reference)
        self.line = line
        self.reference = reference


@dataclass(frozen=True)
class Match:
    """What one line is taken for; `request` is set for a match, a suggestion and a double payment."""

    line: BankLine
    outcome: LineOutcome
    request: PaymentRequest | None = None
    counted_cents: int = 0  # what it adds to the request's arrived money
    left_cents: int = 0  # still open on the request after it (a part payment)
    surplus_cents: int = 0  # paid over the request's amount


def _by_reference(line: BankLine, requests: Mapping[str, PaymentRequest]) -> PaymentRequest | None:
    if line.reference:
        structured = compact(line.reference)
        if structured in requests:
            return requests[structured]
        if is_ours(structured):
            raise UnknownReference(line, structured)
    typed = references_in(line.text)
    for reference in typed:
        if reference in requests:
            return requests[reference]
    if typed:
        raise UnknownReference(line, typed[0])
    return None


def _suggestion(
    line: BankLine, same_amount: Sequence[PaymentRequest], paid: Mapping[int, int], numbers: Mapping[int, int]
) -> PaymentRequest | None:
    """The one unpaid request of this amount whose proposal's number the text names (`#3`, `3`), if exactly one."""
    fitting = [
        request
        for request in same_amount
        if not paid.get(request.id)
        and re.search(rf"(?<![\d,.]){numbers.get(request.proposal_id, -1)}(?![\d,.])", line.text)
    ]
    return fitting[0] if len(fitting) == 1 else None


def match_lines(
    lines: Sequence[BankLine],
    requests: Sequence[PaymentRequest],
    arrived: Mapping[int, int],
    numbers: Mapping[int, int],
) -> list[Match]:
    """Each line's match, in order, counting what earlier lines of the same import brought. `arrived`: cents per
    request before this import; `numbers`: each proposal's number in its room. Raises UnknownReference."""
    by_reference = {compact(request.reference): request for request in requests}
    by_amount: dict[int, list[PaymentRequest]] = {}
    for each in requests:
        by_amount.setdefault(each.amount_cents, []).append(each)
    paid = dict(arrived)
    matches = []
    for line in lines:
        if line.amount_cents <= 0 or line.currency != EURO:
            matches.append(Match(line, LineOutcome.IGNORED))
            continue
        request = _by_reference(line, by_reference)
        if request is None:
            suggested = _suggestion(line, by_amount.get(line.amount_cents, []), paid, numbers)
            outcome = LineOutcome.UNMATCHED if suggested is None else LineOutcome.SUGGESTED
            matches.append(Match(line, outcome, suggested))
            continue
        before = paid.get(request.id, 0)
        if before >= request.amount_cents:
            matches.append(Match(line, LineOutcome.DOUBLE, request, surplus_cents=line.amount_cents))
            continue
        paid[request.id] = before + line.amount_cents
        matches.append(
            Match(
                line,
                LineOutcome.MATCHED,
                request,
                counted_cents=line.amount_cents,
                left_cents=max(0, request.amount_cents - paid[request.id]),
                surplus_cents=max(0, paid[request.id] - request.amount_cents),
            )
        )
    return matches
