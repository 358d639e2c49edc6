"""One message the homeserver keeps refusing never holds up the outbox for every room (issue 23, item 11)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from nio import RoomSendError, RoomSendResponse, UploadError

from bot.config import parse_settings
from bot.matrix.sender import OutboxSender
from bot.ops.check import NOTE, Checker
from handlers.events import Message
from storage.queries.member_data import DIRECT_ROOM
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness

OTHER_ROOM = "!other:test"
ANN = "@ann:test"
BOB = "@bob:test"


class _OneRoomRefused:
    """A homeserver that refuses every message to ROOM with an error Kring does not know, and takes the rest."""

    def __init__(self) -> None:
        self.refused = 0
        self.posted: list[tuple[str, str]] = []
        self.other_posted = asyncio.Event()

    async def room_send(self, room_id: str, kind: str, content: dict[str, Any], **_: Any) -> object:
        if room_id == ROOM:
            self.refused += 1
            return RoomSendError("the event is not allowed here", "M_UNKNOWN_ERROR")
        self.posted.append((room_id, content["body"]))
        self.other_posted.set()
        return RoomSendResponse(f"$sent{len(self.posted)}", room_id)


async def _a_reply_in_each_room_until_the_other_is_sent(room: Harness, client: _OneRoomRefused) -> None:
    """A command in ROOM, then one in OTHER_ROOM; the outbox sender runs until OTHER_ROOM's reply went out."""
    await room.kring.handle(Message("$first", ROOM, ANN, "!help", room.clock.now()))
    await room.kring.handle(Message("$later", OTHER_ROOM, ANN, "!rep", room.clock.now()))
    stopping = asyncio.Event()
    sender = OutboxSender(room.kring, client, stopping)  # only room_send is used
    room.kring.outbox_ready.set()
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.wait_for(client.other_posted.wait(), timeout=10)
    finally:
        stopping.set()
        room.kring.outbox_ready.set()
        await asyncio.wait_for(task, timeout=10)


async def test_a_message_that_always_fails_does_not_stop_a_later_one_in_another_room(room: Harness) -> None:
    client = _OneRoomRefused()
    await _a_reply_in_each_room_until_the_other_is_sent(room, client)
    assert [room_id for room_id, _ in client.posted] == [OTHER_ROOM]
    assert client.refused == 1  # tried once, then set aside for a while: the other room went next


async def test_a_message_that_keeps_failing_is_parked_logged_and_counted(
    room: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await room.kring.handle(Message("$first", ROOM, ANN, "!help", room.clock.now()))
    client = _OneRoomRefused()
    sender = OutboxSender(room.kring, client, asyncio.Event())
    with caplog.at_level(logging.WARNING):
        for _ in range(20):
            await room.kring.deliver(sender.send)
            room.clock.set(room.clock.now() + timedelta(hours=1))  # past any back-off
    assert client.refused == 12  # then parked: not tried again
    (parked,) = await room.store.outbox.parked()
    assert (parked.room_id, parked.attempts) == (ROOM, 12) and "M_UNKNOWN_ERROR" in parked.last_error
    assert await room.store.outbox.pending_count() == 0
    assert any("parked" in record.getMessage() for record in caplog.records if record.levelno == logging.ERROR)

    checker = Checker(parse_settings({"storage": {"database": str(room.path)}}))  # what `kring check` reads
    checker._read_database()
    (outbox,) = [row for row in checker.rows if row.check == "outbox"]
    assert outbox.result == NOTE and "1 message(s) parked" in outbox.details and "M_UNKNOWN_ERROR" in outbox.details
    assert checker.serving  # worth knowing, not in the way of serving


async def test_a_homeserver_that_is_down_parks_nothing(room: Harness) -> None:
    """Connection failures hold up the whole outbox, as before, with one back-off: no message is to blame."""
    await room.kring.handle(Message("$first", ROOM, ANN, "!help", room.clock.now()))

    async def down(_queued: object) -> str:
        raise ConnectionError("the homeserver is unreachable")

    for _ in range(20):
        with pytest.raises(ConnectionError):
            await room.kring.deliver(down)
    assert await room.store.outbox.parked() == [] and await room.store.outbox.pending_count() == 1


class _OneRoomBreaks(_OneRoomRefused):
    """Sending to ROOM fails inside Kring itself (as a failed upload or a bug would), not at the homeserver."""

    async def room_send(self, room_id: str, kind: str, content: dict[str, Any], **kwargs: Any) -> object:
        if room_id == ROOM:
            self.refused += 1
            raise ValueError("a message Kring cannot put together")
        return await super().room_send(room_id, kind, content, **kwargs)


async def test_a_message_kring_itself_cannot_send_waits_while_the_others_go(room: Harness) -> None:
    client = _OneRoomBreaks()
    await _a_reply_in_each_room_until_the_other_is_sent(room, client)
    assert [room_id for room_id, _ in client.posted] == [OTHER_ROOM] and client.refused == 1


class _ProxyRefusesUploads(_OneRoomRefused):
    """Direct rooms for ann and bob; every upload is refused by a proxy (an HTML 413: no Matrix error code)."""

    def __init__(self) -> None:
        super().__init__()
        self.user_id = "@kring:test"
        self.uploads = 0
        self.rooms = {
            "!ann-dm:test": SimpleNamespace(users={self.user_id: 1, ANN: 1}, encrypted=False),
            "!bob-dm:test": SimpleNamespace(users={self.user_id: 1, BOB: 1}, encrypted=False),
        }

    async def room_send(self, room_id: str, kind: str, content: dict[str, Any], **_: Any) -> object:
        self.posted.append((room_id, content["body"]))
        return RoomSendResponse(f"$sent{len(self.posted)}", room_id)

    async def upload(self, *_: Any, **__: Any) -> tuple[object, None]:
        self.uploads += 1
        return UploadError("unknown error"), None  # what nio makes of a proxy's HTML 413


async def test_a_private_message_refused_without_an_error_code_holds_up_no_one_elses(make_room: MakeRoom) -> None:
    """Issue 31: ann's copy of her data is refused by a proxy without a Matrix error code; bob's `!board` link,
    asked later, still goes out, and ann's copy is tried again less and less often, then parked."""
    room = await make_room(board={"listen": "127.0.0.1:8090"})
    async with room.store.transaction():
        await room.store.key_values.set(DIRECT_ROOM + ANN, "!ann-dm:test")
        await room.store.key_values.set(DIRECT_ROOM + BOB, "!bob-dm:test")
    await room.kring.handle(Message("$mydata", ROOM, ANN, "!mydata", room.clock.now()))
    await room.kring.handle(Message("$board", ROOM, BOB, "!board", room.clock.now()))
    client = _ProxyRefusesUploads()
    sender = OutboxSender(room.kring, client, asyncio.Event())
    await room.kring.deliver(sender.send)
    assert client.uploads == 1
    assert [room_id for room_id, _ in client.posted if room_id.endswith("-dm:test")] == ["!bob-dm:test"]
    for _ in range(20):
        room.clock.set(room.clock.now() + timedelta(hours=1))  # past any back-off
        await room.kring.deliver(sender.send)
    assert client.uploads == 12  # counted, and then parked: not tried again
    (parked,) = await room.store.outbox.parked()
    assert parked.attempts == 12 and "unknown error" in parked.last_error
    assert await room.store.outbox.pending_count() == 0
