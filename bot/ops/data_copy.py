"""A member's copy of their data (`!mydata`): the JSON document, its file name and a readable summary of it in the
room's language (bot/matrix sends it as a file, the summary as its caption).

The copy is made when it is sent, not when it was asked for, so it holds everything up to that moment.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, lines, user_text
from handlers.wording.sentences import SENTENCES
from storage.store import Store

FORMAT_VERSION = 1
MIME_TYPE = "application/json"


async def copy_of(store: Store, user_id: str, made_at: datetime, about: str | None = None) -> dict[str, Any]:
    """Everything Kring holds about `user_id`, in every room it serves, by section; `about` says so in the
    language of the room that asked (English when not given)."""
    return {
        "about": about or SENTENCES["privacy.copy_about"].text,
        "format_version": FORMAT_VERSION,
        "user_id": user_id,
        "made_at": made_at.isoformat(),
        "rooms": sorted(await store.member_data.rooms_of(user_id)),
        **await store.member_data.data_of(user_id),
    }


_HEAD = frozenset({"about", "format_version", "user_id", "made_at", "rooms"})


def summary(texts: Texts, document: dict[str, Any]) -> Rendered:
    """What the copy holds, section by section with its number of rows, for a member who does not read JSON."""
    rows = [texts.t("privacy.summary_title")]
    for section, held in document.items():
        if section in _HEAD or not isinstance(held, list) or not held:
            continue
        key = f"privacy.section.{section}"
        label = texts.t(key) if texts.has(key) else user_text(section.replace("_", " "))
        rows.append(texts.t("privacy.summary_line", section=label, count=len(held)))
    if len(rows) == 1:
        rows.append(texts.t("privacy.summary_nothing"))
    rows.append(texts.t("privacy.summary_file"))
    return lines(rows)


def file_name(user_id: str, made_at: datetime) -> str:
    """`kring-data-ann-20261201-0930.json`: the local part only, in characters every file system takes."""
    local = "".join(c if c.isalnum() or c in "-_." else "_" for c in user_id.lstrip("@").split(":")[0])
    return f"kring-data-{local or 'member'}-{made_at.strftime('%Y%m%d-%H%M')}.json"


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"
