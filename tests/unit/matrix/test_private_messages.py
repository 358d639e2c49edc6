"""Private messages the outbox sender posts in a member's direct room, with the part made only as it goes out: a
`!board` sign-in link (no usable token waits in the outbox) and a `!mydata` copy (complete up to that moment)."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from nio import RoomSendResponse, UploadResponse

from bot.matrix.sender import OutboxSender
from handlers.events import Message
from storage.queries.board import digest
from storage.queries.member_data import DIRECT_ROOM
from tests.unit.conftest import MakeRoom
from tests.unit.harness import BOT, ROOM, Harness

ANN = "@ann:test"
DIRECT = "!direct:test"


@dataclass
class FakeRoom:
    users: dict[str, object]
    encrypted: bool = False


@dataclass
class FakeClient:
    """What the sender uses of nio's client: the synced rooms, room_send and upload."""

    user_id: str = BOT
    rooms: dict[str, FakeRoom] = field(default_factory=lambda: {DIRECT: FakeRoom({BOT: object(), ANN: object()})})
    posted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    uploaded: list[tuple[bytes, dict[str, Any]]] = field(default_factory=list)

    async def room_send(self, room_id: str, kind: str, content: dict[str, Any], **_: Any) -> RoomSendResponse:
        self.posted.append((room_id, content))
        return RoomSendResponse(f"$sent{len(self.posted)}", room_id)

    async def upload(self, provider: Callable[[bool, int], io.BytesIO], **options: Any) -> tuple[UploadResponse, None]:
        self.uploaded.append((provider(False, 0).read(), options))
        return UploadResponse(f"mxc://test/{len(self.uploaded)}"), None


async def asked(room: Harness, command: str) -> None:
    """Ann asks in the room; her direct room with the bot is known and synced."""
    async with room.store.transaction():
        await room.store.key_values.set(DIRECT_ROOM + ANN, DIRECT)
    await room.kring.handle(Message(room.new_id("msg"), ROOM, ANN, command, room.clock.now()))


async def test_a_board_link_goes_out_as_a_notice_in_the_direct_room_and_waited_in_the_outbox_without_a_token(
    make_room: MakeRoom,
) -> None:
    room = await make_room(board={"listen": "127.0.0.1:8090"})
    await asked(room, "!board")
    [(queued_body,)] = await room.rows("SELECT body FROM outbox WHERE kind = 'board_link'")
    assert "/board/in/" not in queued_body and await room.rows("SELECT digest FROM board_links") == []

    client = FakeClient()
    await room.kring.deliver(OutboxSender(room.kring, client, asyncio.Event()).send)

    [notice] = [c for r, c in client.posted if r == DIRECT]
    [link] = re.findall(r"http://\S+/board/in/[A-Za-z0-9_-]+", notice["body"])
    assert notice["msgtype"] == "m.notice" and notice["body"] == f"{queued_body}\n{link}"
    assert notice["formatted_body"].endswith(f'<br><a href="{link}">{link}</a>')
    assert notice["m.mentions"] == {}  # her own direct room: nobody is pinged
    assert await room.rows("SELECT digest FROM board_links") == [(digest(link.rsplit("/", 1)[-1]),)]
    assert [r for r, _ in client.posted].count(ROOM) == 1  # the room hears only that the link is on its way


async def test_a_data_copy_is_made_as_it_is_sent_and_goes_out_as_a_file(room: Harness) -> None:
    await asked(room, "!mydata")
    [(caption,)] = await room.rows("SELECT body FROM outbox WHERE kind = 'data_copy'")
    room.clock.set(room.clock.now() + timedelta(hours=1))  # the outbox was held up meanwhile

    client = FakeClient()
    await room.kring.deliver(OutboxSender(room.kring, client, asyncio.Event()).send)

    [(payload, options)] = client.uploaded
    copy = json.loads(payload)
    assert copy["user_id"] == ANN and copy["made_at"] == room.clock.now().isoformat()
    assert options["content_type"] == "application/json" and options["filesize"] == len(payload)
    [file] = [c for r, c in client.posted if r == DIRECT]
    summary = file.pop("body").removeprefix(f"{caption}\n")  # the caption, then what the copy holds, readable
    assert summary.startswith("In short, the file holds:") and summary.endswith("with every row in full.")
    assert file.pop("formatted_body").startswith(caption) and file.pop("format") == "org.matrix.custom.html"
    assert file == {
        "msgtype": "m.file",
        "filename": options["filename"],
        "info": {"mimetype": "application/json", "size": len(payload)},
        "url": "mxc://test/1",
    }
