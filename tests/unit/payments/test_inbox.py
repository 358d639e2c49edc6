"""A statement sent in a direct room: only a treasurer's file is read (a configured one, or else a moderator of a
served room); anyone else's is refused without being downloaded. Only a treasurer's direct-message invite is
taken up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from nio import InviteInfo, InviteMemberEvent, JoinResponse, MemoryDownloadResponse, RoomLeaveResponse

from bot.config import MatrixSettings
from bot.matrix.rooms import Rooms
from bot.payments.inbox import StatementInbox
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness
from tests.unit.payments.statements import ACCOUNT, Tx, camt053

TREASURER = "@tess:test"
BOB = "@bob:test"
FILE = {"msgtype": "m.file", "body": "ing.xml", "url": "mxc://test/statement", "info": {"size": 900}}


@dataclass
class Power:
    levels: dict[str, int]

    def power(self, user_id: str) -> int:
        return self.levels.get(user_id, 0)


@dataclass
class FakeRooms:
    """What the inbox asks of Rooms: the served rooms and each one's power levels."""

    levels: dict[str, int]
    served: set[str] = field(default_factory=lambda: {ROOM})

    @property
    def states(self) -> FakeRooms:
        return self

    def of(self, room_id: str) -> Power:
        return Power(self.levels)


@dataclass
class FakeClient:
    """A homeserver's media repository that records what was downloaded."""

    statement: bytes
    downloaded: list[str] = field(default_factory=list)
    user_id: str = "@kring:test"

    async def download(self, mxc: str) -> MemoryDownloadResponse:
        self.downloaded.append(mxc)
        return MemoryDownloadResponse(self.statement, "application/xml", "ing.xml")


async def inbox(room: Harness, levels: dict[str, int] | None = None) -> tuple[StatementInbox, FakeClient]:
    await room.say("@ann:test", "!propose Shared courier €50 in 2 days min 1")
    await room.say(BOB, "!backme 1 €60")
    await room.wait(timedelta(days=2, minutes=1))
    (reference,) = await room.rows("SELECT reference FROM payment_requests")
    client = FakeClient(camt053([[Tx("60.00", reference=reference[0])]]))
    return StatementInbox(room.kring, cast(Any, client), cast(Any, FakeRooms(levels or {}))), client


async def test_only_a_configured_treasurers_file_is_read(make_room: MakeRoom) -> None:
    room = await make_room(money={"iban": ACCOUNT, "account_name": "Kring", "treasurers": [TREASURER]})
    statements, client = await inbox(room, {BOB: 100})
    refused = await statements.answer("!dm:test", BOB, FILE)
    assert refused.plain == "Only a treasurer can hand Kring a bank statement; the file was not read."
    assert client.downloaded == []  # a moderator, but not the treasurer: not even fetched
    assert await room.rows("SELECT COUNT(*) FROM bank_lines") == [(0,)]
    summary = await statements.answer("!dm:test", TREASURER, FILE)
    assert "Matched (1):" in summary.plain and client.downloaded == ["mxc://test/statement"]


async def test_without_configured_treasurers_the_rooms_moderators_are(make_room: MakeRoom) -> None:
    room = await make_room(money={"iban": ACCOUNT, "account_name": "Kring"})
    statements, _ = await inbox(room, {TREASURER: 50})
    assert "Only a treasurer" in (await statements.answer("!dm:test", BOB, FILE)).plain
    assert "Matched (1):" in (await statements.answer("!dm:test", TREASURER, FILE)).plain


async def test_a_file_announced_as_too_big_is_not_fetched(make_room: MakeRoom) -> None:
    room = await make_room(money={"iban": ACCOUNT, "account_name": "Kring", "treasurers": [TREASURER]})
    statements, client = await inbox(room)
    big = {**FILE, "info": {"size": 50 * 1024 * 1024}}
    assert "larger than 20 MB" in (await statements.answer("!dm:test", TREASURER, big)).plain
    assert client.downloaded == []


@dataclass
class InvitedClient:
    """A homeserver that records which invites Kring takes up and which it declines."""

    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    user_id: str = "@kring:test"

    async def join(self, room_id: str) -> JoinResponse:
        self.joined.append(room_id)
        return JoinResponse(room_id)

    async def room_leave(self, room_id: str) -> RoomLeaveResponse:
        self.left.append(room_id)
        return RoomLeaveResponse()


def invites(*invitations: tuple[str, str, bool]) -> Any:
    """A sync response holding invites of Kring: (room, inviter, whether the invite is for a direct chat)."""
    rooms = {
        room_id: InviteInfo(
            [
                InviteMemberEvent.from_dict(
                    {
                        "type": "m.room.member",
                        "event_id": f"$invite-{room_id}",
                        "sender": inviter,
                        "state_key": "@kring:test",
                        "content": {"membership": "invite", **({"is_direct": True} if direct else {})},
                    }
                )
            ]
        )
        for room_id, inviter, direct in invitations
    }
    return SimpleNamespace(rooms=SimpleNamespace(invite=rooms))


async def answered(room: Harness, levels: dict[str, int], *invitations: tuple[str, str, bool]) -> tuple[Rooms, Any]:
    client = InvitedClient()
    rooms = Rooms(MatrixSettings(user_id="@kring:test", rooms=(ROOM,)), room.store, cast(Any, client), cast(Any, None))
    rooms.served.add(ROOM)
    rooms.states.learn(ROOM, {"type": "m.room.power_levels", "state_key": "", "content": {"users": levels}})
    statements = StatementInbox(room.kring, cast(Any, client), rooms)
    await rooms.answer_invites(invites(*invitations), direct_from=statements.is_treasurer)
    return rooms, client


async def test_a_treasurers_direct_message_invite_is_taken_up_and_everyone_elses_declined(make_room: MakeRoom) -> None:
    room = await make_room(money={"iban": ACCOUNT, "account_name": "Kring", "treasurers": [TREASURER]})
    rooms, client = await answered(
        room,
        {BOB: 100},
        ("!tess-dm:test", TREASURER, True),
        ("!bob-dm:test", BOB, True),  # a moderator, but not the treasurer
        ("!tess-group:test", TREASURER, False),  # no direct chat: not a room to serve
    )
    assert client.joined == ["!tess-dm:test"]
    assert sorted(client.left) == ["!bob-dm:test", "!tess-group:test"]
    assert rooms.served == {ROOM}  # joined to be handed statements in, not served: no command is answered there


async def test_without_configured_treasurers_a_moderators_direct_invite_is_taken_up(make_room: MakeRoom) -> None:
    room = await make_room(money={"iban": ACCOUNT, "account_name": "Kring"})
    _, client = await answered(room, {TREASURER: 50}, ("!tess-dm:test", TREASURER, True), ("!b:test", BOB, True))
    assert (client.joined, client.left) == (["!tess-dm:test"], ["!b:test"])
    plain = await make_room()  # without [money] there are no treasurers: every direct invite is declined
    _, client = await answered(plain, {TREASURER: 100}, ("!tess-dm:test", TREASURER, True))
    assert (client.joined, client.left) == ([], ["!tess-dm:test"])
