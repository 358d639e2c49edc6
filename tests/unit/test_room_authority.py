"""Authority as the room says at each event: who is a moderator.

Every batch goes through nio's parsing and the sync loop, as the runner's would.
"""

from __future__ import annotations

from tests.unit.harness import Harness
from tests.unit.sync_batches import OWNER, SyncedRoom, create_event, member, power_levels, synced_room, text

ANN, BOB, CAT, MOD = "@ann:test", "@bob:test", "@cat:test", "@mod:test"


async def _community(room: Harness, version: str = "10", levels: dict[str, int] | None = None) -> SyncedRoom:
    synced = await synced_room(room)
    users = {OWNER: 100, MOD: 50} if levels is None else levels
    await synced.sync(
        [member(room.kring.bot_user_id, "Kring")],
        [create_event(version=version), power_levels(users), *(member(u) for u in (ANN, BOB, CAT, MOD))],
    )
    return synced


async def _proposal(synced: SyncedRoom) -> None:
    out = await synced.sync([text(ANN, "!propose Repair café €100 in 7 days")])
    assert any("#1" in sent.body for sent in out), [sent.body for sent in out]


async def test_a_moderator_removed_from_the_power_levels_is_no_moderator_any_more(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100, MOD: 50})
    await _proposal(synced)
    await synced.sync([power_levels({OWNER: 100})])  # replaced: Mod is not named any more
    (answer,) = await synced.sync([text(MOD, "!cancel 1 not needed")])
    assert answer.body.startswith("Only the proposer (ann) or a moderator can cancel #1"), answer.body
    (shown,) = await synced.sync([text(CAT, "!show 1")])
    assert "cancelled" not in shown.body.lower()


async def test_a_promotion_later_in_a_batch_does_not_authorise_an_earlier_command(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100})
    await _proposal(synced)
    out = await synced.sync([text(BOB, "!cancel 1 not needed"), power_levels({OWNER: 100, BOB: 50})])
    assert all("cancelled" not in sent.body.lower() for sent in out), [sent.body for sent in out]
    (answer,) = await synced.sync([text(BOB, "!cancel 1 not needed")])  # promoted now: it is his to do
    assert "cancel" in answer.body.lower()
