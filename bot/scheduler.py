"""When reminders and decisions fire: APScheduler wakes the sync loop at their moment; they fire after a sync.

A timer alone would decide at the deadline on what the bot happens to have synced by then: a pledge sent just
before the deadline while the homeserver was slow or unreachable would be missing from the decision, and then
refused as too late. So an APScheduler job per pending announcement only *wakes* the sync loop at the
announcement's moment (plus a little grace: the homeserver stamps an event before it stores it); the loop ends
its long poll, syncs at once, and the announcement fires only after a sync that *started* past its moment has
been handled. The announcements table stays the only truth: the jobs are re-planned from it after every batch.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.engine import Kring

log = logging.getLogger(__name__)

SYNC_GRACE = timedelta(seconds=2)
LONG_POLL_MS = 30_000
CATCH_UP_MS = 1  # a sync that returns at once (nio leaves out a timeout of 0)
JOB_PREFIX = "announcement-"
DIGEST_JOB = "digest"  # the next weekly digest moment (the same for every room)


class WakeUps:
    """One APScheduler job per pending announcement, at its moment plus the grace; each sets `woken`."""

    def __init__(self, kring: Kring) -> None:
        self.kring = kring
        self.woken = asyncio.Event()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._planned: dict[str, datetime] = {}  # job id -> the moment it is planned for, on Kring's clock

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def plan(self) -> None:
        """Make the jobs match the pending announcements: new ones added, moved ones moved, gone ones removed."""
        pending = await self.kring.store.schedule.pending()
        wanted = {f"{JOB_PREFIX}{announcement.id}": announcement.due_at + SYNC_GRACE for announcement in pending}
        wanted[DIGEST_JOB] = self.kring.next_digest_at(self.kring.clock.now()) + SYNC_GRACE
        for job_id in set(self._planned) - set(wanted):
            del self._planned[job_id]
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
        now = self.kring.clock.now()
        for job_id, moment in wanted.items():
            if self._planned.get(job_id) == moment:
                continue
            if moment <= now:
                continue  # already past: the next sync does not wait (`poll_timeout_ms`), no need to end one
            self._planned[job_id] = moment
            # Kring's clock is the system clock in `kring run`; measured from it, tests can move it.
            run_at = datetime.now(UTC) + (moment - now)
            self.scheduler.add_job(
                self._wake,
                DateTrigger(run_at, timezone=UTC),
                args=[job_id],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,  # a job that is late (a busy loop, a suspended machine) still wakes us
            )

    async def _wake(self, job_id: str) -> None:
        # A coroutine, so APScheduler's asyncio executor runs it on the event loop (a plain function would run
        # on a worker thread, where setting an asyncio.Event is not safe).
        log.debug("%s is due: waking the sync loop", job_id)
        self.woken.set()

    def planned(self) -> dict[str, datetime]:
        """The job ids and the moments (on Kring's clock) they wake the sync loop at."""
        return dict(self._planned)


class DueAnnouncements:
    def __init__(self, kring: Kring) -> None:
        self.kring = kring
        # The start of the first sync that got through: what fell due before it fell due while we were offline
        # (stopped, or started but still waiting for the homeserver).
        self.online_since: datetime | None = None
        self._digests_looked_at: datetime | None = None  # the moment weekly digests were last looked for

    async def poll_timeout_ms(self, now: datetime) -> int:
        """How long the next sync may wait for events: not at all when something can fire, else a long poll
        (which the wake-up jobs end early when an announcement falls due during it)."""
        overdue = await self.kring.due(now - SYNC_GRACE)
        return CATCH_UP_MS if overdue else LONG_POLL_MS

    async def _fire_digests(self, synced_from: datetime) -> None:
        """The weekly digests due by the start of the sync just handled: looked for once after start-up (one
        missed while the bot was down goes out late), then once each time a weekly moment passes."""
        until = synced_from - SYNC_GRACE
        moment = self.kring.next_digest_at(until) - timedelta(days=7)  # the latest weekly moment by `until`
        if self._digests_looked_at == moment:
            return
        for room_id, due_at in await self.kring.digests_due(until):
            late = self.online_since is not None and due_at < self.online_since
            if await self.kring.fire_digest(room_id, due_at, late=late):
                log.info("weekly digest posted in %s%s", room_id, " (late)" if late else "")
        self._digests_looked_at = moment

    async def fire(self, synced_from: datetime) -> int:
        """Fire what was due by the start of the sync just handled; a decision that fell due while the bot was
        offline says it is late."""
        if self.online_since is None:
            self.online_since = synced_from
        fired = 0
        for announcement in await self.kring.due(synced_from - SYNC_GRACE):
            late = announcement.due_at < self.online_since
            if await self.kring.fire(announcement.id, late=late):
                fired += 1
                log.info("announcement %d posted%s", announcement.id, " (late)" if late else "")
        await self._fire_digests(synced_from)
        return fired
