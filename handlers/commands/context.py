"""What a command runs with and how it fails: its `Context` (store, settings, texts, time, the message), who may run
it (`Role`), and the two kinds of user-facing error (`UserError`: what was wrong; `UsageError`: with the usage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from handlers.events import Message, Say
from handlers.parsing import ParseError, Problem
from handlers.settings import CommunitySettings
from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, lines, mention
from storage.records import MessageKind, Priority
from storage.store import Store

if TYPE_CHECKING:
    from handlers.commands.declaration import Command, CommandSet


def first_word(text: str) -> tuple[str, str]:
    """The first word of `text` and the rest, split at any white space (a line break too)."""
    parts = text.split(None, 1)
    return (parts[0], parts[1].strip() if len(parts) > 1 else "") if parts else ("", "")


class CommandError(Exception):
    """A command that cannot run as asked; its reply says why. Nothing is changed."""

    def reply_text(self, texts: Texts) -> Rendered:
        raise NotImplementedError


class UserError(CommandError):
    """Something the user asked cannot be done; the message says why."""

    def __init__(self, message: Rendered) -> None:
        super().__init__(message.plain)
        self.message = message

    def reply_text(self, texts: Texts) -> Rendered:
        return self.message


class UsageError(CommandError):
    """The command was malformed; the reply names the problem and shows the command's usage."""

    def __init__(self, problem: Rendered, command: Command | None = None, suggestion: str | None = None) -> None:
        super().__init__(problem.plain)
        self.problem = problem
        self.command = command
        self.suggestion = suggestion  # the arguments as they were probably meant: `1 €50` for `€50 1`

    def reply_text(self, texts: Texts) -> Rendered:
        if self.command is None:
            return self.problem
        parts = [self.problem]
        if self.suggestion is not None:
            meant = f"{texts.prefix}{self.command.name_in(texts.language)} {self.suggestion}"
            parts.append(texts.t("did_you_mean", suggestion=meant))
        return lines([*parts, self.command.usage(texts)])


class Role(Enum):
    """Who may run a command."""

    MEMBER = "member"
    PROPOSER_OR_MODERATOR = "proposer or moderator"  # of the proposal the command names
    PROPOSER_MODERATOR_OR_TREASURER = "proposer, moderator or treasurer"  # the handler limits what a treasurer does
    MODERATOR = "moderator"


@dataclass
class Context:
    """What a command handler may use: the store (inside the event's transaction), settings, texts, time."""

    store: Store
    settings: CommunitySettings
    texts: Texts
    now: datetime
    message: Message
    commands: CommandSet

    @property
    def room_id(self) -> str:
        return self.message.room_id

    @property
    def sender(self) -> str:
        return self.message.sender

    @property
    def is_moderator(self) -> bool:
        return self.message.sender_power >= self.settings.proposals.moderator_power_level

    @property
    def is_treasurer(self) -> bool:
        """Named in `[money] treasurers`, or, when none is named, a moderator; nobody without `[money]`."""
        money = self.settings.money
        if money is None:
            return False
        return self.sender in money.treasurers if money.treasurers else self.is_moderator

    def reply(self, text: Rendered, *, mentions: tuple[str, ...] = (), proposal_id: int | None = None) -> Say:
        """An answer to the command: a Matrix reply to it, in its thread when it was sent in one."""
        return Say(
            room_id=self.room_id,
            text=text,
            kind=MessageKind.REPLY,
            reply_to=self.message.event_id,
            proposal_id=proposal_id,
            mentions=mentions,
            thread_root=self.message.thread_root,
        )

    def announce(
        self,
        text: Rendered,
        *,
        mentions: tuple[str, ...] = (),
        proposal_id: int | None = None,
        priority: Priority = Priority.CHATTER,
    ) -> Say:
        """A top-level message about a proposal; cancellations and closing reports go out as decisions do."""
        return Say(
            room_id=self.room_id,
            text=text,
            kind=MessageKind.ANNOUNCE,
            proposal_id=proposal_id,
            mentions=mentions,
            priority=priority,
        )

    def parse_error(self, error: ParseError) -> UsageError:
        params = {key: value for key, value in error.params.items() if isinstance(value, str | int)}
        key = f"err.{error.code}"  # every Problem has its sentence: tests/unit/commands/test_parse_problems.py
        if error.code is Problem.BAD_NEED_ID and not error.token:  # `!solved` alone: nothing to call a bad number
            return UsageError(self.texts.t("err.missing_need_number"))
        if self.texts.is_plural(key):  # counted by its one number, e.g. "more than 1 day away"; a title by its length
            count = params.get("length", next(value for value in params.values() if isinstance(value, int)))
            assert isinstance(count, int)
            return UsageError(self.texts.tn(key, count, token=error.token, **params))
        return UsageError(self.texts.t(key, token=error.token, **params))

    async def who(self, user_id: str) -> Rendered:
        """A member as a mention with their display name."""
        names = await self.store.members.display_names(self.room_id, [user_id])
        return mention(user_id, names.get(user_id, user_id))
