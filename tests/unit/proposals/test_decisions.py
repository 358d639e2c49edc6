"""GO / NO-GO at the deadline: the rule, the decision message, rewards, reminders, "fully backed", late decisions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from handlers.proposals.go_rules import is_go, shortfall
from storage.records import Pledge, Proposal, Status, Totals
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, START, Harness, decisions

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"

MONEY_GOAL = 100_000  # €1,000 in cents
HOURS_GOAL = 600  # 10 h in minutes
MIN_BACKERS = 3


def make_proposal(money: int | None, minutes: int | None, min_backers: int) -> Proposal:
    return Proposal(
        id=1,
        room_id=ROOM,
        number=1,
        title="Shared courier",
        description="",
        proposer=ANN,
        money_goal_cents=money,
        hours_goal_minutes=minutes,
        min_backers=min_backers,
        deadline=START + timedelta(days=14),
        created_at=START,
        idea_event_id=None,
        status=Status.OPEN,
    )


TRUTH_TABLE = list(itertools.product(("met", "short"), ("met", "short", "unset"), ("met", "short", "unset")))


@pytest.mark.parametrize(("backers", "money", "hours"), TRUTH_TABLE)
def test_go_exactly_when_every_set_goal_is_met(backers: str, money: str, hours: str) -> None:
    proposal = make_proposal(
        None if money == "unset" else MONEY_GOAL, None if hours == "unset" else HOURS_GOAL, MIN_BACKERS
    )
    # An unset goal is met whatever was pledged, also nothing at all.
    pledged_money = {"met": MONEY_GOAL, "short": MONEY_GOAL - 1, "unset": 0}[money]
    pledged_minutes = {"met": HOURS_GOAL, "short": HOURS_GOAL - 1, "unset": 0}[hours]
    totals = Totals(MIN_BACKERS if backers == "met" else MIN_BACKERS - 1, pledged_money, pledged_minutes)

    assert is_go(proposal, totals) is ("short" not in (backers, money, hours))
    gap = shortfall(proposal, totals)
    assert gap.backers == (1 if backers == "short" else 0)
    assert gap.money_cents == (1 if money == "short" else 0)
    assert gap.minutes == (1 if hours == "short" else 0)


def test_more_than_the_goals_is_go_and_no_backers_is_no_go() -> None:
    proposal = make_proposal(MONEY_GOAL, HOURS_GOAL, 1)
    assert is_go(proposal, Totals(5, MONEY_GOAL * 3, HOURS_GOAL * 2))
    proposal = make_proposal(None, None, 1)
    assert not is_go(proposal, Totals.of([], proposal.proposer))
    support = Pledge(BOB, 0, 0, "", START)
    assert is_go(proposal, Totals.of([support], proposal.proposer))
    own = Pledge(proposal.proposer, 0, 0, "", START)
    assert not is_go(proposal, Totals.of([own], proposal.proposer))  # the proposer is never one of the backers


@pytest.mark.parametrize(
    ("propose", "pledges", "go", "said"),
    [
        ("€100 10h min 2", [(BOB, "€60 5h"), (CAS, "€40 5h")], True, "Every goal was met"),
        ("€100 10h min 2", [(BOB, "€60 5h"), (CAS, "€39 5h")], False, "Short of: €1."),
        ("€100 10h min 2", [(BOB, "€60 5h"), (CAS, "€40 4h")], False, "Short of: 1h."),
        ("€100 10h min 2", [(BOB, "€100 10h")], False, "Short of: 1 more backer."),
        ("€100 10h min 3", [(BOB, "€10")], False, "Short of: €90 · 10h · 2 more backers."),
        ("", [(BOB, "")], True, "Every goal was met"),
        ("10h", [(BOB, "€5 6h"), (CAS, "4h")], True, "Every goal was met"),
        ("", [], False, "Short of: 1 more backer."),
    ],
)
async def test_decision_through_the_full_flow(
    room: Harness, propose: str, pledges: list[tuple[str, str]], go: bool, said: str
) -> None:
    await room.say(ANN, f"!propose Shared courier {propose} in 2 days".replace("  ", " "))
    for backer, amount in pledges:
        await room.say(backer, f"!backme 1 {amount}".strip())
    out = await room.wait(timedelta(days=2, minutes=1))
    (decision,) = decisions(room.sent)
    assert decision in out
    assert decision.body.startswith("✅ GO #1 Shared courier" if go else "❌ NO-GO #1 Shared courier")
    assert said in decision.body
    assert decision.kind == "announce" and decision.reply_to is None
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None and proposal.status is (Status.GO if go else Status.NO_GO)


async def test_go_names_backers_with_their_pledges_and_rewards_effort(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €1.000 in 2 days min 2")
    await room.say(BOB, "!backme 1 €600 3h I can drive")
    await room.say(CAS, "!backme 1 €400")
    await room.say(DIK, "!backme 1")
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert "Bob: €600 + 3h — “I can drive”" in decision.body
    assert "Cas: €400" in decision.body
    assert "Dik: support" in decision.body
    assert set(decision.mentions) == {ANN, BOB, CAS, DIK}
    assert 'href="https://matrix.to/#/@bob:test"' in decision.html
    assert "+5" in decision.body
    assert [await room.rep(u) for u in (ANN, BOB, CAS, DIK)] == [5, 1, 1, 1]


async def test_no_go_rewards_nobody_and_lists_objections(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €1.000 in 2 days")
    await room.say(BOB, "!backme 1 €600")
    await room.say(CAS, "!object 1 the insurer already offers this")
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("❌ NO-GO #1")
    assert "Short of: €400" in decision.body
    assert "Nobody owes anything: the pledges lapse." in decision.body.splitlines()
    assert "Bob: €600" in decision.body
    assert "Cas: the insurer already offers this" in decision.body
    assert await room.rep(ANN) == 0 and await room.rep(BOB) == 0


async def test_a_no_go_without_pledges_does_not_speak_of_them(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €1.000 in 2 days")
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("❌ NO-GO #1") and "pledges lapse" not in decision.body


async def test_rewards_follow_the_settings(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"go_reward_proposer": 0, "go_reward_backer": 3})
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.say(BOB, "!backme 1")
    await room.wait(timedelta(days=3))
    assert await room.rep(ANN) == 0
    assert await room.rep(BOB) == 3


async def test_decision_is_posted_once_and_nothing_else_reads_like_one(room: Harness) -> None:
    await room.say(ANN, "!propose GO #2 is not a decision in 2 days")
    await room.say(BOB, "!backme 1")
    await room.say(BOB, "!proposal 1")
    await room.wait(timedelta(days=3))
    await room.say(BOB, "!proposal 1")
    await room.wait(timedelta(days=3))
    assert await room.kring.fire_due() == 0
    assert await room.deliver() == []
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("✅ GO #1 GO #2 is not a decision")


async def test_decision_on_time_does_not_say_late(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert "late" not in decision.body


async def test_decision_due_while_down_is_posted_late_once_at_start_up(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 2 days")
    await room.say(BOB, "!backme 1 €100")
    room.clock.set(START + timedelta(days=2, hours=7))  # the bot was down across the reminder and deadline
    await room.reopen()
    await room.kring.fire_due()
    out = await room.deliver()
    assert len(out) == 1
    (decision,) = out
    assert decision.body.startswith("✅ GO #1 Shared courier")
    assert "late" in decision.body and "4 March 2026, 11:00" in decision.body  # the deadline, Amsterdam time
    assert await room.rep(ANN) == 5

    assert await room.kring.fire_due() == 0
    await room.reopen()
    await room.kring.fire_due()
    assert await room.deliver() == []
    assert await room.rep(ANN) == 5


async def test_reminder_missed_while_down_is_posted_at_start_up(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    room.clock.set(START + timedelta(days=2, hours=12))
    await room.reopen()
    await room.kring.fire_due()
    (reminder,) = await room.deliver()
    assert reminder.body.startswith("⏰ Reminder: #1 Shared courier")
    assert "Still needed: €100 · 1 more backer." in reminder.body


async def test_reminder_comes_reminder_hours_before_the_deadline_with_the_gap(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 10h in 3 days")
    await room.say(BOB, "!backme 1 €60 4h")
    assert await room.wait(timedelta(days=2, minutes=-1)) == []
    (reminder,) = await room.wait(timedelta(minutes=2))
    assert reminder.kind == "announce" and reminder.reply_to is None
    assert reminder.body.startswith("⏰ Reminder: #1 Shared courier closes 5 March 2026, 11:00 (1 day left).")
    assert "Still needed: €40 · 6h." in reminder.body
    assert set(reminder.mentions) == {ANN, BOB}
    out = await room.wait(timedelta(days=2))
    assert [s.body.split("\n")[0] for s in out] == ["❌ NO-GO #1 Shared courier"]


async def test_reminder_when_every_goal_is_met(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €100")
    out = await room.wait(timedelta(days=2, minutes=1))
    (reminder,) = [s for s in out if s.body.startswith("⏰")]
    assert "Every goal is met" in reminder.body


async def test_reminder_hours_is_configurable_and_zero_turns_it_off(make_room: MakeRoom) -> None:
    early = await make_room(proposals={"reminder_hours": 2})
    await early.say(ANN, "!propose Shared courier in 3 days")
    assert await early.wait(timedelta(days=3, hours=-2, minutes=-1)) == []
    (reminder,) = await early.wait(timedelta(minutes=2))
    assert reminder.body.startswith("⏰") and "2 hours left" in reminder.body

    off = await make_room(proposals={"reminder_hours": 0})
    await off.say(ANN, "!propose Shared courier in 3 days")
    out = await off.wait(timedelta(days=4))
    assert [s.body.split("\n")[0] for s in out] == ["❌ NO-GO #1 Shared courier"]


async def test_fully_backed_is_announced_once_and_pledges_stay_open(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days min 2")
    _, out = await room.say(BOB, "!backme 1 €60")
    assert len(out) == 1
    _, out = await room.say(CAS, "!backme 1 €40")
    reply, news = out
    assert reply.reply_to is not None and reply.body.startswith("Thank you Cas")
    assert news.kind == "announce" and news.reply_to is None
    assert news.body.startswith("🎯 #1 Shared courier is fully backed!")
    assert "open until 5 March 2026, 11:00" in news.body

    _, out = await room.say(DIK, "!backme 1 €10")  # still open for pledges
    assert len(out) == 1 and out[0].body.startswith("Thank you Dik")
    await room.say(CAS, "!withdraw 1")
    await room.say(DIK, "!backme 1 €40")  # met again: not announced a second time
    assert len([s for s in room.sent if "fully backed" in s.body]) == 1
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("✅ GO #1")
