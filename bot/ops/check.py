"""`kring check`: is this set-up able to serve? Config, homeserver, login, crypto store and every room, read-only."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinedRoomsResponse,
    LoginResponse,
    RoomGetStateResponse,
    RoomResolveAliasResponse,
    SyncResponse,
    WhoamiResponse,
)

from bot.config import ConfigError, Settings, check_ready_for_matrix
from bot.identity.cross_signing import CLIENT_API, PublishedIdentity, keys_query_body, request_json
from bot.matrix.homeserver import explain
from bot.matrix.nio_adapter import crypto_store_file
from bot.matrix.room_state import HIGHEST_POWER
from bot.matrix.rooms import RoomCreators
from bot.matrix.session import CRYPTO_DEVICE_KEY, LOGIN_KEY, crypto_store_dir
from storage.snapshot import read_parked, read_state

REQUEST_TIMEOUT_S = 15.0
CHECK_DEVICE_NAME = "kring check (logged out again)"
# A sync that says only which rooms the bot is invited to: no timelines, no state, nothing else.
INVITES_ONLY: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 0},
        "state": {"not_types": ["*"]},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}

OK, FAIL, NOTE = "ok", "FAIL", "note"
UNSIGNED_HINT = "Element members' clients share no room keys with it; start `kring run`, which signs its device"


@dataclass(frozen=True)
class Row:
    check: str
    result: str  # OK, FAIL or NOTE (worth knowing, not in the way of serving)
    details: str


@dataclass(frozen=True)
class Login:
    user_id: str
    device_id: str
    access_token: str
    temporary: bool  # made by this check: logged out again at the end


class Checker:
    """The checks, in order, each adding rows; later ones are skipped when an earlier one makes them moot."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rows: list[Row] = []
        self.stored: dict[str, str] = {}
        self.identity: PublishedIdentity | None = None  # the bot's device as members' clients see it

    def add(self, check: str, result: str, details: str) -> None:
        self.rows.append(Row(check, result, details))

    @property
    def serving(self) -> bool:
        return all(row.result != FAIL for row in self.rows)

    async def run(self) -> None:
        matrix = self.settings.matrix
        try:
            check_ready_for_matrix(self.settings)
        except ConfigError as error:
            for line in str(error).splitlines():
                self.add("config", FAIL, line.removeprefix("config error at "))
        else:
            self.add("config", OK, f"{len(matrix.rooms)} room(s) configured for {matrix.user_id}")
        await asyncio.to_thread(self._read_database)
        if not matrix.homeserver or not await self._reach_homeserver():
            return
        if not matrix.user_id:
            return
        client = AsyncClient(
            matrix.homeserver,
            matrix.user_id,
            config=AsyncClientConfig(
                encryption_enabled=False,  # never opens (let alone changes) the bot's crypto store
                store_sync_tokens=False,
                max_timeouts=0,
                request_timeout=REQUEST_TIMEOUT_S,
            ),
        )
        try:
            login = await self._log_in(client)
            self._check_crypto_store(login)
            if login is not None:
                try:
                    await self._check_cross_signing(client, login)
                    await self._check_rooms(client, login)
                except Exception as error:  # the homeserver went away half-way
                    self.add("rooms", FAIL, explain(error, matrix.homeserver))
                finally:
                    if login.temporary:
                        await self._log_out(client)
        finally:
            await client.close()

    # the database, read-only
    def _read_database(self) -> None:
        database = Path(self.settings.storage.database)
        if not database.exists():
            self.add("database", NOTE, f"{database} does not exist yet; `kring run` creates it")
            return
        try:
            self.stored = read_state(database, [LOGIN_KEY, CRYPTO_DEVICE_KEY])
            parked = read_parked(database)
        except Exception as error:  # not a database, unreadable, a schema from elsewhere
            self.add("database", FAIL, f"cannot read {database}: {error}")
            return
        self.add("database", OK, f"{database} readable")
        if parked:
            shown = "; ".join(f"#{n} in {room} after {tries} tries ({error})" for n, room, tries, error in parked[:5])
            more = f"; and {len(parked) - 5} more" if len(parked) > 5 else ""
            self.add(
                "outbox", NOTE, f"{len(parked)} message(s) parked, the homeserver kept refusing them: {shown}{more}"
            )

    # the homeserver
    async def _reach_homeserver(self) -> bool:
        homeserver = self.settings.matrix.homeserver
        url = f"{homeserver.rstrip('/')}/_matrix/client/versions"
        try:
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
            async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
                body = await response.json(content_type=None) if response.status == 200 else None
                status = response.status
        except Exception as error:
            self.add("homeserver", FAIL, explain(error, homeserver))
            return False
        versions = body.get("versions") if isinstance(body, dict) else None
        if not isinstance(versions, list) or not versions:
            self.add("homeserver", FAIL, f"{url} answered {status}, not a Matrix client API")
            return False
        self.add("homeserver", OK, f"{homeserver} answers (Matrix {versions[-1]})")
        return True

    # the login
    async def _log_in(self, client: AsyncClient) -> Login | None:
        matrix = self.settings.matrix
        saved = json.loads(self.stored[LOGIN_KEY]) if LOGIN_KEY in self.stored else None
        if saved and saved.get("user_id") == matrix.user_id and saved.get("homeserver") == matrix.homeserver:
            device_id = str(saved["device_id"])
            client.restore_login(matrix.user_id, device_id, str(saved["access_token"]))
            if await self._whoami(client, f"stored login, device {device_id}"):
                return Login(matrix.user_id, device_id, str(saved["access_token"]), temporary=False)
            return None
        if matrix.access_token:
            client.access_token = matrix.access_token
            whoami = await self._whoami(client, "access token from the config")
            if whoami is None:
                return None
            client.restore_login(whoami.user_id, whoami.device_id or "", matrix.access_token)
            return Login(whoami.user_id, whoami.device_id or "", matrix.access_token, temporary=False)
        if not matrix.password:
            self.add("login", FAIL, "no stored login and no password or access token; run `kring run` once")
            return None
        try:
            response = await client.login(matrix.password, device_name=CHECK_DEVICE_NAME)
        except Exception as error:
            self.add("login", FAIL, explain(error, matrix.homeserver))
            return None
        if not isinstance(response, LoginResponse):
            self.add("login", FAIL, f"login failed: {getattr(response, 'message', response)}")
            return None
        self.add("login", OK, "no stored login yet (`kring run` makes one); the password is accepted")
        return Login(response.user_id, response.device_id, response.access_token, temporary=True)

    async def _whoami(self, client: AsyncClient, what: str) -> WhoamiResponse | None:
        try:
            whoami = await client.whoami()
        except Exception as error:
            self.add("login", FAIL, f"{what}: {explain(error, self.settings.matrix.homeserver)}")
            return None
        if not isinstance(whoami, WhoamiResponse):
            self.add("login", FAIL, f"{what} refused: {getattr(whoami, 'message', whoami)}")
            return None
        if whoami.user_id != self.settings.matrix.user_id:
            self.add("login", FAIL, f"{what} belongs to {whoami.user_id}, not {self.settings.matrix.user_id}")
            return None
        self.add("login", OK, f"{what}, valid")
        return whoami

    async def _log_out(self, client: AsyncClient) -> None:
        try:
            await client.logout()
        except Exception as error:
            self.add("login", FAIL, f"could not log out the check's temporary device: {error!r}")

    # the crypto store
    def _check_crypto_store(self, login: Login | None) -> None:
        matrix = self.settings.matrix
        if not matrix.encryption:
            self.add("crypto store", NOTE, "encryption is off (matrix.encryption = false)")
            return
        folder = crypto_store_dir(self.settings)
        device = self.stored.get(CRYPTO_DEVICE_KEY)
        if not device or (login is not None and not login.temporary and device != login.device_id):
            self.add("crypto store", OK, f"{folder}: keys are made at the first start of this device")
            return
        path = crypto_store_file(str(folder), matrix.user_id, device)
        if path.exists():
            self.add("crypto store", OK, f"{path} holds the keys of device {device}")
        else:
            self.add(
                "crypto store",
                FAIL,
                f"{path} is missing: restore the store folder, or `kring run --new-device` to start a new device",
            )

    # cross-signing: Element shares room keys only with a device its owner signed
    async def _check_cross_signing(self, client: AsyncClient, login: Login) -> None:
        if not self.settings.matrix.encryption:
            return
        if login.temporary:
            self.add("cross-signing", NOTE, "the bot has no device yet; `kring run` cross-signs the one it makes")
            return
        status, answer = await request_json(client, "POST", f"{CLIENT_API}/keys/query", keys_query_body(login.user_id))
        if status != 200:
            self.add("cross-signing", FAIL, f"/keys/query answered {status}")
            return
        self.identity = PublishedIdentity.from_query(answer, login.user_id, login.device_id)
        if self.identity.cross_signed:
            self.add("cross-signing", OK, self.identity.describe())
        else:
            self.add("cross-signing", FAIL, f"{self.identity.describe()}; {UNSIGNED_HINT}")

    # the rooms
    async def _check_rooms(self, client: AsyncClient, login: Login) -> None:
        joined_response = await client.joined_rooms()
        joined = set(joined_response.rooms) if isinstance(joined_response, JoinedRoomsResponse) else set()
        invited: set[str] | None = None
        for configured in self.settings.matrix.rooms:
            room_id = configured
            if configured.startswith("#"):
                resolved = await client.room_resolve_alias(configured)
                if not isinstance(resolved, RoomResolveAliasResponse):
                    self.add(f"room {configured}", FAIL, f"the alias does not resolve: {resolved.message}")
                    continue
                room_id = resolved.room_id
            named = room_id if room_id == configured else f"{room_id} ({configured})"
            if room_id in joined:
                self.add(f"room {configured}", *await self._joined_room(client, room_id, login.user_id, named))
                continue
            if invited is None:
                invited = await self._invites(client)
            if room_id in invited:
                self.add(f"room {configured}", OK, f"{named}: invited; `kring run` joins it at start")
            else:
                self.add(f"room {configured}", FAIL, f"{named}: not joined nor invited; invite {login.user_id}")

    async def _invites(self, client: AsyncClient) -> set[str]:
        # A timeout of 1 ms: nio leaves out a timeout of 0, and the homeserver would then long-poll.
        response = await client.sync(timeout=1, sync_filter=INVITES_ONLY, full_state=False)
        return set(response.rooms.invite) if isinstance(response, SyncResponse) else set()

    async def _joined_room(self, client: AsyncClient, room_id: str, bot: str, named: str) -> tuple[str, str]:
        response = await client.room_get_state(room_id)
        if not isinstance(response, RoomGetStateResponse):
            return FAIL, f"{named}: joined, but its state cannot be read: {getattr(response, 'message', response)}"
        state = {(e.get("type"), e.get("state_key")): e for e in response.events if isinstance(e, dict)}
        creators = RoomCreators()
        creators.learn(room_id, state.get(("m.room.create", ""), {}))
        levels = state.get(("m.room.power_levels", ""))
        content: dict[str, Any] = dict(levels.get("content") or {}) if levels else {}
        users: dict[str, Any] = content["users"] if isinstance(content.get("users"), dict) else {}
        encrypted = ("m.room.encryption", "") in state

        def level_of(user: str) -> int:
            if creators.is_creator(room_id, user):
                return HIGHEST_POWER
            return int(users.get(user, content.get("users_default", 0)))

        sends_as = "m.room.encrypted" if encrypted else "m.room.message"
        events: dict[str, Any] = content["events"] if isinstance(content.get("events"), dict) else {}
        needed = int(events.get(sends_as, content.get("events_default", 0)))
        own = level_of(bot)
        moderator = self.settings.proposals.moderator_power_level
        powerful = {user: int(level) for user, level in users.items() if int(level) >= moderator}
        powerful.update({user: HIGHEST_POWER for user in creators.by_room.get(room_id, set())})
        moderators = sorted(
            ((user, level) for user, level in powerful.items() if user != bot), key=lambda pair: (-pair[1], pair[0])
        )
        parts = [
            f"{named}: joined",
            f"bot power {_level(own)}, sending {sends_as} needs {needed}",
            "moderators " + (", ".join(f"{user}={_level(level)}" for user, level in moderators) or "none"),
            "encrypted" if encrypted else "not encrypted",
        ]
        problems = []
        if own < needed:
            problems.append(f"the bot may not send here (power {own} < {needed})")
        if encrypted and not self.settings.matrix.encryption:
            problems.append("the room is encrypted but matrix.encryption = false")
        if encrypted and self.identity is not None:
            if self.identity.cross_signed:
                parts.append(f"device {self.identity.device_id} cross-signed")
            else:
                problems.append(f"members on Element will not talk to the bot: {self.identity.describe()}")
        if problems:
            return FAIL, "; ".join([*problems, *parts])
        return OK, "; ".join(parts)


def _level(power: int) -> str:
    return "creator" if power == HIGHEST_POWER else str(power)


def print_table(rows: list[Row], out: TextIO) -> None:
    widths = [max(len(header), *(len(getattr(row, header)) for row in rows)) for header in ("check", "result")]
    out.write(f"{'check':<{widths[0]}}  {'result':<{widths[1]}}  details\n")
    for row in rows:
        out.write(f"{row.check:<{widths[0]}}  {row.result:<{widths[1]}}  {row.details}\n")


async def run_check(settings: Settings, out: TextIO) -> int:
    """Print the table; 0 when the bot can serve every configured room, 1 otherwise."""
    checker = Checker(settings)
    await checker.run()
    print_table(checker.rows, out)
    serving = checker.serving and any(row.check.startswith("room ") for row in checker.rows)
    out.write("kring can serve every room\n" if serving else "kring cannot serve every room: see FAIL above\n")
    return 0 if serving else 1
