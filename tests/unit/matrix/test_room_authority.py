"""Authority as the room says at each event: who may redact what, who is a moderator, which upgrade is real.

Every batch goes through nio's parsing and the sync loop, as the runner's would.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from nio import RoomMessagesResponse, SyncResponse

from tests.unit.harness import ROOM, Harness
from tests.unit.sync_batches import OWNER, SyncedRoom, create_event, member, power_levels, reaction, synced_room, text

ANN, BOB, CAT, MOD = "@ann:test", "@bob:test", "@cat:test", "@mod:test"
NEW_ROOM = "!new:test"


async def _community(room: Harness, version: str = "10", levels: dict[str, int] | None = None) -> SyncedRoom:
    synced = await synced_room(room)
    users = {OWNER: 100, MOD: 50} if levels is None else levels
    await synced.sync(
        [member(room.kring.bot_user_id, "Kring")],
        [create_event(version=version), power_levels(users), *(member(u) for u in (ANN, BOB, CAT, MOD))],
    )
    return synced


def _redaction(sender: str, redacts: str | None, *, content_redacts: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {} if content_redacts is None else {"redacts": content_redacts}
    source: dict[str, Any] = {"type": "m.room.redaction", "sender": sender, "content": content}
    if redacts is not None:
        source["redacts"] = redacts
    return source


async def _idea_with_two_votes(synced: SyncedRoom) -> str:
    idea = synced.stamp(text(ANN, "A repair café in the library"))
    await synced.sync([idea, reaction(BOB, idea["event_id"]), reaction(CAT, idea["event_id"])])
    assert await synced.harness.rep(ANN) == 2
    return str(idea["event_id"])


async def _ideas_listed(synced: SyncedRoom) -> str:
    (answer,) = await synced.sync([text(CAT, "!ideas")])
    return answer.body


async def test_a_forged_content_redacts_in_room_version_10_removes_nothing(room: Harness) -> None:
    synced = await _community(room, version="10")
    idea = await _idea_with_two_votes(synced)
    own = synced.stamp(text(BOB, "oops, typo"))
    await synced.sync([own])
    # Bob redacts his own message; the body he sent names Ann's idea, and rooms before v11 copy it into content.
    await synced.sync([_redaction(BOB, own["event_id"], content_redacts=idea)])
    assert await room.rep(ANN) == 2
    assert "repair café" in await _ideas_listed(synced)


async def test_a_redaction_by_someone_without_the_power_is_not_applied(room: Harness) -> None:
    synced = await _community(room, version="10")
    idea = await _idea_with_two_votes(synced)
    await synced.sync([_redaction(BOB, idea)])  # the server accepts it (same server), but it is not Bob's to remove
    assert await room.rep(ANN) == 2
    assert "repair café" in await _ideas_listed(synced)


async def test_the_author_or_a_moderator_may_redact(room: Harness) -> None:
    synced = await _community(room, version="10")
    idea = await _idea_with_two_votes(synced)
    await synced.sync([_redaction(MOD, idea)])
    assert await room.rep(ANN) == 0
    second = synced.stamp(text(ANN, "Plant trees on the square"))
    await synced.sync([second, reaction(BOB, second["event_id"])])
    assert await room.rep(ANN) == 1
    await synced.sync([_redaction(ANN, second["event_id"])])
    assert await room.rep(ANN) == 0


async def test_in_room_version_11_the_target_is_in_the_content(room: Harness) -> None:
    synced = await _community(room, version="11")
    idea = await _idea_with_two_votes(synced)
    await synced.sync([_redaction(BOB, "$elsewhere", content_redacts=idea)])  # not Bob's: kept
    assert await room.rep(ANN) == 2
    await synced.sync([_redaction(ANN, "$elsewhere", content_redacts=idea)])  # her own, named where v11 names it
    assert await room.rep(ANN) == 0


async def test_withdrawing_a_vote_needs_the_voters_own_redaction(room: Harness) -> None:
    synced = await _community(room, version="10")
    idea = synced.stamp(text(ANN, "A repair café in the library"))
    vote = synced.stamp(reaction(BOB, idea["event_id"]))
    await synced.sync([idea, vote])
    await synced.sync([_redaction(CAT, vote["event_id"])])
    assert await room.rep(ANN) == 1
    await synced.sync([_redaction(BOB, vote["event_id"])])
    assert await room.rep(ANN) == 0


async def _proposal(synced: SyncedRoom) -> None:
    out = await synced.sync([text(ANN, "!propose Repair café €100 in 7 days")])
    assert any("#1" in sent.body for sent in out), [sent.body for sent in out]


async def test_a_moderator_removed_from_the_power_levels_is_no_moderator_any_more(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100, MOD: 50})
    await _proposal(synced)
    await synced.sync([power_levels({OWNER: 100})])  # replaced: Mod is not named any more
    (answer,) = await synced.sync([text(MOD, "!cancel 1 not needed")])
    assert answer.body.startswith("Only the proposer (ann) or a moderator can cancel #1"), answer.body
    (shown,) = await synced.sync([text(CAT, "!status 1")])
    assert "#1" in shown.body and "cancelled" not in shown.body.lower(), shown.body


async def test_a_promotion_later_in_a_batch_does_not_authorise_an_earlier_command(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100})
    await _proposal(synced)
    out = await synced.sync([text(BOB, "!cancel 1 not needed"), power_levels({OWNER: 100, BOB: 50})])
    assert all("cancelled" not in sent.body.lower() for sent in out), [sent.body for sent in out]
    (answer,) = await synced.sync([text(BOB, "!cancel 1 not needed")])  # promoted now: it is his to do
    assert "cancel" in answer.body.lower()


def _tombstone(sender: str, replacement: str, *, state_key: str | None = "") -> dict[str, Any]:
    source: dict[str, Any] = {
        "type": "m.room.tombstone",
        "sender": sender,
        "content": {"body": "This room has been replaced", "replacement_room": replacement},
    }
    if state_key is not None:
        source["state_key"] = state_key
    return source


async def test_a_tombstone_from_a_member_without_the_power_is_not_followed(room: Harness) -> None:
    synced = await _community(room)
    synced.client.create_events[NEW_ROOM] = create_event(predecessor=ROOM)["content"]
    await _proposal(synced)
    await synced.sync([_tombstone(BOB, NEW_ROOM)])
    assert NEW_ROOM not in synced.loop.rooms.served and NEW_ROOM not in synced.client.joined_rooms
    assert len(await room.store.proposals.open_in_room(ROOM)) == 1


async def test_a_tombstone_that_is_no_state_event_is_not_followed(room: Harness) -> None:
    synced = await _community(room)
    synced.client.create_events[NEW_ROOM] = create_event(predecessor=ROOM)["content"]
    await synced.sync([_tombstone(OWNER, NEW_ROOM, state_key=None)])
    await synced.sync([_tombstone(OWNER, NEW_ROOM, state_key="other")])
    assert NEW_ROOM not in synced.loop.rooms.served


async def test_a_tombstone_to_a_room_that_does_not_name_this_one_is_left(room: Harness) -> None:
    synced = await _community(room)
    synced.client.create_events[NEW_ROOM] = create_event(predecessor="!somewhere:test")["content"]
    await _proposal(synced)
    await synced.sync([_tombstone(OWNER, NEW_ROOM)])
    assert NEW_ROOM not in synced.loop.rooms.served
    assert NEW_ROOM in synced.client.left_rooms  # joined to read its create event, then left
    assert len(await room.store.proposals.open_in_room(ROOM)) == 1


async def test_a_real_upgrade_is_followed_with_the_proposals_and_the_rooms_language(room: Harness) -> None:
    synced = await _community(room)
    synced.client.create_events[NEW_ROOM] = create_event(predecessor=ROOM)["content"]
    await _proposal(synced)
    await room.store.room_settings.set_language(ROOM, "nl")
    assert await room.store.room_settings.language(NEW_ROOM) is None  # asked before the upgrade, and known since
    room.clock.advance(timedelta(minutes=1))
    await synced.sync([_tombstone(OWNER, NEW_ROOM)])
    assert NEW_ROOM in synced.loop.rooms.served
    assert len(await room.store.proposals.open_in_room(NEW_ROOM)) == 1
    assert not await room.store.proposals.open_in_room(ROOM)
    assert await room.store.room_settings.language(NEW_ROOM) == "nl"  # the new room speaks as the old one did


async def test_after_a_restart_back_filled_commands_are_judged_by_the_levels_of_their_time(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100})
    await _proposal(synced)
    await room.reopen()  # Kring restarts; while it was down bob cancelled, and only then was he promoted
    restarted = await synced_room(room)
    restarted.token = synced.token
    cancel = restarted.stamp(text(BOB, "!cancel 1 not needed"), event_id="$down-cancel")
    promote = restarted.stamp(power_levels({OWNER: 100, BOB: 50}), event_id="$down-promote")
    fresh = restarted.stamp(text(CAT, "hello again"), event_id="$down-hello")
    page = RoomMessagesResponse.from_dict({"chunk": [promote, cancel], "start": "p", "end": "p"}, ROOM)
    assert isinstance(page, RoomMessagesResponse), page

    async def room_messages(*args: Any, **kwargs: Any) -> RoomMessagesResponse:
        return page  # the gap, newest first, as the homeserver pages it back

    restarted.client.room_messages = room_messages
    state = [restarted.stamp(create_event(), event_id="$down-create"), promote]
    state += [restarted.stamp(member(user), event_id=f"$down-member-{user}") for user in (ANN, BOB, CAT, MOD)]
    timeline = {"events": [fresh], "limited": True, "prev_batch": "p"}
    response = SyncResponse.from_dict(
        {"next_batch": "s-after", "rooms": {"join": {ROOM: {"timeline": timeline, "state": {"events": state}}}}}
    )
    await restarted.client.receive_response(response)
    await restarted.loop.process(response, since=restarted.token)
    said = [sent.body for sent in await room.deliver()]
    assert await room.store.proposals.open_in_room(ROOM), said  # still open: bob was no moderator then
    assert any("only" in body.lower() or "moderator" in body.lower() for body in said), said


async def test_a_batch_handled_again_after_a_failure_is_judged_as_the_first_time(room: Harness) -> None:
    synced = await _community(room, levels={OWNER: 100})
    await _proposal(synced)
    timeline = [synced.stamp(text(BOB, "!cancel 1 mine now")), synced.stamp(power_levels({OWNER: 100, BOB: 50}))]
    response = SyncResponse.from_dict(
        {"next_batch": "s-x", "rooms": {"join": {ROOM: {"timeline": {"events": timeline}, "state": {"events": []}}}}}
    )
    handle_batch = room.kring.handle_batch
    calls = 0

    async def fails_once(*args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError(28, "No space left on device")
        return await handle_batch(*args, **kwargs)

    room.kring.handle_batch = fails_once  # type: ignore[method-assign]
    await synced.client.receive_response(response)
    with pytest.raises(OSError):
        await synced.loop.process(response, since=synced.token)
    await synced.loop.process(response, since=synced.token)  # the sync loop's retry of the same batch
    await room.deliver()
    assert await room.store.proposals.open_in_room(ROOM)  # the promotion after the cancel did not reach back
