"""Shared by the unit-level reliability tests: a seeded room copied per example, and checks on what Kring says."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.engine import Kring
from bot.matrix.events import MAX_CONTENT_BYTES, notice_content
from handlers.commands.context import CommandError, Context
from handlers.commands.declaration import Command
from handlers.events import Say
from handlers.wording.markup import Rendered
from storage.records import MessageKind
from storage.store import Store
from tests.unit.harness import BOT, Harness, Sent, make_harness

ANN = "@ann:test"  # proposer of #1 and #2
BOB = "@bob:test"  # backs #1
CAS = "@cas:test"  # objects to #1
MOD = "@mod:test"  # a moderator (power level 50)
MEMBERS = (ANN, BOB, CAS, MOD)
ALLOWED_TAGS = frozenset({"a", "br", "ul", "li"})


async def seeded_room(tmp_path: Path) -> Harness:
    """A room with an idea, two open proposals (one backed and objected to) and a cancelled one."""
    room = await make_harness(tmp_path, "template.db")
    room.powers[MOD] = 50
    idea, _ = await room.say(ANN, "Shall we share a courier?", event_id="$idea")
    await room.react(BOB, idea, "👍", event_id="$up")
    await room.say(ANN, "!propose Shared courier €1.000 20h in 5 days min 2", reply_to=idea, event_id="$p1")
    await room.say(BOB, "!backme 1 €250 4h happy to drive", event_id="$b1")
    await room.say(CAS, "!object 1 the insurer already does this", event_id="$o1")
    await room.say(ANN, "!propose Second van in 10 days", event_id="$p2")
    await room.say(CAS, "!propose Cancelled plan", event_id="$p3")
    await room.say(CAS, "!cancel 3 merged", event_id="$c3")
    await room.store.close()  # checkpoints the WAL: the file alone is the whole state, ready to copy
    return room


def announcement_of(room: Harness, number: int) -> str:
    return next(s.event_id for s in room.sent if s.body.startswith(f"📣 New proposal #{number}:"))


async def copy_of(template: Harness, path: Path) -> Harness:
    """The template room in a fresh database file: each example starts from the same state."""
    shutil.copyfile(template.path, path)
    store = await Store.open(path)
    clock = ManualClock(template.clock.now())
    room = Harness(store, Kring(store, template.kring.settings, clock, BOT), clock, path)
    room.powers = dict(template.powers)
    room.sent = list(template.sent)
    return room


class Outcome:
    """How the last command ended inside its handler: accepted, or refused with which error."""

    def __init__(self) -> None:
        self.refused: Exception | None = None
        self.ran = False


@contextmanager
def watching_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outcome]:
    """Watch every declared command run, so the test learns whether it refused (UserError/UsageError)."""
    outcome = Outcome()
    run = Command.run

    async def watched(command: Command, ctx: Context, text: str) -> list[Say]:
        outcome.ran = True
        try:
            return await run(command, ctx, text)
        except CommandError as error:
            outcome.refused = error
            raise

    monkeypatch.setattr(Command, "run", watched)
    yield outcome


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def markup_problems(html: str) -> list[str]:
    """Tags or links in a formatted body that Kring's own markup would never produce."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if tag != "a" or name != "href" or not (value or "").startswith("https://matrix.to/#/@"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


__all__ = ["MAX_CONTENT_BYTES", "content_size", "copy_of", "markup_problems", "seeded_room", "watching_commands"]


def content_size(sent: Sent) -> int:
    say = Say(
        room_id=sent.room_id,
        text=Rendered(sent.body, sent.html),
        kind=MessageKind(sent.kind),
        reply_to=sent.reply_to,
        mentions=sent.mentions,
    )
    return len(json.dumps(notice_content(say.outgoing()), ensure_ascii=False).encode())
