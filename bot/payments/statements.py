"""Reading a bank statement, CAMT.053 (XML) or MT940 (SWIFT text), told apart by how the file starts; a file over
the size limit is refused before it is read."""

from __future__ import annotations

from bot.payments.camt053 import read_camt053
from bot.payments.mt940 import read_mt940
from bot.payments.statement import Statement, StatementError, numbered

MAX_STATEMENT_BYTES = 20 * 1024 * 1024  # a year of a busy association's lines is a few megabytes


def too_big() -> StatementError:
    return StatementError("payments.too_big", limit=f"{MAX_STATEMENT_BYTES // (1024 * 1024)} MB")


def read_statement(data: bytes) -> Statement:
    """A CAMT.053 or MT940 statement from its bytes; StatementError when it is neither or is damaged."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise too_big()
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if start.startswith(b"<"):
        statement = read_camt053(data)
    elif b":20:" in start or start.startswith((b"{1:", b":940:")):
        statement = read_mt940(data)
    else:
        raise StatementError("payments.not_a_statement")
    return Statement(statement.account_iban, numbered(statement.lines))
