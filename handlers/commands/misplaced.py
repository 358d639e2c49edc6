"""Commands not at the start of a message: a complete one later in a sentence gets a one-line hint, and is not run."""

from __future__ import annotations

import re

from handlers.commands.context import CommandError, Context
from handlers.commands.declaration import CommandSet, split_command
from handlers.commands.volume import MAX_COMMAND_BYTES
from handlers.events import Say
from handlers.parsing import shown

MISPLACED = "misplaced_command"  # noted with the moment the member was last told
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LOOK_AHEAD = 64  # characters read to tell a command word with something after it: a long line is read once
_AT_MOST = 3  # places looked at in one message


def misplaced_commands(body: str, prefix: str, known: CommandSet) -> list[str]:
    """The places in a message that read like a command that changes something, with something after its word
    (`!steun 1 €100`; not a mere mention like `zie !help` or `zie !hulp steun`), outside quoted lines (`> …`) and
    code; each as written, to the end of its line.

    Only the words and their arguments' text are looked at here: whether they parse is for `hint`.
    """
    if prefix not in body or len(body.encode()) > MAX_COMMAND_BYTES:  # most messages: nothing to look at
        return []
    found: list[str] = []
    in_code = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code or line.lstrip().startswith(">"):
            continue
        line = _INLINE_CODE.sub(lambda code: " " * len(code.group()), line)
        start = line.find(prefix)
        while start != -1:
            before = line[start - 1] if start else " "
            if not before.isalnum() and not line.endswith(prefix, 0, start):
                command = split_command(line[start : start + _LOOK_AHEAD], prefix, known)
                if command is not None and command[1] and _changes_something(command[0], known):
                    found.append(line[start:].strip())
                    if len(found) == _AT_MOST:
                        return found
            start = line.find(prefix, start + len(prefix))
    return found


def _changes_something(word: str, known: CommandSet) -> bool:
    declared = known.find(word)
    return declared is not None and not declared.read_only


async def hint(ctx: Context, candidates: list[str]) -> list[Say]:
    """A one-line hint for the first candidate that would have run as a command at the start of the message —
    not when this member's last message got one (nothing in between): the hint is never said twice in a row."""
    for candidate in candidates:
        split = split_command(candidate, ctx.texts.prefix, ctx.commands)
        declared = ctx.commands.find(split[0]) if split is not None else None
        if split is None or declared is None:
            continue
        try:
            declared.parse(ctx, split[1])
        except CommandError:
            continue
        store, room_id, sender = ctx.store, ctx.room_id, ctx.sender
        last = await store.outbox.told_at(room_id, sender, MISPLACED)
        if last is not None and not await store.messages.spoke_between(room_id, sender, last, ctx.now):
            return []
        await store.outbox.tell_once(room_id, sender, MISPLACED, ctx.now, every=0)
        return [ctx.reply(ctx.texts.t("misplaced.hint", command=shown(candidate)))]
    return []
