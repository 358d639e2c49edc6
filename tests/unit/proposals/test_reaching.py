"""Which messages reach the members they name (an m.text with exact m.mentions and pills) and which are routine."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness, Sent, decisions

ANN = "@ann:test"  # the proposer
BOB = "@bob:test"  # a backer with money and hours
CAS = "@cas:test"  # a backer with plain support
DIK = "@dik:test"  # offers a talent and asked to be mentioned for it
EVE = "@eve:test"  # offers the same talent, not asked
PILL = re.compile(r'href="https://matrix\.to/#/([^"]+)"')


def pills(sent: Sent) -> set[str]:
    return {found.replace("%40", "@").replace("%3A", ":") for found in PILL.findall(sent.html)}


def assert_sound(sent: Sent) -> None:
    """Whatever it is, it pings nobody it does not show as a pill, and never the whole room."""
    assert sent.notifies <= pills(sent)
    assert "@room" not in sent.body
    if sent.content["msgtype"] == "m.notice":
        assert not sent.notifies


async def test_a_go_reaches_its_proposer_and_backers_and_nobody_else(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 2 days min 2")
    await room.say(BOB, "!backme 1 €100")
    await room.say(CAS, "!backme 1")
    await room.say(EVE, "hello all")
    await room.wait(timedelta(days=2, minutes=1))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("✅ GO #1")
    assert decision.content["msgtype"] == "m.text"
    assert decision.notifies == {ANN, BOB, CAS} == pills(decision)


async def test_a_no_go_names_and_reaches_a_proposer_who_pledged_nothing(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"go_reward_proposer": 0, "go_reward_backer": 0})
    await room.say(ANN, "!propose Shared courier €100 in 2 days")
    await room.say(BOB, "!backme 1 €10")
    await room.wait(timedelta(days=2, minutes=1))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("❌ NO-GO #1")
    assert "Proposed by Ann." in decision.body.splitlines()
    assert decision.notifies == {ANN, BOB}


async def test_routine_messages_reach_nobody(room: Harness) -> None:
    """Replies, listings, help, the announcement of a proposal without a talent match, the deadline's reminder."""
    routine = [
        await room.reply(ANN, "!propose Shared courier €100 in 2 days"),
        await room.reply(BOB, "!backme 1 €10"),
        await room.reply(CAS, "!proposals"),
        await room.reply(CAS, "!help"),
        await room.reply(CAS, "!proposal 1"),
    ]
    routine += await room.wait(timedelta(days=1, hours=12))  # the reminder before the deadline
    assert len(routine) == 6
    for sent in routine:
        assert sent.content["msgtype"] == "m.notice" and not sent.notifies, sent.body
        assert_sound(sent)


async def test_a_cancellation_names_its_backers_says_their_pledges_lapse_and_reaches_them(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 2 days")
    await room.say(BOB, "!backme 1 €40")
    await room.say(CAS, "!backme 1 €20")
    (cancelled,) = (await room.say(ANN, "!cancel 1"))[1]
    assert cancelled.body.splitlines()[-1] == "Bob, Cas: your pledges lapse, nobody owes anything."
    assert cancelled.notifies == {BOB, CAS}  # not Ann, who cancelled it herself
    await room.say(ANN, "!propose Second van in 2 days")
    (alone,) = (await room.say(ANN, "!cancel 2"))[1]
    assert alone.content["msgtype"] == "m.notice" and not alone.notifies  # no backers: nobody to reach


async def test_reminders_to_named_members_reach_exactly_them(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"update_every_days": 5, "delivery_reminder_days": 3, "confirm_reminder_days": 1})
    await room.say(ANN, "!propose Shared courier €50 4h in 2 days min 2")
    await room.say(BOB, "!backme 1 €60 4h")
    await room.say(CAS, "!backme 1")
    await room.wait(timedelta(days=2, minutes=1))
    (deliver,) = await room.wait(timedelta(days=3))
    assert deliver.body.startswith("👋 A reminder for #1")
    assert deliver.notifies == {BOB}  # Cas has nothing to deliver
    (update,) = await room.wait(timedelta(days=2))
    assert update.body.startswith("👋 No update on #1") and update.notifies == {ANN}
    (reported,) = (await room.say(BOB, "!delivered 1 €60"))[1]
    assert reported.content["msgtype"] == "m.notice"  # an acknowledgement
    confirm = [s for s in await room.wait(timedelta(days=1, minutes=1)) if s.notifies]
    assert [s.notifies for s in confirm] == [{ANN}]


async def test_a_talent_match_reaches_only_the_members_who_asked_to_be_mentioned(room: Harness) -> None:
    await room.say(DIK, "!skills add driver")
    await room.say(DIK, "!skills ask on")
    await room.say(EVE, "!skills add driver")
    (need,) = (await room.say(ANN, "!need who can drive on Saturday? for: driver"))[1]
    assert need.content["msgtype"] == "m.text" and need.notifies == {DIK}
    assert_sound(need)
    (found,) = (await room.say(ANN, "!who driver"))[1]
    assert found.content["msgtype"] == "m.notice"  # a search Ann asked for is routine
    (proposed,) = (await room.say(ANN, "!propose Courier course in 3 days\nneeds: driver"))[1]
    assert proposed.notifies == {DIK}
    (nobody,) = (await room.say(ANN, "!need someone to bake bread"))[1]
    assert nobody.content["msgtype"] == "m.notice"  # no match: nobody to reach


async def test_every_message_of_a_whole_flow_is_sound(room: Harness) -> None:
    await room.say(DIK, "!skills add driver")
    await room.say(DIK, "!skills ask on")
    await room.say(ANN, "!propose Shared courier €50 4h in 2 days min 2\nneeds: driver")
    await room.say(BOB, "!backme 1 €60 4h")
    await room.say(CAS, "!backme 1")
    await room.say(CAS, "!need a van for: driver")
    await room.wait(timedelta(days=30))
    await room.say(ANN, "!propose Second van in 2 days")
    await room.say(BOB, "!backme 2")
    await room.say(ANN, "!cancel 2")
    assert len(room.sent) > 10
    for sent in room.sent:
        assert_sound(sent)


async def test_a_go_reaches_a_proposer_who_earns_no_reward(room: Harness) -> None:
    """The rewards line names the proposer only when she earns one: one who earns none is named, and reached, apart."""
    await room.say(ANN, "!optout")  # her votes do not count, so she earns no GO reward
    await room.say(ANN, "!propose Shared courier €100 in 2 days min 2")
    await room.say(BOB, "!backme 1 €100")
    await room.say(CAS, "!backme 1")
    await room.wait(timedelta(days=2, minutes=1))
    (decision,) = decisions(room.sent)
    assert "Rewards: each backer +1 credit." in decision.body.splitlines()
    assert "Proposed by Ann." in decision.body.splitlines()
    assert decision.notifies == {ANN, BOB, CAS} == pills(decision)
