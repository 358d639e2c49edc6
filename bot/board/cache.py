"""The board's room sections, kept while nothing changed: a page is read and rendered again only when a table a board
shows was written since (or the minute turned, for the time left), not for every member who opens it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.board.page import RoomSections

ROOM_PAGES_KEPT = 64  # (room, archive page) pairs; one is about 80 kB in a room with a long history


@dataclass(frozen=True)
class _Kept:
    minute: datetime
    sections: RoomSections


class RoomSectionsCache:
    """Room sections by (room, archive page, language), valid while the count of board-visible writes (kept by
    triggers on every table a board reads: storage.migrations.BOARD_BLIND names the others) and the minute stay
    what they were when they were made; on a new count every kept page goes (nothing of a forgotten member
    outlives the write that forgot them). A chat message or a sync token changes no count."""

    def __init__(self, kept: int = ROOM_PAGES_KEPT) -> None:
        self._kept: OrderedDict[tuple[str, int, str], _Kept] = OrderedDict()
        self._size = kept
        self._written = -1

    async def get(
        self,
        room_id: str,
        page: int,
        language: str,
        written: int,
        now: datetime,
        make: Callable[[], Awaitable[RoomSections]],
    ) -> RoomSections:
        """`written` must be read before `make` reads the room: a write in between then only makes the next
        request read again, never keeps a page older than its count."""
        if written < self._written:  # a request that read the count before another one's write: only its own
            return await make()
        if written > self._written:
            self._kept.clear()
            self._written = written
        key, minute = (room_id, page, language), now.replace(second=0, microsecond=0)
        kept = self._kept.get(key)
        if kept is not None and kept.minute == minute:
            self._kept.move_to_end(key)
            return kept.sections
        sections = await make()
        if written != self._written:  # written again while it was made: keep nothing made before that
            return sections
        self._kept[key] = _Kept(minute, sections)
        self._kept.move_to_end(key)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return sections
