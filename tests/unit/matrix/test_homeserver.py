"""Waiting for the homeserver, and which rooms and inviters Kring accepts: the rules without a server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import ErrorResponse, RoomSendResponse

from bot.matrix.homeserver import Backoff, Patience, ShuttingDown, explain, is_transient
from bot.matrix.room_state import HIGHEST_POWER
from bot.matrix.rooms import RoomCreators, allowed_inviter
from tests.unit.kring_run import KringRun

ROOT = Path(__file__).resolve().parents[3]


def test_backoff_doubles_from_its_start_up_to_its_cap_and_starts_over_after_a_success() -> None:
    backoff = Backoff(start=2, cap=30)
    assert [backoff.next_delay() for _ in range(6)] == [2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 2


class _Transport:
    def __init__(self, status: int) -> None:
        self.status = status


def _error(code: str | None, status: int | None = None) -> ErrorResponse:
    response = ErrorResponse("boom", code)
    if status is not None:
        response.transport_response = _Transport(status)
    return response


@pytest.mark.parametrize(
    ("response", "transient"),
    [
        (_error(None), True),  # a proxy's 502 with no Matrix body
        (_error("M_LIMIT_EXCEEDED"), True),
        (_error("M_UNKNOWN"), True),
        (_error("M_FORBIDDEN", 503), True),  # any 5xx is worth another try
        (_error("M_FORBIDDEN", 403), False),
        (_error("M_UNKNOWN_TOKEN", 401), False),
        (RoomSendResponse("$e", "!r:test"), False),  # a success is no error at all
    ],
)
def test_which_answers_are_worth_asking_again(response: Any, transient: bool) -> None:
    assert is_transient(response) is transient


async def test_patience_asks_again_until_a_real_answer_and_stops_when_told() -> None:
    answers: list[Any] = [ConnectionRefusedError("refused"), _error(None), RoomSendResponse("$e", "!r:test")]

    async def call() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    stopping = asyncio.Event()
    patience = Patience(stopping, Backoff(start=0.001, cap=0.001))
    assert isinstance(await patience.until_answered("sending", call), RoomSendResponse)
    assert patience.backoff.failures == 0  # a real answer resets the back-off
    stopping.set()
    with pytest.raises(ShuttingDown):
        await patience.until_answered("sending", call)


def _create(sender: str, version: str, extra: object = None) -> dict[str, Any]:
    content: dict[str, Any] = {"room_version": version}
    if extra is not None:
        content["additional_creators"] = extra
    return {"type": "m.room.create", "sender": sender, "content": content}


def test_room_creators_count_only_from_room_version_12() -> None:
    creators = RoomCreators()
    creators.learn("!old:test", _create("@ann:test", "11"))
    creators.learn("!new:test", _create("@ann:test", "12", ["@bob:test"]))
    creators.learn("!odd:test", _create("@ann:test", "org.example.custom"))
    creators.learn("!msg:test", {"type": "m.room.message", "sender": "@eve:test", "content": {}})
    assert not creators.is_creator("!old:test", "@ann:test")
    assert creators.is_creator("!new:test", "@ann:test") and creators.is_creator("!new:test", "@bob:test")
    assert not creators.is_creator("!new:test", "@eve:test")
    assert not creators.is_creator("!odd:test", "@ann:test") and not creators.is_creator("!msg:test", "@eve:test")
    assert HIGHEST_POWER > 100


@pytest.mark.parametrize(
    ("inviter", "allowed"),
    [
        ("@ann:example.org", True),  # listed by id
        ("@bob:example.org", True),  # by server
        ("@bob:evil.org", False),
        ("@ann:example.org.evil", False),  # a server name is matched whole, at the end
        ("@mallory:notexample.org", False),
    ],
)
def test_inviters_are_allowed_by_user_id_or_by_server(inviter: str, allowed: bool) -> None:
    assert allowed_inviter(inviter, ("@ann:example.org", ":example.org")) is allowed


async def test_an_unreachable_homeserver_is_explained_in_words() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError) as caught:
            await session.get("http://127.0.0.1:9/_matrix/client/versions")  # nothing listens on the discard port
    assert explain(caught.value, "http://127.0.0.1:9") == "cannot reach http://127.0.0.1:9: connection refused"
    assert explain(TimeoutError(), "http://hs") == "http://hs did not answer in time"


def test_kring_run_against_an_unreachable_homeserver_says_once_per_step_what_failed(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "@kring:district.nl"\npassword = "secret-word"\n'
        'rooms = ["!room:district.nl"]\nencryption = false\n'
        f'[storage]\ndatabase = "{tmp_path / "kring.db"}"\n',
        encoding="utf-8",
    )
    kring = KringRun(config)
    kring.wait_for("retrying in", times=2)  # the first back-off steps: 2 s, 4 s
    err = kring.stop()
    steps = [line for line in err.splitlines() if "retrying in" in line]
    assert steps and all("cannot reach http://127.0.0.1:9: connection refused; retrying in" in s for s in steps)
    assert [s.rsplit("retrying in ", 1)[1] for s in steps][:2] == ["2 s", "4 s"]
    assert "Timed out" not in err and "ClientConnectorError(" not in err and "secret-word" not in err
    assert "Traceback" not in err and kring.process.returncode == 0
