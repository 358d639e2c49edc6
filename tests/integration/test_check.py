"""`kring check` on a real Synapse: a good set-up beside a running bot, a room it may not send in, a wrong password,
an unreachable homeserver."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomInviteResponse,
    RoomPutStateResponse,
)

from .community import create_room
from .helpers import MakeMember
from .kring_process import BOT_PASSWORD, KringProcess, _toml_value
from .synapse_server import SynapseServer


def check(config: Path) -> tuple[int, dict[str, list[str]]]:
    """`kring check -c config`: its exit code and its table's rows as {check: ["<result> <details>", …]}."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "-c", str(config)], capture_output=True, text=True, timeout=60
    )
    rows: dict[str, list[str]] = {}
    for line in done.stdout.splitlines()[1:]:
        for result in ("  ok  ", "  FAIL  ", "  note  "):
            if result in line:
                name, _, details = line.partition(result)
                rows.setdefault(name.strip(), []).append(f"{result.strip()} {details.strip()}")
    return done.returncode, rows


def write_config(path: Path, **matrix: Any) -> Path:
    lines = ["[matrix]", *(f"{key} = {_toml_value(value)}" for key, value in matrix.items())]
    lines += ["", "[storage]", f"database = {_toml_value(str(path.parent / 'fresh.db'))}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    path.chmod(0o600)
    return path


def devices(synapse: SynapseServer, user_id: str) -> list[str]:
    found = synapse.admin_get(f"/_synapse/admin/v2/users/{urllib.parse.quote(user_id)}/devices")
    return sorted(str(device["device_id"]) for device in found["devices"])


async def forbid_messages(owner: AsyncClient, room_id: str, level: int) -> None:
    state = await owner.room_get_state_event(room_id, "m.room.power_levels")
    assert isinstance(state, RoomGetStateEventResponse), state
    content = {**state.content, "events_default": level}
    content["events"] = {key: value for key, value in content.get("events", {}).items() if key != "m.room.message"}
    assert isinstance(await owner.room_put_state(room_id, "m.room.power_levels", content), RoomPutStateResponse)


async def test_check_passes_beside_a_running_bot_and_fails_when_it_may_not_send(
    synapse: SynapseServer, make_member: MakeMember, tmp_path: Path, processes: list[KringProcess]
) -> None:
    anna = await make_member("anna")
    room_id = await create_room(anna)
    named = await anna.room_create(alias=f"check-{anna.user_id[1:].split(':')[0]}")  # configured by its alias
    assert isinstance(named, RoomCreateResponse), named
    alias = f"#check-{anna.user_id[1:].split(':')[0]}:{synapse.server_name}"
    kring = KringProcess(synapse, tmp_path / "bot", "kring-check", [room_id, alias])
    processes.append(kring)
    for room in (room_id, named.room_id):
        assert isinstance(await anna.room_invite(room, kring.user_id), RoomInviteResponse)
    kring.start()
    await asyncio.to_thread(kring.wait_for_log, "ready:")
    device_of_the_run = devices(synapse, kring.user_id)

    code, rows = await asyncio.to_thread(check, kring.config_path)
    assert code == 0, rows
    assert all(line.startswith("ok") for row in rows.values() for line in row), rows
    (room,) = rows[f"room {room_id}"]
    assert "joined" in room and "bot power 0, sending m.room.message needs 0" in room
    assert f"moderators {anna.user_id}=" in room and "not encrypted" in room
    assert rows[f"room {alias}"][0].startswith(f"ok {named.room_id} ({alias}): joined")
    assert "stored login" in rows["login"][0]
    assert "holds the keys of device" in rows["crypto store"][0]
    assert kring.running  # the check read the database beside it, never taking its lock

    # Members may post only from level 50: the bot (0) can no longer serve the room.
    await forbid_messages(anna, room_id, 50)
    code, rows = await asyncio.to_thread(check, kring.config_path)
    assert code == 1
    (room,) = rows[f"room {room_id}"]
    assert room.startswith("FAIL the bot may not send here (power 0 < 50)"), room
    assert kring.stop() == 0, kring.log_tail()

    # No stored login (a fresh database) but the right password: it logs in and out again, leaving no device.
    # A room the bot is only invited to is fine: `kring run` joins it at start.
    invited = await create_room(anna)
    assert isinstance(await anna.room_invite(invited, kring.user_id), RoomInviteResponse)
    fresh = write_config(
        tmp_path / "fresh.toml",
        homeserver=synapse.url,
        user_id=kring.user_id,
        password=BOT_PASSWORD,
        encryption=False,
        rooms=[room_id, invited],
    )
    await forbid_messages(anna, room_id, 0)
    code, rows = await asyncio.to_thread(check, fresh)
    assert code == 0, rows
    assert "the password is accepted" in rows["login"][0]
    assert rows[f"room {invited}"] == [f"ok {invited}: invited; `kring run` joins it at start"]
    assert devices(synapse, kring.user_id) == device_of_the_run
    assert not (tmp_path / "fresh.db").exists()  # read-only: nothing made


async def test_check_fails_on_a_wrong_password_or_an_unreachable_homeserver(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    user_id = synapse.register_user("kring-check-wrong", BOT_PASSWORD, keep_device=False)
    wrong = write_config(
        tmp_path / "wrong.toml",
        homeserver=synapse.url,
        user_id=user_id,
        password="not-the-password",
        encryption=False,
        rooms=["!somewhere:localhost"],
    )
    code, rows = await asyncio.to_thread(check, wrong)
    assert code == 1
    assert rows["login"] == ["FAIL login failed: Invalid username or password"], rows
    assert rows["homeserver"][0].startswith("ok")
    assert not any(name.startswith("room ") for name in rows)

    away = write_config(
        tmp_path / "away.toml",
        homeserver="http://127.0.0.1:9",
        user_id=user_id,
        password=BOT_PASSWORD,
        encryption=False,
        rooms=["!somewhere:localhost"],
    )
    code, rows = await asyncio.to_thread(check, away)
    assert code == 1
    assert rows["homeserver"] == ["FAIL cannot reach http://127.0.0.1:9: connection refused"], rows
    assert "login" not in rows
