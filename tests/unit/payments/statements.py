"""Bank statements in the shapes Dutch banks export, made by the tests: CAMT.053 .001.02 (ING, Rabobank: several
transactions in one entry), .001.08 (ABN AMRO: parties wrapped in Pty), and MT940 (ING and ABN AMRO :86: fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

ACCOUNT = "NL91ABNA0417164300"
V02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
V08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True)
class Tx:
    """One transaction: euros as a string like the bank writes them ("60.00"), credit unless `debit`."""

    amount: str
    name: str = "B. Backer"
    iban: str = "NL02RABO0123456789"
    text: str = ""
    reference: str = ""  # RmtInf/Strd/CdtrRefInf/Ref
    bank_ref: str = ""  # AcctSvcrRef of its own
    debit: bool = False
    currency: str = "EUR"
    booked: date = date(2026, 3, 10)


def _tx(tx: Tx, *, v08: bool) -> str:
    party = f"<Nm>{escape(tx.name)}</Nm>"
    if v08:
        party = f"<Pty>{party}</Pty>"
    role, account = ("Cdtr", "CdtrAcct") if tx.debit else ("Dbtr", "DbtrAcct")
    remittance = f"<Ustrd>{escape(tx.text)}</Ustrd>" if tx.text else ""
    if tx.reference:
        remittance += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{tx.reference}</Ref></CdtrRefInf></Strd>"
        )
    refs = f"<AcctSvcrRef>{tx.bank_ref}</AcctSvcrRef>" if tx.bank_ref and v08 else ""
    return (
        f"<TxDtls><Refs>{refs}<EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f'<AmtDtls><TxAmt><Amt Ccy="{tx.currency}">{tx.amount}</Amt></TxAmt></AmtDtls>'
        f"<RltdPties><{role}>{party}</{role}><{account}><Id><IBAN>{tx.iban}</IBAN></Id></{account}></RltdPties>"
        f"<RmtInf>{remittance}</RmtInf></TxDtls>"
    )


def camt053(entries: list[list[Tx]], *, account: str = ACCOUNT, v08: bool = False, entry_refs: bool = True) -> bytes:
    """A statement of `account`; each entry books its transactions together (a batch when more than one)."""
    body = []
    for number, txs in enumerate(entries, start=1):
        first = txs[0]
        total = sum(int(t.amount.replace(".", "")) for t in txs)
        ref = f"<AcctSvcrRef>{first.bank_ref or f'ENTRY{number:04d}'}</AcctSvcrRef>" if entry_refs else ""
        body.append(
            f'<Ntry><Amt Ccy="{first.currency}">{total // 100}.{total % 100:02d}</Amt>'
            f"<CdtDbtInd>{'DBIT' if first.debit else 'CRDT'}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{first.booked.isoformat()}</Dt></BookgDt><ValDt><Dt>{first.booked.isoformat()}</Dt></ValDt>"
            f"{ref}<BkTxCd/><NtryDtls>{''.join(_tx(t, v08=v08) for t in txs)}</NtryDtls></Ntry>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{V08 if v08 else V02}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>STMT1</MsgId><CreDtTm>2026-03-11T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id><Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{''.join(body)}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def mt940(txs: list[Tx], *, account: str = ACCOUNT, abn: bool = False) -> bytes:
    """An MT940 statement: ING's :86: (/CNTP/…/REMI/USTD or STRD/) or ABN AMRO's (/IBAN/…/NAME/…/REMI/…)."""
    rows = [":20:STMT1", f":25:{account}{'' if abn else 'EUR'}", ":28C:1", ":60F:C260309EUR1000,00"]
    for number, tx in enumerate(txs, start=1):
        day = tx.booked.strftime("%y%m%d")
        amount = tx.amount.replace(".", ",")
        bank_ref = tx.bank_ref or ("NONREF" if abn else f"{number:014d}")
        rows.append(f":61:{day}{day[2:]}{'D' if tx.debit else 'C'}{amount}NTRFEREF//{bank_ref}")
        if abn:
            details = (
                f"/TRTP/SEPA OVERBOEKING/IBAN/{tx.iban}/BIC/RABONL2U/NAME/{tx.name}/REMI/{tx.text}/EREF/NOTPROVIDED"
            )
        elif tx.reference:
            details = f"/EREF/NOTPROVIDED//CNTP/{tx.iban}/RABONL2U/{tx.name}///REMI/STRD/CUR/{tx.reference}/"
        else:
            details = f"/EREF/NOTPROVIDED//CNTP/{tx.iban}/RABONL2U/{tx.name}///REMI/USTD//{tx.text}/"
        rows.append(":86:" + "\n".join(details[i : i + 65] for i in range(0, len(details), 65)))
    rows += [":62F:C260310EUR1000,00", "-"]
    return ("\r\n".join(rows) + "\r\n").encode()
