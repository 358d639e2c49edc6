"""A sync batch whose transaction fails leaves what the sync loop keeps in memory as it was; a committed one keeps
the change. Handled again from the same token, the batch is judged as the first time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from nio import SyncResponse

from bot.identity.device_keys import Undecrypted
from handlers.events import Say
from tests.unit.harness import ROOM, Harness
from tests.unit.sync_batches import OWNER, SyncedRoom, create_event, member, power_levels, synced_room, text

ANN, BOB = "@ann:test", "@bob:test"
LEFT_ROOM = "!left:test"


async def _community(room: Harness) -> SyncedRoom:
    synced = await synced_room(room, LEFT_ROOM)
    await synced.sync([member(room.kring.bot_user_id, "Kring")], [create_event(), power_levels({OWNER: 100})])
    return synced


def _fail_inside_the_transaction(synced: SyncedRoom) -> None:
    """The next batch fails in its transaction, after its events were handled (as a full disk would)."""
    backlog = synced.loop.backlog
    store_changes = backlog.store_changes

    async def fails_once(new: list[Undecrypted], decrypted: list[tuple[str, dict[str, Any]]], now: Any) -> list[Say]:
        backlog.store_changes = store_changes  # type: ignore[method-assign]
        raise OSError(28, "No space left on device")

    backlog.store_changes = fails_once  # type: ignore[method-assign]


def _response(synced: SyncedRoom, timeline: list[dict[str, Any]]) -> SyncResponse:
    response = SyncResponse.from_dict(
        {
            "next_batch": "s-next",
            "rooms": {
                "join": {ROOM: {"timeline": {"events": timeline}, "state": {"events": []}}},
                "leave": {LEFT_ROOM: {"timeline": {"events": []}, "state": {"events": []}}},
            },
        }
    )
    assert isinstance(response, SyncResponse)
    return response


def _time_of_an_event_stamped(synced: SyncedRoom, ms: int) -> int:
    now = synced.harness.clock.now()
    moment = synced.loop.times.within(ROOM, {"origin_server_ts": ms}, now)
    return int(moment.timestamp() * 1000)


async def test_a_failed_batch_leaves_room_state_event_times_and_memberships_as_they_were(room: Harness) -> None:
    synced = await _community(room)
    before_ms = int(room.clock.now().timestamp() * 1000)
    room.clock.advance(timedelta(hours=1))
    promoted = synced.stamp(power_levels({OWNER: 100, BOB: 50}))
    response = _response(synced, [synced.stamp(text(ANN, "hello")), promoted])
    await synced.client.receive_response(response)
    _fail_inside_the_transaction(synced)
    with pytest.raises(OSError):
        await synced.loop.process(response, since=synced.token)

    rooms = synced.loop.rooms
    assert rooms.states.of(ROOM).power(BOB) == 0  # the promotion in the failed batch is not in force
    assert _time_of_an_event_stamped(synced, before_ms + 1) == before_ms + 1  # the failed batch set no floor
    assert rooms.changes.left == [LEFT_ROOM]  # the leave is still to be stored, with the batch handled again

    await synced.loop.process(response, since=synced.token)  # the sync loop's retry, committed this time
    assert rooms.states.of(ROOM).power(BOB) == 50
    assert _time_of_an_event_stamped(synced, before_ms + 1) == int(room.clock.now().timestamp() * 1000)
    assert not rooms.changes  # stored
    assert await room.store.key_values.get(f"room.state.{ROOM}") == rooms.states.of(ROOM).to_json()
