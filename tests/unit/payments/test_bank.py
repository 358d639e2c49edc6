"""A money delivery that a bank statement confirmed: the bank confirmed it and gave its credits, and nowhere is the
bank taken for a member — not in !top or !rep, the export, !mydata, the credit rules; the thread and the closing
report say that the bank statement confirmed it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness
from tests.unit.payments.statements import ACCOUNT, Tx, camt053

ANN = "@ann:test"  # the proposer
BOB = "@bob:test"  # pledged €60 and 2h
CAS = "@cas:test"  # pledged €15
MONEY: dict[str, Any] = {"iban": ACCOUNT, "account_name": "Vereniging Kring"}


async def gone_go(room: Harness) -> dict[str, str]:
    """#1 went GO with Bob's €60 + 2h and Cas's €15; their references."""
    await room.say(ANN, "!propose Shared courier €50 in 2 days min 2")
    await room.say(BOB, "!backme 1 €60 2h")
    await room.say(CAS, "!backme 1 €15")
    await room.wait(timedelta(days=2, minutes=1))
    return dict(await room.rows("SELECT user_id, reference FROM payment_requests"))


async def take(room: Harness, data: bytes) -> list[Any]:
    from bot.payments.importer import take_in

    await take_in(room.kring, data)
    return await room.deliver()


@pytest.fixture
async def paid(make_room: MakeRoom) -> Harness:
    """Bob's €60 arrived with his reference; Cas paid nothing yet."""
    room = await make_room(money=MONEY)
    refs = await gone_go(room)
    await take(room, camt053([[Tx("60.00", name="B. de Vries", reference=refs[BOB], bank_ref="B1")]]))
    return room


async def test_the_closing_report_says_the_bank_statement_confirmed_it(paid: Harness) -> None:
    room = paid
    await room.say(BOB, "!delivered 1 2h")
    await room.say(ANN, f"!confirm 1 {BOB}")
    refs = dict(await room.rows("SELECT user_id, reference FROM payment_requests"))
    await take(room, camt053([[Tx("15.00", reference=refs[CAS], bank_ref="C1")]]))
    (report, *_) = (await room.say(ANN, "!done 1 all delivered"))[1]
    assert "Cas: €15 · €15 · €15 (confirmed by the bank statement)" in report.body
    assert "Bob: €60 + 2h · €60 + 2h · €60 + 2h (€60 of it confirmed by the bank statement)" in report.body


async def test_in_a_dutch_room_the_thread_and_the_report_say_bevestigd_door_de_bank(make_room: MakeRoom) -> None:
    room = await make_room(money=MONEY, bot={"language": "nl"})
    refs = await gone_go(room)
    (thread,) = await take(room, camt053([[Tx("15.00", reference=refs[CAS])]]))
    assert thread.body == "🏦 De betaling van Cas van €\u00a015 voor #1 is binnen: bevestigd door de bank."
    (report, *_) = (await room.say(ANN, "!klaar 1"))[1]
    assert "Cas: €\u00a015 · €\u00a015 · €\u00a015 (bevestigd door de bank)" in report.body


async def test_the_bank_is_in_no_ranking_and_its_credit_is_a_money_reward_once(paid: Harness) -> None:
    room = paid
    assert await room.rows("SELECT giver, receiver, reason FROM credits WHERE reason = 'delivered_money'") == [
        ("bank", BOB, "delivered_money")
    ]
    assert "bank" not in [user for (user,) in await room.rows("SELECT user_id FROM reputation")]
    top = (await room.reply(CAS, "!top")).body
    assert "Bob" in top and "bank" not in top.lower()
    assert "not a Matrix user id" in (await room.reply(CAS, "!rep bank")).body
    # A second payment of Bob's (a surplus) earns no second reward: once per backer per proposal.
    before = await room.rep(BOB)
    refs = dict(await room.rows("SELECT user_id, reference FROM payment_requests"))
    await take(room, camt053([[Tx("5.00", reference=refs[BOB], bank_ref="B2")]]))
    assert await room.rep(BOB) == before


async def test_the_export_and_the_members_copy_show_the_bank_not_a_member(paid: Harness) -> None:
    from bot.ops.data_copy import copy_of
    from bot.ops.export import export_rooms

    room = paid
    document = json.dumps(await export_rooms(room.store, ZoneInfo("Europe/Amsterdam")))
    (exported,) = json.loads(document)["rooms"]
    (delivery,) = [d for p in exported["proposals"] for d in p["deliveries"]]
    assert (delivery["user"], delivery["confirmed_by"]) == (BOB, "bank")
    credit = next(c for c in exported["credits"] if c["reason"] == "delivered_money")
    assert (credit["giver"], credit["receiver"]) == ("bank", BOB)
    copy = await copy_of(room.store, BOB, room.clock.now())
    assert any(row.get("confirmed_by") == "bank" for row in json.loads(json.dumps(copy))["deliveries"])
    assert "bank" not in await room.store.member_data.held_user_ids()  # never a member whose data is held
