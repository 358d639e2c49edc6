"""Announcements: APScheduler wakes the sync loop at their moment; they fire after a sync started past it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from bot.scheduler import CATCH_UP_MS, LONG_POLL_MS, SYNC_GRACE, DueAnnouncements, WakeUps
from tests.unit.harness import Harness, decisions

ANN = "@ann:test"


async def test_the_sync_polls_long_until_something_can_fire(room: Harness) -> None:
    due = DueAnnouncements(room.kring)
    assert await due.poll_timeout_ms(room.clock.now()) == LONG_POLL_MS  # nothing planned
    await room.say(ANN, "!propose Shared courier in 90 minutes")  # its reminder is already past: only the deadline
    deadline = room.clock.now() + timedelta(minutes=90)
    assert await due.poll_timeout_ms(deadline) == LONG_POLL_MS  # the stamp may still be in flight
    assert await due.poll_timeout_ms(deadline + SYNC_GRACE) == CATCH_UP_MS  # overdue: sync right away


async def test_a_wake_up_is_planned_for_each_pending_announcement_and_dropped_when_it_goes(room: Harness) -> None:
    wake_ups = WakeUps(room.kring)
    await room.say(ANN, "!propose Shared courier in 3 days")
    await room.say(ANN, "!propose Night service rota in 90 minutes")
    await wake_ups.plan()
    planned = wake_ups.planned()
    moments = sorted(planned.values())
    now = room.clock.now()
    # The courier's reminder (a day before) and deadline, the rota's deadline: each plus the grace; and the next
    # weekly digest, Monday 08:00 in Amsterdam a week after START.
    digest = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert moments == [
        now + delta + SYNC_GRACE for delta in (timedelta(minutes=90), timedelta(days=2), timedelta(days=3))
    ] + [digest + SYNC_GRACE]
    assert {job.id for job in wake_ups.scheduler.get_jobs()} == set(planned)

    await room.say(ANN, "!cancel 1")
    await wake_ups.plan()
    assert sorted(wake_ups.planned().values()) == [now + timedelta(minutes=90) + SYNC_GRACE, digest + SYNC_GRACE]
    assert [job.id for job in wake_ups.scheduler.get_jobs()] == list(wake_ups.planned())


class ThreadNotingEvent(asyncio.Event):
    """An asyncio.Event that notes the thread each `set` comes from (asyncio objects belong to the loop's)."""

    def __init__(self) -> None:
        super().__init__()
        self.set_from: list[int] = []

    def set(self) -> None:
        self.set_from.append(threading.get_ident())
        super().set()


async def test_the_wake_up_job_sets_the_event_at_the_moment_on_the_loops_thread(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 90 minutes")
    # A quarter second before the deadline's wake-up moment: its job runs a quarter second from now.
    room.clock.set(room.clock.now() + timedelta(minutes=90) + SYNC_GRACE - timedelta(seconds=0.25))
    wake_ups = WakeUps(room.kring)
    wake_ups.woken = woken = ThreadNotingEvent()
    wake_ups.start()
    try:
        await wake_ups.plan()
        assert not woken.is_set()
        for _ in range(100):  # polled, not awaited: an event set from another thread may never wake a waiter
            if woken.is_set():
                break
            await asyncio.sleep(0.05)
    finally:
        wake_ups.stop()
    assert woken.set_from == [threading.get_ident()]


async def test_a_decision_waits_for_a_sync_that_started_after_its_deadline(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 90 minutes")
    deadline = room.clock.now() + timedelta(minutes=90)
    due = DueAnnouncements(room.kring)
    assert await due.fire(room.clock.now()) == 0  # online from here on
    room.clock.set(deadline + timedelta(seconds=30))
    assert await due.fire(deadline - timedelta(seconds=1)) == 0  # that sync began before the deadline
    assert await due.fire(deadline + SYNC_GRACE - timedelta(seconds=1)) == 0  # events may still be stored
    assert await due.fire(deadline + SYNC_GRACE) == 1
    (decision,) = decisions(await room.deliver())
    assert "late" not in decision.body  # the bot was online at the deadline
    assert await due.fire(deadline + timedelta(minutes=5)) == 0  # exactly once


async def test_what_fell_due_before_the_first_sync_is_marked_late(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier in 90 minutes")
    deadline = room.clock.now() + timedelta(minutes=90)
    room.clock.set(deadline + timedelta(minutes=1))
    due = DueAnnouncements(room.kring)  # started (or still waiting for the homeserver) at the deadline
    assert await due.fire(room.clock.now()) == 1
    (decision,) = decisions(await room.deliver())
    assert "Announced late" in decision.body
