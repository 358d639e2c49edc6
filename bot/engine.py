"""The Kring engine: typed event in, handler decides, effects + event id + replies committed in one transaction."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.made_when_sent import MadeWhenSent
from handlers.commands.context import CommandError, Context
from handlers.commands.declaration import CommandSet, split_command
from handlers.commands.misplaced import hint, misplaced_commands
from handlers.commands.registry import COMMANDS
from handlers.commands.volume import held_back
from handlers.digest import due_digests, fire_digest, next_moment
from handlers.events import Event, Joined, Message, Reaction, Redaction, Say
from handlers.members.own_data import already_forgotten, asks_to_forget, clear_old_texts
from handlers.payments.importing import Imported, import_statement
from handlers.payments.reminders import remind_unpaid
from handlers.proposals.confirmations import confirm_by_reaction, is_confirmation
from handlers.proposals.decisions import fire_announcement
from handlers.reputation.reactions import CreditBook, facts_wanted
from handlers.reputation.standing import Refusal, answers, tell_each_once, tellings
from handlers.wording.catalog import Texts
from handlers.wording.room_language import room_texts, texts_for_choice
from storage.queries.intake import CreditFacts, Effects
from storage.queries.outbox import OutboxQueries, tell_each_once_in
from storage.records import Announcement, AnnouncementKind, BankLine, OutboxMessage
from storage.store import Store

log = logging.getLogger(__name__)
UNPAID_CHECK = timedelta(minutes=5)  # how often unpaid payment requests are looked for

# Sends one queued message; its event id, or None when it can never be sent (it is then dropped, not retried);
# MessageRefused when the homeserver refused this one message (it waits, and the others go ahead).
Send = Callable[[OutboxMessage], Awaitable[str | None]]


# SQLite's answers to a statement that asks too much (what a member's input can cause), not to a failing store.
_STATEMENT_LIMITS = ("too many sql variables", "too big", "too large", "stack overflow", "too many terms")


def _put_in_place(says: list[Say], refused: list[Noted], answers: list[Say | None]) -> None:
    """Each answer to a refused reaction goes where its refusal was noted among `says` (None: nothing to say)."""
    for (position, _, _), answer in reversed(list(zip(refused, answers, strict=True))):
        if answer is not None:
            says.insert(position, answer)


def _beyond_statement_limits(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.DataError) or any(words in str(error).lower() for words in _STATEMENT_LIMITS)


class MessageRefused(Exception):
    """The homeserver refused this one message with an error Kring does not know: it is tried again later (and
    parked after a few tries) while the other messages go out."""


BatchStep = Callable[[], Awaitable[list[Say]]]
Noted = tuple[int, Refusal, datetime]  # where the answer goes among a batch's replies, the refusal, its moment


@dataclass
class _Batch:
    """One batch on its way: the new events, what the rules know of the store, and what is said."""

    fresh: list[Event]
    history: bool
    book: CreditBook = field(init=False)
    forgotten: set[str] = field(default_factory=set)
    generation: int = -1  # the privacy generation `book` and `forgotten` were read at
    says: list[Say] = field(default_factory=list)  # not queued yet
    queued: list[Say] = field(default_factory=list)
    refused: list[Noted] = field(default_factory=list)  # refused reactions whose members may not have heard yet

    def stale(self, generation: int) -> bool:
        return generation != self.generation

    def from_event(self, index: int) -> _Batch:
        """The batch from its `index`th new event on, to read the facts for again; what is said stays."""
        return _Batch(self.fresh[index:], self.history, says=self.says, queued=self.queued, refused=self.refused)


class Kring:
    """One community bot over one store; the console and the Matrix runner both drive this."""

    def __init__(
        self, store: Store, settings: Settings, clock: Clock, bot_user_id: str, commands: CommandSet = COMMANDS
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.bot_user_id = bot_user_id
        self.commands = commands
        self.outbox_ready = asyncio.Event()
        self.made_when_sent = MadeWhenSent(self)  # what the outbox senders ask for private messages, as they send
        self._texts_cleared_on: date | None = None  # the UTC day old message text was last cleared
        self._unpaid_checked: datetime | None = None  # when unpaid payment requests were last looked for
        # Told each command's English name and outcome (ok, refused, held_back, failed), and each decision posted:
        # the Matrix runner counts them for its metrics.
        self.on_command: Callable[[str, str], None] | None = None
        self.on_decision: Callable[[], None] | None = None

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

        Reactions, redactions and chat cost a fixed number of round trips to the database per batch: the
        credit rules run in memory over facts read once, and their effects are written together before each
        command (so it sees everything before it) and at the end. What the store's queries keep in memory
        follows the transaction (`Database.on_commit`, `on_rollback`): a batch that fails leaves it as it was.
        """
        events = list(events)
        async with self.store.transaction():
            is_new = await self.store.intake.claim_new([(e.event_id, e.room_id) for e in events], self.clock.now())
            fresh = [e for e, new in zip(events, is_new, strict=True) if new and e.sender != self.bot_user_id]
            batch = await self._read_facts(_Batch(fresh, history))
            for index, event in enumerate(fresh):
                if batch.stale(self.store.member_data.generation):
                    await self.store.intake.write(batch.book.take_effects())
                    batch = await self._read_facts(batch.from_event(index))
                await self._handle_event(batch, event)
            await self._store_with_batch(batch, state, also)
        self._after_commit(batch.queued + batch.says)
        if self.store.member_data.scrub_due:
            await self.store.member_data.scrub()  # a member was forgotten: the old bytes leave the WAL too
        return sum(is_new)

    async def _read_facts(self, batch: _Batch) -> _Batch:
        """What the rules must know before the batch's events from here on: the credit facts, who is forgotten.

        Read again when a command opts someone out or in, or forgets them: what was read is stale then (a
        forgotten member's messages now belong to a pseudonym)."""
        batch.generation = self.store.member_data.generation
        batch.book = await self._credit_book([] if batch.history else batch.fresh)
        batch.forgotten = await self.store.member_data.forgotten_among({e.sender for e in batch.fresh})
        return batch

    async def _handle_event(self, batch: _Batch, event: Event) -> None:
        """One new event, in its place in the batch."""
        if event.sender in batch.forgotten:  # neither remembered nor named; only !forgetme gets an answer
            if isinstance(event, Message) and not batch.history and asks_to_forget(event, self.prefix):
                batch.says.append(already_forgotten(await self.texts_for(event.room_id), event))
            return
        if isinstance(event, Joined):
            batch.book.on_join(event)  # also from history: how long a member has been in the room
        elif isinstance(event, Message):
            await self._on_message(batch, event)
        elif batch.history:
            return
        elif isinstance(event, Reaction):
            await self._on_reaction(batch, event)
        elif isinstance(event, Redaction):
            batch.book.on_redaction(event)

    async def _on_message(self, batch: _Batch, message: Message) -> None:
        command = split_command(message.body, self.prefix, self.commands)
        batch.book.remember(message, is_idea=command is None)
        if batch.history:
            return
        if command is None:
            if misplaced := misplaced_commands(message.body, self.prefix, self.commands):
                batch.says += await self._hint_misplaced(message, misplaced)
            return
        # What is said before a command (refusals told in their places) is queued first, in the round trip that
        # opens its savepoint: a forgetting scrubs it like the rest.
        said, refused = batch.says, batch.refused
        batch.refused = []
        batch.says = await self._run_command(
            message, *command, before=batch.book.take_effects(), queue=said, refused=refused
        )
        batch.queued += said

    async def _on_reaction(self, batch: _Batch, reaction: Reaction) -> None:
        batch.book.on_reaction(reaction)
        batch.refused += [(len(batch.says), refusal, reaction.at) for refusal in batch.book.take_refusals()]
        if is_confirmation(reaction.key):
            batch.says += await self._confirm_by_reaction(reaction, before=batch.book.take_effects())

    async def _tell_refusals(self, batch: _Batch) -> None:
        """Put the answers to refused reactions whose members had not heard yet where each was noted among the
        batch's replies; all settled in one round trip, after writing what the batch changed so far (so a member
        who spoke in this batch is named as they spoke)."""
        if not batch.refused:
            return
        effects = batch.book.take_effects()
        told = await tell_each_once(
            self.store,
            self._texts_in,
            self.settings.reputation,
            [(refusal, at) for _, refusal, at in batch.refused],
            first=self.store.intake.writer(effects) if effects else None,
        )
        _put_in_place(batch.says, batch.refused, told)
        batch.refused = []

    async def _store_with_batch(self, batch: _Batch, state: Mapping[str, str] | None, also: BatchStep | None) -> None:
        """The end of the batch's transaction: the refusals not told yet, the rules' last effects, `state`, the
        `also` step, the replies."""
        await self._tell_refusals(batch)  # with the effects so far, so a refused member is named as they spoke
        # One round trip: the rules' last effects and `state`, before `also` (which may name members of this batch).
        write_effects = self.store.intake.writer(batch.book.take_effects())
        write_state = self.store.key_values.writer(state or {})

        def last(conn: sqlite3.Connection) -> None:
            write_effects(conn)
            write_state(conn)

        await self.store.db.run(last)
        if also is not None:
            batch.says += await also()
        await self._enqueue(batch.says)

    async def _credit_book(self, events: list[Event]) -> CreditBook:
        wanted = facts_wanted(events, self.settings.reputation)
        if not wanted.any:
            return CreditBook(CreditFacts.empty(), self.settings.reputation, self.bot_user_id)
        facts = await self.store.intake.credit_facts(wanted)
        opted_out = await self.store.member_data.opted_out()
        return CreditBook(facts, self.settings.reputation, self.bot_user_id, opted_out)

    async def clear_old_texts(self) -> int | None:
        """The daily erasure of old message text (`[privacy] keep_message_text_days`), at most once per UTC day;
        the number of messages cleared, or None when today's was done."""
        now = self.clock.now()
        if self._texts_cleared_on == now.astimezone(UTC).date():
            return None  # known without asking the database: the sync loop calls this after every batch
        async with self.store.transaction():
            cleared = await clear_old_texts(self.store, self.settings, now)
        self._texts_cleared_on = now.astimezone(UTC).date()
        if cleared:
            await self.store.member_data.scrub()
            log.info(
                "erased the text of %d messages older than %d days",
                cleared,
                self.settings.privacy.keep_message_text_days,
            )
        return cleared

    async def _enqueue(self, says: list[Say]) -> None:
        if says:
            await self.store.outbox.enqueue([say.outgoing() for say in says], self.clock.now())

    async def texts_for(self, room_id: str) -> Texts:
        """The sentences of a room, in the language it speaks."""
        return await room_texts(self.store, self.settings, room_id)

    def _texts_in(self, chosen: str | None) -> Texts:
        """The sentences in the language a room chose (None: the configured one)."""
        return texts_for_choice(self.settings, chosen)

    @property
    def prefix(self) -> str:
        return self.settings.bot.command_prefix

    async def _run_command(
        self, message: Message, word: str, text: str, *, before: Effects, queue: list[Say], refused: list[Noted]
    ) -> list[Say]:
        """Run one command in a savepoint, after writing `before` (what the events before it changed) and queueing
        `queue` (what was said before it, with the answers to `refused` put in their places)."""
        outcome = "failed"
        try:
            says, outcome = await self._command_outcome(
                message, word, text, before=before, queue=queue, refused=refused
            )
            return says
        finally:
            if self.on_command is not None:
                declared = self.commands.find(word)
                self.on_command(declared.names[0] if declared is not None else "unknown", outcome)

    async def _command_outcome(
        self, message: Message, word: str, text: str, *, before: Effects, queue: list[Say], refused: list[Noted]
    ) -> tuple[list[Say], str]:
        write_before = self.store.intake.writer(before)
        now = self.clock.now()

        def first(conn: sqlite3.Connection) -> None:
            # Sent with the command's first statement: what the events before the command changed (the names
            # first: a refusal names its member as they spoke), the refusals not told yet, what was said before it.
            write_before(conn)
            if refused:
                noted = [(refusal, at) for _, refusal, at in refused]
                found = tell_each_once_in(conn, tellings(noted))
                _put_in_place(queue, refused, answers(found, self._texts_in, self.settings.reputation, noted))
            OutboxQueries.enqueuer([say.outgoing() for say in queue], now)(conn)

        ctx: Context | None = None
        try:
            async with self.store.savepoint(first=first):
                texts = await self.texts_for(message.room_id)  # a `!language` earlier in the batch is seen
                ctx = Context(self.store, self.settings, texts, message.at, message, self.commands)
                declared = self.commands.find(word)
                instead = await held_back(ctx, read_only=declared is not None and declared.read_only)
                if instead is not None:
                    return instead, "held_back"
                return await self.commands.run(ctx, word, text), "ok"
        except Exception as error:
            if ctx is None or self.store.db.opening_failed:
                raise  # writing the events before the command failed: abort the batch rather than lose them
            return self._command_failure(ctx, word, message, error)

    @staticmethod
    def _command_failure(ctx: Context, word: str, message: Message, error: Exception) -> tuple[list[Say], str]:
        """What a command that failed on its own says: why it refused, or that something went wrong."""
        if isinstance(error, CommandError):
            return [ctx.reply(error.reply_text(ctx.texts))], "refused"
        if isinstance(error, sqlite3.Error) and not _beyond_statement_limits(error):
            raise error  # the store itself failed: abort the batch, it is retried
        # A bug, or its own too-big query: it fails alone.
        log.exception("command %s in %s failed (event %s)", word, message.room_id, message.event_id, exc_info=error)
        return [ctx.reply(ctx.texts.t("internal_error"))], "failed"

    async def _hint_misplaced(self, message: Message, candidates: list[str]) -> list[Say]:
        """A command later in a sentence is not run: the member hears how to give it (see `misplaced.hint`)."""
        texts = await self.texts_for(message.room_id)
        try:
            return await hint(Context(self.store, self.settings, texts, message.at, message, self.commands), candidates)
        except sqlite3.Error:
            raise  # the store itself failed: abort the batch, it is retried
        except Exception:  # a hint is a courtesy: the message is still remembered as it was
            log.exception("looking for a command in message %s failed", message.event_id)
            return []

    async def _confirm_by_reaction(self, reaction: Reaction, *, before: Effects) -> list[Say]:
        """A ✅ by the proposer or a moderator on Kring's reply to a delivery confirms it; any other ✅ is a
        plain reaction."""
        try:
            async with self.store.savepoint(first=self.store.intake.writer(before)):
                return await confirm_by_reaction(self.store, self.settings, reaction)
        except sqlite3.Error:
            raise  # the store itself failed: abort the batch, it is retried
        except Exception:
            if self.store.db.opening_failed:
                raise  # the events before it could not be written: abort the batch rather than lose them
            log.exception("confirming by reaction %s failed; it counts as a plain reaction", reaction.event_id)
            return []

    # scheduled announcements
    async def fire(self, announcement_id: int, now: datetime | None = None, *, late: bool = False) -> bool:
        """Post a reminder or decision exactly once; False if it was already done or cancelled.

        `late`: it fell due while the bot was offline; a decision then says it is announced late.
        """
        moment = now or self.clock.now()
        says: list[Say] = []
        async with self.store.transaction():
            claimed = await self.store.schedule.claim(announcement_id, moment)
            if claimed is not None:
                says = await fire_announcement(self.store, self.settings, claimed, moment, late=late)
            await self._enqueue(says)
        self._after_commit(says)
        if says and claimed is not None and claimed.kind is AnnouncementKind.DEADLINE and self.on_decision is not None:
            self.on_decision()
        return claimed is not None

    # bank statements
    async def take_statement(self, account_iban: str, lines: list[BankLine]) -> Imported:
        """Import a statement's lines in one transaction, the thread messages of what arrived queued with them;
        ImportRefused (nothing written) when it is not the association's or names an unknown reference."""
        async with self.store.transaction():
            imported = await import_statement(self.store, self.settings, account_iban, lines, self.clock.now())
            await self._enqueue(imported.says)
        self._after_commit(imported.says)
        return imported

    async def remind_unpaid(self) -> None:
        """Payment requests unpaid after `[money] request_reminder_days`: one reminder each, in the direct room.
        Called after every sync batch: the database is asked at most every few minutes."""
        now = self.clock.now()
        if self.settings.money is None or (self._unpaid_checked and now - self._unpaid_checked < UNPAID_CHECK):
            return
        async with self.store.transaction():
            says = await remind_unpaid(self.store, self.settings, now)
            await self._enqueue(says)
        self._unpaid_checked = now
        self._after_commit(says)

    async def say_now(self, says: list[Say]) -> None:
        """Queue messages that answer no event of a served room (a treasurer's file in a direct room)."""
        async with self.store.transaction():
            await self._enqueue(says)
        self._after_commit(says)

    async def due(self, until: datetime) -> list[Announcement]:
        return await self.store.schedule.pending(due_before=until)

    async def fire_due(self, *, late: bool = False) -> int:
        """Fire everything due by now; at start-up (`late`) this posts what fell due while the bot was down."""
        fired = 0
        for announcement in await self.due(self.clock.now()):
            fired += await self.fire(announcement.id, late=late)
        return fired

    # the weekly digest
    async def digests_due(self, until: datetime) -> list[tuple[str, datetime]]:
        """The rooms whose weekly digest fell due by `until` and was not claimed yet, with its moment."""
        async with self.store.transaction():
            return await due_digests(self.store, self.settings, until)

    def next_digest_at(self, now: datetime) -> datetime:
        return next_moment(self.settings.digest, self.settings.proposals.zone, now)

    async def fire_digest(self, room_id: str, due_at: datetime, *, late: bool = False) -> bool:
        """Post a room's weekly digest at most once (nothing when the week was empty); False if it was claimed."""
        says: list[Say] = []
        async with self.store.transaction():
            says = await fire_digest(self.store, self.settings, room_id, due_at, self.clock.now(), late=late)
            await self._enqueue(says)
        self._after_commit(says)
        return bool(says)

    async def fire_due_digests(self, *, online_since: datetime | None = None) -> int:
        """Post every digest due by now; one due before `online_since` (the bot was down) says it is late."""
        fired = 0
        for room_id, due_at in await self.digests_due(self.clock.now()):
            late = online_since is not None and due_at < online_since
            fired += await self.fire_digest(room_id, due_at, late=late)
        return fired

    # the outbox
    async def deliver(self, send: Send) -> int:
        """Send pending outbox messages, decisions first, then reminders, then replies, each group in order; each
        is marked sent with its event id once it went out, or dropped when it never can.

        The next message is chosen after each send: a decision that falls due while replies are queued (or while
        the homeserver holds the bot back with 429s) goes out next, not after them.
        """
        delivered = 0
        while next_up := await self.store.outbox.pending(limit=1, now=self.clock.now()):
            queued = next_up[0]
            try:
                event_id = await send(queued)
            except MessageRefused as refused:  # this one waits (or is parked); the others go ahead
                async with self.store.transaction():
                    parked = await self.store.outbox.refused(queued, str(refused), self.clock.now())
                if parked:
                    log.error(
                        "outbox message %d in %s keeps being refused (%s); parked",
                        queued.id,
                        queued.message.room_id,
                        refused,
                    )
                else:
                    log.warning("outbox message %d refused (%s); it is tried again later", queued.id, refused)
                continue
            async with self.store.transaction():
                if event_id is None:
                    await self.store.outbox.mark_dropped(queued)
                else:
                    await self.store.outbox.mark_sent(queued, event_id, self.clock.now())
            delivered += 1
        return delivered

    def _after_commit(self, says: list[Say]) -> None:
        if says:
            self.outbox_ready.set()
