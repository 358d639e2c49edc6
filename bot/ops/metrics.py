"""Prometheus metrics and a health check for `kring run` (`[metrics] listen`): `/metrics` and `/health` over HTTP."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

from bot.config import ConfigError, parse_listen
from handlers.events import Event
from storage.store import Store

log = logging.getLogger(__name__)

SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """What the bot counts, in a registry of its own (never the process-wide default one)."""

    def __init__(self, store: Store, health_max_sync_age_s: float) -> None:
        self.store = store
        self.health_max_sync_age_s = health_max_sync_age_s
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_start_time_seconds, CPU, memory, open files
        registry = self.registry
        self.events = Counter("kring_events_handled", "Events handled, by kind", ["kind"], registry=registry)
        self.commands = Counter(
            "kring_commands", "Commands run, by name and outcome", ["command", "outcome"], registry=registry
        )
        self.credits = Counter("kring_credits_given", "Credits given (positive ledger entries)", registry=registry)
        self.decisions = Counter("kring_decisions_posted", "GO / NO-GO decisions posted", registry=registry)
        self.outbox = Gauge("kring_outbox_queue", "Messages waiting in the outbox", registry=registry)
        self.parked = Gauge(
            "kring_outbox_parked", "Messages set aside after the homeserver kept refusing them", registry=registry
        )
        self.send_latency = Histogram(
            "kring_send_latency_seconds", "Time to send one message to the homeserver", buckets=SEND_BUCKETS,
            registry=registry,
        )  # fmt: skip
        self.sends = Counter("kring_messages_sent", "Messages sent, by result", ["result"], registry=registry)
        self.backfill = Counter("kring_backfill_events", "Events fetched by back-fill after a gap", registry=registry)
        self.undecrypted = Gauge(
            "kring_undecrypted_events", "Encrypted events kept until their keys arrive", registry=registry
        )
        self.undecrypted_decrypted = Counter(
            "kring_undecrypted_decrypted", "Kept encrypted events handled once their keys arrived", registry=registry
        )
        self.undecrypted_dropped = Counter(
            "kring_undecrypted_dropped",
            "Kept encrypted events dropped, their keys not arrived within matrix.keep_undecrypted_days",
            registry=registry,
        )
        sync_age = Gauge("kring_sync_age_seconds", "Seconds since the last successful sync", registry=registry)
        sync_age.set_function(self.sync_age)
        self.started = time.monotonic()
        self.last_sync: float | None = None
        self._credits_seen: int | None = None

    # what the bot reports
    def synced(self) -> None:
        self.last_sync = time.monotonic()

    def sync_age(self) -> float:
        """Seconds since the last successful sync (since start while there was none)."""
        return time.monotonic() - (self.last_sync if self.last_sync is not None else self.started)

    def handled(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events.labels(type(event).__name__.lower()).inc()

    def command(self, name: str, outcome: str) -> None:
        self.commands.labels(name, outcome).inc()

    @property
    def healthy(self) -> bool:
        return self.last_sync is not None and self.sync_age() <= self.health_max_sync_age_s

    # what is read from the store when scraped
    async def refresh(self) -> None:
        self.outbox.set(await self.store.outbox.pending_count())
        self.parked.set(await self.store.outbox.parked_count())
        self.undecrypted.set(await self.store.encrypted.count())
        given, self._credits_seen = await self.store.credits.given_after(self._credits_seen)
        self.credits.inc(given)

    async def start_counting(self) -> None:
        """Credits are counted from here on (the ledger's past is not this process's work)."""
        _, self._credits_seen = await self.store.credits.given_after(None)


class MetricsServer:
    """`/metrics` (Prometheus text format) and `/health` (200 while syncing, else 503) on `listen`."""

    def __init__(self, metrics: Metrics, listen: str) -> None:
        self.metrics = metrics
        self.host, self.port = parse_listen(listen)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as error:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(
                f"config error at metrics.listen: cannot listen on {self.host}:{self.port}: {error.strerror or error}"
            ) from None
        log.info("metrics on http://%s:%d/metrics, health on /health", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.metrics.refresh()
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _health(self, request: web.Request) -> web.Response:
        age = self.metrics.sync_age()
        if self.metrics.healthy:
            return web.Response(text=f"ok: last sync {age:.0f} s ago\n")
        return web.Response(status=503, text=f"unhealthy: no successful sync for {age:.0f} s\n")
