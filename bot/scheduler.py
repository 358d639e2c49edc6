"""When reminders and decisions fire: from the sync loop, once the bot has seen the room up to their moment.

A timer alone would decide at the deadline on what the bot happens to have synced by then: a pledge sent just
before the deadline while the homeserver was slow or unreachable would be missing from the decision, and then
refused as too late. So the sync loop long-polls until the next announcement is due, and an announcement fires
only after a sync that *started* past its moment (plus a little grace: the homeserver stamps an event before it
stores it) has been handled. The announcements table stays the only truth; nothing is kept in memory.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.engine import Kring

log = logging.getLogger(__name__)

SYNC_GRACE = timedelta(seconds=2)
LONG_POLL_MS = 30_000


class DueAnnouncements:
    def __init__(self, kring: Kring) -> None:
        self.kring = kring
        # The start of the first sync that got through: what fell due before it fell due while we were offline
        # (stopped, or started but still waiting for the homeserver).
        self.online_since: datetime | None = None

    async def poll_timeout_ms(self, now: datetime) -> int:
        """How long the next sync may wait for events: until the next announcement can fire, at most 30 s."""
        pending = await self.kring.store.announcements.pending()
        if not pending:
            return LONG_POLL_MS
        wait = (pending[0].due_at + SYNC_GRACE - now).total_seconds() * 1000
        return int(min(LONG_POLL_MS, max(1, wait)))

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
        return fired
