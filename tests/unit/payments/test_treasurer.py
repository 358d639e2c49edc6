"""The treasurer's side of money that arrives: a configured treasurer who is neither proposer nor moderator
confirms or rejects what a statement only suggested (and nothing else); the summary and !help say how."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness
from tests.unit.payments.statements import Tx, camt053
from tests.unit.payments.treasurer_room import ANN, BOB, CAS, MONEY, TES, went_go

DIK = "@dik:test"  # a member
SUGGESTION = camt053([[Tx("15.00", name="C. Jansen", text="koerier #1", bank_ref="S1")]])


@pytest.fixture
async def gone_go(make_room: MakeRoom) -> Harness:
    return await went_go(make_room)


async def take(room: Harness, data: bytes) -> str:
    from bot.payments.importer import take_in

    return (await take_in(room.kring, data)).plain


async def test_the_summary_says_where_and_how_a_suggestion_is_confirmed_or_rejected(gone_go: Harness) -> None:
    summary = await take(gone_go, SUGGESTION)
    assert (
        "Suggestions (1): in the proposal's room, confirm each with !confirm <number> <backer> or reject it with "
        "!reject <number> <backer>:"
    ) in summary
    assert "→ #1 @cas:test?" in summary


async def test_a_treasurer_confirms_a_suggested_payment(gone_go: Harness) -> None:
    room = gone_go
    await take(room, SUGGESTION)
    answer = await room.reply(TES, f"!confirm 1 {CAS}")
    assert answer.body.startswith("✅ Tes confirmed Cas's delivery of €15 to #1.")
    assert await room.rows("SELECT user_id, confirmed_by FROM deliveries") == [(CAS, TES)]
    assert "Not arrived yet: Bob €60." in (await room.reply(ANN, "!status 1")).body
    # Taken back the same day, it waits again; then rejected, it is no payment of Cas.
    assert "is taken back" in (await room.reply(TES, f"!unconfirm 1 {CAS}")).body
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]


async def test_a_treasurer_rejects_a_suggestion_and_the_line_goes_back_to_the_treasurer(gone_go: Harness) -> None:
    room = gone_go
    await take(room, SUGGESTION)
    answer = (await room.reply(TES, f"!reject 1 {CAS}")).body
    assert answer == (
        "The bank line of 2026-03-10 (€15) is not Cas's payment to #1: it is back with the lines for the treasurer."
    )
    assert "C. Jansen" not in answer  # the payer's name stays out of the room
    assert await room.rows("SELECT COUNT(*) FROM deliveries") == [(0,)]
    assert await room.rows("SELECT outcome, request_id, user_id, delivery_id FROM bank_lines") == [
        ("unmatched", None, None, None)
    ]
    assert "Not arrived yet: Bob €60, Cas €15." in (await room.reply(ANN, "!status 1")).body
    again = (await room.reply(TES, f"!reject 1 {CAS}")).body
    assert again == "No payment of Cas to #1 that Kring suggested from a bank statement waits for a decision."
    assert "Imported before: 1." in await take(room, SUGGESTION)  # the line stays imported, once


async def test_a_treasurer_rejects_a_suggestion_by_name_as_she_confirms_one(gone_go: Harness) -> None:
    room = gone_go
    await take(room, SUGGESTION)
    assert "is not Cas's payment to #1" in (await room.reply(TES, "!reject 1 cas")).body
    assert await room.rows("SELECT outcome FROM bank_lines") == [("unmatched",)]


async def test_a_treasurer_confirms_only_what_a_statement_suggested(gone_go: Harness) -> None:
    room = gone_go
    await room.say(BOB, "!delivered 1 2h")
    refused = (await room.reply(TES, f"!confirm 1 {BOB}")).body
    assert refused == "No payment of Bob to #1 that Kring suggested from a bank statement waits for a decision."
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]


async def test_a_member_who_is_no_treasurer_cannot_confirm_or_reject_a_suggestion(gone_go: Harness) -> None:
    room = gone_go
    await take(room, SUGGESTION)
    assert (await room.reply(DIK, f"!confirm 1 {CAS}")).body.startswith("Only the proposer (Ann) or a moderator")
    assert (await room.reply(DIK, f"!reject 1 {CAS}")).body == (
        "Only a treasurer, the proposer (Ann) or a moderator can reject a payment suggested for #1."
    )
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]
    assert await room.rows("SELECT outcome FROM bank_lines") == [("suggested",)]


async def test_the_proposer_rejects_a_suggestion_too(make_room: MakeRoom) -> None:
    room = await make_room(money={**MONEY, "treasurers": []})
    await room.say(ANN, "!propose Shared courier €10 in 2 days min 1")
    await room.say(CAS, "!backme 1 €15")
    await room.wait(timedelta(days=2, minutes=1))
    await take(room, SUGGESTION)
    assert "is not Cas's payment to #1" in (await room.reply(ANN, f"!reject 1 {CAS}")).body


async def test_help_tells_a_treasurer_how_to_confirm_and_reject(gone_go: Harness, make_room: MakeRoom) -> None:
    room = gone_go
    plain = await make_room()  # without [money] there is no treasurer to tell
    assert "treasurer" not in (await plain.reply(ANN, "!help confirm")).body
    overview = (await room.reply(TES, "!help")).body
    assert "reject a payment Kring suggested from a bank statement (treasurer, proposer or moderator)" in overview
    confirm = (await room.reply(TES, "!help confirm")).body
    assert "A treasurer confirms a payment that Kring suggested from a bank statement" in confirm
    reject = (await room.reply(TES, "!help afwijzen")).body
    assert "{prefix}confirm takes it as their payment".replace("{prefix}", "!") in reject
