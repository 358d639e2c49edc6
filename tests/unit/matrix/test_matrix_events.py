"""What Kring reads from raw Matrix events and what it sends: replies, edits, notices, mentions, joins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nio import Event as NioEvent

from bot.matrix.events import notice_content, strip_reply_fallback, to_kring_event
from bot.matrix.sync import after_own_join
from handlers.events import Joined, Message, Reaction, Redaction, Say
from handlers.wording.markup import Rendered
from storage.records import MessageKind

ROOM = "!r:test"


def _convert(source: dict[str, Any]) -> Any:
    return to_kring_event(ROOM, source, power_of=lambda user: 50 if user == "@mod:test" else 0, name_of=str.upper)


def _text(body: str, **content: Any) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": "$e",
        "sender": "@ann:test",
        "origin_server_ts": 1_772_445_600_000,
        "content": {"msgtype": "m.text", "body": body, **content},
    }


def test_a_reply_drops_the_quoted_fallback_and_keeps_the_target() -> None:
    source = _text(
        "> <@bob:test> a good idea\n> second line\n\n!propose Courier €100",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": "$idea"}}},
    )
    message = _convert(source)
    assert isinstance(message, Message)
    assert message.body == "!propose Courier €100"
    assert message.reply_to == "$idea"
    assert message.sender_name == "@ANN:TEST"


def test_quote_lines_in_a_message_that_is_not_a_reply_stay() -> None:
    message = _convert(_text("> quoting a newsletter\nwhat do you think?"))
    assert isinstance(message, Message)
    assert message.body.startswith("> quoting")
    assert strip_reply_fallback("no quote") == "no quote"


def test_edits_notices_and_redacted_events_are_not_commands() -> None:
    edit = _text("* !backme 1 €5", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}})
    notice = _text("!help")
    notice["content"]["msgtype"] = "m.notice"
    redacted = _text("!top")
    redacted["unsigned"] = {"redacted_because": {"type": "m.room.redaction"}}
    assert _convert(edit) is None
    assert _convert(notice) is None
    assert _convert(redacted) is None


def test_power_level_and_mentions_come_along() -> None:
    source = _text("!rep Bob", **{"m.mentions": {"user_ids": ["@bob:test"]}})
    source["sender"] = "@mod:test"
    message = _convert(source)
    assert isinstance(message, Message)
    assert message.sender_power == 50
    assert message.mentions == ("@bob:test",)


def test_reactions_and_redactions() -> None:
    reaction = _convert(
        {
            "type": "m.reaction",
            "event_id": "$r",
            "sender": "@bob:test",
            "origin_server_ts": 1,
            "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$idea", "key": "👍"}},
        }
    )
    assert reaction == Reaction("$r", ROOM, "@bob:test", "$idea", "👍", reaction.at)
    redaction = {"type": "m.room.redaction", "sender": "@b:t"}
    old_style = _convert({**redaction, "event_id": "$x", "redacts": "$r", "content": {}})
    new_style = _convert({**redaction, "event_id": "$y", "content": {"redacts": "$r"}})
    assert isinstance(old_style, Redaction) and old_style.redacts == "$r"
    assert isinstance(new_style, Redaction) and new_style.redacts == "$r"
    assert _convert({"type": "m.reaction", "event_id": "$z", "sender": "@b:t", "content": {}}) is None


def test_lone_surrogates_in_text_are_replaced_and_ids_with_them_ignored() -> None:
    # JSON can carry "\\ud800", which no UTF-8 store or homeserver takes: text keeps the rest, ids are not ids.
    message = _convert(_text("odd \ud800 text"))
    assert isinstance(message, Message)
    assert message.body == "odd \ufffd text"
    message.body.encode("utf-8")
    reaction = {"type": "m.reaction", "event_id": "$r", "sender": "@bob:test", "origin_server_ts": 1}
    relation = {"rel_type": "m.annotation", "event_id": "$idea", "key": "\udc80"}
    converted = _convert({**reaction, "content": {"m.relates_to": relation}})
    assert isinstance(converted, Reaction) and converted.key == "\ufffd"
    assert _convert({**_text("hi"), "event_id": "$\ud800"}) is None
    assert _convert({**_text("hi"), "sender": "@\ud800:test"}) is None


def test_a_notice_is_a_reply_with_exact_mentions_and_html() -> None:
    say = Say(
        ROOM, Rendered("a <b>", "a &lt;b&gt;"), MessageKind.REPLY, reply_to="$cmd", mentions=("@b:t", "@a:t", "@b:t")
    )
    content = notice_content(say.outgoing())
    assert content["msgtype"] == "m.notice"
    assert content["formatted_body"] == "a &lt;b&gt;" and content["body"] == "a <b>"
    assert content["m.mentions"] == {"user_ids": ["@a:t", "@b:t"]}
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    announcement = notice_content(Say(ROOM, Rendered("x", "x"), MessageKind.ANNOUNCE).outgoing())
    assert announcement["m.mentions"] == {}
    assert "m.relates_to" not in announcement


class _Raw:
    def __init__(self, source: dict[str, Any]) -> None:
        self.source = source


def _member(user: str, membership: str, previous: str | None = None) -> NioEvent:
    source: dict[str, Any] = {"type": "m.room.member", "state_key": user, "content": {"membership": membership}}
    if previous:
        source["unsigned"] = {"prev_content": {"membership": previous}}
    return _Raw(source)


def test_events_before_the_bots_own_join_are_history() -> None:
    bot = "@kring:test"
    timeline = [_Raw(_text("!help")), _member(bot, "join", "invite"), _Raw(_text("!top"))]
    assert after_own_join(timeline, bot) == 2
    assert after_own_join([_Raw(_text("!help")), _member("@ann:test", "join")], bot) == 0
    # A profile change (join -> join) is not a new join.
    assert after_own_join([_Raw(_text("!help")), _member(bot, "join", "join")], bot) == 0


def _membership(membership: str, previous: str | None, state_key: str = "@new:test") -> dict[str, Any]:
    source: dict[str, Any] = {
        "type": "m.room.member",
        "event_id": "$m",
        "sender": state_key,
        "state_key": state_key,
        "origin_server_ts": 1_772_445_600_000,
        "content": {"membership": membership, "displayname": "New"},
    }
    if previous is not None:
        source["unsigned"] = {"prev_content": {"membership": previous}}
    return source


def test_a_join_is_read_with_its_moment_and_a_name_change_is_not_a_join() -> None:
    joined = _convert(_membership("join", None))
    assert isinstance(joined, Joined)
    assert (joined.sender, joined.room_id, joined.at.year) == ("@new:test", ROOM, 2026)
    assert isinstance(_convert(_membership("join", "invite")), Joined)
    assert isinstance(_convert(_membership("join", "leave")), Joined)
    assert _convert(_membership("join", "join")) is None  # a display name or avatar change
    assert _convert(_membership("leave", "join")) is None
    assert _convert(_membership("invite", None)) is None


def test_a_time_no_instant_can_hold_is_read_as_now() -> None:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    for stamp in (10**15, 2**70, -5, 0, True, "1772445600000", None):
        source = {**_text("!top"), "origin_server_ts": stamp}
        message = to_kring_event(ROOM, source, power_of=lambda _: 0, name_of=str, now=now)
        assert isinstance(message, Message) and message.at == now, stamp
