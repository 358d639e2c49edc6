"""After GO: updates in the proposal's thread, deliveries confirmed and credited, nudges once, done or dropped."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.ops.export import export_rooms
from handlers.events import Message
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness, Sent

ANN = "@ann:test"  # the proposer
BOB = "@bob:test"  # a backer: €60 and 4h
CAS = "@cas:test"  # a backer: plain support
DIK = "@dik:test"  # not involved
MOD = "@mod:test"  # a moderator


async def gone_go(room: Harness) -> Sent:
    """#1 Shared courier went GO with Bob's €60 + 4h and Cas's support; returns its announcement."""
    room.powers[MOD] = 50
    announcement = await room.reply(ANN, "!propose Shared courier €50 4h in 2 days min 2")
    await room.say(BOB, "!backme 1 €60 4h")
    await room.say(CAS, "!backme 1")
    out = await room.wait(timedelta(days=2, minutes=1))
    assert any(s.body.startswith("✅ GO #1") for s in out)
    return announcement


async def test_an_update_goes_to_the_thread_and_mentions_the_backers(room: Harness) -> None:
    announcement = await gone_go(room)
    (update,) = (await room.say(ANN, "!update 1 the van is ordered 40%"))[1]
    assert update.thread_root == announcement.event_id and update.reply_to is None
    assert update.body == "📝 Update on #1 Shared courier by Ann (40% done)\n“the van is ordered”"
    assert set(update.mentions) == {BOB, CAS}
    # In the thread, a command needs no number, and the answer stays in the thread as a reply.
    event, (reply,) = await room.say(BOB, "!voortgang first ride done", thread_root=announcement.event_id)
    assert reply.thread_root == announcement.event_id and reply.reply_to == event
    assert (await room.rows("SELECT user_id, text, percent FROM updates ORDER BY id")) == [
        (ANN, "the van is ordered", 40),
        (BOB, "first ride done", None),
    ]


async def test_in_the_thread_or_a_reply_a_number_with_an_hours_unit_is_hours(room: Harness) -> None:
    announcement = await gone_go(room)
    (threaded,) = (await room.say(BOB, "!geleverd 2 uur", thread_root=announcement.event_id))[1]
    assert threaded.body.startswith("📦 Bob worked 2h for #1 (not confirmed yet).")
    (replied,) = (await room.say(BOB, "!delivered 1 h", reply_to=announcement.event_id))[1]
    assert replied.body.startswith("📦 Bob worked 1h for #1 (not confirmed yet).")
    (numbered,) = (await room.say(BOB, "!delivered 1 1 h", thread_root=announcement.event_id))[1]
    assert numbered.body.startswith("📦 Bob worked 1h for #1 (not confirmed yet).")
    assert await room.rows("SELECT minutes FROM deliveries ORDER BY id") == [(120,), (60,), (60,)]


async def test_only_the_proposer_and_backers_update_and_only_backers_deliver(room: Harness) -> None:
    await gone_go(room)
    before = await room.dump()
    assert (await room.reply(DIK, "!update 1 hello")).body == (
        "Only the proposer or a backer of #1 can post its updates."
    )
    assert (await room.reply(ANN, "!delivered 1 €10")).body == (
        "Only a backer of #1 reports a delivery to it, and only their own."
    )
    assert (await room.reply(BOB, "!delivered 1 thanks")).body.startswith("What did you deliver?")
    assert (await room.reply(BOB, "!update 1")).body.startswith("What is the news?")
    assert await room.dump() == before


async def test_a_delivery_confirmed_with_a_check_mark_earns_credits_once(room: Harness) -> None:
    announcement = await gone_go(room)
    before = await room.rep(BOB)
    (reported,) = (await room.say(BOB, "!delivered 1 €60 2h drove the Tuesday round"))[1]
    assert reported.thread_root == announcement.event_id and reported.delivery_id is not None
    assert reported.body.startswith("📦 Bob paid €60 and worked 2h for #1 (not confirmed yet).")
    await room.react(DIK, reported.event_id, "✅")  # not the proposer, not a moderator: just a reaction
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]
    await room.react(ANN, reported.event_id, "✅️")
    (confirmed,) = await room.deliver()
    assert confirmed.body == "✅ Ann confirmed Bob's delivery of €60 + 2h to #1.\nBob earns +3 credits for it."
    assert confirmed.thread_root == announcement.event_id and confirmed.mentions == (BOB,)
    assert await room.rep(BOB) == before + 3  # 2 whole hours and one money delivery
    await room.react(MOD, reported.event_id, "✅")  # already confirmed: nothing more
    assert await room.deliver() == [] and await room.rep(BOB) == before + 3


async def test_hours_are_rewarded_up_to_the_hours_pledged(room: Harness) -> None:
    await gone_go(room)
    before = await room.rep(BOB)
    await room.say(BOB, "!delivered 1 3h")
    await room.say(BOB, "!delivered 1 2.5h")
    answer = await room.reply(ANN, "!confirm 1 @bob:test")
    assert answer.body.endswith("Bob earns +4 credits for it.")  # 5.5 h delivered, 4 h pledged
    await room.say(BOB, "!delivered 1 1h")
    answer = await room.reply(ANN, "!confirm 1 @bob:test")
    assert "earns" not in answer.body and await room.rep(BOB) == before + 4
    assert (await room.reply(ANN, "!confirm 1 @bob:test")).body == "Bob has no unconfirmed delivery to #1."


async def test_only_the_proposer_or_a_moderator_confirms_closes_or_drops(room: Harness) -> None:
    await gone_go(room)
    await room.say(BOB, "!delivered 1 €10")
    before = await room.dump()
    for command in ("!confirm 1 @bob:test", "!done 1", "!drop 1 no time"):
        answer = await room.reply(CAS, command)
        assert answer.body.startswith("Only the proposer (Ann) or a moderator can"), answer.body
    assert await room.dump() == before
    assert (await room.reply(MOD, "!confirm 1 @bob:test")).body.startswith("✅ Mod confirmed Bob's delivery")


async def test_the_confirmer_can_take_it_back_the_same_day_only(room: Harness) -> None:
    await gone_go(room)
    before = await room.rep(BOB)
    await room.say(BOB, "!delivered 1 €60 2h")
    await room.say(ANN, "!confirm 1 @bob:test")
    assert await room.rep(BOB) == before + 3
    refused = await room.reply(MOD, "!unconfirm 1 @bob:test")
    assert refused.body.startswith("You confirmed no delivery of Bob to #1 today")
    answer = await room.reply(ANN, "!herroep 1 @bob:test")
    assert answer.body.startswith("↩️ The confirmation of Bob's €60 + 2h to #1 is taken back")
    assert await room.rep(BOB) == before
    assert await room.rows("SELECT confirmed_by FROM deliveries") == [(None,)]
    await room.say(ANN, "!confirm 1 @bob:test")
    room.clock.advance(timedelta(days=1))
    late = await room.reply(ANN, "!unconfirm 1 @bob:test")
    assert late.body.startswith("You confirmed no delivery of Bob to #1 today") and await room.rep(BOB) == before + 3


async def test_done_posts_the_closing_report_in_the_main_timeline(room: Harness) -> None:
    await gone_go(room)
    await room.say(ANN, "!update 1 halfway 50%")
    await room.say(BOB, "!delivered 1 €60 4h")
    await room.say(ANN, "!confirm 1 @bob:test")
    (report,) = (await room.say(ANN, "!done 1 it runs twice a day now"))[1]
    assert report.kind == "announce" and report.thread_root is None and set(report.mentions) == {ANN, BOB, CAS}
    assert report.body.splitlines() == [
        "🏁 #1 Shared courier is done — closed by Ann.",
        "“it runs twice a day now”",
        "GO 4 March 2026, 11:00, closed 4 March 2026, 11:01; 1 update.",
        "Pledged · reported · confirmed:",
        "Bob: €60 + 4h · €60 + 4h · €60 + 4h",
        "Cas: support · nothing · nothing",
    ]
    again = await room.reply(ANN, "!done 1")
    closed = "#1 Shared courier is closed (done) since 4 March 2026, 11:01; !status 1 shows its report."
    assert again.body == closed
    assert (await room.reply(BOB, "!update 1 more news")).body == closed
    status = (await room.reply(CAS, "!status 1")).body
    assert "Closed 4 March 2026, 11:01: done." in status and "“it runs twice a day now”" in status
    assert "50% done" not in status and "1 update · €60 of €60 confirmed · 4 of 4h confirmed" in status


async def test_a_dropped_proposal_says_why_and_the_export_tells_the_whole_story(room: Harness) -> None:
    await gone_go(room)
    await room.say(BOB, "!delivered 1 €20")
    await room.say(ANN, "!update 1 the supplier stopped 10%")
    report = await room.reply(ANN, "!drop 1 the supplier stopped")
    assert report.body.startswith("🛑 #1 Shared courier was stopped by Ann.\n“the supplier stopped”")
    (proposal,) = (await export_rooms(room.store, ZoneInfo("Europe/Amsterdam")))["rooms"][0]["proposals"]
    assert proposal["status"] == "dropped" and proposal["close_reason"] == "the supplier stopped"
    assert proposal["closed_at"] is not None
    assert [(u["user"], u["text"], u["percent"]) for u in proposal["updates"]] == [(ANN, "the supplier stopped", 10)]
    assert [(d["user"], d["money_cents"], d["confirmed_by"]) for d in proposal["deliveries"]] == [(BOB, 2000, None)]


async def test_nudges_come_once_per_period_late_if_need_be_and_never_after_closing(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"update_every_days": 5, "delivery_reminder_days": 3})
    announcement = await gone_go(room)
    out = await room.wait(timedelta(days=3))
    (reminder,) = out  # Cas backs with plain support: nothing to deliver, no reminder for Cas
    assert reminder.body.startswith("👋 A reminder for #1 Shared courier: Bob, nothing of your pledge")
    assert reminder.mentions == (BOB,) and reminder.thread_root == announcement.event_id
    assert reminder.kind == "thread"  # no vote target: a 👍 on it credits nobody
    await room.reopen()  # the schedule lives in the store: a restart changes nothing
    (nudge,) = await room.wait(timedelta(days=2))
    assert nudge.body.startswith("👋 No update on #1 Shared courier for 5 days. Ann, how is it going?")
    assert nudge.mentions == (ANN,)
    await room.say(ANN, "!update 1 all fine")  # an update moves the next nudge
    assert await room.wait(timedelta(days=4)) == []
    room.clock.advance(timedelta(days=3))  # the bot was down when the next one fell due
    (late,) = await room.wait(timedelta(minutes=1))
    assert "(Posted late: it was due" in late.body
    await room.say(ANN, "!done 1")
    assert await room.wait(timedelta(days=30)) == []


@pytest.mark.parametrize("language", ["en", "nl"])
async def test_status_list_and_mine_show_the_work_after_go(make_room: MakeRoom, language: str) -> None:
    room = await make_room(bot={"language": language})
    await gone_go(room)
    await room.say(ANN, "!propose Second van €500 in 5 days")
    await room.say(BOB, "!backme 2 €100")
    await room.say(ANN, "!update 1 halfway 50%")
    await room.say(BOB, "!delivered 1 €60 1h")
    await room.say(ANN, "!confirm 1 @bob:test")
    status = (await room.reply(CAS, "!proposal 1")).body
    listed = (await room.reply(CAS, "!proposals")).body
    mine = (await room.reply(BOB, "!mine")).body
    if language == "en":
        assert "50% done · 1 update · €60 of €60 confirmed · 1 of 4h confirmed" in status
        assert "Latest updates:" in status and "Ann: “halfway”" in status
        assert "Bob: €60 + 4h · €60 + 1h · €60 + 1h" in status
        assert listed.index("Open proposals:") < listed.index("Underway (GO):")
        assert mine.splitlines() == [
            "Your pledges to open proposals:",
            "#2 Second van: €100",
            "Still to deliver for proposals that went GO:",
            "#1 Shared courier: 3h",
        ]
    else:
        assert "50% klaar · 1 update · € 60 van € 60 bevestigd · 1 van 4 uur bevestigd" in status.replace("\xa0", " ")
        assert "Toegezegd · gemeld · bevestigd:" in status
        assert "In uitvoering (GO):" in listed
        assert mine.splitlines()[2:] == ["Nog te leveren voor voorstellen met GO:", "#1 Shared courier: 3 uur"]


async def test_mine_shows_the_proposer_what_she_carries_out_and_what_waits_for_her(room: Harness) -> None:
    await gone_go(room)  # Ann proposed #1 and pledged nothing to it
    await room.say(ANN, "!propose Second van €500 in 1 day min 3")
    await room.wait(timedelta(days=1, minutes=1))  # #2: NO-GO
    await room.say(BOB, "!delivered 1 €60 2h")
    assert (await room.reply(ANN, "!mine")).body.splitlines() == [
        "Deliveries waiting for your confirmation:",
        "#1 Shared courier: Bob €60 + 2h (!confirm 1 @bob:test)",
        "Your proposals:",
        "#1 Shared courier · GO",
        "#2 Second van · NO-GO",
    ]
    assert (await room.reply(DIK, "!mine")).body == "You have no pledges or proposals in this room yet."


async def test_the_proposer_is_reminded_of_deliveries_waiting_for_her_confirmation(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"confirm_reminder_days": 2, "delivery_reminder_days": 30})
    announcement = await gone_go(room)
    await room.say(BOB, "!delivered 1 €60 2h")
    room.clock.advance(timedelta(days=1))
    await room.say(CAS, "!backme 1")  # plain support: nothing to deliver
    assert await room.wait(timedelta(hours=23)) == []
    (reminder,) = await room.wait(timedelta(hours=2))
    assert reminder.body == (
        "👋 Ann, a delivery to #1 Shared courier waits for your confirmation: Bob €60 + 2h. "
        "Confirm it with ✅ on its message or with !confirm 1 @bob:test."
    )
    assert reminder.mentions == (ANN,) and reminder.thread_root == announcement.event_id
    await room.say(BOB, "!delivered 1 1h")
    await room.say(ANN, "!confirm 1 @bob:test")  # confirmed in time: no reminder
    assert await room.wait(timedelta(days=5)) == []


async def test_a_pill_in_a_reply_names_the_member_typed_not_the_author_replied_to(room: Harness) -> None:
    await gone_go(room)
    await room.say(BOB, "!delivered 1 €60")
    cas_says, _ = await room.say(CAS, "Bob drove today")
    # Element: replying to Cas's message with a pill for Bob mentions Cas (the reply) and Bob (the pill).
    message = Message(
        room.new_id("msg"), ROOM, ANN, "!confirm 1 Bob", room.clock.now(), sender_name="Ann",
        reply_to=cas_says, mentions=(CAS, BOB),
    )  # fmt: skip
    await room.kring.handle(message)
    (answer,) = await room.deliver()
    assert answer.body.startswith("✅ Ann confirmed Bob's delivery of €60 to #1.")


async def test_votes_on_kring_messages_in_a_thread_credit_nobody(room: Harness) -> None:
    await gone_go(room)
    proposer, backer = await room.rep(ANN), await room.rep(BOB)
    (update,) = (await room.say(BOB, "!update 1 first ride done"))[1]
    await room.react(DIK, update.event_id, "👍")
    assert (await room.rep(ANN), await room.rep(BOB)) == (proposer, backer)


async def test_nobody_confirms_their_own_delivery(room: Harness) -> None:
    room.powers[ANN] = 50  # the proposer is a moderator too
    await room.say(ANN, "!propose Shared courier €50 in 2 days")
    await room.say(ANN, "!backme 1 €60 2h")
    await room.say(BOB, "!backme 1")  # the proposer is never one of the backers: one more makes it GO
    await room.wait(timedelta(days=2, minutes=1))
    (reported,) = (await room.say(ANN, "!delivered 1 €60 2h"))[1]
    before = await room.rep(ANN)
    answer = await room.reply(ANN, "!confirm 1 @ann:test")
    assert answer.body == "You cannot confirm your own delivery: a moderator does."
    await room.react(ANN, reported.event_id, "✅")
    assert await room.deliver() == [] and await room.rep(ANN) == before


async def test_the_proposer_hears_that_a_moderator_confirms_her_own_delivery(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!voorstel Gedeelde koerier €50 over 2 dagen")
    await room.say(ANN, "!steun 1 €60")
    await room.say(BOB, "!steun 1 2 uur")
    await room.wait(timedelta(days=2, minutes=1))
    (own,) = (await room.say(ANN, "!geleverd 1 €60"))[1]
    assert own.body.splitlines()[-1] == (
        "Dit is de levering van de indiener zelf: alleen een moderator bevestigt die, met ✅ op dit bericht of met "
        "!bevestig 1 @ann:test."
    )
    assert own.mentions == ()
    (theirs,) = (await room.say(BOB, "!geleverd 1 2 uur"))[1]
    assert theirs.body.splitlines()[-1] == (
        "Ann of een moderator bevestigt dit met ✅ op dit bericht of met !bevestig 1 @bob:test."
    )
    answer = await room.reply(ANN, "!bevestig 1 @ann:test")
    assert answer.body == "Je eigen levering kun je niet bevestigen: dat doet een moderator."
    rule = (await room.reply(ANN, "!hulp bevestig")).body
    assert "De indiener of een moderator bevestigt een levering" in rule and "alleen een moderator" in rule


async def test_unconfirming_one_confirmation_keeps_the_hours_owed_for_the_others(room: Harness) -> None:
    room.powers[MOD] = 50
    await gone_go(room)
    before = await room.rep(BOB)
    await room.say(BOB, "!delivered 1 3h")
    await room.say(ANN, "!confirm 1 @bob:test")  # 3 of 4 pledged hours: +3
    await room.say(BOB, "!delivered 1 3h")
    await room.say(MOD, "!confirm 1 @bob:test")  # capped at 4: +1
    assert await room.rep(BOB) == before + 4
    await room.say(ANN, "!unconfirm 1 @bob:test")  # Mod's 3 h still stand: 3 credits
    assert await room.rep(BOB) == before + 3


async def test_proposals_lists_the_ten_latest_underway_and_counts_the_rest(room: Harness) -> None:
    for n in range(12):
        await room.say(ANN, f"!propose Project {'ABCDEFGHIJKL'[n]} €10 in {n + 1} days")
        await room.say(BOB, f"!backme {n + 1} €10")
    await room.wait(timedelta(days=13))
    listing = await room.reply(BOB, "!proposals")
    shown = [line for line in listing.body.splitlines() if line.startswith("#")]
    assert [line.split()[0] for line in shown] == [f"#{n}" for n in range(3, 13)]  # decided last, oldest first
    assert listing.body.splitlines()[-1] == "…and 2 more underway, decided earlier: !proposal <id> shows one."
    mine = await room.reply(BOB, "!mine")
    assert all(f"#{n} " in mine.body for n in range(1, 13))  # every proposal Bob backed, however many


async def test_a_forgotten_proposer_is_asked_to_confirm_nothing(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"confirm_reminder_days": 2, "delivery_reminder_days": 30})
    await gone_go(room)
    await room.say(BOB, "!delivered 1 €60 2h")
    await room.say(ANN, "!forgetme")
    await room.say(ANN, "!forgetme confirm")
    later = await room.wait(timedelta(days=3))
    assert not [sent for sent in later if "waits for your confirmation" in sent.body], [s.body for s in later]


async def test_backing_your_own_proposal_is_not_counted_as_backing_on_a_profile(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(ANN, "!backme 1 €5")
    profile = await room.reply(BOB, f"!profile {ANN}")
    assert "backed" not in profile.body, profile.body
    await room.say(BOB, "!backme 1 €5")
    assert "has backed 1 proposal" in (await room.reply(CAS, f"!profile {BOB}")).body
