"""Announcements fire from the sync loop: only once a sync that started past their moment has been handled."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import LONG_POLL_MS, SYNC_GRACE, DueAnnouncements
from tests.unit.harness import Harness, decisions

ANN = "@ann:test"


async def test_the_long_poll_wakes_up_for_the_next_announcement(room: Harness) -> None:
    due = DueAnnouncements(room.kring)
    assert await due.poll_timeout_ms(room.clock.now()) == LONG_POLL_MS  # nothing planned
    await room.say(ANN, "!propose Shared courier in 90 minutes")  # its reminder is already past: only the deadline
    wait = await due.poll_timeout_ms(room.clock.now())
    assert wait == LONG_POLL_MS
    assert await due.poll_timeout_ms(room.clock.now() + timedelta(minutes=90) - timedelta(seconds=10)) == 12_000
    assert await due.poll_timeout_ms(room.clock.now() + timedelta(hours=2)) == 1  # overdue: sync right away


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
