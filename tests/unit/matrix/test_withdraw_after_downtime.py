"""A `!withdraw` backdated across Kring's downtime does not escape the lock (issue 31, item 8).

Kring was down from before a proposal's lock window into it. The first event after the restart only has to be
stamped after the last batch Kring handled: its stamp cannot show it came before the lock began, only its place in
the room's timeline can (an event after it that Kring's own homeserver stamped before the lock).
"""

from __future__ import annotations

from datetime import timedelta

from tests.unit.harness import BOT, Harness
from tests.unit.sync_batches import SyncedRoom, create_event, member, power_levels, synced_room, text

ANN, CAT = "@ann:test", "@cat:test"  # on Kring's own homeserver
MAL = "@mal:elsewhere.example"  # on a homeserver that stamps what it likes


def _ms(room: Harness, shift: timedelta = timedelta()) -> int:
    return int((room.clock.now() + shift).timestamp() * 1000)


async def _backed_then_down(room: Harness) -> SyncedRoom:
    """#1 (2 days) fully backed by Mal's €100; Kring handles a last batch, then is down for a day and 13 hours."""
    synced = await synced_room(room)
    state = [create_event(), power_levels({"@owner:test": 100}), *(member(u) for u in (ANN, CAT, MAL))]
    await synced.sync([member(BOT, "Kring")], state)
    await synced.sync([text(ANN, "!propose Repair café €100 in 2 days")])
    await synced.sync([text(MAL, "!backme 1 €100")])
    await synced.sync([text(CAT, "Nice!")])  # the last batch before the downtime
    room.clock.advance(timedelta(days=1, hours=13))  # back 11 hours before the deadline: in the lock window
    return synced


async def _pledged(room: Harness) -> list[int]:
    (proposal,) = await room.store.proposals.open_in_room("!room:test")
    return [p.money_cents for p in await room.store.proposals.pledges(proposal.id)]


async def test_a_withdraw_stamped_into_the_downtime_is_refused_once_the_lock_began(room: Harness) -> None:
    synced = await _backed_then_down(room)
    backdated = synced.stamp(text(MAL, "!withdraw 1"), ts=_ms(room, -timedelta(days=1, hours=12)))
    out = await synced.sync([backdated])
    assert len(out) == 1 and "you can't take back so much that #1 misses a goal" in out[0].body, [
        sent.body for sent in out
    ]
    assert await _pledged(room) == [10_000]


async def test_a_withdraw_the_timeline_shows_came_before_the_lock_counts(room: Harness) -> None:
    synced = await _backed_then_down(room)
    before_lock = _ms(room, -timedelta(days=1, hours=12))
    withdraw = synced.stamp(text(MAL, "!withdraw 1"), ts=before_lock)
    after_it = synced.stamp(text(CAT, "Oh, a pity"), ts=before_lock + 60_000)  # stamped by Kring's homeserver
    out = await synced.sync([withdraw, after_it])
    assert any("is withdrawn" in sent.body for sent in out), [sent.body for sent in out]
    assert await _pledged(room) == []
