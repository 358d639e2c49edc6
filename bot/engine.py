"""The Kring engine: typed event in, handler decides, effects + event id + replies committed in one transaction."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime

import handlers.help
import handlers.pledges
import handlers.proposals
import handlers.reputation  # noqa: F401  (importing registers the commands)
from bot.clock import Clock
from bot.config import Settings
from handlers.commands import COMMANDS, Context, UsageError, UserError, split_command
from handlers.decisions import fire_announcement
from handlers.events import Event, Message, Reaction, Redaction, Say
from handlers.messages import Texts
from handlers.reactions import on_reaction, on_redaction
from handlers.text import lines
from storage.announcements import Announcement, OutboxMessage
from storage.store import Store

log = logging.getLogger(__name__)

Send = Callable[[OutboxMessage], Awaitable[str]]
BatchStep = Callable[[], Awaitable[list[Say]]]


class Kring:
    """One community bot over one store; the console and the Matrix runner both drive this."""

    def __init__(self, store: Store, settings: Settings, clock: Clock, bot_user_id: str) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.bot_user_id = bot_user_id
        self.texts = Texts(settings.bot.language, settings.proposals.zone, settings.bot.command_prefix)
        self.outbox_ready = asyncio.Event()
        self.schedule_listeners: list[Callable[[], Awaitable[None]]] = []
        self._lock = asyncio.Lock()

    # incoming events
    async def handle(self, event: Event) -> bool:
        """Process one event exactly once; False if its id was seen before."""
        return await self.handle_batch([event]) == 1

    async def handle_batch(
        self,
        events: Iterable[Event],
        state: Mapping[str, str] | None = None,
        *,
        history: bool = False,
        also: BatchStep | None = None,
    ) -> int:
        """Process events in one transaction, storing `state` (e.g. the sync token) with their effects.

        With `history`, messages are only remembered (authors, ideas): commands in a room's past are not
        executed and old reactions are not counted, as on the very first start. `also` runs inside the same
        transaction (the Matrix runner keeps undecryptable events there) and may add messages to send.
        """
        handled = 0
        says: list[Say] = []
        async with self._lock, self.store.transaction():
            for event in events:
                handled += await self._handle_one(event, says, history=history)
            for key, value in (state or {}).items():
                await self.store.events.set_state(key, value)
            if also is not None:
                says.extend(await also())
            await self._enqueue(says)
        await self._after_commit(len(says))
        return handled

    async def _handle_one(self, event: Event, says: list[Say], *, history: bool = False) -> int:
        now = self.clock.now()
        if not await self.store.events.mark_processed(event.event_id, event.room_id, now):
            return 0
        if event.sender == self.bot_user_id:
            return 1
        if history:
            if isinstance(event, Message):
                await self._remember(event, is_command=split_command(event.body, self.prefix) is not None)
            return 1
        if isinstance(event, Message):
            says.extend(await self._on_message(event))
        elif isinstance(event, Reaction):
            await on_reaction(self.store, self.settings.reputation, event, self.bot_user_id)
        elif isinstance(event, Redaction):
            await on_redaction(self.store, event)
        return 1

    async def _enqueue(self, says: list[Say]) -> None:
        now = self.clock.now()
        for say in says:
            await self.store.announcements.enqueue(say, now)

    @property
    def prefix(self) -> str:
        return self.settings.bot.command_prefix

    async def _remember(self, message: Message, *, is_command: bool) -> None:
        """Keep the author (for credits) and, for non-commands, the text (for !ideas)."""
        if message.sender_name:
            await self.store.events.remember_member(message.room_id, message.sender, message.sender_name)
        await self.store.events.add_message(
            message.event_id, message.room_id, message.sender, message.at, message.body, is_idea=not is_command
        )

    async def _on_message(self, message: Message) -> list[Say]:
        parsed = split_command(message.body, self.prefix)
        await self._remember(message, is_command=parsed is not None)
        if parsed is None:
            return []
        word, args = parsed
        ctx = Context(self.store, self.settings, self.texts, message.at, message)
        command = COMMANDS.find(word)
        try:
            async with self.store.savepoint():
                if command is None:
                    raise UserError(self.texts.t("unknown_command", command=self.settings.bot.command_prefix + word))
                return await command.handler(ctx, args)
        except UserError as error:
            return [ctx.reply(error.message)]
        except UsageError as error:
            assert command is not None
            return [ctx.reply(lines([error.problem, command.usage(self.texts)]))]
        except sqlite3.Error:
            raise  # the store itself failed: abort the batch, it is retried
        except Exception:
            log.exception("command %s in %s failed (event %s)", word, message.room_id, message.event_id)
            return [ctx.reply(self.texts.t("internal_error"))]

    # scheduled announcements
    async def fire(self, announcement_id: int, now: datetime | None = None) -> bool:
        """Post a reminder or decision exactly once; False if it was already done or cancelled."""
        moment = now or self.clock.now()
        says: list[Say] = []
        async with self._lock, self.store.transaction():
            claimed = await self.store.announcements.claim(announcement_id, moment)
            if claimed is not None:
                says = await fire_announcement(self.store, self.settings.proposals, self.texts, claimed, moment)
            await self._enqueue(says)
        await self._after_commit(len(says))
        return claimed is not None

    async def due(self, until: datetime) -> list[Announcement]:
        return await self.store.announcements.pending(due_before=until)

    async def fire_due(self) -> int:
        """Fire everything due by now (at start-up this posts what fell due while the bot was down)."""
        fired = 0
        for announcement in await self.due(self.clock.now()):
            fired += await self.fire(announcement.id)
        return fired

    # the outbox
    async def deliver(self, send: Send) -> int:
        """Send unsent outbox messages in order; each is marked sent with its event id after it went out."""
        delivered = 0
        while True:
            batch = await self.store.announcements.unsent()
            if not batch:
                return delivered
            for message in batch:
                event_id = await send(message)
                async with self._lock, self.store.transaction():
                    await self.store.announcements.mark_sent(message, event_id, self.clock.now())
                delivered += 1

    async def _after_commit(self, enqueued: int) -> None:
        if enqueued:
            self.outbox_ready.set()
        if self.store.announcements.schedule_changed:
            self.store.announcements.schedule_changed = False
            for listener in self.schedule_listeners:
                await listener()
