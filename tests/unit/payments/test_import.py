"""A bank statement matched to payment requests: by the structured reference, by the reference typed in the text,
as a suggestion by amount and number; part, over- and double payments; each line once, whatever file it is in."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from handlers.payments.references import formatted, reference_for
from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness
from tests.unit.payments.statements import ACCOUNT, Tx, camt053, mt940

ANN = "@ann:test"
BOB = "@bob:test"  # pledged €60
CAS = "@cas:test"  # pledged €15
MOD = "@mod:test"
MONEY: dict[str, Any] = {"iban": ACCOUNT, "account_name": "Vereniging Kring"}
UNKNOWN = reference_for(99, 9)  # of Kring's form, valid, of no request


@pytest.fixture
async def gone_go(make_room: MakeRoom) -> Harness:
    """#1 went GO with Bob's €60 and Cas's €15: both have a payment request."""
    room = await make_room(money=MONEY)
    room.powers[MOD] = 50
    await room.say(ANN, "!propose Shared courier €50 in 2 days min 2")
    await room.say(BOB, "!backme 1 €60")
    await room.say(CAS, "!backme 1 €15")
    await room.wait(timedelta(days=2, minutes=1))
    return room


async def references(room: Harness) -> dict[str, str]:
    return dict(await room.rows("SELECT user_id, reference FROM payment_requests"))


async def take(room: Harness, data: bytes) -> tuple[str, list[Any]]:
    """Import a statement as a treasurer's file would be, and what Kring then posts."""
    from bot.payments.importer import take_in

    said = await take_in(room.kring, data)
    return said.plain, await room.deliver()


async def test_a_structured_reference_confirms_the_backers_money_delivery(gone_go: Harness) -> None:
    room = gone_go
    bob = (await references(room))[BOB]
    before = await room.rep(BOB)
    summary, out = await take(room, camt053([[Tx("60.00", name="B. de Vries", reference=bob)]]))
    assert "Matched (1):" in summary and "€60 · B. de Vries → #1 @bob:test" in summary
    (thread,) = out
    assert thread.body == "🏦 Bob's payment of €60 for #1 has arrived: confirmed by the bank statement."
    assert thread.thread_root is not None and thread.mentions == (BOB,)
    assert await room.rows("SELECT user_id, money_cents, confirmed_by FROM deliveries") == [(BOB, 6000, "bank")]
    assert await room.rep(BOB) > before  # credited as a confirmed money delivery is
    status = (await room.reply(ANN, "!status 1")).body
    assert "€60" in status


async def test_a_reference_typed_in_the_text_matches_and_a_part_payment_leaves_the_rest_open(gone_go: Harness) -> None:
    room = gone_go
    cas = formatted((await references(room))[CAS]).lower().replace(" ", "-")
    summary, out = await take(room, mt940([Tx("10.00", name="C. Jansen", text=f"bijdrage {cas} koerier")]))
    assert "€5 still open" in summary
    assert (
        out[0].body
        == "🏦 Cas's payment of €10 for #1 has arrived: confirmed by the bank statement.\n€5 of it is still open."
    )
    # The rest arrives later, and more than was asked: the pledge is paid, the surplus reported.
    summary, out = await take(room, mt940([Tx("7.50", text=f"rest {cas}", bank_ref="00000000000099")]))
    assert "€2.50 more than pledged" in summary
    assert "€2.50 more than pledged: the treasurer is told." in out[0].body
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries WHERE user_id = ?", CAS) == [(1750,)]


async def test_a_line_is_imported_once_whatever_file_it_comes_in(gone_go: Harness) -> None:
    room = gone_go
    bob = (await references(room))[BOB]
    line = Tx("60.00", name="B. de Vries", reference=bob, bank_ref="INGREF0001")
    summary, _ = await take(room, camt053([[line]], v08=True))  # ABN AMRO's .001.08: the name inside Pty
    assert "€60 · B. de Vries → #1 @bob:test" in summary
    summary, out = await take(room, camt053([[line], [Tx("3.00", text="koffie", bank_ref="INGREF0002")]], v08=True))
    assert "Imported before: 1." in summary and "Not matched, for the treasurer (1):" in summary
    assert out == []
    assert await room.rows("SELECT COUNT(*) FROM deliveries") == [(1,)]


async def test_paying_twice_is_reported_and_never_counted_twice(gone_go: Harness) -> None:
    room = gone_go
    bob = (await references(room))[BOB]
    await take(room, camt053([[Tx("60.00", reference=bob, bank_ref="A1")]]))
    summary, out = await take(room, camt053([[Tx("60.00", reference=bob, bank_ref="A2")]]))
    assert "Paid again after being paid in full, not counted (1):" in summary
    assert out == []
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries") == [(6000,)]


async def test_amount_and_number_only_make_a_suggestion_a_moderator_confirms(gone_go: Harness) -> None:
    room = gone_go
    summary, out = await take(room, camt053([[Tx("15.00", name="C. Jansen", text="koerier #1")]]))
    assert "Suggestions (1): in the proposal's room, confirm each with !confirm <number> <backer>" in summary
    assert "→ #1 @cas:test?" in summary and out == []
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]
    assert "Not arrived yet: Bob €60, Cas €15." in (await room.reply(ANN, "!status 1")).body
    await room.reply(MOD, f"!confirm 1 {CAS}")
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(MOD,)]
    assert "Not arrived yet: Bob €60." in (await room.reply(ANN, "!status 1")).body


async def test_debits_other_currencies_and_strangers_are_not_counted(gone_go: Harness) -> None:
    room = gone_go
    statement = camt053(
        [
            [Tx("12.00", debit=True, name="Drukkerij")],
            [Tx("60.00", currency="USD", text="#1")],
            [Tx("25.00", name="Buurman", text="gift"), Tx("60.00", name="Onbekend", text="RF18 5390 0754 7034")],
        ]
    )
    summary, out = await take(room, statement)
    assert "Ignored (debits, other currencies): 2." in summary
    assert "Not matched, for the treasurer (2):" in summary and "Buurman · “gift”" in summary
    assert out == [] and await room.rows("SELECT COUNT(*) FROM deliveries") == [(0,)]
    assert await room.rows("SELECT COUNT(*) FROM bank_lines") == [(4,)]


async def test_a_batch_entry_of_rabobank_holds_several_payments(gone_go: Harness) -> None:
    room = gone_go
    refs = await references(room)
    batch = [Tx("60.00", reference=refs[BOB]), Tx("15.00", text=f"kenmerk {refs[CAS]}")]
    summary, out = await take(room, camt053([batch]))
    assert "Matched (2):" in summary and len(out) == 2


async def test_abn_amro_mt940_fields_are_read(gone_go: Harness) -> None:
    room = gone_go
    bob = formatted((await references(room))[BOB])
    summary, _ = await take(room, mt940([Tx("60.00", name="B DE VRIES", text=f"{bob} koerier")], abn=True))
    assert "€60 · B DE VRIES → #1 @bob:test" in summary


async def test_an_entry_the_bank_has_not_booked_yet_is_not_counted(gone_go: Harness) -> None:
    room = gone_go
    bob = (await references(room))[BOB]
    pending = camt053([[Tx("60.00", reference=bob, bank_ref="PEND1")]], v08=True)
    summary, out = await take(room, pending.replace(b"<Sts>BOOK</Sts>", b"<Sts><Cd>PDNG</Cd></Sts>"))
    assert "0 lines read" in summary and out == []
    summary, out = await take(room, camt053([[Tx("60.00", reference=bob, bank_ref="BOOKED1")]], v08=True))
    assert "Matched (1):" in summary and len(out) == 1  # booked now: counted once


async def test_two_alike_payments_without_a_bank_reference_both_count_and_once_each(gone_go: Harness) -> None:
    room = gone_go
    cas = formatted((await references(room))[CAS])
    half = Tx("7.50", name="C JANSEN", text=f"{cas} koerier")  # ABN AMRO writes NONREF: the key is a digest
    statement = mt940([half, half], abn=True)
    summary, out = await take(room, statement)
    assert "Matched (2):" in summary and "Imported before" not in summary
    assert len(out) == 2
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries WHERE user_id = ?", CAS) == [(1500,)]
    summary, out = await take(room, statement)  # the same file again: both lines known
    assert "Imported before: 2." in summary and out == []
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries WHERE user_id = ?", CAS) == [(1500,)]


# Bad input: one line, exit code 1, nothing written.
def config(tmp_path: Path, money: dict[str, Any] = MONEY) -> Path:
    path = tmp_path / "kring.toml"
    rows = "\n".join(f'{key} = "{value}"' for key, value in money.items())
    path.write_text(f"[money]\n{rows}\n", encoding="utf-8")
    return path


BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>'
)
EXTERNAL = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>'
)


def _amount(refs: dict[str, str], amount: bytes) -> bytes:
    """Bob's payment with its amount written as `amount`, in the entry and its transaction alike."""
    return camt053([[Tx("60.00", reference=refs[BOB])]]).replace(b">60.00<", b">" + amount + b"<")


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("bomb", lambda refs: BOMB, "declares XML entities or a document type"),
        ("external", lambda refs: EXTERNAL, "declares XML entities or a document type"),
        ("malformed", lambda refs: b"<Document><Stmt></Document>", "cannot be read (XML:"),
        ("truncated xml", lambda refs: camt053([[Tx("60.00", reference=refs[BOB])]])[:-60], "cannot be read (XML:"),
        ("truncated mt940", lambda refs: mt940([Tx("60.00", reference=refs[BOB])])[:-30], "cut short"),
        (
            "unknown encoding",
            lambda refs: camt053([[Tx("60.00", reference=refs[BOB])]]).replace(b"UTF-8", b"UTF-4", 1),
            "cannot be read (XML: unknown encoding 'UTF-4')",
        ),
        ("not a statement", lambda refs: b"Name;Amount\nBob;60\n", "not a bank statement Kring reads"),
        ("other xml", lambda refs: b"<html><body>hi</body></html>", "not a bank statement Kring reads"),
        (
            "other account",
            lambda refs: camt053([[Tx("60.00", reference=refs[BOB])]], account="NL69INGB0123456789"),
            "of account NL69INGB0123456789, not of the association's account NL91 ABNA 0417 1643 00",
        ),
        (
            "unknown reference",
            lambda refs: camt053([[Tx("60.00", reference=refs[BOB])], [Tx("5.00", reference=UNKNOWN)]]),
            f"names reference {UNKNOWN}, which no payment request has",
        ),
        ("too big", lambda refs: b":20:" + b" " * (20 * 1024 * 1024), "larger than 20 MB"),
        # an amount no bank writes: beyond what SQLite holds, or a signalling NaN that Decimal raises on
        ("huge amount", lambda refs: _amount(refs, b"1E+30"), "cannot be read (amount '1E+30')"),
        ("long amount", lambda refs: _amount(refs, b"9" * 40), "cannot be read (amount '9999"),
        ("nan amount", lambda refs: _amount(refs, b"sNaN"), "cannot be read (amount 'sNaN')"),
        (
            "several accounts",  # ING exports all of a customer's accounts in one MT940 file when asked
            lambda refs: mt940([Tx("60.00", reference=refs[BOB])], account="NL69INGB0123456789") + mt940([]),
            "cannot be read (no single account IBAN)",
        ),
    ],
)
async def test_bad_input_is_refused_in_one_line_and_changes_nothing(
    gone_go: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: Any, said: str
) -> None:
    room = gone_go
    statement = tmp_path / "statement"
    statement.write_bytes(make(await references(room)))
    before = await room.dump(everything=True)
    await room.store.close()
    code = await asyncio.to_thread(
        main, ["payments", "import", str(statement), "-c", str(config(tmp_path)), "--db", str(room.path)]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.count("\n") == 1 and said in err and "Nothing was imported." in err
    await room.reopen()
    assert await room.dump(everything=True) == before


async def test_a_damaged_mt940_statement_leaves_nothing_of_it_in_the_log(
    gone_go: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The MT940 parser logs every pattern it tries with the lines it reads: payers' names and IBANs."""
    caplog.set_level(logging.DEBUG)
    statement = tmp_path / "ing.sta"
    damaged = mt940([Tx("60.00", name="B. de Vries", text="bijdrage")]).replace(b":61:2603", b":61:26K3")
    damaged = damaged.replace(b":86:", b":8x:")  # the payer's details run on into the damaged line
    statement.write_bytes(damaged)
    await gone_go.store.close()
    code = await asyncio.to_thread(
        main, ["payments", "import", str(statement), "-c", str(config(tmp_path)), "--db", str(gone_go.path)]
    )
    assert code == 1
    assert "B. de Vries" not in caplog.text and "NL02RABO0123456789" not in caplog.text
    assert [r for r in caplog.records if r.name.startswith("mt940")] == []
    await gone_go.reopen()


async def test_a_refused_statement_is_the_one_line_the_treasurer_reads(gone_go: Harness, tmp_path: Path) -> None:
    """In a real process, where the log goes to the terminal too: nothing but the refusal."""
    from tests.unit.test_console import kring_cli

    statement = tmp_path / "export.csv"
    statement.write_bytes(b"Name;Amount\nBob;60\n")
    await gone_go.store.close()
    done = await asyncio.to_thread(
        kring_cli, "payments", "import", str(statement), "-c", str(config(tmp_path)), "--db", str(gone_go.path)
    )
    assert done.returncode == 1
    assert done.stderr == "kring: This is not a bank statement Kring reads (CAMT.053 or MT940). Nothing was imported.\n"
    await gone_go.reopen()


async def test_without_money_settings_the_command_line_reads_no_statement(
    gone_go: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = tmp_path / "ing.xml"
    statement.write_bytes(camt053([[Tx("60.00")]]))
    plain = tmp_path / "plain.toml"
    plain.write_text("[bot]\nlanguage = 'en'\n", encoding="utf-8")
    await gone_go.store.close()
    code = await asyncio.to_thread(
        main, ["payments", "import", str(statement), "-c", str(plain), "--db", str(gone_go.path)]
    )
    assert code == 1
    assert capsys.readouterr().err == "kring: Kring has no [money] settings, so it reads no bank statements.\n"
    await gone_go.reopen()


async def test_the_command_line_prints_the_summary(
    gone_go: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    room = gone_go
    statement = tmp_path / "ing.xml"
    statement.write_bytes(camt053([[Tx("60.00", reference=(await references(room))[BOB])]]))
    await room.store.close()
    code = await asyncio.to_thread(
        main, ["payments", "import", str(statement), "-c", str(config(tmp_path)), "--db", str(room.path)]
    )
    assert code == 0
    assert "Statement of NL91 ABNA 0417 1643 00: 1 line read." in capsys.readouterr().out
    await room.reopen()
    assert await room.rows("SELECT user_id, confirmed_by FROM deliveries") == [(BOB, "bank")]


async def test_the_copy_holds_a_members_payments_and_forgetting_erases_the_banks_details(gone_go: Harness) -> None:
    import json

    from bot.ops.data_copy import copy_of

    room = gone_go
    bob = (await references(room))[BOB]
    await take(room, camt053([[Tx("60.00", name="B. de Vries", iban="NL02RABO0123456789", reference=bob)]]))
    copy = json.dumps(await copy_of(room.store, BOB, room.clock.now()), ensure_ascii=False)
    assert bob in copy and "B. de Vries" in copy and "NL02RABO0123456789" in copy
    await room.reply(BOB, "!forgetme")
    await room.reply(BOB, "!forgetme confirm")
    assert await room.rows("SELECT payer_name, payer_iban, text, amount_cents FROM bank_lines") == [("", "", "", 6000)]
    (user,) = await room.rows("SELECT user_id FROM payment_requests WHERE amount_cents = 6000")
    assert user[0] != BOB  # a pseudonym: the books still add up


async def test_mine_status_and_the_closing_report_show_pledged_beside_arrived(gone_go: Harness) -> None:
    room = gone_go
    refs = await references(room)
    await take(room, camt053([[Tx("60.00", reference=refs[BOB])], [Tx("5.00", text=refs[CAS])]]))
    mine = (await room.reply(CAS, "!mine")).body
    assert "Payment requests (pledged · arrived):" in mine
    assert f"#1 Shared courier: €15 · €5 · reference {formatted(refs[CAS])}" in mine
    status = (await room.reply(ANN, "!status 1")).body
    assert "💶 Money arrived at the bank: €65 of €75 asked for." in status
    assert "Not arrived yet: Cas €10." in status
    (report, *_) = (await room.say(ANN, "!done 1 all delivered"))[1]
    assert "Never arrived: Cas €10." in report.body


async def test_an_unpaid_request_is_reminded_once_after_the_configured_days(gone_go: Harness) -> None:
    room = gone_go
    await take(room, camt053([[Tx("60.00", reference=(await references(room))[BOB])]]))
    await room.kring.remind_unpaid()
    assert await room.deliver() == []  # not yet: 7 days by default
    room.clock.advance(timedelta(days=7))
    await room.kring.remind_unpaid()
    (reminder,) = await room.deliver()  # Bob paid; Cas did not
    assert reminder.kind == "payment_request" and reminder.mentions == (CAS,)
    assert reminder.body.startswith("Reminder: Kring has not yet seen your payment for #1 Shared courier.")
    assert "Amount: €15" in reminder.body
    room.clock.advance(timedelta(days=7))
    await room.kring.remind_unpaid()
    assert await room.deliver() == []  # once


async def test_a_part_payment_is_reminded_once_of_the_open_rest(gone_go: Harness) -> None:
    room = gone_go
    refs = await references(room)
    await take(room, camt053([[Tx("60.00", reference=refs[BOB])], [Tx("5.00", text=refs[CAS])]]))
    room.clock.advance(timedelta(days=7))
    await room.kring.remind_unpaid()
    (reminder,) = await room.deliver()  # Bob paid in full; Cas paid €5 of €15
    assert reminder.kind == "payment_request" and reminder.mentions == (CAS,)
    assert reminder.body.startswith(
        "Reminder: of your payment for #1 Shared courier Kring has seen €5; €10 is still open."
    )
    assert "Amount: €10\n" in reminder.body and formatted(refs[CAS]) in reminder.body
    room.clock.advance(timedelta(days=7))
    await room.kring.remind_unpaid()
    assert await room.deliver() == []  # once


async def test_a_request_of_a_proposal_dropped_or_done_meanwhile_is_not_reminded(gone_go: Harness) -> None:
    room = gone_go
    await room.say(ANN, "!drop 1 the courier stopped")  # its closing report already says what never arrived
    await room.deliver()
    room.clock.advance(timedelta(days=7))
    await room.kring.remind_unpaid()
    assert await room.deliver() == []  # nobody is asked to pay for a stopped proposal


async def test_the_export_holds_requests_and_payments_also_for_dutch_excel(gone_go: Harness) -> None:
    from zoneinfo import ZoneInfo

    from bot.ops.export import export_rooms, table_csv

    room = gone_go
    refs = await references(room)
    await take(room, camt053([[Tx("60.00", name="B. de Vries", reference=refs[BOB])], [Tx("7.50", text=refs[CAS])]]))
    document = await export_rooms(room.store, ZoneInfo("Europe/Amsterdam"))
    requests = table_csv(document, "payment_requests", excel=True)
    assert requests.startswith(
        "\ufeffkamer;voorstel;gebruiker;betalingskenmerk;bedrag_eur;binnengekomen_eur;gevraagd_op;"
    )
    bob, cas = BOB.removeprefix("@"), CAS.removeprefix("@")  # Dutch Excel: no @ that would make a formula
    assert f"{bob};{refs[BOB]};60,00;60,00;" in requests and f"{cas};{refs[CAS]};15,00;7,50;" in requests
    payments = table_csv(document, "payments", excel=True)
    assert f"{bob};2026-03-10;60,00;matched;B. de Vries;" in payments
