"""APScheduler date jobs for reminders and deadlines, rebuilt from the announcements table (never persisted)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.engine import Kring

log = logging.getLogger(__name__)


class AnnouncementScheduler:
    """Keeps one APScheduler job per pending announcement; the table stays the only truth."""

    def __init__(self, kring: Kring) -> None:
        self.kring = kring
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        kring.schedule_listeners.append(self.refresh)

    async def start(self) -> None:
        self.scheduler.start()
        await self.refresh()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def refresh(self) -> None:
        """Add, move or drop jobs so they match the pending announcements."""
        pending = await self.kring.store.announcements.pending()
        wanted = {f"announcement-{a.id}": a for a in pending}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, announcement in wanted.items():
            job = self.scheduler.get_job(job_id)
            if job is not None and job.next_run_time == announcement.due_at:
                continue
            self.scheduler.add_job(
                self._fire,
                "date",
                run_date=announcement.due_at,
                args=[announcement.id],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,  # fell due while we were busy or down: run now, marked late
                coalesce=True,
            )
        log.debug("scheduler: %d pending announcements", len(wanted))

    async def _fire(self, announcement_id: int) -> None:
        try:
            if await self.kring.fire(announcement_id):
                log.info("announcement %d posted", announcement_id)
        except Exception:
            log.exception("announcement %d failed; it stays pending and is retried at start-up", announcement_id)
