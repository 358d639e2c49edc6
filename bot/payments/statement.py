"""What every statement reader gives and raises: the account and its lines, amounts in cents, keys for lines."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from storage.records import BankLine


class StatementError(Exception):
    """The file is not a statement Kring reads; `key` names the sentence that says why."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Statement:
    account_iban: str
    lines: list[BankLine]


# Digits, at most 11 before the separator (SEPA's largest transfer has 9): no exponent, NaN or infinity, and a
# year of lines still sums within SQLite's 64-bit integers.
AMOUNT = re.compile(r"[+-]?\d{1,11}(?:[.,]\d{0,5})?")


def cents(amount: str) -> int:
    """`12.34` (or `12,34`) euros as cents; StatementError for anything else (fractions of a cent included)."""
    written = amount.strip()
    if AMOUNT.fullmatch(written) is None:
        raise StatementError("payments.malformed", reason=f"amount {amount[:20]!r}")
    counted = Decimal(written.replace(",", ".")) * 100
    if counted != counted.to_integral_value():
        raise StatementError("payments.malformed", reason=f"amount {amount[:20]!r}")
    return int(counted)


def digest(*fields: object) -> str:
    """A bank line's key where the bank gave it no reference of its own: the digest of what it says."""
    return "sha256:" + hashlib.sha256("\x1f".join(str(f) for f in fields).encode()).hexdigest()[:32]


def numbered(lines: list[BankLine]) -> list[BankLine]:
    """Lines keyed by a digest that say exactly the same thing (two alike transfers on one day, where the bank
    gives no reference) are two payments: the second and later get their place among them in the key. The same
    file read again gives the same keys, so each is still imported once."""
    seen: Counter[str] = Counter()
    out = []
    for line in lines:
        if line.key.startswith("sha256:"):
            seen[line.key] += 1
            if seen[line.key] > 1:
                line = replace(line, key=f"{line.key}/{seen[line.key]}")
        out.append(line)
    return out
