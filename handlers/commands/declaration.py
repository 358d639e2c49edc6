"""Commands declared once: their names, arguments, sub-commands, who may run them and their help (context.py: what
they run with and how they fail).

A declaration (`@command(...)` on a handler) carries everything about a command: the names it answers to (English
and Dutch: both are understood in every room, `!help` shows those of the room's language), its place in `!help`
(`order`), the arguments it takes (parsed, then looked up, before the handler runs; mypy checks the handler's
parameters against them), its sub-commands (`@skills.sub("add", …)`), who may run it, and the catalog keys of its
help (`summary.<name>`, `example.<name>`, `denied.<name>`; its usage line is built from the arguments). The
registry finds every declaration in `handlers`; `CommandSet` finds a command by any of its names, runs it, and
lists the commands in the order `!help` shows them.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, overload

from handlers.commands.context import Context, Role, UsageError, UserError, first_word
from handlers.events import Say
from handlers.parsing import ParseError, shown
from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, user_text
from storage.records import Proposal

T_co = TypeVar("T_co", covariant=True)
A = TypeVar("A")
B = TypeVar("B")
_NEAR_ENOUGH = 0.75  # how alike a typed word and a command name must be for "Did you mean …?" (difflib's ratio)


class Argument(Protocol[T_co]):
    """One argument of a command: its place in the usage line, how it is read, and what it refers to.

    `parse` reads the argument from the front of the remaining text (syntax only: a malformed value raises
    ParseError or UsageError, and the reply shows the usage); `resolve` then looks up what it names (a proposal)
    and may refuse with a UserError; what it returns is what the handler gets. Every argument is parsed before any
    is resolved.
    """

    @property
    def usage_key(self) -> str: ...

    def parse(self, ctx: Context, text: str) -> tuple[object, str]: ...

    async def resolve(self, ctx: Context, parsed: Any) -> T_co: ...


Reply = Awaitable[list[Say]]
Handler = Callable[..., Reply]
NoArguments = Callable[[Context], Reply]
OneArgument = Callable[[Context, A], Reply]
TwoArguments = Callable[[Context, A, B], Reply]


@dataclass(frozen=True)
class _Named:
    """Names in English (`names[0]` keys its help texts) and, keyed by language, in the others."""

    names: tuple[str, ...]
    translated: tuple[tuple[str, tuple[str, ...]], ...]  # (language, names) beside the English ones

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def words(self) -> tuple[str, ...]:
        """Every name it answers to, in any language."""
        return self.names + tuple(word for _, words in self.translated for word in words if word not in self.names)

    def name_in(self, language: str) -> str:
        """The name `!help` shows in a room of `language`."""
        return next((words[0] for code, words in self.translated if code == language), self.name)

    def names_in(self, language: str) -> tuple[str, ...]:
        """Its names in `language`, the one `!help` shows first."""
        return next((words for code, words in self.translated if code == language), self.names)


@dataclass(frozen=True)
class Subcommand(_Named):
    """A word after a command that makes it do something else: `!skills add …`, `!object 3 withdraw`.

    Its word comes after the arguments it shares with its command (its first ones, of the same kinds); its handler
    gets those and its own. A sub-command that takes nothing more is only meant when its word ends the text where
    the command itself would read on (`!object 3 withdraw`, but `!object 3 withdraw it, too late` is a reason).
    """

    handler: Handler
    arguments: tuple[Argument[Any], ...]
    shared: int  # how many of `arguments` come before the word

    def usage_line(self, texts: Texts) -> Rendered:
        parts = [user_text(self.name_in(texts.language))]
        parts += [texts.t(argument.usage_key) for argument in self.arguments[self.shared :]]
        return Rendered.join(Rendered(" ", " "), parts)


@dataclass(frozen=True)
class Command(_Named):
    """One declared command; the commands Kring answers are found by `handlers.commands.registry`."""

    handler: Handler
    order: int  # its place in `!help` and the README: what members do most, first
    arguments: tuple[Argument[Any], ...] = ()
    who: Role = Role.MEMBER
    help_extra: str | None = None  # a catalog key shown under the usage by `!help <name>`
    otherwise: str | None = None  # the problem (catalog key, `{token}`) of a word that is none of its sub-commands
    notes: str = ""  # what the README says of it beyond its summary (English)
    read_only: bool = False  # a look-up that changes nothing: it costs half of a command in a member's budget
    subcommands: list[Subcommand] = field(default_factory=list, compare=False, hash=False)

    def sentence_keys(self) -> list[str]:
        """The catalog keys its help and refusals use; each language must have every one."""
        keys = [f"summary.{self.name}", f"example.{self.name}"]
        keys += [f"denied.{self.name}"] if self.who is not Role.MEMBER else []
        keys += [self.help_extra] if self.help_extra else []
        keys += [self.otherwise] if self.otherwise else []
        forms = [self.arguments, *(sub.arguments for sub in self.subcommands)]
        return keys + [argument.usage_key for arguments in forms for argument in arguments]

    def usage_line(self, texts: Texts) -> Rendered:
        """`!backme <id> [€<money>] [<n>h] [note]`, built from the arguments; `!skills [add <talent>, … | …]`."""
        parts = [texts.t("help.command", command=self.name_in(texts.language))]
        parts += [texts.t(argument.usage_key) for argument in self.arguments]
        if self.subcommands and not self.arguments:  # otherwise its help text tells of them
            forms = Rendered.join(Rendered(" | ", " | "), [sub.usage_line(texts) for sub in self.subcommands])
            parts.append(Rendered("[", "[") + forms + Rendered("]", "]"))
        return Rendered.join(Rendered(" ", " "), parts)

    def usage(self, texts: Texts) -> Rendered:
        return texts.t("usage", usage=self.usage_line(texts), example=texts.t(f"example.{self.name}"))

    @overload
    def sub(
        self, *names: str, args: tuple[()] = ..., **translated: tuple[str, ...]
    ) -> Callable[[NoArguments], Subcommand]: ...

    @overload
    def sub(
        self, *names: str, args: tuple[Argument[A]], **translated: tuple[str, ...]
    ) -> Callable[[OneArgument[A]], Subcommand]: ...

    @overload
    def sub(
        self, *names: str, args: tuple[Argument[A], Argument[B]], **translated: tuple[str, ...]
    ) -> Callable[[TwoArguments[A, B]], Subcommand]: ...

    def sub(
        self, *names: str, args: tuple[Argument[Any], ...] = (), **translated: tuple[str, ...]
    ) -> Callable[[Handler], Subcommand]:
        """Declare a sub-command above its handler: `@skills.sub("add", nl=("toevoegen",), args=(Talents(),))`."""
        shared = 0
        while shared < min(len(args), len(self.arguments)) and type(args[shared]) is type(self.arguments[shared]):
            shared += 1

        def declare(handler: Handler) -> Subcommand:
            declared = Subcommand(tuple(names), tuple(translated.items()), handler, tuple(args), shared)
            self.subcommands.append(declared)
            return declared

        return declare

    def _subcommand_at(self, place: int, text: str) -> Subcommand | None:
        word, rest = first_word(text)
        for declared in self.subcommands:
            if declared.shared != place or word.casefold() not in declared.words:
                continue
            reads_on = len(declared.arguments) == place and len(self.arguments) > place
            if not (reads_on and rest):
                return declared
        return None

    def parse(self, ctx: Context, text: str) -> tuple[Subcommand | None, list[object]]:
        """The sub-command asked for (None: the command itself) and the parsed values of its arguments."""
        parsed: list[object] = []
        try:
            for place in range(len(self.arguments) + 1):
                found = self._subcommand_at(place, text) if self.subcommands else None
                if found is not None:
                    text = first_word(text)[1]
                    for argument in found.arguments[place:]:
                        value, text = argument.parse(ctx, text)
                        parsed.append(value)
                    return found, parsed
                if place < len(self.arguments):
                    value, text = self.arguments[place].parse(ctx, text)
                    parsed.append(value)
        except ParseError as error:
            raise ctx.parse_error(error) from None
        if self.otherwise is not None and text.strip():
            raise UsageError(ctx.texts.t(self.otherwise, token=shown(first_word(text)[0])))
        return None, parsed

    async def run(self, ctx: Context, text: str) -> list[Say]:
        try:
            if self.who is Role.MODERATOR and not ctx.is_moderator:
                raise UserError(ctx.texts.t(f"denied.{self.name}", level=ctx.settings.proposals.moderator_power_level))
            found, parsed = self.parse(ctx, text)
            arguments = self.arguments if found is None else found.arguments
            values = [await arg.resolve(ctx, value) for arg, value in zip(arguments, parsed, strict=True)]
            if self.who is Role.PROPOSER_OR_MODERATOR or (
                self.who is Role.PROPOSER_MODERATOR_OR_TREASURER and not ctx.is_treasurer
            ):
                await self._check_proposer_or_moderator(ctx, values)
            handler = self.handler if found is None else found.handler
            return await handler(ctx, *values)
        except UsageError as error:
            error.command = error.command or self
            raise

    async def _check_proposer_or_moderator(self, ctx: Context, values: Sequence[object]) -> None:
        proposal = next(value for value in values if isinstance(value, Proposal))
        if proposal.proposer != ctx.sender and not ctx.is_moderator:
            proposer = await ctx.who(proposal.proposer)
            raise UserError(ctx.texts.t(f"denied.{self.name}", proposer=proposer, number=proposal.number))


@overload
def command(
    *names: str,
    order: int,
    args: tuple[()] = ...,
    who: Role = ...,
    help_extra: str | None = ...,
    otherwise: str | None = ...,
    notes: str = ...,
    read_only: bool = ...,
    **translated: tuple[str, ...],
) -> Callable[[NoArguments], Command]: ...


@overload
def command(
    *names: str,
    order: int,
    args: tuple[Argument[A]],
    who: Role = ...,
    help_extra: str | None = ...,
    otherwise: str | None = ...,
    notes: str = ...,
    read_only: bool = ...,
    **translated: tuple[str, ...],
) -> Callable[[OneArgument[A]], Command]: ...


@overload
def command(
    *names: str,
    order: int,
    args: tuple[Argument[A], Argument[B]],
    who: Role = ...,
    help_extra: str | None = ...,
    otherwise: str | None = ...,
    notes: str = ...,
    read_only: bool = ...,
    **translated: tuple[str, ...],
) -> Callable[[TwoArguments[A, B]], Command]: ...


def command(
    *names: str,
    order: int,
    args: tuple[Argument[Any], ...] = (),
    who: Role = Role.MEMBER,
    help_extra: str | None = None,
    otherwise: str | None = None,
    notes: str = "",
    read_only: bool = False,
    **translated: tuple[str, ...],
) -> Callable[[Handler], Command]:
    """Declare a command above its handler: `@command("backme", "back", nl=("steun",), order=50, args=(...))`.

    The names after the English ones are keyed by language (`nl=`, `de=`, …): understood in every room, and the
    first of them is what `!help` shows in a room of that language. `order` places it in `!help` and the README
    (pick a free number between its neighbours). The handler gets what each argument resolves to, in order; mypy
    checks that against its parameters. Its sentences are `summary.<name>` and `example.<name>` (and
    `denied.<name>` unless every member may run it); `tests/unit/commands/test_declarations.py` says what is missing.
    `read_only`: a look-up that changes nothing (it costs half in a member's budget, `handlers.commands.volume`).
    """

    def declare(handler: Handler) -> Command:
        return Command(
            tuple(names),
            tuple(translated.items()),
            handler,
            order,
            tuple(args),
            who,
            help_extra,
            otherwise,
            notes,
            read_only,
        )

    return declare


@dataclass(frozen=True)
class CommandSet:
    """The commands Kring answers, in the order `!help` lists them."""

    commands: tuple[Command, ...]
    _by_word: dict[str, Command] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "commands", tuple(sorted(self.commands, key=lambda declared: declared.order)))
        orders = [declared.order for declared in self.commands]
        if len(set(orders)) != len(orders):
            raise RuntimeError(f"two commands share an order in {orders}")
        by_word: dict[str, Command] = {}
        for declared in self.commands:
            for word in declared.words:
                if word in by_word:
                    raise RuntimeError(f"command word {word!r} declared twice")
                by_word[word] = declared
        object.__setattr__(self, "_by_word", by_word)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def find(self, word: str) -> Command | None:
        return self._by_word.get(word.lower())

    def __contains__(self, word: object) -> bool:
        """Whether a command answers to `word` (lower case)."""
        return word in self._by_word

    def words(self) -> list[str]:
        """Every name any command answers to."""
        return sorted(self._by_word)

    def nearest(self, word: str) -> str | None:
        """The command word closest to a mistyped `word` (`steunen` → `steun`), if one is near enough."""
        close = difflib.get_close_matches(word.lower(), self.words(), n=1, cutoff=_NEAR_ENOUGH)
        return close[0] if close else None

    async def run(self, ctx: Context, word: str, text: str) -> list[Say]:
        declared = self.find(word)
        if declared is None:
            typed = shown(ctx.texts.prefix + word)
            nearest = self.nearest(word)
            if nearest:
                suggestion = ctx.texts.prefix + nearest
                raise UserError(ctx.texts.t("unknown_command.suggest", command=typed, suggestion=suggestion))
            raise UserError(ctx.texts.t("unknown_command", command=typed))
        return await declared.run(ctx, text)


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters some keyboards and editors put in front


def without_leading_blanks(text: str) -> str:
    """`text` from its first visible character: white space of any kind (no-break too) and zero-width ones go."""
    start = 0
    while start < len(text) and (text[start].isspace() or text[start] in _INVISIBLE):
        start += 1
    return text[start:]


def split_command(body: str, prefix: str, known: Container[str] = ()) -> tuple[str, str] | None:
    """`!Backme 3 €5` -> ('backme', '3 €5'); None if the text is not a command.

    White space before the prefix is allowed (` !backme 3`, a no-break space too), and so is a space after it
    (which phone keyboards add) before a `known` command word: `! steun 3`.
    """
    body = without_leading_blanks(body)
    if not body.startswith(prefix):
        return None
    rest = body[len(prefix) :]
    if not rest or rest[0].isspace():
        spaced = rest.lstrip(" ")
        if spaced == rest or not spaced or spaced[0].isspace() or spaced.split(None, 1)[0].lower() not in known:
            return None
        rest = spaced
    word = rest.split(None, 1)[0]
    return word.lower(), rest[len(word) :].strip()
