"""Reading an MT940 statement (SWIFT text, as ING, Rabobank and ABN AMRO still export it): the `:61:` lines through
`mt-940`, and the Dutch banks' `:86:` fields (CNTP or IBAN/NAME, REMI unstructured or structured) here."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import mt940

from bot.payments.statement import Statement, StatementError, cents, digest
from storage.records import BankLine

# The parser logs every pattern it tries against the lines it reads (payers' names and IBANs, up to ERROR when a
# line is damaged): none of it belongs in Kring's log, and a damaged file is refused in one line all the same.
logging.getLogger("mt940").setLevel(logging.CRITICAL + 1)

FIELD = re.compile(r"/(EREF|CNTP|REMI|PREF|MARF|CSID|RTRN|TRTP|IBAN|BIC|NAME|ADDR|ULTC|ULTD|PURP|BENM|ORDP|SUM|IREF)/")
ACCOUNT = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED"})
ACCOUNT_TAG = re.compile(r"^:25:(.*)$", re.MULTILINE)


def details_fields(details: str) -> dict[str, str]:
    """The `/KEY/value` fields of an :86: line (its wrapped lines joined); {} when it has none."""
    joined = details.replace("\r", "").replace("\n", "")
    parts = FIELD.split(joined)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _party(fields: dict[str, str], details: str) -> tuple[str, str, str, str]:
    """Name, IBAN, free text and structured reference of the other party, as far as the :86: says."""
    if not fields:
        return "", "", " ".join(details.split()), ""
    name, iban = fields.get("NAME", "").strip("/ "), fields.get("IBAN", "").strip("/ ")
    if "CNTP" in fields:  # ING, Rabobank: /CNTP/iban/bic/name/city/
        counterparty = fields["CNTP"].split("/")
        iban = counterparty[0] if counterparty else iban
        name = counterparty[2] if len(counterparty) > 2 else name
    remittance = fields.get("REMI", "")
    text, reference = remittance.strip("/ "), ""
    if remittance.startswith("USTD/"):
        text = remittance.removeprefix("USTD/").strip("/ ")
    elif remittance.startswith("STRD/"):
        text = ""
        reference = remittance.removeprefix("STRD/").removeprefix("CUR/").strip("/ ")
    return name.strip(), iban.strip(), text, reference


def _account(identification: str) -> str:
    compact = re.sub(r"\s+", "", identification).upper()
    found = ACCOUNT.match(compact)
    if found is None:
        return compact
    account = found.group(0)
    return account[:-3] if account.endswith("EUR") and account[:2] == "NL" and len(account) == 21 else account


def read_mt940(data: bytes) -> Statement:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    transactions = mt940.models.Transactions()
    try:
        transactions.parse(text)
    except Exception as error:  # the parser raises whatever its tags raise on a damaged line
        raise StatementError("payments.malformed", reason=f"MT940: {type(error).__name__}") from None
    info: dict[str, Any] = transactions.data
    if not info.get("account_identification"):
        raise StatementError("payments.not_a_statement")
    # The parser keeps only the last :25:; a file may hold several accounts' statements (the bank's "all accounts").
    if len({_account(found) for found in ACCOUNT_TAG.findall(text)}) != 1:
        raise StatementError("payments.malformed", reason="no single account IBAN")
    if "final_closing_balance" not in info:
        raise StatementError("payments.malformed", reason="MT940 without its closing balance (:62F:), cut short")
    lines = []
    for transaction in transactions:
        data_of: dict[str, Any] = transaction.data
        amount = data_of["amount"]
        booked = data_of.get("entry_date") or data_of["date"]
        booked_on = date(booked.year, booked.month, booked.day)
        details = str(data_of.get("transaction_details") or "").split("\n/SUM/")[0]
        name, iban, remittance, reference = _party(details_fields(details), details)
        amount_cents = cents(str(amount.amount))
        currency = str(data_of.get("currency") or amount.currency)
        bank_reference = str(data_of.get("bank_reference") or "").strip()
        if bank_reference.upper() in NO_REFERENCE:
            key = digest(booked_on, amount_cents, currency, iban, name, remittance, reference, details)
        else:
            key = f"ref:{bank_reference}"
        lines.append(BankLine(key, booked_on, amount_cents, currency, name, iban, remittance, reference))
    return Statement(_account(str(info["account_identification"])), lines)
