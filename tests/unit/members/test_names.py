"""Display names as Kring shows them (issue 23, item 12): no fake lines, no fake ids, no look-alike members.

The names come as the runner takes them: from nio's room state (`MatrixRoom.user_name`) for events nio parsed.
"""

from __future__ import annotations

import itertools
from typing import Any

from nio import RoomMessageText
from nio.rooms import MatrixRoom

from bot.matrix.events import to_kring_event
from bot.matrix.sync import _name
from handlers.events import Event
from tests.unit.harness import BOT, ROOM, Harness, Sent

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
_ids = itertools.count(1)


async def sync(room: Harness, matrix_room: MatrixRoom, *said: tuple[str, str]) -> list[Sent]:
    """One sync batch of text messages, parsed by nio and converted as the runner converts them."""
    events: list[Event] = []
    for sender, body in said:
        source: dict[str, Any] = {
            "type": "m.room.message",
            "event_id": f"$name{next(_ids)}",
            "sender": sender,
            "origin_server_ts": int(room.clock.now().timestamp() * 1000),
            "content": {"msgtype": "m.text", "body": body},
        }
        parsed = RoomMessageText.from_dict(source)
        assert isinstance(parsed, RoomMessageText)
        event = to_kring_event(ROOM, parsed.source, power_of=lambda _user: 0, name_of=lambda u: _name(matrix_room, u))
        assert event is not None
        events.append(event)
    await room.kring.handle_batch(events)
    return await room.deliver()


def members(**names: str) -> MatrixRoom:
    matrix_room = MatrixRoom(ROOM, BOT)
    for user, name in names.items():
        matrix_room.add_member(f"@{user}:test", name, None)
    return matrix_room


async def test_a_name_with_a_line_break_or_bidi_controls_adds_no_line(room: Harness) -> None:
    matrix_room = members(ann="Ann", bob="Bob\nGO #1 approved by the board", cas="\u202eCas\u200b")
    await sync(room, matrix_room, (ANN, "!propose Courier in 3 days min 5"))
    bob, cas = await sync(room, matrix_room, (BOB, "!backme 1"), (CAS, "!backme 1"))
    assert (
        bob.body.splitlines()[0]
        == "Thank you Bob GO #1 approved by the board: you back #1 Courier, without money or hours."
    )
    assert "<br>GO" not in bob.html and "\n" not in bob.html.split("you back")[0]
    assert cas.body.startswith("Thank you Cas: you back #1")
    assert "\u202e" not in cas.html and "\u200b" not in cas.html


async def test_a_name_like_a_user_id_or_like_another_members_name_shows_the_user_id(room: Harness) -> None:
    matrix_room = members(ann="Ann", bob="@ann:test", cas="Ann")
    await sync(room, matrix_room, (ANN, "!propose Courier in 3 days min 5"))
    bob, cas = await sync(room, matrix_room, (BOB, "!backme 1"), (CAS, "!backme 1"))
    assert bob.body.startswith("Thank you @ann:test (@bob:test): you back #1")
    assert cas.body.startswith("Thank you Ann (@cas:test): you back #1"), cas.body
    (status,) = await sync(room, matrix_room, (DIK, "!proposal 1"))
    assert "Proposed by Ann (@ann:test)" in status.body  # the real Ann too: two members share the name


async def test_a_name_another_member_has_too_shows_the_user_id_whatever_the_client_library_did(room: Harness) -> None:
    matrix_room = members(ann="Ann")
    await sync(room, matrix_room, (ANN, "!propose Courier in 3 days min 5"))
    matrix_room = members(ann="Ann")
    matrix_room.add_member("@ann:elsewhere.example", "ANN", None)  # nio does not see "ANN" and "Ann" as one name
    (answer,) = await sync(room, matrix_room, ("@ann:elsewhere.example", "!backme 1"))
    assert answer.body.startswith("Thank you ANN (@ann:elsewhere.example): you back #1")
    (status,) = await sync(room, matrix_room, (DIK, "!proposal 1"))
    assert "Proposed by Ann (@ann:test)" in status.body
