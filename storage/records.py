"""The records Kring keeps: plain frozen values that the store returns and the rules in handlers work with.

They live here, in the lowest layer, so that both storage and handlers can import them; the rules over them
(GO / NO-GO, credits, views) live in handlers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum


def is_user_id(user_id: str) -> bool:
    """A Matrix user id (`@ann:example.org`); a forgotten member's pseudonym ("former member 7") is not one."""
    return user_id.startswith("@")


# Who confirmed a money delivery that a bank statement brought, and so the giver of the credits it earned: the
# bank, never a member (no Matrix id lacks its "@"). Rules about what members grant (daily caps, standing) leave
# it out by this name; the books show it as it is.
BANK = "bank"


# proposals, pledges, objections
class Status(StrEnum):
    OPEN = "open"
    GO = "go"  # underway: carried out in the open until done or dropped
    NO_GO = "no-go"
    CANCELLED = "cancelled"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Proposal:
    id: int
    room_id: str
    number: int
    title: str
    description: str
    proposer: str
    money_goal_cents: int | None
    hours_goal_minutes: int | None
    min_backers: int
    deadline: datetime
    created_at: datetime
    idea_event_id: str | None
    status: Status
    decided_at: datetime | None = None
    cancel_reason: str | None = None
    fully_backed_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    thread_root: str | None = None
    needs: tuple[str, ...] = ()  # talents the proposal asks for

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def is_underway(self) -> bool:
        """GO, and not yet done or dropped."""
        return self.status is Status.GO


@dataclass(frozen=True)
class NewProposal:
    """A proposal as `!propose` makes it; the store gives it its id and its number in the room."""

    room_id: str
    title: str
    description: str
    proposer: str
    money_goal_cents: int | None
    hours_goal_minutes: int | None
    min_backers: int
    deadline: datetime
    created_at: datetime
    source_event_id: str
    idea_event_id: str | None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pledge:
    user_id: str
    money_cents: int
    minutes: int
    note: str
    pledged_at: datetime


@dataclass(frozen=True)
class Objection:
    user_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Totals:
    backers: int
    money_cents: int
    minutes: int

    @classmethod
    def of(cls, pledges: Iterable[Pledge], proposer: str) -> Totals:
        """The proposer's own pledge counts toward money and hours, but the proposer is never one of the backers."""
        listed = list(pledges)
        return cls(
            backers=sum(1 for p in listed if p.user_id != proposer),
            money_cents=sum(p.money_cents for p in listed),
            minutes=sum(p.minutes for p in listed),
        )


@dataclass(frozen=True)
class Update:
    """How a GO proposal is going, told in its thread by the proposer or a backer."""

    user_id: str
    text: str
    percent: int | None
    at: datetime


@dataclass(frozen=True)
class Delivery:
    """Money paid or hours worked by a backer for a GO proposal; counted once the proposer or a moderator confirms."""

    id: int
    proposal_id: int
    user_id: str
    money_cents: int
    minutes: int
    note: str
    at: datetime
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    confirm_event_id: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None

    @property
    def by_bank(self) -> bool:
        """Confirmed by a bank statement, not by a member."""
        return self.confirmed_by == BANK


@dataclass(frozen=True)
class PaymentRequest:
    """What a money backer of a GO is asked to transfer, under a structured creditor reference (`RF…`) of its own."""

    id: int
    proposal_id: int
    user_id: str
    amount_cents: int
    reference: str
    requested_at: datetime
    reminded_at: datetime | None = None


class LineOutcome(StrEnum):
    """What a bank line was taken for when its statement was imported."""

    MATCHED = "matched"  # a payment of a request: a confirmed money delivery
    SUGGESTED = "suggested"  # looks like one (the amount, the proposal's number): a treasurer confirms it
    UNMATCHED = "unmatched"  # an incoming payment Kring cannot place: for the treasurer to handle
    IGNORED = "ignored"  # a debit, or another currency
    DOUBLE = "double"  # a request already paid in full was paid again: reported, never counted twice


@dataclass(frozen=True)
class BankLine:
    """One booked line of a bank statement, as Kring keeps it (`key`: the bank's reference, or a digest)."""

    key: str
    booked_on: date
    amount_cents: int  # negative for a debit
    currency: str
    payer_name: str
    payer_iban: str
    text: str  # the unstructured remittance information
    reference: str = ""  # the structured creditor reference, when the bank gave one


@dataclass(frozen=True)
class Talent:
    """What a member offers, as typed, and the key it is matched by."""

    user_id: str
    talent: str
    key: str


@dataclass(frozen=True)
class Need:
    """A member asking the room for help (`N#<number>`)."""

    id: int
    room_id: str
    number: int
    user_id: str
    text: str
    talents: tuple[str, ...]
    at: datetime
    solved_at: datetime | None = None
    helped_by: str | None = None


@dataclass(frozen=True)
class Involvement:
    """A proposal's pledges and objections, and the display names of everyone involved."""

    pledges: list[Pledge]
    objections: list[Objection]
    names: dict[str, str]


# credits
class CreditReason(StrEnum):
    REACTION = "reaction"
    REVERSAL = "reversal"
    GO_PROPOSER = "go_proposer"
    GO_BACKER = "go_backer"
    DELIVERED_HOURS = "delivered_hours"
    DELIVERED_MONEY = "delivered_money"
    HELPED = "helped"


@dataclass(frozen=True)
class Credit:
    """One row of the append-only ledger. The store numbers the rows; a reversal names the reaction whose
    credit it takes back (`reverses`, that reaction's event id), which the store turns into the row it points to."""

    room_id: str
    giver: str | None
    receiver: str
    delta: int
    reason: CreditReason
    at: datetime
    source_event_id: str | None = None
    target_event_id: str | None = None
    emoji: str | None = None
    proposal_id: int | None = None
    reverses: str | None = None


@dataclass(frozen=True)
class Standing:
    user_id: str
    credits: int
    rank: int


# what the bot has seen
@dataclass(frozen=True)
class SeenMessage:
    event_id: str
    room_id: str
    author: str
    sent_at: datetime
    excerpt: str
    score: int
    redacted: bool
    is_idea: bool = True  # not a command: reactions to it count


@dataclass(frozen=True)
class KeptReaction:
    """An up or down reaction of a member to a message, kept while present: the latest one is their vote."""

    event_id: str
    room_id: str
    giver: str
    target_event_id: str
    emoji: str
    direction: int  # +1 up, -1 down
    at: datetime


@dataclass(frozen=True)
class ParkedEvent:
    """An encrypted event whose keys have not arrived yet."""

    event_id: str
    room_id: str
    sender: str
    source: str
    first_seen: datetime
    explained: bool


# what the bot says, and when
class AnnouncementKind(StrEnum):
    REMINDER = "reminder"
    DEADLINE = "deadline"
    UPDATE_NUDGE = "update_nudge"  # no update for a while: ask the proposer, in the thread
    DELIVERY_NUDGE = "delivery_nudge"  # backers who delivered nothing yet: remind them, in the thread
    CONFIRM_NUDGE = "confirm_nudge"  # deliveries waiting for confirmation: remind the proposer, in the thread


@dataclass(frozen=True)
class Announcement:
    id: int
    proposal_id: int
    kind: AnnouncementKind
    due_at: datetime


class Priority(IntEnum):
    """What the outbox sends first when the homeserver holds it back: a due decision never waits behind chatter."""

    DECISION = 0  # decisions, closing reports, cancellations
    REMINDER = 1  # reminders and nudges
    CHATTER = 2  # replies to commands, and everything else
    PRIVATE = 3  # a member's data copy: it may wait for its direct room without holding up the room's replies


class MessageKind(StrEnum):
    REPLY = "reply"  # answers a command
    ANNOUNCE = "announce"  # a top-level message about a proposal: a reaction to it credits the proposer
    THREAD = "thread"  # posted in a proposal's thread (updates, confirmations, nudges): no vote target
    DATA_COPY = "data_copy"  # a member's copy of their data, sent as a file in a direct room (`mentions[0]`)
    BOARD_LINK = "board_link"  # a one-time sign-in link to the room's board, made when sent, in a direct room
    PAYMENT_REQUEST = "payment_request"  # a money backer's payment request after GO, in a direct room
    PAYMENT_QR = "payment_qr"  # its EPC QR code, as an image made when sent, in the same direct room


@dataclass(frozen=True)
class Outgoing:
    """A message to send, as the outbox keeps it."""

    room_id: str
    body: str
    html: str
    kind: MessageKind = MessageKind.REPLY
    reply_to: str | None = None
    proposal_id: int | None = None
    mentions: tuple[str, ...] = ()
    thread_root: str | None = None  # posted in the thread that this event (a proposal's announcement) starts
    opens_thread: bool = False  # the proposal's announcement: its event is the root of the proposal's thread
    delivery_id: int | None = None  # the reply to a delivery: a ✅ on it confirms the delivery
    priority: Priority = Priority.CHATTER
    reaches: bool = False  # meant to reach the members it mentions: sent so that they are notified


@dataclass(frozen=True)
class OutboxMessage:
    """A queued message and its place in the outbox."""

    id: int
    message: Outgoing


@dataclass(frozen=True)
class ParkedMessage:
    """A message the homeserver kept refusing: set aside so that it holds up no other, shown by `kring check`."""

    id: int
    room_id: str
    attempts: int
    last_error: str
    created_at: datetime


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, remembered so reactions and replies to it resolve without asking the server."""

    event_id: str
    room_id: str
    kind: MessageKind
    proposal_id: int | None
    delivery_id: int | None = None
