"""Time as Kring's clock says: an event's stamp never decides past Kring's now or before the room's previous event.

Every batch goes through nio's parsing and the sync loop, as the runner's would.
"""

from __future__ import annotations

from datetime import timedelta

from tests.unit.harness import BOT, Harness
from tests.unit.sync_batches import SyncedRoom, create_event, member, power_levels, synced_room, text

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
