"""A synthetic community: actions (chat, reactions, redactions, commands) and the /sync bodies Synapse would send."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SERVER = "bench.test"
BOT_ID = f"@kring:{SERVER}"
PER_ROOM_PER_BODY = 100  # bot.matrix.sync.SYNC_FILTER: Synapse sends at most 100 timeline events per room and sync
STEP_MS = 120_000  # two minutes between a room's events: a busy room, a dozen reactions per member a day

# The mix, per 100 events of one room: 30 chat messages, 60 reactions, 6 redactions, 4 commands.
P_MESSAGE = 0.30
P_REACTION = 0.60
P_REDACTION = 0.06
P_PROPOSE = 0.03  # of commands: a new proposal (the rest back, show or list them)
UP_KEYS = ("👍", "👍", "👍", "❤️", "🎉", "➕", "👏", "💯")
DOWN_KEYS = ("👎", "➖")
OTHER_KEYS = ("😀", "🙏", "👀")
CHAT = (
    "Shall we share one courier for the district?",
    "Who else has trouble with the new insurer portal?",
    "The wholesaler delivers late again on Mondays.",
    "Idea: a shared stock list for scarce medicines, updated daily.",
    "Anyone going to the regional meeting next week?",
    "We could train assistants together instead of each on our own.",
    "Question: does anyone have experience with the new labelling printer?",
    "Need: someone to cover Saturday morning, I can swap a Wednesday.",
)


class Kind(StrEnum):
    MESSAGE = "message"
    COMMAND = "command"
    REACTION = "reaction"
    REDACTION = "redaction"


@dataclass(frozen=True)
class Action:
    """One thing a member does in a room; `target` is the index (in the room's list) of what it refers to."""

    room: int
    sender: int
    kind: Kind
    text: str = ""
    target: int | None = None


def member_id(index: int, server: str = SERVER) -> str:
    return f"@member{index:03d}:{server}"


def room_id(index: int, server: str = SERVER) -> str:
    return f"!room{index:03d}:{server}"


def event_id(room: int, index: int) -> str:
    """An event id of the same shape and length as Synapse's (room version 4 and later)."""
    digest = hashlib.sha256(f"{room}/{index}".encode()).digest()
    return "$" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class _RoomStory:
    """What has happened in one room so far, so that new actions refer to real earlier ones."""

    def __init__(self, room: int, members: int, rng: random.Random) -> None:
        self.room = room
        self.members = members
        self.rng = rng
        self.actions: list[Action] = []
        self.messages: list[int] = []
        self.live_reactions: list[int] = []
        self.given: set[tuple[int, int, str]] = set()
        self.proposals = 0

    def next(self) -> Action:
        roll = self.rng.random()
        if not self.messages or roll < P_MESSAGE:
            action = self._message()
        elif roll < P_MESSAGE + P_REACTION:
            action = self._reaction()
        elif roll < P_MESSAGE + P_REACTION + P_REDACTION and self.live_reactions:
            action = self._redaction()
        else:
            action = self._command()
        if action.kind in (Kind.MESSAGE, Kind.COMMAND):
            self.messages.append(len(self.actions))
        self.actions.append(action)
        return action

    def _sender(self) -> int:
        return self.rng.randrange(self.members)

    def _message(self) -> Action:
        text = self.rng.choice(CHAT)
        target = self.rng.choice(self.messages[-20:]) if self.messages and self.rng.random() < 0.1 else None
        return Action(self.room, self._sender(), Kind.MESSAGE, f"{text} ({len(self.actions)})", target)

    def _reaction(self) -> Action:
        for _ in range(10):
            sender = self._sender()
            target = self.rng.choice(self.messages[-50:])
            roll = self.rng.random()
            keys = UP_KEYS if roll < 0.8 else DOWN_KEYS if roll < 0.9 else OTHER_KEYS
            key = self.rng.choice(keys)
            if (sender, target, key) not in self.given:  # Synapse refuses a duplicate annotation
                self.given.add((sender, target, key))
                self.live_reactions.append(len(self.actions))
                return Action(self.room, sender, Kind.REACTION, key, target)
        return self._message()

    def _redaction(self) -> Action:
        index = self.live_reactions.pop(self.rng.randrange(len(self.live_reactions)))
        reaction = self.actions[index]
        assert reaction.target is not None
        self.given.discard((reaction.sender, reaction.target, reaction.text))
        return Action(self.room, reaction.sender, Kind.REDACTION, target=index)

    def _command(self) -> Action:
        if self.proposals == 0 or self.rng.random() < P_PROPOSE:
            self.proposals += 1
            money = self.rng.choice(("€2.500", "€800", "€12.000"))
            text = f"!propose Shared courier round {self.proposals} {money} 40h in 30 days min 3"
            return Action(self.room, self._sender(), Kind.COMMAND, text)
        number = self.rng.randint(1, self.proposals)
        text = self.rng.choice(
            (
                f"!backme {number} €{self.rng.randint(5, 500)} {self.rng.randint(1, 8)}h",
                f"!backme {number} €{self.rng.randint(5, 500)}",
                f"!backme {number}",
                f"!proposal {number}",
                "!top",
                "!rep",
                "!proposals",
                "!ideas",
            )
        )
        return Action(self.room, self._sender(), Kind.COMMAND, text)


def community(rooms: int, per_room: int, members: int, seed: int = 7) -> list[list[Action]]:
    """`per_room` actions in each of `rooms` rooms, the same for the same arguments."""
    rng = random.Random(seed)
    stories = [_RoomStory(room, members, rng) for room in range(rooms)]
    for _ in range(per_room):
        for story in stories:
            story.next()
    return [story.actions for story in stories]


def render(action: Action, room: int, index: int, at_ms: int) -> dict[str, Any]:
    """The event as Synapse serves it in a sync timeline (or a /messages chunk)."""
    content: dict[str, Any]
    source: dict[str, Any] = {}
    if action.kind is Kind.REACTION:
        assert action.target is not None
        kind = "m.reaction"
        content = {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id(room, action.target), "key": action.text}
        }
    elif action.kind is Kind.REDACTION:
        assert action.target is not None
        kind = "m.room.redaction"
        redacts = event_id(room, action.target)
        content = {"redacts": redacts}
        source["redacts"] = redacts
    else:
        kind = "m.room.message"
        content = {"body": action.text, "msgtype": "m.text"}
        if action.kind is Kind.COMMAND:
            content["m.mentions"] = {}
        if action.target is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": event_id(room, action.target)}}
    source.update(
        {
            "content": content,
            "event_id": event_id(room, index),
            "origin_server_ts": at_ms,
            "sender": member_id(action.sender),
            "type": kind,
            "unsigned": {"age": 180, "membership": "join"},
        }
    )
    return source


def room_state(room: int, members: int, at_ms: int) -> list[dict[str, Any]]:
    """Create, power levels and memberships (the bot's included), as in a full-state sync."""
    creator = member_id(0)
    rid = room_id(room)

    def state(kind: str, key: str, sender: str, content: dict[str, Any], n: int) -> dict[str, Any]:
        digest = hashlib.sha256(f"state/{rid}/{kind}/{key}".encode()).digest()
        return {
            "content": content,
            "event_id": "$" + base64.urlsafe_b64encode(digest).decode().rstrip("="),
            "origin_server_ts": at_ms + n,
            "sender": sender,
            "state_key": key,
            "type": kind,
            "unsigned": {"age": 10_000_000},
        }

    events = [
        state("m.room.create", "", creator, {"room_version": "10", "creator": creator}, 0),
        state("m.room.member", creator, creator, {"membership": "join", "displayname": "Member 0"}, 1),
        state("m.room.power_levels", "", creator, {"users": {creator: 100, member_id(1): 50}, "users_default": 0}, 2),
        state("m.room.join_rules", "", creator, {"join_rule": "invite"}, 3),
        state("m.room.history_visibility", "", creator, {"history_visibility": "shared"}, 4),
        state("m.room.name", "", creator, {"name": f"Community {room}"}, 5),
        state("m.room.member", BOT_ID, BOT_ID, {"membership": "join", "displayname": "Kring"}, 6),
    ]
    for member in range(1, members):
        user = member_id(member)
        events.append(state("m.room.member", user, user, {"membership": "join", "displayname": f"Member {member}"}, 7))
    return events


def _body(next_batch: str, rooms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "next_batch": next_batch,
        "device_one_time_keys_count": {"signed_curve25519": 50},
        "device_unused_fallback_key_types": [],
        "rooms": {"join": rooms, "invite": {}, "leave": {}},
    }


def _joined(timeline: list[dict[str, Any]], state: list[dict[str, Any]], prev_batch: str) -> dict[str, Any]:
    return {
        "timeline": {"events": timeline, "prev_batch": prev_batch, "limited": False},
        "state": {"events": state},
        "account_data": {"events": []},
        "ephemeral": {"events": []},
        "unread_notifications": {"notification_count": 0, "highlight_count": 0},
        "summary": {},
    }


def initial_body(rooms: int, members: int, start_ms: int) -> dict[str, Any]:
    """The first (full-state) sync: every room with its state and an empty timeline."""
    joined = {room_id(r): _joined([], room_state(r, members, start_ms - 3_600_000), "s0") for r in range(rooms)}
    return _body("s0", joined)


def sync_bodies(story: list[list[Action]], start_ms: int) -> Iterator[dict[str, Any]]:
    """Incremental syncs: each carries the next 100 events of every room in `story`, oldest first."""
    longest = max(len(actions) for actions in story)
    for batch, offset in enumerate(range(0, longest, PER_ROOM_PER_BODY), start=1):
        joined: dict[str, dict[str, Any]] = {}
        for actions in story:
            chunk = actions[offset : offset + PER_ROOM_PER_BODY]
            if chunk:
                room = chunk[0].room
                timeline = [
                    render(action, room, index, start_ms + index * STEP_MS)
                    for index, action in enumerate(chunk, start=offset)
                ]
                joined[room_id(room)] = _joined(timeline, [], f"s{batch - 1}")
        yield _body(f"s{batch}", joined)


def count_events(bodies: list[dict[str, Any]]) -> int:
    return sum(len(room["timeline"]["events"]) for body in bodies for room in body["rooms"]["join"].values())
