"""Disk full, at every database call: the failing step writes nothing, and retrying it gives the clean result.

`sqlite3.OperationalError("database or disk is full")` is injected in place of the n-th call the store makes to
SQLite (every statement and every batch query goes through one funnel, `SqliteThread.call`), for every n
from the BEGIN to the COMMIT of a sync batch, a command, a decision and the delivery of a message. After each
failure the whole database must be as before (or, for a fault in a read after the COMMIT, as after); then the
same step is run again without a fault and the whole database must end exactly as after a run that never
failed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers.events import Event, Message, Reaction, Redaction
from storage.records import OutboxMessage
from tests.unit.harness import ROOM, START, Harness

from .conftest import Figures
from .kit import ANN, BOB, CAS, copy_of, seeded_room

DISK_FULL = "database or disk is full"


class FaultAt:
    """Make the n-th call into SQLite fail (1 = the first); count the calls of a clean run with n = 0."""

    def __init__(self, room: Harness, fail_at: int) -> None:
        self.calls = 0
        self.fail_at = fail_at
        thread = room.store.db.thread
        original: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]] = thread.call

        async def call(work: Callable[[sqlite3.Connection], Any]) -> Any:
            self.calls += 1
            if self.calls == self.fail_at:
                raise sqlite3.OperationalError(DISK_FULL)
            return await original(work)

        thread.call = call  # type: ignore[method-assign]


def _batch(room: Harness) -> list[Event]:
    """A sync batch: chatter, reactions (one redacted), and commands that pledge, change and withdraw."""
    now = room.clock.now()
    return [
        Message("$m1", ROOM, CAS, "What about a cargo bike?", now, sender_name="Cas"),
        Reaction("$r1", ROOM, BOB, "$m1", "👍", now),
        Reaction("$r2", ROOM, ANN, "$m1", "🎉", now),
        Reaction("$r3", ROOM, ANN, "$idea", "👍", now),  # her own idea: nothing
        Redaction("$x1", ROOM, BOB, "$r1", now),
        Message("$c1", ROOM, CAS, "!backme 1 €500 10h", now, sender_name="Cas"),
        Message("$c2", ROOM, BOB, "!backme 1 €750 12h more from me", now, sender_name="Bob"),
        Reaction("$r4", ROOM, CAS, "$idea", "❤️", now),
        Message("$c3", ROOM, CAS, "!withdraw 1", now, sender_name="Cas"),
        Message("$c4", ROOM, CAS, "!propose Cargo bike €300 in 4 days", now, sender_name="Cas", reply_to="$m1"),
        Message("$c5", ROOM, ANN, "!object 4 where do we park it", now, sender_name="Ann"),
    ]


async def nothing(room: Harness) -> None:
    return None


async def sync_batch(room: Harness) -> None:
    await room.kring.handle_batch(_batch(room), {"sync.next_batch": "s42"})


async def deadline_passed(room: Harness) -> None:
    room.clock.set(START + timedelta(days=5, minutes=1))


async def decision(room: Harness) -> None:
    (due,) = [a for a in await room.kring.due(room.clock.now()) if a.kind.value == "deadline"]
    assert await room.kring.fire(due.id, late=True)


async def pledged(room: Harness) -> None:
    await room.kring.handle(Message("$more", ROOM, CAS, "!backme 1 €50", room.clock.now()))


async def delivery(room: Harness) -> None:
    async def send(message: OutboxMessage) -> str:
        return f"$sent-{message.id}"  # the homeserver answers a resent transaction with the same event id

    await room.kring.deliver(send)  # the reply to the pledge: one message, one transaction (none left on a retry)


Step = Callable[[Harness], Awaitable[None]]
STEPS: dict[str, tuple[Step, Step, int]] = {
    "a sync batch (11 events, 5 commands)": (nothing, sync_batch, 11),
    "a GO/NO-GO decision": (deadline_passed, decision, 1),
    "delivering a reply from the outbox": (pledged, delivery, 1),
}


@pytest.mark.parametrize("name", list(STEPS))
async def test_disk_full_at_every_call_writes_nothing_and_the_retry_is_exact(
    name: str, tmp_path: Path, figures: Figures
) -> None:
    setup, step, events = STEPS[name]
    template = await seeded_room(tmp_path)
    clean = await copy_of(template, tmp_path / "clean.db")
    await setup(clean)
    counter = FaultAt(clean, fail_at=0)
    await step(clean)
    calls = counter.calls
    expected = await clean.dump(everything=True)
    await clean.store.close()
    assert calls > 3

    retried = 0
    for fail_at in range(1, calls + 1):
        room = await copy_of(template, tmp_path / f"fault{fail_at}.db")
        try:
            await setup(room)
            before = await room.dump(everything=True)
            FaultAt(room, fail_at)
            with pytest.raises(sqlite3.OperationalError, match=DISK_FULL):
                await step(room)
            # Each step writes in one transaction: after a fault it is wholly there (the fault hit a read after
            # the COMMIT) or wholly absent, never half.
            assert await room.dump(everything=True) in (before, expected), f"half-written: fault at call {fail_at}"
            await step(room)  # the retry, as the runner does it: same events, same moment
            assert await room.dump(everything=True) == expected, f"the retry after call {fail_at} differs"
            retried += 1
        finally:
            await room.store.close()
    figures.record(
        f"disk full at each of the {calls} SQLite calls of {name}",
        times=calls,
        sent=calls * events,
        counted=retried * events,
        lost=(calls - retried) * events,
        duplicated=0,
    )
