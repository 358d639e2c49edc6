"""The board as an Element widget in each served room: an `im.vector.modular.widgets` state event, pinned to the
top of the room with `io.element.widgets.layout`, where the bot's power level allows."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, RoomGetStateEventResponse, RoomPutStateResponse

from handlers.settings import BoardSettings
from handlers.wording.catalog import Texts
from storage.store import Store

log = logging.getLogger(__name__)

WIDGET_TYPE = "im.vector.modular.widgets"
LAYOUT_TYPE = "io.element.widgets.layout"
WIDGET_ID = "kring_board"


def widget_content(board: BoardSettings, key: str, bot: str, name: str) -> dict[str, Any]:
    """The widget as Element reads it; its address names the room's board key, never the room or a user."""
    return {
        "id": WIDGET_ID,
        "type": "m.custom",
        "name": name,
        "url": f"{board.base_url}/board/widget/{key}",
        "creatorUserId": bot,
        "waitForIframeLoad": True,
        "data": {"title": name},
    }


def layout_content(existing: dict[str, Any]) -> dict[str, Any]:
    """The room's widget layout with the board pinned at the top; other widgets keep their places."""
    widgets = dict(existing.get("widgets") or {}) if isinstance(existing.get("widgets"), dict) else {}
    widgets[WIDGET_ID] = {"container": "top", "index": 0, "width": 100, "height": 40}
    return {**existing, "widgets": widgets}


async def add_board_widgets(
    client: AsyncClient,
    store: Store,
    board: BoardSettings,
    rooms: set[str],
    bot: str,
    texts_for: Callable[[str], Awaitable[Texts]],
) -> list[str]:
    """Put (or refresh) the widget in every room where it is missing or differs; the rooms where it now is."""
    placed = []
    for room_id in sorted(rooms):
        key = await store.board.room_key(room_id)
        name = (await texts_for(room_id)).t("board.title").plain
        content = widget_content(board, key, bot, name)
        current = await client.room_get_state_event(room_id, WIDGET_TYPE, WIDGET_ID)
        if isinstance(current, RoomGetStateEventResponse) and current.content == content:
            placed.append(room_id)
            continue
        put = await client.room_put_state(room_id, WIDGET_TYPE, content, state_key=WIDGET_ID)
        if not isinstance(put, RoomPutStateResponse):
            log.warning(
                "board: cannot add the widget to %s (%s); give the bot the power to change room settings, or "
                "members use !board",
                room_id,
                getattr(put, "status_code", put),
            )
            continue
        layout = await client.room_get_state_event(room_id, LAYOUT_TYPE, "")
        existing = layout.content if isinstance(layout, RoomGetStateEventResponse) else {}
        await client.room_put_state(room_id, LAYOUT_TYPE, layout_content(existing), state_key="")
        placed.append(room_id)
        log.info("board: widget added to %s", room_id)
    return placed
