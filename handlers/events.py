"""The small typed events handlers receive, and what handlers ask the bot to say."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handlers.wording.markup import Rendered
from storage.records import MessageKind, Outgoing, Priority


@dataclass(frozen=True)
class Message:
    """A text message by a member (commands included)."""

    event_id: str
    room_id: str
    sender: str
    body: str
    at: datetime
    sender_name: str = ""
    reply_to: str | None = None
    sender_power: int = 0
    mentions: tuple[str, ...] = ()
    thread_root: str | None = None  # sent in the thread this event starts
    # The latest moment the room's timeline proves it was sent by (a later event stamped by Kring's own homeserver,
    # else when Kring received it); None where nothing is known beyond `at` (the console, tests)
    proven_by: datetime | None = None


@dataclass(frozen=True)
class Reaction:
    event_id: str
    room_id: str
    sender: str
    target_event_id: str
    key: str
    at: datetime
    sender_power: int = 0


@dataclass(frozen=True)
class Redaction:
    event_id: str
    room_id: str
    sender: str
    redacts: str
    at: datetime
    may_redact_others: bool = False  # the sender has the room's redact level: not only their own events


@dataclass(frozen=True)
class Joined:
    """A member joined a room (their membership became `join`): from then on their days in the room count."""

    event_id: str
    room_id: str
    sender: str  # the member who joined
    at: datetime


Event = Message | Reaction | Redaction | Joined


@dataclass(frozen=True)
class Say:
    """One message the bot will send; `reply_to` makes it a Matrix reply to that event."""

    room_id: str
    text: Rendered
    kind: MessageKind = MessageKind.REPLY
    reply_to: str | None = None
    proposal_id: int | None = None
    mentions: tuple[str, ...] = field(default=())
    thread_root: str | None = None  # posted in that thread (a proposal's announcement starts one)
    opens_thread: bool = False
    delivery_id: int | None = None
    priority: Priority = Priority.CHATTER  # what the outbox sends first when the homeserver holds it back
    # Meant to reach the members it mentions (a decision naming its backers, a reminder to named members, a talent
    # match): sent so that exactly they are notified. Everything else is routine and notifies nobody.
    reaches: bool = False

    def outgoing(self) -> Outgoing:
        """As the outbox keeps it: the text as plain and HTML bodies."""
        return Outgoing(
            room_id=self.room_id,
            body=self.text.plain,
            html=self.text.html,
            kind=self.kind,
            reply_to=self.reply_to,
            proposal_id=self.proposal_id,
            mentions=self.mentions,
            thread_root=self.thread_root,
            opens_thread=self.opens_thread,
            delivery_id=self.delivery_id,
            priority=self.priority,
            reaches=self.reaches,
        )
