"""Copying the write-ahead log back into the database file on a connection and a thread of its own, after commits.

Left to the writer, SQLite checkpoints inside the COMMIT that fills the log past `wal_autocheckpoint`: that batch
then waits while thousands of pages are copied and the file is synced (45–58 ms each, about a tenth of the time a
busy stream of batches spends in SQLite: docs/PERFORMANCE.md). Here the copy runs beside the writer, which goes on
appending to the log meanwhile (a PASSIVE checkpoint never blocks it). The writer's own automatic checkpoint stays
as the fallback for when this thread falls behind.

The thread sleeps until a commit wakes it: an idle store costs nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class Checkpointer:
    """One thread and one connection that run `PRAGMA wal_checkpoint(PASSIVE)` each time `nudge` was called
    since the last run (nudges while one runs make one more run, not many)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wanted = threading.Event()
        self._stopping = False
        # Held while a checkpoint runs: a TRUNCATE checkpoint on the writer's connection (`exclusive`) must not
        # find this one under way, or it would give up at once.
        self._running = threading.Lock()
        self.checkpoints = 0  # how many ran: for tests and the curious
        self._failing = False  # told once when checkpoints start failing, and once when they work again
        self._thread = threading.Thread(target=self._run, name="kring-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """A transaction committed: copy the log into the file soon."""
        self._wanted.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No checkpoint of this thread's runs while the block does (called on the writer's own thread)."""
        with self._running:
            yield

    def stop(self) -> None:
        """Finish the checkpoint under way, if any, and end the thread (blocking: call it off the event loop)."""
        self._stopping = True
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:  # nothing is lost: the writer checkpoints itself, as SQLite does by default
            log.warning("no background checkpoints: the database could not be opened a second time", exc_info=True)
            return
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopping:
                    return
                with self._running:
                    self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # the writer's automatic checkpoint still runs: nothing is lost, only slower
            if not self._failing:
                log.warning("background checkpoints fail; the writer checkpoints itself meanwhile", exc_info=True)
            self._failing = True
            return
        self.checkpoints += 1
        if self._failing:
            log.info("background checkpoints work again")
            self._failing = False
