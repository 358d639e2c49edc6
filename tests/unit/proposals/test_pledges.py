"""!backme and !withdraw: placing, replacing and withdrawing a pledge, the deadline, the withdraw lock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.conftest import MakeRoom
from tests.unit.harness import START, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
DEADLINE = START + timedelta(days=3)


async def pledges(room: Harness) -> list[tuple[str, int, int, str]]:
    return [
        (str(r[0]), int(r[1]), int(r[2]), str(r[3]))
        for r in await room.rows("SELECT user_id, money_cents, minutes, note FROM pledges ORDER BY user_id")
    ]


async def test_backme_places_a_pledge_and_shows_progress(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 10h in 3 days min 2")
    answer = await room.reply(BOB, "!backme 1 €60 4h happy to drive")
    assert answer.body.splitlines() == [
        "Thank you Bob: you back #1 Shared courier with €60 + 4h.",
        "▓▓▓▓░░░░░░ 40% · €60 of €100 · 4 of 10h · 1 of 2 backers · 3 days left",  # the least-met goal: 4 of 10 hours
    ]
    assert answer.mentions == (BOB,) and answer.reply_to is not None
    assert await pledges(room) == [(BOB, 6000, 240, "happy to drive")]


async def test_plain_support_counts_as_a_backer(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 3 days min 2")
    answer = await room.reply(BOB, "!backme #1")
    assert "you back #1 Shared courier, without money or hours." in answer.body and "1 of 2 backers" in answer.body
    assert await pledges(room) == [(BOB, 0, 0, "")]


async def test_new_backme_replaces_the_old_pledge_and_history_keeps_both(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    answer = await room.reply(BOB, "!backme 1 €80 4h")
    assert "your pledge to #1 is now €80 + 4h (was €60)" in answer.body
    assert "€80 of €100" in answer.body and "1 backer (at least 1)" in answer.body
    assert await pledges(room) == [(BOB, 8000, 240, "")]
    history = await room.rows("SELECT user_id, action, money_cents, minutes FROM pledge_history ORDER BY id")
    assert history == [(BOB, "pledge", 6000, 0), (BOB, "pledge", 8000, 240)]
    status = await room.reply(CAS, "!proposal 1")
    assert "Backers (1):" in status.body and "Bob: €80 + 4h" in status.body and "€60" not in status.body


async def test_the_same_pledge_again_says_so(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    answer = await room.reply(BOB, "!backme 1 €60")
    assert "was already €60" in answer.body
    assert await pledges(room) == [(BOB, 6000, 0, "")]


async def test_withdraw_takes_the_pledge_back(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    await room.say(CAS, "!backme 1 €10")
    answer = await room.reply(BOB, "!withdraw 1")
    assert answer.body.startswith("Bob, your pledge to #1 (€60) is withdrawn.")
    assert "€10 of €100" in answer.body
    assert answer.mentions == (BOB,)
    assert await pledges(room) == [(CAS, 1000, 0, "")]
    history = await room.rows("SELECT user_id, action FROM pledge_history ORDER BY id")
    assert history[-1] == (BOB, "withdraw")


async def test_only_the_pledger_changes_their_pledge(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    before = await room.dump()
    answer = await room.reply(CAS, "!withdraw 1")
    assert answer.body == "You have no pledge on #1, so there is nothing to withdraw."
    assert await room.dump() == before
    await room.say(CAS, "!backme 1 €5")
    assert await pledges(room) == [(BOB, 6000, 0, ""), (CAS, 500, 0, "")]


async def test_backme_and_withdraw_as_a_reply_to_the_announcement(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Shared courier €100 in 3 days")
    answer = await room.reply(BOB, "!backme €25 count me in", reply_to=announcement.event_id)
    assert "you back #1 Shared courier with €25" in answer.body
    assert await pledges(room) == [(BOB, 2500, 0, "count me in")]
    await room.say(BOB, "!withdraw", reply_to=announcement.event_id)
    assert await pledges(room) == []


@pytest.mark.parametrize("command", ["!withdraw 1", "!backme 1 €10", "!backme 1 €80"])
async def test_no_pledge_change_after_the_deadline(room: Harness, command: str) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    room.clock.set(DEADLINE + timedelta(seconds=30))  # past the deadline, the decision not yet out
    before = await room.dump()
    answer = await room.reply(BOB, command)
    assert answer.body == "The deadline of #1 has passed; the decision is being announced."
    assert await room.dump() == before

    await room.wait(timedelta(minutes=1))
    before = await room.dump()
    answer = await room.reply(BOB, command)
    assert answer.body == "Proposal #1 is closed (NO-GO); pledges can no longer change."
    assert await room.dump() == before


async def test_no_pledge_on_a_cancelled_proposal(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(ANN, "!cancel 1")
    answer = await room.reply(BOB, "!backme 1 €60")
    assert "closed (cancelled)" in answer.body
    assert await pledges(room) == []


LOCK_CASES = [
    # (settings, time before the deadline, propose clauses, pledges, Cas's command, refused goals or None)
    ({}, timedelta(hours=12), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", "money"),
    ({}, timedelta(hours=12), "€100", [(BOB, "€60"), (CAS, "€40")], "!backme 1 €30", "money"),
    ({}, timedelta(hours=12), "10h", [(BOB, "6h"), (CAS, "4h")], "!backme 1 3h", "hours"),
    ({}, timedelta(hours=12), "€100 min 2", [(BOB, "€100"), (CAS, "")], "!withdraw 1", "backers"),
    ({}, timedelta(hours=12), "€100 min 2", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", "backers, money"),
    ({}, timedelta(hours=12), "€100", [(BOB, "€100"), (CAS, "€50")], "!withdraw 1", None),
    ({}, timedelta(hours=12), "€100", [(BOB, "€60"), (CAS, "€40")], "!backme 1 €50", None),
    ({}, timedelta(hours=12), "€100", [(BOB, "€30"), (CAS, "€20")], "!withdraw 1", None),
    ({}, timedelta(hours=12), "€100 10h", [(BOB, "€100 5h"), (CAS, "4h")], "!withdraw 1", None),
    ({}, timedelta(hours=25), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", None),
    ({"withdraw_lock_hours": 0}, timedelta(hours=1), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", None),
    ({"withdraw_lock_hours": 48}, timedelta(hours=17), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", "money"),
    # The window is the shorter of withdraw_lock_hours and a quarter of the run: 18 of this proposal's 72 hours.
    ({"withdraw_lock_hours": 48}, timedelta(hours=30), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", None),
    ({}, timedelta(hours=20), "€100", [(BOB, "€60"), (CAS, "€40")], "!withdraw 1", None),
]


@pytest.mark.parametrize(("settings", "before_deadline", "goals", "placed", "command", "refused"), LOCK_CASES)
async def test_withdraw_lock_refuses_only_what_breaks_a_reached_goal(
    make_room: MakeRoom,
    settings: dict[str, int],
    before_deadline: timedelta,
    goals: str,
    placed: list[tuple[str, str]],
    command: str,
    refused: str | None,
) -> None:
    room = await make_room(proposals=settings)
    await room.say(ANN, f"!propose Shared courier {goals} in 3 days")
    for backer, amount in placed:
        await room.say(backer, f"!backme 1 {amount}".strip())
    room.clock.set(DEADLINE - before_deadline)
    before = await room.dump()
    answer = await room.reply(CAS, command)
    if refused is None:
        assert "withdrawn" in answer.body or "is now" in answer.body
        assert await room.dump() != before
    else:
        assert answer.body == (
            "Until the deadline (5 March 2026, 11:00) you can't take back so much that #1 misses a goal it has "
            f"reached ({refused}) again: the others count on it. Your pledge stays as it was."
        )
        assert await room.dump() == before


async def test_locked_withdrawal_still_goes_when_the_goal_is_met(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €60")
    await room.say(CAS, "!backme 1 €40")
    room.clock.set(DEADLINE - timedelta(hours=1))
    await room.say(CAS, "!withdraw 1")
    out = await room.wait(timedelta(hours=2))
    assert out[-1].body.startswith("✅ GO #1 Shared courier")
