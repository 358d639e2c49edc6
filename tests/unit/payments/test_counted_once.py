"""Money is never counted twice: not reported by hand beside the bank statement that confirms it, not confirmed
from two suggestions of the same request."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness
from tests.unit.payments.statements import Tx, camt053, mt940
from tests.unit.payments.treasurer_room import ANN, BOB, CAS, TES, went_go


@pytest.fixture
async def gone_go(make_room: MakeRoom) -> Harness:
    return await went_go(make_room)


async def take(room: Harness, data: bytes) -> str:
    from bot.payments.importer import take_in

    said = (await take_in(room.kring, data)).plain
    await room.deliver()  # what the import posts in the thread
    return said


async def test_a_money_backer_reports_hours_but_the_bank_confirms_the_money(gone_go: Harness) -> None:
    room = gone_go
    refused = (await room.reply(BOB, "!delivered 1 €60")).body
    assert refused == (
        "Your money for #1 is confirmed by the bank statement once it arrives, not by a report: report only your "
        "hours here, like !delivered 1 2h. Nothing was recorded."
    )
    assert "Nothing was recorded" in (await room.reply(BOB, "!delivered 1 €60 2h")).body
    assert await room.rows("SELECT COUNT(*) FROM deliveries") == [(0,)]
    assert "worked 2h" in (await room.reply(BOB, "!delivered 1 2h")).body
    bob = dict(await room.rows("SELECT user_id, reference FROM payment_requests"))[BOB]
    before = await room.rep(BOB)
    await take(room, camt053([[Tx("60.00", name="B. de Vries", reference=bob)]]))
    assert await room.rows("SELECT money_cents, confirmed_by FROM deliveries WHERE money_cents > 0") == [(6000, "bank")]
    rewarded = await room.rows("SELECT COUNT(*) FROM credits WHERE receiver = ? AND reason = 'delivered_money'", BOB)
    assert rewarded == [(1,)]
    assert await room.rep(BOB) > before


async def test_two_suggestions_of_one_request_are_not_both_counted(gone_go: Harness) -> None:
    room = gone_go
    await take(room, camt053([[Tx("15.00", name="C. Jansen", text="koerier #1", bank_ref="S1")]]))
    await take(room, camt053([[Tx("15.00", name="C. Jansen", text="koerier 1 nog eens", bank_ref="S2")]]))
    assert await room.rows("SELECT outcome FROM bank_lines ORDER BY id") == [("suggested",), ("suggested",)]
    answer = (await room.reply(TES, f"!confirm 1 {CAS}")).body
    assert answer.startswith("✅ Tes confirmed Cas's delivery of €15 to #1.")
    assert "The bank line of 2026-03-10 (€15) pays #1 again after Cas paid it in full: not counted" in answer
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries WHERE confirmed_by IS NOT NULL") == [(1500,)]
    assert await room.rows("SELECT outcome FROM bank_lines ORDER BY id") == [("suggested",), ("double",)]
    again = (await room.reply(TES, f"!confirm 1 {CAS}")).body
    assert again == "No payment of Cas to #1 that Kring suggested from a bank statement waits for a decision."


async def test_a_suggestion_after_the_request_is_paid_by_reference_is_a_double_payment(gone_go: Harness) -> None:
    room = gone_go
    await take(room, camt053([[Tx("15.00", name="C. Jansen", text="koerier #1", bank_ref="S1")]]))
    cas = dict(await room.rows("SELECT user_id, reference FROM payment_requests"))[CAS]
    await take(room, camt053([[Tx("15.00", name="C. Jansen", reference=cas, bank_ref="S2")]]))
    answer = (await room.reply(ANN, f"!confirm 1 {CAS}")).body  # the proposer confirms what waits
    assert answer == (
        "The bank line of 2026-03-10 (€15) pays #1 again after Cas paid it in full: not counted, it is back "
        "with the lines for the treasurer."
    )
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries") == [(1500,)]
    assert await room.rows("SELECT outcome FROM bank_lines ORDER BY id") == [("double",), ("matched",)]


async def test_the_same_booking_in_mt940_and_then_camt_is_counted_once(gone_go: Harness) -> None:
    room = gone_go
    cas = dict(await room.rows("SELECT user_id, reference FROM payment_requests"))[CAS]
    booking = Tx("10.00", name="C. Jansen", text=f"bijdrage {cas} koerier")
    await take(room, mt940([booking], abn=True))  # ABN AMRO's MT940: no bank reference, keyed by a digest
    summary = await take(room, camt053([[replace(booking, bank_ref="0310ABN1234")]], v08=True))
    assert (
        "Probably imported before from another file (the same day, amount, account and text), not counted (1):"
        in summary
    )
    assert "Matched" not in summary
    assert await room.rows("SELECT SUM(money_cents) FROM deliveries") == [(1000,)]
    assert "Imported before: 1." in await take(room, mt940([booking], abn=True))


def test_a_camt_entry_of_one_transaction_is_keyed_by_the_reference_mt940_gives_it() -> None:
    from bot.payments.camt053 import read_camt053
    from bot.payments.mt940 import read_mt940

    booking = Tx("15.00", name="C. Jansen", text="koerier #1", bank_ref="0310ABN1234")
    camt = camt053([[booking]], v08=True).replace(b"<Refs><AcctSvcrRef>0310ABN1234", b"<Refs><AcctSvcrRef>TX-77")
    assert [line.key for line in read_camt053(camt).lines] == [line.key for line in read_mt940(mt940([booking])).lines]
