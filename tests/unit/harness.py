"""A test harness: a real store on a temp SQLite file, a manual clock, and a room that records what Kring says."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.config import Settings, parse_settings
from bot.engine import Kring
from bot.matrix.events import notice_content
from handlers.events import Message, Reaction, Redaction
from storage.records import OutboxMessage
from storage.store import Store

ROOM = "!room:test"
BOT = "@kring:test"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, no DST change within two weeks
# Bookkeeping tables a refused command may still touch (the event id, the message, the reply queued).
BOOKKEEPING = frozenset({"processed_events", "messages", "members", "outbox", "bot_messages", "kv", "board_writes"})
DECISION = re.compile(r"^(?:[^\w\s#]+ )?(?:GO|NO-GO) #\d+")  # after an optional emoji


@dataclass
class Sent:
    event_id: str
    room_id: str
    body: str
    html: str
    reply_to: str | None
    mentions: tuple[str, ...]
    kind: str
    proposal_id: int | None
    thread_root: str | None = None
    delivery_id: int | None = None
    reaches: bool = False
    content: dict[str, Any] = field(default_factory=dict)  # as it goes to Matrix

    @property
    def notifies(self) -> set[str]:
        """Whom the default push rules highlight: the m.mentions of an m.text (an m.notice notifies nobody)."""
        if self.content.get("msgtype") != "m.text":
            return set()
        return set(self.content.get("m.mentions", {}).get("user_ids", []))


@dataclass
class Harness:
    store: Store
    kring: Kring
    clock: ManualClock
    path: Path
    sent: list[Sent] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    powers: dict[str, int] = field(default_factory=dict)

    def new_id(self, kind: str = "ev") -> str:
        return f"${kind}{next(self._ids)}"

    async def _send(self, queued: OutboxMessage) -> str:
        event_id = self.new_id("bot")
        message = queued.message
        self.sent.append(
            Sent(
                event_id,
                message.room_id,
                message.body,
                message.html,
                message.reply_to,
                message.mentions,
                message.kind.value,
                message.proposal_id,
                message.thread_root,
                message.delivery_id,
                message.reaches,
                notice_content(message),
            )
        )
        return event_id

    async def deliver(self) -> list[Sent]:
        before = len(self.sent)
        await self.kring.deliver(self._send)
        return self.sent[before:]

    async def say(
        self,
        sender: str,
        body: str,
        *,
        reply_to: str | None = None,
        room: str = ROOM,
        event_id: str | None = None,
        thread_root: str | None = None,
    ) -> tuple[str, list[Sent]]:
        """A member posts `body`; returns its event id and what the bot sent in response."""
        message = Message(
            event_id=event_id or self.new_id("msg"),
            room_id=room,
            sender=sender,
            sender_name=sender.lstrip("@").split(":")[0].capitalize(),
            body=body,
            at=self.clock.now(),
            reply_to=reply_to,
            sender_power=self.powers.get(sender, 0),
            thread_root=thread_root,
        )
        await self.kring.handle(message)
        return message.event_id, await self.deliver()

    async def reply(self, sender: str, body: str, **kwargs: Any) -> Sent:
        """Post a command and return the bot's single answer."""
        _, out = await self.say(sender, body, **kwargs)
        assert len(out) >= 1, f"no answer to {body!r}"
        return out[0]

    async def react(self, sender: str, target: str, key: str, *, event_id: str | None = None, room: str = ROOM) -> str:
        reaction = Reaction(
            event_id or self.new_id("react"), room, sender, target, key, self.clock.now(), self.powers.get(sender, 0)
        )
        await self.kring.handle(reaction)
        return reaction.event_id

    async def redact(self, sender: str, target: str, *, event_id: str | None = None, room: str = ROOM) -> str:
        redaction = Redaction(event_id or self.new_id("redact"), room, sender, target, self.clock.now())
        await self.kring.handle(redaction)
        return redaction.event_id

    async def wait(self, step: timedelta) -> list[Sent]:
        """Move the clock, firing each due announcement at its own time, as the console does."""
        target = self.clock.now() + step
        sent: list[Sent] = []
        while due := await self.kring.due(target):
            self.clock.set(due[0].due_at)
            await self.kring.fire(due[0].id)
            sent += await self.deliver()
        self.clock.set(target)
        return sent + await self.deliver()

    async def rep(self, user: str, room: str = ROOM) -> int:
        return await self.store.credits.balance(room, user)

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self.store.db.fetch_all(sql, params)]

    async def dump(self, *, everything: bool = False) -> dict[str, list[tuple[Any, ...]]]:
        """All rows of the domain tables (or of every table), to show that something changed nothing."""
        names = [name for (name,) in await self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: await self.rows(f"SELECT * FROM {name} ORDER BY rowid")
            for name in sorted(names)
            if everything or name not in BOOKKEEPING
        }

    async def reopen(self, settings: Settings | None = None) -> None:
        """Close the store and open it again, as a restart would."""
        await self.store.close()
        self.store = await Store.open(self.path)
        self.kring = Kring(self.store, settings or self.kring.settings, self.clock, BOT)


def decisions(sent: list[Sent]) -> list[Sent]:
    """The GO / NO-GO announcements among what the bot sent."""
    return [s for s in sent if DECISION.match(s.body)]


# Tests send many commands at one moment of a still clock: the volume limits are off unless a test sets them.
VOLUME_LIMITS_OFF: dict[str, dict[str, Any]] = {
    "bot": {"commands_per_minute": 0},
    "proposals": {"max_open_per_member": 0},
}


async def make_harness(tmp_path: Path, database: str = "kring.db", **overrides: dict[str, Any]) -> Harness:
    tables = {table: dict(values) for table, values in VOLUME_LIMITS_OFF.items()}
    for table, values in overrides.items():
        tables.setdefault(table, {}).update(values)
    settings = parse_settings(dict(tables))
    path = tmp_path / database
    store = await Store.open(path)
    clock = ManualClock(START)
    return Harness(store, Kring(store, settings, clock, BOT), clock, path)
