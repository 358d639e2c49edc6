"""Commands declared once (name, aliases, usage), the context they run in, and the two user-facing errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from handlers.events import Message, Say, SayKind
from handlers.messages import Texts
from handlers.parsing import ParseError
from handlers.text import Rendered
from storage.store import Store


class UserError(Exception):
    """Something the user asked cannot be done; the message says why. Nothing is changed."""

    def __init__(self, message: Rendered) -> None:
        super().__init__(message.plain)
        self.message = message


class UsageError(Exception):
    """The command was malformed; the reply names the problem and shows the command's usage."""

    def __init__(self, problem: Rendered) -> None:
        super().__init__(problem.plain)
        self.problem = problem


@dataclass
class Context:
    """What a command handler may use: the store (inside the event's transaction), settings, texts, time."""

    store: Store
    settings: Settings
    texts: Texts
    now: datetime
    message: Message

    @property
    def room_id(self) -> str:
        return self.message.room_id

    @property
    def sender(self) -> str:
        return self.message.sender

    @property
    def is_moderator(self) -> bool:
        return self.message.sender_power >= self.settings.proposals.moderator_power_level

    def reply(self, text: Rendered, *, mentions: tuple[str, ...] = (), proposal_id: int | None = None) -> Say:
        return Say(
            room_id=self.room_id,
            text=text,
            kind=SayKind.REPLY,
            reply_to=self.message.event_id,
            proposal_id=proposal_id,
            mentions=mentions,
        )

    def announce(self, text: Rendered, *, mentions: tuple[str, ...] = (), proposal_id: int | None = None) -> Say:
        return Say(room_id=self.room_id, text=text, kind=SayKind.ANNOUNCE, proposal_id=proposal_id, mentions=mentions)

    def parse_error(self, error: ParseError) -> UsageError:
        params = {key: value for key, value in error.params.items() if isinstance(value, str | int)}
        key = f"err.{error.code}"
        if not self.texts.has(key):
            key = "err.unknown_token"
        return UsageError(self.texts.t(key, token=error.token, **params))


CommandHandler = Callable[[Context, str], Awaitable[list[Say]]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: CommandHandler
    aliases: tuple[str, ...] = ()

    def usage(self, texts: Texts) -> Rendered:
        return texts.t("usage", usage=texts.t(f"usage.{self.name}"), example=texts.t(f"example.{self.name}"))


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._by_word: dict[str, Command] = {}

    def command(self, name: str, *aliases: str) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            declared = Command(name, handler, aliases)
            self._commands[name] = declared
            for word in (name, *aliases):
                if word in self._by_word:
                    raise RuntimeError(f"command word {word!r} declared twice")
                self._by_word[word] = declared
            return handler

        return register

    def find(self, word: str) -> Command | None:
        return self._by_word.get(word.lower())

    def all(self) -> list[Command]:
        return list(self._commands.values())


COMMANDS = CommandRegistry()


def split_command(body: str, prefix: str) -> tuple[str, str] | None:
    """`!Backme 3 €5` -> ('backme', '3 €5'); None if the text is not a command."""
    if not body.startswith(prefix):
        return None
    rest = body[len(prefix) :]
    if not rest or rest[0].isspace():
        return None
    word = rest.split(None, 1)[0]
    return word.lower(), rest[len(word) :].strip()
