"""Turning raw Matrix events into Kring's small typed events, and Kring's messages into Matrix content."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from html import escape as html_escape
from typing import Any, TypeGuard
from urllib.parse import quote

from bot.matrix.room_state import RoomState
from handlers.events import Event, Joined, Message, Reaction, Redaction
from storage.records import Outgoing

NOTICE = "m.notice"
TEXT = "m.text"  # a message meant to reach the members it names: the default push rules notify them
PILL_PREFIX = "https://matrix.to/#/"
HTML_FORMAT = "org.matrix.custom.html"
MAX_CONTENT_BYTES = 60_000  # of the 65 536 bytes Matrix allows per event; the rest is for signatures and hashes
SHORTENED = "\n… (shortened: too long for one Matrix message)"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
LATEST_MILLIS = int(datetime(9000, 1, 1, tzinfo=UTC).timestamp() * 1000)  # far inside what a datetime holds


def strip_reply_fallback(body: str) -> str:
    """Drop the `> <@user> quoted text` lines older clients put before a reply's own text."""
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index == 0:
        return body
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def storable(text: str) -> str:
    """`text` as it can be stored and sent: JSON may carry lone UTF-16 surrogates (`"\\ud800"`), which UTF-8 cannot
    encode; they become U+FFFD instead of failing every write of the batch they are in."""
    if text.isascii():  # most text and nearly every id: a flag CPython keeps, no scan
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text)
    return text


def _is_id(value: object) -> TypeGuard[str]:
    """A usable Matrix identifier: a string UTF-8 can encode."""
    return isinstance(value, str) and storable(value) is value


def _relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, Mapping) else {}


def event_time(source: Mapping[str, Any], now: datetime) -> datetime:
    """An event's `origin_server_ts` as an instant; `now` when it has none or one no instant can hold.

    The sender's homeserver sets it, to anything: converting it must never raise, or one event would stop every
    sync that carries it (a display-name change even every first sync after a restart).
    """
    millis = source.get("origin_server_ts")
    if not isinstance(millis, int) or isinstance(millis, bool) or not 0 < millis < LATEST_MILLIS:
        return now
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def to_kring_event(
    room_id: str,
    source: Mapping[str, Any],
    *,
    power_of: Callable[[str], int],
    name_of: Callable[[str], str],
    state: RoomState | None = None,
    now: datetime | None = None,
    at: datetime | None = None,
) -> Event | None:
    """A Kring event for a member's text message, reaction, redaction or join; None for anything else.

    `state` is the room's state in force at the event: what a redaction names and whether its sender may
    redact other members' events. `at` is when the event counts as sent (the sync loop's clamped time); without
    it, its own stamp, with `now` (Kring's clock) standing in for a time the event does not carry.
    """
    event_id = source.get("event_id")
    sender = source.get("sender")
    kind = source.get("type")
    content = source.get("content")
    if not _is_id(event_id) or not _is_id(sender) or not isinstance(content, Mapping):
        return None
    unsigned = source.get("unsigned")
    if isinstance(unsigned, Mapping) and "redacted_because" in unsigned:
        return None  # redacted before we saw it: counts nothing
    at = at or event_time(source, now or datetime.now(UTC))
    if kind == "m.room.message":
        return _message(room_id, event_id, sender, content, at, power_of, name_of)
    if kind == "m.reaction":
        relates = _relation(content)
        target, key = relates.get("event_id"), relates.get("key")
        if relates.get("rel_type") != "m.annotation" or not _is_id(target) or not isinstance(key, str):
            return None
        return Reaction(event_id, room_id, sender, target, storable(key), at, sender_power=power_of(sender))
    if kind == "m.room.redaction":
        room = state or RoomState()
        redacts = room.redacted_event(source)
        if not _is_id(redacts):
            return None
        return Redaction(event_id, room_id, sender, redacts, at, may_redact_others=room.may_redact_others(sender))
    if kind == "m.room.member":
        return _joined(room_id, event_id, source, content, at)
    return None


def _joined(
    room_id: str, event_id: str, source: Mapping[str, Any], content: Mapping[str, Any], at: datetime
) -> Joined | None:
    """A join (not a display-name or avatar change of someone already in the room)."""
    member = source.get("state_key")
    unsigned = source.get("unsigned")
    previous = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
    was = previous.get("membership") if isinstance(previous, Mapping) else None
    if content.get("membership") != "join" or was == "join" or not _is_id(member):
        return None
    return Joined(event_id, room_id, member, at)


def _message(
    room_id: str,
    event_id: str,
    sender: str,
    content: Mapping[str, Any],
    at: datetime,
    power_of: Callable[[str], int],
    name_of: Callable[[str], str],
) -> Message | None:
    body = content.get("body")
    if content.get("msgtype") != "m.text" or not isinstance(body, str):
        return None  # notices (other bots), emotes, files
    relates = _relation(content)
    if relates.get("rel_type") == "m.replace":
        return None  # an edit is never executed again
    thread_root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
    if not _is_id(thread_root):
        thread_root = None
    reply = relates.get("m.in_reply_to")
    reply_to = reply.get("event_id") if isinstance(reply, Mapping) else None
    if _is_id(reply_to):
        body = strip_reply_fallback(body)
        if thread_root is not None and relates.get("is_falling_back") is True:
            reply_to = None  # in a thread, the quote of its latest event for old clients is no reply
    else:
        reply_to = None
    mentioned = content.get("m.mentions")
    user_ids = mentioned.get("user_ids") if isinstance(mentioned, Mapping) else None
    mentions = tuple(u for u in user_ids if _is_id(u)) if isinstance(user_ids, list) else ()
    return Message(
        event_id=event_id,
        room_id=room_id,
        sender=sender,
        body=storable(body),
        at=at,
        sender_name=storable(name_of(sender)),
        reply_to=reply_to,
        sender_power=power_of(sender),
        mentions=mentions,
        thread_root=thread_root,
    )


def notice_content(message: Outgoing, thread_latest: str | None = None) -> dict[str, Any]:
    """A message with plain and HTML bodies, exact m.mentions, and a reply relation when it answers.

    Routine messages are an m.notice: the default push rules (`.m.rule.suppress_notices` comes before
    `.m.rule.is_user_mention`) notify nobody, mention or not. A message meant to reach the members it mentions is
    an m.text whose m.mentions are exactly the mentioned members it shows as a pill: they, and nobody else, are
    highlighted; never `@room`.

    Matrix refuses an event over 64 KiB for good, and a message that can never be sent would hold up the whole
    outbox behind it. The handlers keep what they say far smaller; should a message still be too big, it goes
    out as plain text, shortened, the same way every time it is retried.
    """
    content = _full_content(message, thread_latest)
    if _size(content) <= MAX_CONTENT_BYTES:
        return content
    del content["format"], content["formatted_body"]
    if _size({**content, "body": SHORTENED}) > MAX_CONTENT_BYTES:
        content["m.mentions"] = {}  # the mentions alone pass the limit: the text matters more than the pings
    body = message.body
    fits, too_long = 0, len(body) + 1  # the longest start of the body that fits, found by halving
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if _size({**content, "body": body[:middle] + SHORTENED}) <= MAX_CONTENT_BYTES:
            fits = middle
        else:
            too_long = middle
    content["body"] = body[:fits] + SHORTENED
    return content


def direct_content(message: Outgoing, member: str) -> dict[str, Any]:
    """A message for one member (a payment request, its reminder) in their direct room with the bot: an m.text
    whose m.mentions are exactly that member, so the default push rules notify them; shortened like any other."""
    content = notice_content(message)
    content["msgtype"] = TEXT
    content["m.mentions"] = {"user_ids": [member]}
    return content


def _size(content: Mapping[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


def pilled(html: str, user_ids: Iterable[str]) -> list[str]:
    """The members of `user_ids` the HTML shows as a pill (a matrix.to link to them), sorted."""
    return sorted({u for u in user_ids if f'href="{html_escape(PILL_PREFIX + quote(u, safe="@:"))}"' in html})


def _full_content(message: Outgoing, thread_latest: str | None) -> dict[str, Any]:
    named = pilled(message.html, message.mentions) if message.reaches else []
    reaches = bool(named)
    mentioned = named if reaches else sorted(set(message.mentions))
    content: dict[str, Any] = {
        "msgtype": TEXT if reaches else NOTICE,
        "body": message.body,
        "format": HTML_FORMAT,
        "formatted_body": message.html,
        "m.mentions": {"user_ids": mentioned} if mentioned else {},
    }
    if message.thread_root:
        # In the proposal's thread; clients without threads see it as a reply to the thread's latest event.
        quoted = message.reply_to or thread_latest or message.thread_root
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": message.thread_root,
            "is_falling_back": message.reply_to is None,
            "m.in_reply_to": {"event_id": quoted},
        }
    elif message.reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": message.reply_to}}
    return content


def file_content(
    name: str,
    caption: str,
    mime_type: str,
    size: int,
    *,
    url: str | None = None,
    encrypted: dict[str, Any] | None = None,
    caption_html: str | None = None,
) -> dict[str, Any]:
    """An `m.file` message with a caption (the body, in the room's language; the file's name is `filename`): a
    plain upload names its `url`, an encrypted one carries `file` (url, key, iv, hashes) so that only the room's
    members can read it."""
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": caption,
        "filename": name,
        "info": {"mimetype": mime_type, "size": size},
    }
    if caption_html is not None:
        content["format"] = HTML_FORMAT
        content["formatted_body"] = caption_html
    if encrypted is not None:
        content["file"] = encrypted
    else:
        content["url"] = url
    return content
