"""Sending the outbox to Matrix: in order, each message with a transaction id so a resend after a crash is one event."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

from nio import AsyncClient, RoomSendResponse

from bot.engine import Kring
from bot.homeserver import Backoff
from bot.matrix_events import notice_content
from bot.metrics import Metrics
from storage.records import OutboxMessage

log = logging.getLogger(__name__)

TXN_PREFIX_KEY = "outbox.txn_prefix"
UNSENDABLE = frozenset({"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON"})  # a message the homeserver never takes


class OutboxSender:
    def __init__(
        self, kring: Kring, client: AsyncClient, stopping: asyncio.Event, metrics: Metrics | None = None
    ) -> None:
        self.kring = kring
        self.metrics = metrics
        self.client = client
        self.stopping = stopping
        self.txn_prefix = ""

    async def load_txn_prefix(self) -> None:
        """This database's own prefix for transaction ids, made once and kept: ids stay unique across restarts."""
        store = self.kring.store
        prefix = await store.state.get(TXN_PREFIX_KEY)
        if prefix is None:
            prefix = secrets.token_hex(4)
            async with store.transaction():
                await store.state.set(TXN_PREFIX_KEY, prefix)
        self.txn_prefix = prefix

    async def run(self) -> None:
        """Send whenever the outbox has something, until the bot stops; back off while sending fails."""
        backoff = Backoff(start=1.0, cap=60.0)
        while not self.stopping.is_set():
            await self.kring.outbox_ready.wait()
            self.kring.outbox_ready.clear()
            try:
                await self.kring.deliver(self.send)
                backoff.reset()
            except Exception as error:
                delay = backoff.next_delay()
                log.warning("sending failed (%r); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                self.kring.outbox_ready.set()

    async def send(self, queued: OutboxMessage) -> str | None:
        """The event id it went out as; None when it can never go out (dropped); raises to be retried."""
        if self.metrics is None:
            return await self._send(queued)
        started = time.monotonic()
        result = "failed"
        try:
            event_id = await self._send(queued)
            result = "sent" if event_id is not None else "dropped"
            return event_id
        finally:
            self.metrics.send_latency.observe(time.monotonic() - started)
            self.metrics.sends.labels(result).inc()

    async def _send(self, queued: OutboxMessage) -> str | None:
        message = queued.message
        latest = None
        if message.thread_root is not None and message.reply_to is None:
            latest = await self.kring.store.proposals.thread_latest(message.thread_root)
        response = await self.client.room_send(
            message.room_id,
            "m.room.message",
            notice_content(message, latest),
            tx_id=f"kring-{self.txn_prefix}-{queued.id}",  # a resend after a crash is de-duplicated
            ignore_unverified_devices=True,
        )
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        code = getattr(response, "status_code", None)
        if code == "M_FORBIDDEN":
            log.warning("not allowed to post in %s; dropping outbox message %d", message.room_id, queued.id)
            return None
        if code in UNSENDABLE:
            # Retrying cannot help, and every later message would wait behind this one for good.
            log.error("the homeserver refuses outbox message %d for good (%s); dropping it", queued.id, code)
            return None
        raise RuntimeError(f"room_send failed: {getattr(response, 'message', response)}")
