"""!propose, !proposals, !proposal, !object, !cancel and !extend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.records import Status
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, START, Harness, decisions

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
MOD = "@mod:test"


async def status_of(room: Harness, number: int = 1) -> Status:
    proposal = await room.store.proposals.by_number(ROOM, number)
    assert proposal is not None
    return proposal.status


async def test_a_malformed_multi_line_proposal_is_shown_the_multi_line_form(make_room: MakeRoom) -> None:
    dutch = await make_room(bot={"language": "nl"})
    answer = await dutch.reply(ANN, "!voorstel Scholing MBO ouderen\ndoel: veel\nuren: 40")
    assert answer.body.startswith("Het bedrag “veel” kan ik niet lezen.")
    assert "\n!voorstel <titel>\ndoel: € 2.500\nuren: 40\n" in answer.body
    assert "[€<bedrag>]" not in answer.body  # not the one-line form
    assert await dutch.rows("SELECT id FROM proposals") == []


async def test_propose_announces_the_proposal_to_the_room(room: Harness) -> None:
    _, out = await room.say(ANN, "!propose Shared courier €2.500 40h by 2026-03-20 17:00 min 5")
    (announcement,) = out
    assert announcement.kind == "announce" and announcement.reply_to is None
    assert announcement.body.splitlines() == [
        "📣 New proposal #1: Shared courier",
        "Proposed by Ann.",
        "Goals: €2,500 · 40h · 5 backers (the proposer is not counted as a backer; their own pledge counts toward "
        "money and hours)",
        "Deadline: Friday 20 March 2026, 17:00 (18 days left)",
        "Back it: !backme 1 [€amount] [hours] [note]. A pledge binds you only if #1 goes GO. A 👍 on this message "
        "gives Ann a credit; it is no pledge.",
    ]
    assert announcement.mentions == (ANN,)
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None
    assert (proposal.money_goal_cents, proposal.hours_goal_minutes, proposal.min_backers) == (250_000, 2400, 5)


async def test_propose_defaults_to_fourteen_days_and_one_backer(room: Harness) -> None:
    announcement = await room.reply(ANN, "!propose Shared courier")
    assert "Goals: 1 backer" in announcement.body
    assert "(14 days left)" in announcement.body
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None and proposal.deadline == START + timedelta(days=14)


async def test_defaults_follow_the_settings(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"default_deadline_days": 7, "default_min_backers": 3})
    announcement = await room.reply(ANN, "!propose Shared courier")
    assert "Goals: 3 backers" in announcement.body and "(7 days left)" in announcement.body


async def test_proposal_numbers_count_per_room(room: Harness) -> None:
    first = await room.reply(ANN, "!propose Shared courier")
    second = await room.reply(BOB, "!propose Night rota")
    elsewhere = await room.reply(BOB, "!propose Bike fleet", room="!other:test")
    assert "#1: Shared courier" in first.body
    assert "#2: Night rota" in second.body
    assert "#1: Bike fleet" in elsewhere.body and elsewhere.room_id == "!other:test"
    answer = await room.reply(BOB, "!proposal 2", room="!other:test")
    assert answer.body.startswith("There is no proposal #2 in this room.")


async def test_propose_as_reply_links_the_idea(room: Harness) -> None:
    idea, _ = await room.say(BOB, "Could we share a courier between the pharmacies?")
    announcement = await room.reply(ANN, "!propose Shared courier €1.000", reply_to=idea)
    assert "From the idea by Bob: “Could we share a courier between the pharmacies?”" in announcement.body
    assert set(announcement.mentions) == {ANN, BOB}
    status = await room.reply(CAS, "!proposal 1")
    assert status.body.startswith("#1 Shared courier — open")
    assert status.body.splitlines()[2] == "From the idea by Bob: “Could we share a courier between the pharmacies?”"
    assert status.mentions == ()  # the status names the idea's author without notifying her
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None and proposal.idea_event_id == idea


async def test_multi_line_propose(room: Harness) -> None:
    lines = ["!propose Shared courier", "goal: €2.500", "hours: 40", "deadline: 2026-03-20 17:00", "backers: 5"]
    announcement = await room.reply(ANN, "\n".join([*lines, "Two vans, one route."]))
    assert "Two vans, one route." in announcement.body
    assert "Goals: €2,500 · 40h · 5 backers" in announcement.body
    assert "Deadline: Friday 20 March 2026, 17:00" in announcement.body


async def test_proposals_lists_open_ones_with_progress(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €2.500 40h in 3 days min 5")
    await room.say(ANN, "!propose Night rota")
    await room.say(ANN, "!propose Bike fleet")
    await room.say(ANN, "!cancel 3")
    await room.say(BOB, "!backme 1 €1.500 12h")
    answer = await room.reply(CAS, "!proposals")
    assert answer.body.splitlines() == [
        "Open proposals:",
        "#1 Shared courier",
        "   ▓▓░░░░░░░░ 20% · €1,500 of €2,500 · 12 of 40h · 1 of 5 backers · 3 days left",
        "#2 Night rota",
        "   ░░░░░░░░░░ 0% · 0 of 1 backer · 14 days left",
    ]


async def test_proposals_when_there_are_none(room: Harness) -> None:
    answer = await room.reply(ANN, "!proposals")
    assert answer.body.startswith("There are no open proposals.")


@pytest.mark.parametrize("command", ["!proposal 1", "!proposal #1", "!status 1", "!STATUS #1"])
async def test_status_shows_goals_backers_and_objections(room: Harness, command: str) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days min 2")
    await room.say(BOB, "!backme 1 €60")
    await room.say(CAS, "!object 1 too expensive")
    answer = await room.reply(CAS, command)
    assert answer.body.splitlines() == [
        "#1 Shared courier — open",
        "Proposed by Ann on 2 March 2026, 11:00.",
        "Goals: €100 · 2 backers",
        "Deadline: Thursday 5 March 2026, 11:00 (3 days left)",
        "Still needed: €40 · 1 more backer.",
        "▓▓▓▓▓░░░░░ 50% · €60 of €100 · 1 of 2 backers · 3 days left",
        "Backers (1):",
        "• Bob: €60",
        "Objections (1):",
        "• Cas: too expensive",
    ]


async def test_status_as_a_reply_to_the_announcement(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier")
    announcement = await room.reply(ANN, "!propose Night rota")
    answer = await room.reply(BOB, "!status", reply_to=announcement.event_id)
    assert answer.body.startswith("#2 Night rota — open")


async def test_objection_is_recorded_replaced_and_does_not_block(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 2 days")
    answer = await room.reply(CAS, "!object #1 too   expensive")
    assert answer.body.startswith("Your objection to #1 is recorded")
    replaced = await room.reply(CAS, "!object 1 the insurer already offers this")
    assert replaced.body == (
        "Your objection to #1 now reads “the insurer already offers this”; it replaces your earlier one "
        "(“too expensive”)."
    )
    await room.say(BOB, "!backme 1")
    assert await room.rows("SELECT user_id, reason FROM objections") == [(CAS, "the insurer already offers this")]
    await room.wait(timedelta(days=3))
    (decision,) = decisions(room.sent)
    assert decision.body.startswith("✅ GO #1")
    assert "Cas: the insurer already offers this" in decision.body


async def test_an_objection_is_taken_back_in_either_language(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    await room.say(ANN, "!voorstel Gedeelde koerier over 2 dagen")
    await room.say(CAS, "!bezwaar 1 te duur")
    taken = await room.reply(CAS, "!bezwaar 1 intrekken")
    assert taken.body == "Je bezwaar tegen #1 is ingetrokken."
    assert await room.rows("SELECT * FROM objections") == []
    assert (await room.reply(CAS, "!object 1 withdraw")).body == "Je hebt geen bezwaar tegen #1 om in te trekken."
    assert "Bezwaren" not in (await room.reply(BOB, "!status 1")).body


async def test_objection_to_a_closed_proposal_is_refused(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.wait(timedelta(days=3))
    answer = await room.reply(CAS, "!object 1 too late")
    assert answer.body == "Proposal #1 is closed (NO-GO); objections can no longer be added."
    assert await room.rows("SELECT * FROM objections") == []


async def test_min_reputation_to_propose(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"min_reputation_to_propose": 1})
    answer = await room.reply(ANN, "!propose Shared courier")
    assert answer.body == "You need at least 1 credit to make a proposal; you have 0."
    assert await room.rows("SELECT * FROM proposals") == []
    idea, _ = await room.say(ANN, "Shared courier?")
    await room.react(BOB, idea, "👍")
    assert (await room.reply(ANN, "!propose Shared courier")).kind == "announce"


# cancel


@pytest.mark.parametrize(("who", "power"), [(ANN, 0), (MOD, 50)])
async def test_proposer_or_moderator_cancels_and_it_is_announced(room: Harness, who: str, power: int) -> None:
    room.powers[who] = power
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €100")
    _, out = await room.say(who, "!cancel 1 merged with the van plan")
    (announcement,) = out
    assert announcement.kind == "announce" and announcement.reply_to is None
    name = who.lstrip("@").split(":")[0].capitalize()
    assert announcement.body.splitlines() == [
        f"🚫 Proposal #1 Shared courier was cancelled by {name}.",
        "Reason: merged with the van plan",
        "Bob: your pledge lapses, nothing is owed.",
        *(["Proposed by Ann."] if who != ANN else []),
    ]
    # It reaches the backers it names, and the proposer when a moderator cancelled: never who cancelled it.
    assert announcement.notifies == ({BOB} if who == ANN else {ANN, BOB})
    assert await status_of(room) is Status.CANCELLED
    assert await room.wait(timedelta(days=4)) == []  # no reminder, no decision
    assert await status_of(room) is Status.CANCELLED
    assert "Cancelled: merged with the van plan" in (await room.reply(BOB, "!proposal 1")).body


@pytest.mark.parametrize(("who", "power"), [(BOB, 0), (BOB, 49)])
async def test_others_cannot_cancel(room: Harness, who: str, power: int) -> None:
    room.powers[who] = power
    await room.say(ANN, "!propose Shared courier in 3 days")
    before = await room.dump()
    answer = await room.reply(who, "!cancel 1")
    assert answer.body == "Only the proposer (Ann) or a moderator can cancel #1."
    assert await room.dump() == before
    out = await room.wait(timedelta(days=4))
    assert len(decisions(out)) == 1


async def test_cancel_a_closed_proposal_is_refused(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.wait(timedelta(days=3))
    answer = await room.reply(ANN, "!cancel 1")
    assert answer.body == "Proposal #1 is already closed (NO-GO)."
    assert await status_of(room) is Status.NO_GO


# extend


async def test_moderator_extends_the_deadline_and_the_schedule_moves(room: Harness) -> None:
    room.powers[MOD] = 50
    await room.say(ANN, "!propose Shared courier in 3 days")
    await room.say(BOB, "!backme 1")
    answer = await room.reply(MOD, "!extend 1 in 5 days")
    assert answer.body == "The deadline of #1 Shared courier is now Saturday 7 March 2026, 11:00 (5 days left)."
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None and proposal.deadline == START + timedelta(days=5)

    assert await room.wait(timedelta(days=4, minutes=-1)) == []  # no reminder or decision at the old times
    (reminder,) = await room.wait(timedelta(minutes=2))
    assert reminder.body.startswith("⏰ Reminder: #1 Shared courier closes 7 March 2026, 11:00")
    out = await room.wait(timedelta(days=1))
    assert [s.body.split("\n")[0] for s in out] == ["✅ GO #1 Shared courier"]


async def test_extend_after_the_reminder_reminds_again_before_the_new_deadline(room: Harness) -> None:
    room.powers[MOD] = 50
    await room.say(ANN, "!propose Shared courier in 3 days")
    (first,) = await room.wait(timedelta(days=2, hours=1))
    assert first.body.startswith("⏰")
    await room.say(MOD, "!extend 1 in 7 days")
    out = await room.wait(timedelta(days=7))
    assert [s.body[:2] for s in out] == ["⏰ ", "❌ "]


async def test_non_moderator_cannot_extend(room: Harness) -> None:
    room.powers[ANN] = 49
    await room.say(ANN, "!propose Shared courier in 3 days")
    before = await room.dump()
    answer = await room.reply(ANN, "!extend 1 in 5 days")
    assert answer.body == "Only a moderator (power level 50 or more) can move a deadline."
    assert await room.dump() == before


@pytest.mark.parametrize(
    ("date", "problem"),
    [
        ("2026-03-04", "must be later than the current one (5 March 2026, 11:00)"),
        ("in 3 days", "must be later than the current one"),
        ("2020-01-01", "has already passed"),
        ("in 400 days", "more than 365 days away"),
    ],
)
async def test_extend_must_move_the_deadline_later(room: Harness, date: str, problem: str) -> None:
    room.powers[MOD] = 100
    await room.say(ANN, "!propose Shared courier in 3 days")
    before = await room.dump()
    answer = await room.reply(MOD, f"!extend 1 {date}")
    assert problem in answer.body
    assert await room.dump() == before


async def test_moderator_level_is_configurable(make_room: MakeRoom) -> None:
    room = await make_room(proposals={"moderator_power_level": 100})
    room.powers[MOD] = 50
    await room.say(ANN, "!propose Shared courier in 3 days")
    assert (await room.reply(MOD, "!extend 1 in 5 days")).body.startswith("Only a moderator (power level 100")
    room.powers[MOD] = 100
    assert (await room.reply(MOD, "!extend 1 in 5 days")).body.startswith("The deadline of #1")


async def test_a_deadline_in_three_days_reads_three_days_left_also_mid_second(room: Harness) -> None:
    room.clock.advance(timedelta(milliseconds=400))  # event times carry milliseconds; the store keeps seconds
    announcement = await room.reply(ANN, "!propose Shared courier in 3 days")
    assert "(3 days left)" in announcement.body


async def test_the_archive_lists_decided_and_closed_proposals_newest_first_in_pages(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    room.powers[MOD] = 50
    for n in range(12):
        await room.say(ANN, f"!voorstel Plan {'ABCDEFGHIJKL'[n]} €10 over {n + 1} dagen")
    await room.say(ANN, "!voorstel Nog open €10 over 30 dagen")
    await room.say(ANN, "!annuleer 12 dubbel")
    await room.wait(timedelta(days=12))  # #1 … #11 NO-GO, one a day
    page = (await room.reply(BOB, "!archief")).body.splitlines()
    assert page[0] == "Archief (12 voorstellen, nieuwste eerst):"
    assert page[1] == "#11 Plan K · NO-GO · 13 maart 2026"
    assert [line.split()[0] for line in page[1:11]] == [f"#{n}" for n in range(11, 1, -1)]
    assert page[-1] == "Pagina 1 van 2: !archief 2 toont de volgende."
    assert (await room.reply(BOB, "!voorstellen alle")).body.splitlines() == page
    assert (await room.reply(BOB, "!proposals all")).body.splitlines() == page
    last = (await room.reply(BOB, "!archief 2")).body.splitlines()
    assert last[1:] == ["#1 Plan A · NO-GO · 3 maart 2026", "#12 Plan L · geannuleerd · 2 maart 2026"]
    assert "#13" not in " ".join(page + last)  # still open: in !voorstellen, not in the archive
    assert (await room.reply(BOB, "!archief 3")).body == "Het archief heeft 2 pagina's."
    empty = await make_room()
    assert (await empty.reply(BOB, "!archive")).body == "Nothing is decided or closed here yet."


async def test_the_proposer_edits_title_description_and_goals_until_the_first_pledge(make_room: MakeRoom) -> None:
    room = await make_room(bot={"language": "nl"})
    announcement = await room.reply(ANN, "!voorstel Gedeelde koerier € 2.500 over 5 dagen")
    (changed,) = (await room.say(ANN, "!wijzig 1 doel: € 3.000"))[1]
    assert changed.thread_root == announcement.event_id
    assert changed.body.splitlines() == [
        "✏️ Ann heeft #1 Gedeelde koerier gewijzigd:",
        "Bedrag: €\xa02.500 → €\xa03.000",
    ]
    text = "!edit 1 title: Koerier voor de wijk\nhours: 40\nbackers: 4\ndescription: Twee ritten per dag."
    (changed,) = (await room.say(ANN, text))[1]
    assert changed.body.splitlines() == [
        "✏️ Ann heeft #1 Koerier voor de wijk gewijzigd:",
        "Titel: “Gedeelde koerier” → “Koerier voor de wijk”",
        "Uren: geen → 40 uur",
        "Steuners: 1 → 4",
        "Nieuwe beschrijving: “Twee ritten per dag.”",
    ]
    proposal = await room.store.proposals.by_number(ROOM, 1)
    assert proposal is not None
    assert (proposal.title, proposal.money_goal_cents, proposal.hours_goal_minutes, proposal.min_backers) == (
        "Koerier voor de wijk",
        300_000,
        2400,
        4,
    )
    assert proposal.description == "Twee ritten per dag."
    refused = await room.reply(BOB, "!wijzig 1 doel: € 10")
    assert refused.body == "Alleen de indiener (Ann) of een moderator kan #1 wijzigen."
    await room.say(BOB, "!steun 1 € 100")
    before = await room.dump()
    late = await room.reply(ANN, "!wijzig 1 doel: € 10")
    assert late.body == (
        "#1 heeft al toezeggingen: de steuners hebben zich aan deze voorwaarden verbonden. Moet er iets anders, "
        "annuleer het dan en doe een nieuw voorstel."
    )
    assert await room.dump() == before
    what = await room.reply(ANN, "!wijzig 1 kleur: blauw")
    assert what.body.startswith(
        "Wat wil je wijzigen? Schrijf titel:, beschrijving:, doel:, uren:, steuners: of deadline:"
    )
