"""`kring console`: the same bot in a terminal, one simulated room, a clock you move with /wait."""

from __future__ import annotations

import asyncio
import io
import sys
import textwrap
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.board.server import BoardServer
from bot.clock import ManualClock
from bot.engine import Kring
from bot.matrix.room_state import DEFAULT_REDACT_LEVEL
from bot.payments.qr import file_name as qr_file_name
from bot.payments.qr import qr_png, request_qr
from handlers.events import Joined, Message, Reaction, Redaction
from handlers.parsing import ParseError, parse_duration, parse_small_count
from storage.file_modes import write_private_file
from storage.records import MessageKind, OutboxMessage

ROOM_ID = "!console:kring.local"
BOT_ID = "@kring:kring.local"
DEFAULT_USER = "@you"


@dataclass
class ConsoleRoom:
    """What the console remembers of its room: numbered messages and who reacted with what."""

    events: list[str] = field(default_factory=list)
    reactions: dict[tuple[str, int, str], str] = field(default_factory=dict)
    powers: dict[str, int] = field(default_factory=lambda: {DEFAULT_USER: 100})
    joined: set[str] = field(default_factory=set)

    def number(self, event_id: str) -> int:
        self.events.append(event_id)
        return len(self.events)

    def event_at(self, number: int) -> str | None:
        return self.events[number - 1] if 1 <= number <= len(self.events) else None

    def number_of(self, event_id: str | None) -> int | None:
        if event_id is None or event_id not in self.events:
            return None
        return self.events.index(event_id) + 1


class Console:
    def __init__(self, kring: Kring, clock: ManualClock, out: TextIO, folder: Path | None = None) -> None:
        self.kring = kring
        self.clock = clock
        self.out = out
        self.folder = folder or Path.cwd()  # where a member's copy of their data (`!mydata`) is written
        self.room = ConsoleRoom()
        self.user = DEFAULT_USER
        self.members = {DEFAULT_USER}  # who is in the simulated room: whoever the console has been

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def tell(self, key: str, **params: str | int) -> None:
        """A console sentence, in the room's language."""
        self.say((await self.kring.texts_for(ROOM_ID)).t(key, **params).plain)

    def show(self, number: int, who: str, body: str, reply_to: int | None = None, thread: int | None = None) -> None:
        head = f"[{number}] {who}" + (f" (🧵 {thread})" if thread else "") + (f" (↩ {reply_to})" if reply_to else "")
        head += ": "
        indent = " " * len(f"[{number}] ")
        self.say(head + body.replace("\n", "\n" + indent))

    async def _send(self, queued: OutboxMessage) -> str:
        event_id = f"$bot-{uuid.uuid4().hex}"
        if queued.message.kind is MessageKind.DATA_COPY:
            return await self._write_copy(queued, event_id)
        if queued.message.kind is MessageKind.BOARD_LINK:
            return await self._show_board_link(queued, event_id)
        if queued.message.kind is MessageKind.PAYMENT_REQUEST:
            member = queued.message.mentions[0] if queued.message.mentions else ""
            await self.tell("console.direct_message", user=member)
            self.say(textwrap.indent(queued.message.body, " " * 6))
            return event_id
        if queued.message.kind is MessageKind.PAYMENT_QR:
            return await self._write_qr(queued, event_id)
        number = self.room.number(event_id)
        bot = (await self.kring.texts_for(ROOM_ID)).t("console.bot").plain
        message = queued.message
        thread = self.room.number_of(message.thread_root)
        self.show(number, bot, message.body, self.room.number_of(message.reply_to), thread)
        return event_id

    async def _write_copy(self, queued: OutboxMessage, event_id: str) -> str:
        """A member's copy of their data: in Matrix a file in a direct room; here a file in the current folder."""
        member = queued.message.mentions[0]
        copy = await self.kring.made_when_sent.data_copy(queued, member)
        path = self.folder / copy.name
        await asyncio.to_thread(write_private_file, path, copy.payload)
        await self.tell("console.file_written", user=member, file=str(path))
        self.say("      " + copy.summary.replace("\n", "\n      "))  # the file's caption
        return event_id

    async def _write_qr(self, queued: OutboxMessage, event_id: str) -> str:
        """A payment request's EPC QR code: in Matrix an image in a direct room; here a PNG in the current folder."""
        member = queued.message.mentions[0] if queued.message.mentions else ""
        payment = await request_qr(self.kring.store, self.kring.settings.money, queued.message.proposal_id, member)
        if payment is not None:
            image, _ = qr_png(payment)
            path = self.folder / qr_file_name(payment)
            await asyncio.to_thread(write_private_file, path, image)
            await self.tell("console.qr_written", file=str(path))
        return event_id

    async def _show_board_link(self, queued: OutboxMessage, event_id: str) -> str:
        """A sign-in link to the board: in Matrix sent in a direct room; here printed in the terminal."""
        if queued.message.mentions:
            member = queued.message.mentions[0]
            link = await self.kring.made_when_sent.sign_in_link(queued, member)
            await self.tell("console.board_link", user=member, link=link)
        return event_id

    async def is_member(self, room_id: str, user_id: str) -> bool:
        return room_id == ROOM_ID and user_id in self.members

    async def settle(self) -> None:
        """Fire what is due by the simulated now and print everything the bot has to say."""
        await self.kring.fire_due()
        await self.kring.fire_due_digests()
        await self.kring.clear_old_texts()
        await self.kring.remind_unpaid()  # [money]: one reminder per unpaid request
        await self.kring.deliver(self._send)

    async def start(self) -> None:
        await self.tell("console.welcome", user=self.user)
        await self.settle()

    async def handle_line(self, line: str) -> bool:
        """Act on one line of input; False when the user quits."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("/") and not text.startswith("//"):
            verb, _, rest = text[1:].partition(" ")
            return await self._verb(verb.lower(), rest.strip())
        await self._post(line.rstrip("\n"), None)
        return True

    async def _post(self, body: str, reply_to: str | None, thread_root: str | None = None) -> None:
        event_id = f"$msg-{uuid.uuid4().hex}"
        number = self.room.number(event_id)
        self.show(number, self.user, body, self.room.number_of(reply_to), self.room.number_of(thread_root))
        message = Message(
            event_id=event_id,
            room_id=ROOM_ID,
            sender=self.user,
            sender_name=self.user.lstrip("@"),
            body=body,
            at=self.clock.now(),
            reply_to=reply_to,
            sender_power=self.room.powers.get(self.user, 0),
            thread_root=thread_root,
        )
        await self.kring.handle(message)
        await self.settle()

    async def _verb(self, verb: str, rest: str) -> bool:
        if verb in ("quit", "exit", "q"):
            return False
        handler = {
            "help": self._help,
            "as": self._as,
            "reply": self._reply,
            "thread": self._thread,
            "react": self._react,
            "unreact": self._unreact,
            "delete": self._delete,
            "power": self._power,
            "wait": self._wait,
            "time": self._time,
        }.get(verb)
        if handler is None:
            await self.tell("console.unknown_verb", verb=verb)
        else:
            await handler(rest)
        return True

    async def _help(self, rest: str) -> None:
        await self.tell("console.help")

    async def _as(self, rest: str) -> None:
        name = rest.split()[0] if rest else ""
        if not name.lstrip("@"):
            await self.tell("console.usage_as")
            return
        self.user = name if name.startswith("@") else "@" + name
        self.members.add(self.user)
        await self.tell("console.now_as", user=self.user)
        # A member the console has not seen joins now (the store keeps the first join of each). The event id is
        # opaque, as a homeserver's: one naming the member would outlive their forgetting in processed_events.
        if self.user not in self.room.joined:
            self.room.joined.add(self.user)
            await self.kring.handle(Joined(f"$joined-{uuid.uuid4().hex}", ROOM_ID, self.user, self.clock.now()))

    async def _message_number(self, token: str) -> str | None:
        number = parse_small_count(token.strip("[]"))
        event_id = self.room.event_at(number or 0)
        if event_id is None:
            await self.tell("console.no_message", token=token.strip("[]"))
        return event_id

    async def _reply(self, rest: str) -> None:
        token, _, text = rest.partition(" ")
        if not text.strip():
            await self.tell("console.usage_reply")
            return
        target = await self._message_number(token)
        if target is not None:
            await self._post(text.strip(), target)

    async def _thread(self, rest: str) -> None:
        token, _, text = rest.partition(" ")
        if not text.strip():
            await self.tell("console.usage_thread")
            return
        root = await self._message_number(token)
        if root is not None:
            await self._post(text.strip(), None, root)

    async def _react(self, rest: str) -> None:
        token, _, emoji = rest.partition(" ")
        emoji = emoji.strip()
        if not emoji:
            await self.tell("console.usage_react")
            return
        target = await self._message_number(token)
        if target is None:
            return
        key = (self.user, self.room.events.index(target) + 1, emoji)
        if key in self.room.reactions:
            await self.tell("console.already_reacted", user=self.user, emoji=emoji, number=key[1])
            return
        event_id = f"$react-{uuid.uuid4().hex}"
        self.room.reactions[key] = event_id
        await self.tell("console.reacted", user=self.user, emoji=emoji, number=key[1])
        power = self.room.powers.get(self.user, 0)
        await self.kring.handle(Reaction(event_id, ROOM_ID, self.user, target, emoji, self.clock.now(), power))
        await self.settle()

    async def _unreact(self, rest: str) -> None:
        token, _, emoji = rest.partition(" ")
        emoji = emoji.strip()
        target = await self._message_number(token) if emoji else None
        if not emoji:
            await self.tell("console.usage_unreact")
        if target is None:
            return
        key = (self.user, self.room.events.index(target) + 1, emoji)
        reaction_id = self.room.reactions.pop(key, None)
        if reaction_id is None:
            await self.tell("console.no_reaction", user=self.user, emoji=emoji, number=key[1])
            return
        await self.tell("console.unreacted", user=self.user, emoji=emoji, number=key[1])
        await self._redact(reaction_id)

    async def _delete(self, rest: str) -> None:
        target = await self._message_number(rest.strip())
        if target is not None:
            await self.tell("console.deleted", user=self.user, number=self.room.events.index(target) + 1)
            await self._redact(target)

    async def _redact(self, target: str) -> None:
        event_id = f"$redact-{uuid.uuid4().hex}"
        # As in a Matrix room: a member removes her own events; the default redact level (50) anyone's.
        may_redact_others = self.room.powers.get(self.user, 0) >= DEFAULT_REDACT_LEVEL
        await self.kring.handle(Redaction(event_id, ROOM_ID, self.user, target, self.clock.now(), may_redact_others))
        await self.settle()

    async def _power(self, rest: str) -> None:
        parts = rest.split()
        level = parse_small_count(parts[1].removeprefix("-")) if len(parts) == 2 else None
        if level is None:
            await self.tell("console.usage_power")
            return
        if parts[1].startswith("-"):
            level = -level
        user = parts[0] if parts[0].startswith("@") else "@" + parts[0]
        self.room.powers[user] = level
        await self.tell("console.power_set", user=user, level=level)

    async def _wait(self, rest: str) -> None:
        try:
            step = parse_duration(rest)
        except ParseError:
            await self.tell("console.usage_wait")
            return
        target = self.clock.now() + step
        while True:
            due = await self.kring.due(target)
            digest_at = self.kring.next_digest_at(self.clock.now())  # each weekly digest at its own moment too
            if due and due[0].due_at <= digest_at:
                self.clock.set(due[0].due_at)
                await self.kring.fire(due[0].id)
            elif digest_at <= target:
                self.clock.set(digest_at)
                await self.kring.fire_due_digests()
            else:
                break
            await self.kring.deliver(self._send)
        self.clock.set(target)
        await self.tell("console.clock_moved", moment=await self._local(self.clock.now()))
        await self.settle()

    async def _time(self, rest: str) -> None:
        await self.tell("console.time", moment=await self._local(self.clock.now()))

    async def _local(self, moment: datetime) -> str:
        return (await self.kring.texts_for(ROOM_ID)).when(moment)


async def read_lines(stream: TextIO, prompt: str | None) -> list[str] | None:
    """One logical line (backslash-continued lines joined with newlines); None at end of input."""
    parts: list[str] = []
    while True:
        if prompt is not None:
            sys.stdout.write(prompt if not parts else "… ")
            sys.stdout.flush()
        raw = await asyncio.to_thread(stream.readline)
        if raw == "":
            return parts or None
        line = raw.rstrip("\n")
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        return parts


async def run_console(kring: Kring, clock: ManualClock, stream: TextIO, out: TextIO) -> None:
    if isinstance(stream, io.TextIOWrapper):
        # Bytes that are not UTF-8 (a Latin-1 terminal, a binary file piped in) become U+FFFD, not a crash.
        stream.reconfigure(errors="replace")
    console = Console(kring, clock, out)
    server = None
    if kring.settings.board.enabled:  # the console's room has a board too, served while it runs
        server = BoardServer(kring.store, kring.settings, clock, kring.texts_for, console.is_member)
        await server.start()
    try:
        await console.start()
        interactive = stream.isatty()
        while True:
            parts = await read_lines(stream, "> " if interactive else None)
            if parts is None:
                break
            if not await console.handle_line("\n".join(parts)):
                break
    finally:
        if server is not None:
            await server.stop()
