"""`kring run`: put the bot's parts together (session, rooms, sync loop, outbox sender), serve, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from nio import AsyncClient, AsyncClientConfig

from bot.board.openid import OpenIdVerifier
from bot.board.server import BoardServer
from bot.board.widget import add_board_widgets
from bot.clock import SystemClock
from bot.config import Settings, check_ready_for_matrix
from bot.engine import Kring
from bot.identity.cross_signing import CrossSigning
from bot.identity.device_keys import EncryptedBacklog
from bot.matrix.homeserver import FatalMatrixError, Patience, ShuttingDown
from bot.matrix.nio_adapter import KringClient
from bot.matrix.rooms import Rooms
from bot.matrix.sender import OutboxSender
from bot.matrix.session import Session, crypto_store_dir
from bot.matrix.sync import SyncLoop
from bot.ops.metrics import Metrics, MetricsServer
from storage.db import hold_exclusive_lock
from storage.file_modes import DIRECTORY_MODE, tighten_tree
from storage.store import Store

log = logging.getLogger(__name__)


class MatrixBot:
    """Kring on a homeserver: its parts, and the background tasks they run."""

    def __init__(self, settings: Settings, store: Store, client: AsyncClient, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.metrics = metrics
        self.kring = Kring(store, settings, SystemClock(), settings.matrix.user_id)
        self.stopping = asyncio.Event()
        self.patience = Patience(self.stopping, homeserver=settings.matrix.homeserver)
        self.session = Session(settings, store, client, self.patience)
        self.rooms = Rooms(settings.matrix, store, client, self.patience)
        backlog = EncryptedBacklog(
            client,
            store,
            self.kring.texts_for,
            keep_for=timedelta(days=settings.matrix.keep_undecrypted_days),
            metrics=metrics,
        )
        self.sync = SyncLoop(self.kring, client, self.rooms, backlog, self.patience, metrics)
        self.sender = OutboxSender(
            self.kring, client, self.stopping, encrypted=settings.matrix.encryption, metrics=metrics
        )
        self.board: BoardServer | None = None
        if settings.board.enabled:
            verifier = OpenIdVerifier(settings.board.openid_servers)
            self.board = BoardServer(
                store,
                settings,
                self.kring.clock,
                self.kring.texts_for,
                self.is_member,
                verifier.user_of,
                self.member_servers,
            )
        if metrics is not None:
            self.kring.on_command = metrics.command
            self.kring.on_decision = metrics.decisions.inc
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, *, reset_cross_signing: bool = False) -> None:
        """Log in, cross-sign the device, resolve the rooms, and start sending what the outbox holds."""
        await self.session.login()
        await self.session.remember_crypto_device()
        if self.client.olm is not None:  # Element talks only to devices their owner cross-signed
            await CrossSigning(self.settings, self.store, self.client, self.patience).ensure(reset=reset_cross_signing)
        await self.rooms.resolve()
        await self.sender.load_txn_prefix()
        self.spawn(self.sender.run(), "outbox")
        if self.board is not None:
            await self.board.start()
            if self.settings.board.widget:
                self.spawn(self._place_widgets(), "board widgets")

    async def is_member(self, room_id: str, user_id: str) -> bool:
        """Joined to a room the bot serves, as the bot's own sync knows it (invited is not joined)."""
        room = self.client.rooms.get(room_id)
        if room_id not in self.rooms.served or room is None:
            return False
        return user_id in room.users and user_id not in room.invited_users

    async def member_servers(self, room_id: str) -> frozenset[str]:
        """The server names of a served room's joined members: the only ones a widget's token is checked at."""
        room = self.client.rooms.get(room_id)
        if room_id not in self.rooms.served or room is None:
            return frozenset()
        return frozenset(u.partition(":")[2].lower() for u in room.users if u not in room.invited_users)

    async def _place_widgets(self) -> None:
        await self.kring.outbox_ready.wait()  # after the first sync: the served rooms are joined
        served, bot = set(self.rooms.served), self.settings.matrix.user_id
        await add_board_widgets(self.client, self.store, self.settings.board, served, bot, self.kring.texts_for)

    def spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())
            self.stopping.set()

    async def shutdown(self) -> None:
        self.stopping.set()
        self.sync.stop()
        if self.board is not None:
            await self.board.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def run_bot(settings: Settings, *, new_device: bool = False, reset_cross_signing: bool = False) -> int:
    """Serve until SIGTERM/SIGINT; 0 on a clean stop, 1 when the homeserver refuses us for good."""
    check_ready_for_matrix(settings)
    store_dir = crypto_store_dir(settings)
    await asyncio.to_thread(store_dir.mkdir, mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    await asyncio.to_thread(tighten_tree, store_dir)  # the device's encryption keys
    lock = await asyncio.to_thread(hold_exclusive_lock, settings.storage.database)
    store = await Store.open(settings.storage.database)
    client = KringClient(
        settings.matrix.homeserver,
        settings.matrix.user_id,
        store_path=str(store_dir),
        config=AsyncClientConfig(
            store_sync_tokens=False,
            encryption_enabled=settings.matrix.encryption,
            pickle_key=settings.matrix.pickle_key or "unused",
            max_timeouts=0,  # a failed request comes straight back to Kring's own back-off, which says why once
        ),
    )
    metrics = Metrics(store, settings.metrics.health_max_sync_age_s) if settings.metrics.listen else None
    bot = MatrixBot(settings, store, client, metrics)
    if new_device:
        await bot.session.forget()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, bot.stopping.set)
    code = 0
    server = MetricsServer(metrics, settings.metrics.listen) if metrics is not None else None
    try:
        if metrics is not None and server is not None:
            await metrics.start_counting()
            await server.start()
        await bot.start(reset_cross_signing=reset_cross_signing)
        await bot.sync.run()
        log.info("stopping: the current batch is finished")
    except FatalMatrixError as error:
        log.critical("%s", error)
        code = 1
    except ShuttingDown as waiting:
        log.info("stopped while %s", waiting)
    finally:
        await bot.shutdown()
        if server is not None:
            await server.stop()
        try:
            await asyncio.wait_for(bot.kring.deliver(bot.sender.send), timeout=5)
        except Exception as error:
            log.warning("unsent messages stay in the outbox for the next start (%r)", error)
        await client.close()
        await store.close()
        lock.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    log.info("stopped")
    return code
