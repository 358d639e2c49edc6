"""Members' data, table by table: which columns name a member, which hold their own text, which hold neither,
and what forgetting does to each table; the copy, the renaming and the erasing are derived from this declaration.
Also the key-value keys that hold a member's user id or the forgetting's own state."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import Enum

KEY = "privacy.key"  # the key of the hash that recognises forgotten members
FORMER_COUNT = "privacy.former_count"
FORGET_REQUEST = "privacy.forget_request:"  # + user id: when they asked (until they confirm or it lapses)
DIRECT_ROOM = "privacy.direct_room:"  # + user id: the member's direct room with the bot
TEXTS_CLEARED_ON = "privacy.texts_cleared_on"  # the UTC day message text was last cleared
MIN_QUOTED_TEXT = 12  # a member's text shorter than this ("ok", "I can drive") is not looked for in bot messages
MIN_RENAMED_NAME = 4  # a display name shorter than this is not looked for in others' text

PSEUDONYM = "former member {number}"  # what a forgotten member's user id becomes in every table


class Forget(Enum):
    """What forgetting a member does to a table's rows that name them."""

    RENAME = "rename"  # the user id becomes the pseudonym, their text is erased: the books need the row
    DELETE = "delete"  # the rows go: nothing in them is needed for the books
    KEEP = "keep"  # names no member (or is scrubbed by its own rule: the outbox, the key-value table)


@dataclass(frozen=True)
class Table:
    """One table as members' data: every column is in exactly one place here (tests/unit/storage/test_member_columns.py
    walks the migrated schema). The copy (`!mydata`), the renaming and the erasing are derived from it."""

    name: str
    forget: Forget
    members: tuple[str, ...] = ()  # columns holding a member's user id; the first is the author of `their_text`
    # Text the author wrote: (column, what it becomes when they are forgotten). Text that becomes '' is also looked
    # for in the bot's messages that quote it; in a table whose rows are deleted only that mark matters.
    their_text: tuple[tuple[str, str], ...] = ()
    free_text: tuple[str, ...] = ()  # text where others may have named the member: the pseudonym replaces them
    own: tuple[str, ...] = ()  # neither: ids, amounts, moments, flags, the bot's own text, scrubbed by own rules
    section: str = ""  # the copy's section for this table (its name when empty)

    @property
    def columns(self) -> set[str]:
        return {*self.members, *(c for c, _ in self.their_text), *self.free_text, *self.own}

    @property
    def quoted(self) -> tuple[str, ...]:
        """Their text that a bot message may quote: what is looked for in the outbox when they are forgotten."""
        return tuple(c for c, erased in self.their_text if erased == "''")


TABLES: tuple[Table, ...] = (
    Table("members", Forget.DELETE, ("user_id",), (("display_name", "NULL"),), own=("room_id",), section="names"),
    Table("joins", Forget.DELETE, ("user_id",), own=("room_id", "joined_at"), section="joined"),
    Table("reputation", Forget.RENAME, ("user_id",), own=("room_id", "credits")),
    Table(
        "messages",
        Forget.RENAME,
        ("author",),
        (("excerpt", "''"),),
        ("excerpt",),
        ("event_id", "room_id", "sent_at", "is_idea", "score", "redacted", "held_back", "look_up"),
    ),
    Table(
        "reactions",
        Forget.RENAME,
        ("giver",),
        own=("event_id", "room_id", "target_event_id", "emoji", "direction", "at", "removed"),
    ),
    Table(
        "credits",
        Forget.RENAME,
        ("giver", "receiver"),
        own=(
            "id",
            "room_id",
            "delta",
            "reason",
            "source_event_id",
            "target_event_id",
            "emoji",
            "proposal_id",
            "reverses",
            "at",
        ),
    ),
    Table(
        "proposals",
        Forget.RENAME,
        ("proposer",),
        (("cancel_reason", "NULL"), ("close_reason", "NULL")),
        ("title", "description", "cancel_reason", "close_reason"),  # title and description stay: the record
        (
            "id",
            "room_id",
            "number",
            "money_goal_cents",
            "hours_goal_minutes",
            "min_backers",
            "deadline",
            "created_at",
            "source_event_id",
            "idea_event_id",
            "status",
            "decided_at",
            "fully_backed_at",
            "closed",
            "closed_at",
            "thread_root",
            "thread_latest",
            "needs",
        ),
    ),
    Table(
        "pledges",
        Forget.RENAME,
        ("user_id",),
        (("note", "''"),),
        ("note",),
        ("proposal_id", "money_cents", "minutes", "pledged_at"),
    ),
    Table(
        "pledge_history",
        Forget.RENAME,
        ("user_id",),
        (("note", "''"),),
        ("note",),
        ("id", "proposal_id", "action", "money_cents", "minutes", "event_id", "at"),
    ),
    Table("objections", Forget.RENAME, ("user_id",), (("reason", "''"),), ("reason",), ("proposal_id", "at")),
    Table(
        "updates",
        Forget.RENAME,
        ("user_id",),
        (("text", "''"),),
        ("text",),
        ("id", "proposal_id", "percent", "at", "event_id"),
    ),
    Table(
        "deliveries",
        Forget.RENAME,
        ("user_id", "confirmed_by"),
        (("note", "''"),),
        ("note",),
        ("id", "proposal_id", "money_cents", "minutes", "at", "event_id", "confirmed_at", "confirm_event_id"),
    ),
    Table(
        "talents",
        Forget.DELETE,
        ("user_id",),
        (("talent", "''"), ("key", "NULL")),
        own=("room_id", "added_at"),
    ),
    Table("askable", Forget.DELETE, ("user_id",), own=("room_id",)),
    Table(
        "needs",
        Forget.RENAME,
        ("user_id", "helped_by"),
        (("text", "''"), ("talents", "'[]'")),
        ("text",),
        ("id", "room_id", "number", "at", "event_id", "solved_at"),
    ),
    Table("opted_out", Forget.DELETE, ("user_id",), own=("opted_out_at",)),
    Table("told", Forget.DELETE, ("user_id",), own=("room_id", "topic", "told_at")),
    Table(
        "encrypted_pending",
        Forget.DELETE,
        ("sender",),
        (("source", "NULL"),),  # the ciphertext event, which names its sender
        own=("event_id", "room_id", "first_seen", "explained"),
    ),
    # The bot's own messages: their text and mentions are scrubbed by name and quote (`forgetting._scrub_outbox`),
    # and the copy lists which of them mention the member.
    Table(
        "outbox",
        Forget.KEEP,
        own=(
            "id",
            "room_id",
            "kind",
            "proposal_id",
            "body",
            "html",
            "reply_to",
            "mentions",
            "created_at",
            "sent_at",
            "event_id",
            "state",
            "thread_root",
            "opens_thread",
            "delivery_id",
            "priority",
            "reaches",  # whether it was sent so that the members it mentions are notified
            "attempts",
            "retry_at",
            "last_error",  # the homeserver's refusal (errcode and message), never a member's text
        ),
    ),
    # Keys that hold a user id (a request to be forgotten, a direct room) are named by FORGET_REQUEST and
    # DIRECT_ROOM: copied, and deleted when the member is forgotten.
    Table("kv", Forget.KEEP, own=("key", "value")),
    Table("forgotten", Forget.KEEP, own=("digest", "pseudonym", "forgotten_at")),  # keyed hashes, no ids
    Table("processed_events", Forget.KEEP, own=("event_id", "room_id", "processed_at")),
    Table("bot_messages", Forget.KEEP, own=("event_id", "room_id", "kind", "proposal_id", "delivery_id")),
    Table("announcements", Forget.KEEP, own=("id", "proposal_id", "kind", "due_at", "state", "done_at")),
    Table("room_settings", Forget.KEEP, own=("room_id", "language", "digest")),
    Table("digests", Forget.KEEP, own=("room_id", "due_at", "state", "done_at")),  # when each room's digest went
    Table("board_writes", Forget.KEEP, own=("n",)),  # a count of writes, nothing of anyone
    # The board's ways in: a forgotten member's sign-in links and sessions go (only digests of tokens are kept).
    Table("board_links", Forget.DELETE, ("user_id",), own=("digest", "room_id", "expires_at", "used_at")),
    Table("board_sessions", Forget.DELETE, ("user_id",), own=("digest", "room_id", "expires_at")),
    Table("board_rooms", Forget.KEEP, own=("room_id", "key")),
    # [money] (issue 33): payment requests, and the bank lines that paid them, whose payer name, IBAN and
    # description came from the bank: erased when the member is forgotten, the amounts stay.
    Table(
        "payment_requests",
        Forget.RENAME,
        ("user_id",),
        own=("id", "proposal_id", "amount_cents", "reference", "requested_at", "reminded_at"),
    ),
    Table(
        "bank_lines",
        Forget.RENAME,
        ("user_id",),
        (("payer_name", "''"), ("payer_iban", "''"), ("text", "''")),
        own=(
            "id",
            "line_key",
            "booked_on",
            "amount_cents",
            "currency",
            "outcome",
            "request_id",
            "delivery_id",
            "imported_at",
        ),
    ),
)
MOMENTS = frozenset(
    {"at", "sent_at", "deadline", "created_at", "decided_at", "closed_at", "fully_backed_at"}
    | {"requested_at", "reminded_at", "imported_at"}  # [money] (issue 33)
)

# Derived from TABLES. The copy: (section, table, the columns that name them); every row that names them is in it.
MINE = tuple((t.section or t.name, t.name, t.members) for t in TABLES if t.members)
# Forgetting: the user id becomes the pseudonym here, and the author's text columns are erased…
RENAMED = tuple(
    (t.name, column, dict(t.their_text) if index == 0 else {})
    for t in TABLES
    if t.forget is Forget.RENAME
    for index, column in enumerate(t.members)
)
# …and their rows here are deleted.
DELETED = tuple((t.name, column) for t in TABLES if t.forget is Forget.DELETE for column in t.members)
# Their own text, looked for in the bot's own messages that quote it.
THEIR_TEXTS = tuple(f"SELECT {column} FROM {t.name} WHERE {t.members[0]} = :u" for t in TABLES for column in t.quoted)
# Free text anyone wrote, where others may have named the member (by user id or display name).
FREE_TEXT = tuple((t.name, column) for t in TABLES for column in t.free_text)


def unclassified_columns(conn: sqlite3.Connection) -> list[str]:
    """What the schema and TABLES disagree on: a table or column no declaration names, or one declared that the
    schema lacks. Empty when every column is classified."""
    declared = {t.name: t.columns for t in TABLES}
    found: list[str] = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        if table.startswith("sqlite_"):
            continue
        if table not in declared:
            found.append(f"{table} (a table no declaration names)")
            continue
        present = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
        found += [f"{table}.{column}" for column in sorted(present - declared[table])]
        found += [f"{table}.{column} (declared, not in the schema)" for column in sorted(declared[table] - present)]
    found += [f"{name} (declared, not in the schema)" for name in sorted(set(declared) - set(tables))]
    return sorted(found)
