"""A decision naming thousands of backers is built quickly and fits one Matrix message (issue 23, item 10)."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType

from bot.matrix.events import MAX_CONTENT_BYTES, notice_content
from handlers.events import Say
from handlers.wording.markup import Rendered
from storage.records import OutboxMessage
from storage.timeconv import to_db
from tests.unit.harness import ROOM, START, make_harness

BACKERS = 5_000


@contextmanager
def finishes_within(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the test run, when the code inside loops for ever."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def size(content: dict[str, object]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


async def test_a_go_with_5000_backers_is_posted_under_the_limit_naming_the_rest_by_count(tmp_path: Path) -> None:
    room = await make_harness(tmp_path)
    built: list[dict[str, object]] = []

    async def send(queued: OutboxMessage) -> str:
        with finishes_within(10):
            built.append(notice_content(queued.message))
        return f"$sent{len(built)}"

    try:
        await room.say("@ann:test", "!propose Street party in 2 days")
        (proposal_id,) = [row[0] for row in await room.rows("SELECT id FROM proposals")]
        backers = [f"@neighbour-with-a-long-name-{n:05}:district.example.org" for n in range(BACKERS)]
        await room.store.db.executemany(
            "INSERT INTO pledges (proposal_id, user_id, money_cents, minutes, note, pledged_at) "
            "VALUES (?, ?, 100, 0, 'count me in, I bring a table and chairs', ?)",
            [(proposal_id, user, to_db(START)) for user in backers],
        )
        await room.store.db.executemany(
            "INSERT INTO members (room_id, user_id, display_name) VALUES (?, ?, ?)",
            [(ROOM, user, f"Neighbour {user[28:33]} of the district") for user in backers],
        )
        room.clock.set(START + timedelta(days=2, minutes=1))
        for due in await room.kring.due(room.clock.now()):
            await room.kring.fire(due.id)
        await room.kring.deliver(send)
    finally:
        await room.store.close()
    (decision,) = [c for c in built if str(c["body"]).startswith("✅ GO #1")]
    assert size(decision) <= MAX_CONTENT_BYTES
    assert "shortened" not in str(decision["body"])  # shortened by Kring's rule, not cut by the safety net
    assert "Backers (5000):" in str(decision["body"])
    assert f"and {BACKERS - 100} more" in str(decision["body"]) and "formatted_body" in decision


def test_a_message_whose_mentions_alone_pass_the_limit_still_goes_out_shortened() -> None:
    mentions = tuple(f"@neighbour-with-a-long-name-{n:05}:district.example.org" for n in range(BACKERS))
    say = Say(room_id=ROOM, text=Rendered("GO #1 " + "x" * 70_000, "<b>GO</b>"), mentions=mentions)
    with finishes_within(10):
        content = notice_content(say.outgoing())
    assert size(content) <= MAX_CONTENT_BYTES
    assert str(content["body"]).startswith("GO #1 xxx")
