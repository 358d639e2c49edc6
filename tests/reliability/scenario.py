"""The common shape of the burst tests: a room with proposals and messages, a burst, then the books checked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tests.integration.community import send_text

from .conftest import Figures
from .matrix_kit import Community, export, stop, timeline, wait_answered
from .model import Outcome, Sent, compare, expected_books

PROPOSALS = [(0, "Shared courier €500 20h min 3"), (1, "Cargo bike €200"), (0, "Tea min 2")]


@dataclass(frozen=True)
class Stage:
    """What there is to react to and back in a room."""

    authors: list[str]  # user ids
    messages: list[str]
    announcements: list[str]
    proposals: list[int]

    @property
    def targets(self) -> list[str]:
        return self.messages + self.announcements


async def set_the_stage(room: Community, messages: int) -> Stage:
    """Three proposals (by the owner and the first member) and `messages` messages by three authors."""
    authors = [room.owner, room.members[0], room.members[1]]
    announcements = []
    for number, (proposer, text) in enumerate(PROPOSALS, start=1):
        await send_text(authors[proposer], room.room_id, f"!propose {text} in 10 days")
        announcements.append(str((await room.watcher.wait_for(f"New proposal #{number}:"))["event_id"]))
    posted = [await send_text(authors[n % 3], room.room_id, f"market news {n}") for n in range(messages)]
    return Stage([a.user_id for a in authors], posted, announcements, list(range(1, len(PROPOSALS) + 1)))


async def check_the_books(
    room: Community, sent: Sent, since: str, daily_cap: int, figures: Figures, fault: str, times: int
) -> Outcome:
    """Let the bot catch up, stop it, and hold its export against the ground truth; records the figure."""
    if not room.bot.running:
        room.bot.start()
    await asyncio.to_thread(room.bot.wait_for_log, "ready:", 120)
    await wait_answered(room.watcher, sent.commands, within=180)
    await room.watcher.settle()
    assert await stop(room.bot) == 0, room.bot.log_tail()
    (books,) = (await export(room.bot))["rooms"]
    events = await timeline(room.owner, room.room_id, since)
    expected = expected_books(events, sent, room.bot.user_id, daily_cap)
    answers = {command: len(room.watcher.replies_to(command)) for command in sent.commands}
    outcome = compare(expected, books, sent, answers)
    figures.record(
        fault, times=times, sent=outcome.sent, counted=outcome.counted, lost=outcome.lost, duplicated=outcome.duplicated
    )
    assert outcome.problems == [], outcome.problems[:20]
    assert outcome.lost == 0 and outcome.duplicated == 0
    assert expected.credits or not sent.reactions, "the burst gave no credit at all: nothing was tested"
    bodies = room.watcher.bodies()
    for number in range(1, len(books["proposals"]) + 1):
        assert sum(body.startswith(f"📣 New proposal #{number}:") for body in bodies) == 1
        assert sum(body.startswith(f"🎯 #{number} ") for body in bodies) <= 1  # "fully backed" once at most
    return outcome
