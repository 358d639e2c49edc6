"""Time as Kring's clock says: an event's stamp never decides past Kring's now or before the room's previous event.

Every batch goes through nio's parsing and the sync loop, as the runner's would.
"""

from __future__ import annotations

from datetime import timedelta

from tests.unit.conftest import MakeRoom
from tests.unit.harness import BOT, Harness
from tests.unit.sync_batches import SyncedRoom, create_event, member, power_levels, reaction, synced_room, text

ANN, BOB, CAT = "@ann:test", "@bob:test", "@cat:test"
HUGE = 10**15  # year 33658 in milliseconds


def _ms(room: Harness, shift: timedelta = timedelta()) -> int:
    return int((room.clock.now() + shift).timestamp() * 1000)


async def _community(room: Harness) -> SyncedRoom:
    synced = await synced_room(room)
    state = [create_event(), power_levels({"@owner:test": 100}), *(member(u) for u in (ANN, BOB, CAT))]
    await synced.sync([member(BOT, "Kring")], state)
    return synced


async def test_a_huge_timestamp_in_the_state_stops_nothing(room: Harness) -> None:
    synced = await synced_room(room)
    renamed = synced.stamp(member(ANN, "Ann from the bakery"), ts=HUGE)  # a display-name change
    await synced.sync([member(BOT, "Kring")], [create_event(), member(ANN), renamed])
    (answer,) = await synced.sync([text(ANN, "!rep")])
    assert "no credits in this room yet" in answer.body


async def test_a_huge_timestamp_on_a_command_is_read_as_now(room: Harness) -> None:
    synced = await _community(room)
    (answer,) = await synced.sync([synced.stamp(text(ANN, "!propose Repair café €100 in 7 days"), ts=HUGE)])
    assert "#1" in answer.body
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    assert proposal.deadline == room.clock.now() + timedelta(days=7)
    (answer,) = await synced.sync([text(BOB, "!rep")])  # and the room goes on
    assert "no credits in this room yet" in answer.body


async def _backed_proposal(synced: SyncedRoom) -> None:
    await synced.sync([text(ANN, "!propose Repair café €100 in 2 days")])
    out = await synced.sync([text(BOB, "!backme 1 €100")])
    assert "€100" in out[0].body, [sent.body for sent in out]


async def test_a_withdraw_stamped_days_back_does_not_escape_the_lock(room: Harness) -> None:
    synced = await _community(room)
    await _backed_proposal(synced)
    room.clock.advance(timedelta(days=1, hours=12))  # 12 hours before the deadline: withdrawals are locked
    await synced.sync([text(CAT, "Looking forward to it!")])
    out = await synced.sync([synced.stamp(text(BOB, "!withdraw 1"), ts=_ms(room, -timedelta(days=3)))])
    assert len(out) == 1 and "you can't take back so much that #1 misses a goal" in out[0].body, [
        sent.body for sent in out
    ]
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    assert [pledge.money_cents for pledge in await room.store.proposals.pledges(proposal.id)] == [10_000]


async def test_a_proposal_stamped_ahead_gets_no_deadline_past_the_maximum(room: Harness) -> None:
    synced = await _community(room)
    ahead = synced.stamp(text(ANN, "!propose Repair café €100 in 300 days"), ts=_ms(room, timedelta(days=300)))
    await synced.sync([ahead])
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    assert proposal.deadline == room.clock.now() + timedelta(days=300)  # not 600 days from now
    assert proposal.deadline <= room.clock.now() + timedelta(days=room.kring.settings.proposals.max_deadline_days)


async def test_commands_stamped_apart_still_count_against_the_budget(make_room: MakeRoom) -> None:
    room = await make_room(bot={"commands_per_minute": 2})
    synced = await _community(room)
    change = "!skills add courier"  # a whole command (a look-up such as !top costs half)
    spread = [synced.stamp(text(BOB, change), ts=_ms(room, timedelta(minutes=5 * n))) for n in range(5)]
    out = await synced.sync(spread)
    answers = [sent for sent in out if "slow down" not in sent.body.lower()]
    assert len(answers) == 2, [sent.body for sent in out]


async def test_votes_stamped_on_later_days_still_meet_the_daily_cap(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"daily_cap": 2})
    synced = await _community(room)
    ideas = [synced.stamp(text(ANN, f"Idea number {n}")) for n in range(4)]
    await synced.sync(ideas)
    votes = [
        synced.stamp(reaction(BOB, idea["event_id"]), ts=_ms(room, timedelta(days=n + 1)))
        for n, idea in enumerate(ideas)
    ]
    await synced.sync(votes)
    assert await room.rep(ANN) == 2


async def test_events_back_filled_after_downtime_keep_their_own_time(room: Harness) -> None:
    synced = await _community(room)
    await synced.sync([text(ANN, "!propose Repair café €100 in 1 day")])
    sent_before_deadline = _ms(room, timedelta(hours=23))
    room.clock.advance(timedelta(days=1, hours=2))  # Kring was down over the deadline; the backlog comes now
    backlog = [
        synced.stamp(text(CAT, "Count me in"), ts=sent_before_deadline - 60_000),
        synced.stamp(text(BOB, "!backme 1 €100"), ts=sent_before_deadline),
        synced.stamp(text(CAT, "!backme 1 €5"), ts=sent_before_deadline - 120_000),  # out of order: the earlier
    ]
    out = await synced.sync(backlog)
    assert not [sent.body for sent in out if "deadline" in sent.body.lower()], [sent.body for sent in out]
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    pledges = await room.store.proposals.pledges(proposal.id)
    assert sorted(pledge.money_cents for pledge in pledges) == [500, 10_000]


async def test_the_rooms_order_holds_across_a_restart(room: Harness) -> None:
    synced = await _community(room)
    await _backed_proposal(synced)
    room.clock.advance(timedelta(days=1, hours=12))
    await synced.sync([text(CAT, "Looking forward to it!")])
    await room.reopen()
    restarted = await synced_room(room)
    restarted.token = synced.token
    withdraw = restarted.stamp(text(BOB, "!withdraw 1"), ts=_ms(room, -timedelta(days=3)), event_id="$after-restart")
    state = [create_event(), power_levels({"@owner:test": 100}), *(member(u) for u in (ANN, BOB, CAT))]
    out = await restarted.sync([withdraw], state)  # the first sync after a restart has the full state
    assert len(out) == 1 and "you can't take back so much that #1 misses a goal" in out[0].body, [
        sent.body for sent in out
    ]


async def test_a_join_stamped_weeks_back_does_not_make_an_old_member(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"min_days_in_room": 7})
    synced = await _community(room)
    room.clock.advance(timedelta(days=10))
    idea = synced.stamp(text(ANN, "A repair café in the library"))
    await synced.sync([idea])
    weeks_back = _ms(room, -timedelta(days=30))
    # One newcomer's join in the timeline, one in the state of a sync after a gap, both stamped a month back.
    dan, eva = "@dan:test", "@eva:test"
    await synced.sync([synced.stamp(member(dan), ts=weeks_back)], [synced.stamp(member(eva), ts=weeks_back)])
    await synced.sync([reaction(dan, idea["event_id"]), reaction(eva, idea["event_id"])])
    assert await room.rep(ANN) == 0


async def test_in_a_quiet_room_a_withdraw_stamped_back_does_not_escape_the_lock(room: Harness) -> None:
    synced = await _community(room)
    await _backed_proposal(synced)
    # Nobody says a thing for a day and a half; the sync loop long-polls on, every half minute, empty-handed.
    room.clock.advance(timedelta(days=1, hours=13))  # 11 hours before the deadline: withdrawals are locked
    await synced.sync([], room="!elsewhere:test")
    room.clock.advance(timedelta(seconds=30))
    # The withdraw is stamped a day back (after the pledge, before the lock): no event in the room bounds it.
    await synced.sync([synced.stamp(text(BOB, "!withdraw 1"), ts=_ms(room, -timedelta(days=1)))])
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    assert [p.money_cents for p in await room.store.proposals.pledges(proposal.id)] == [10_000]
