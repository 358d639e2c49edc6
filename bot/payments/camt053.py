"""Reading ISO 20022 CAMT.053 statements (.001.02 to .001.08) with entities and document types refused: booked
entries only, entries with several transactions, names of .001.02 and .001.08 alike, structured creditor
references, the bank's own references as the lines' keys."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.payments.statement import Statement, StatementError, cents, digest
from storage.records import BankLine

XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
CAMT053 = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d\d\}")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element: ElementTree.Element | None, *path: str) -> ElementTree.Element | None:
    """The first element down `path`, by local names (namespaces of .001.02 and .001.08 alike)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: ElementTree.Element | None, name: str) -> list[ElementTree.Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _text(element: ElementTree.Element | None, *path: str) -> str:
    found = _child(element, *path)
    return "" if found is None or found.text is None else found.text.strip()


def _party_name(parties: ElementTree.Element | None, role: str) -> str:
    return _text(parties, role, "Nm") or _text(parties, role, "Pty", "Nm")  # .001.08 wraps the party in Pty


def _declared_encoding(data: bytes) -> str:
    found = XML_ENCODING.search(data[:200])
    return found.group(1).decode("ascii", "replace")[:20] if found else "?"


def read_camt053(data: bytes) -> Statement:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise StatementError("payments.unsafe_xml") from None
    except ElementTree.ParseError as error:
        raise StatementError("payments.malformed", reason=f"XML: {error}") from None
    except LookupError:  # the XML declaration names an encoding Python does not know
        raise StatementError(
            "payments.malformed", reason=f"XML: unknown encoding {_declared_encoding(data)!r}"
        ) from None
    if _local(root.tag) != "Document" or not CAMT053.match(root.tag):
        raise StatementError("payments.not_a_statement")
    statements = _children(_child(root, "BkToCstmrStmt"), "Stmt")
    if not statements:
        raise StatementError("payments.not_a_statement")
    accounts = {_text(s, "Acct", "Id", "IBAN").replace(" ", "").upper() for s in statements}
    if len(accounts) != 1 or "" in accounts:
        raise StatementError("payments.malformed", reason="no single account IBAN")
    entries = [entry for statement in statements for entry in _children(statement, "Ntry") if _booked(entry)]
    return Statement(accounts.pop(), [line for entry in entries for line in _entry(entry)])


def _booked(entry: ElementTree.Element) -> bool:
    """Booked, as a statement's entries are: a pending one may come back booked under a reference of its own, and
    would then count twice."""
    status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")  # .001.08 wraps the code, .001.02 does not
    return status in ("", "BOOK")


def _entry(entry: ElementTree.Element) -> list[BankLine]:
    """An entry's lines: one per transaction in its details (a batch booking holds several), else the entry."""
    entry_amount = _child(entry, "Amt")
    currency = "" if entry_amount is None else entry_amount.get("Ccy", "")
    sign = -1 if _text(entry, "CdtDbtInd") == "DBIT" else 1
    booked = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
    try:
        booked_on = date.fromisoformat(booked)
    except ValueError:
        raise StatementError("payments.malformed", reason=f"booking date {booked[:20]!r}") from None
    entry_ref = _text(entry, "AcctSvcrRef")
    details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
    if not details:
        amount = sign * cents(_text(entry, "Amt"))
        key = f"ref:{entry_ref}" if entry_ref else digest(booked_on, amount, currency, _text(entry, "AddtlNtryInf"))
        return [BankLine(key, booked_on, amount, currency, "", "", _text(entry, "AddtlNtryInf"))]
    lines = []
    for index, tx in enumerate(details):
        amount_element = _child(tx, "Amt")  # an element without children is falsy: no `or` between these
        if amount_element is None:
            amount_element = _child(tx, "AmtDtls", "TxAmt", "Amt")
        if amount_element is None and len(details) == 1:
            amount_element = entry_amount
        if amount_element is None or amount_element.text is None:
            raise StatementError("payments.malformed", reason="a transaction without an amount")
        tx_sign = {"DBIT": -1, "CRDT": 1}.get(_text(tx, "CdtDbtInd"), sign)
        amount = tx_sign * cents(amount_element.text)
        tx_currency = amount_element.get("Ccy", currency)
        parties = _child(tx, "RltdPties")
        debtor = tx_sign > 0
        name = _party_name(parties, "Dbtr" if debtor else "Cdtr")
        iban = _text(parties, "DbtrAcct" if debtor else "CdtrAcct", "Id", "IBAN")
        remittance = _child(tx, "RmtInf")
        text = " ".join(_text(u) for u in _children(remittance, "Ustrd"))
        reference = next(
            (_text(s, "CdtrRefInf", "Ref") for s in _children(remittance, "Strd") if _text(s, "CdtrRefInf", "Ref")),
            "",
        )
        tx_ref = _text(tx, "Refs", "AcctSvcrRef")
        if entry_ref and len(details) == 1:  # the entry's reference is the one MT940 gives its :61: line
            key = f"ref:{entry_ref}"
        elif tx_ref:
            key = f"ref:{tx_ref}"
        elif entry_ref:
            key = f"ref:{entry_ref}/{index + 1}"
        else:
            end_to_end = _text(tx, "Refs", "EndToEndId")
            key = digest(booked_on, amount, tx_currency, iban, name, text, reference, end_to_end, index)
        lines.append(BankLine(key, booked_on, amount, tx_currency, name, iban, text, reference))
    return lines
