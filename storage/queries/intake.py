"""Queries for a whole sync batch: which events are new, what the credit rules must know, and the batch's effects.

Each group runs on the database thread in one round trip (`Database.run`), whatever the number of events.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database
from storage.queries.credits import CREDIT_SELECT, add_credits, credit_from_row
from storage.queries.members import clean_name
from storage.queries.messages import MESSAGE_COLUMNS, message_from_row
from storage.records import Credit, KeptReaction, SeenMessage
from storage.timeconv import from_db, to_db

CHUNK = 500  # ids per `IN (…)`: well under SQLite's limit on bound parameters
CHUNK_SIZES = (4, 32, CHUNK)

GiverDay = tuple[str, str, datetime]  # room, giver, start of the UTC day
# What counts against a member's daily cap: votes cast or changed, helper credits given with `!solved`, effort
# credits granted by confirming deliveries, and GO rewards received (each credit of the last two counts).
VOTES_GIVEN = "reason IN ('reaction', 'helped')"
_DAY = "room_id = ? AND {who} = ? AND at >= ? AND at < ?"
DAY_SPENT = (
    f"SELECT (SELECT COUNT(*) FROM credits WHERE {VOTES_GIVEN} AND {_DAY.format(who='giver')}) "
    "+ (SELECT COALESCE(SUM(MAX(delta, 0)), 0) FROM credits WHERE reason IN ('delivered_hours', 'delivered_money') "
    f"AND {_DAY.format(who='giver')}) "
    "+ (SELECT COALESCE(SUM(MAX(delta, 0)), 0) FROM credits WHERE reason IN ('go_proposer', 'go_backer') "
    f"AND {_DAY.format(who='receiver')})"
)


def day_spent(conn: sqlite3.Connection, room_id: str, member: str, day_start: datetime) -> int:
    """How much of `member`'s daily cap the UTC day from `day_start` has used in a room."""
    start = to_db(day_start)
    row = conn.execute(DAY_SPENT, (room_id, member, start, start + 86_400) * 3).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Announced:
    """One of the bot's messages about a proposal (announcement, fully backed, reminder, decision, report,
    cancellation): a reaction to it credits the proposer, and all of them are one vote target."""

    event_id: str
    proposal_id: int
    room_id: str
    proposer: str
    vote_target: str  # the proposal's first such message: a member's votes on any of them are one vote on it


@dataclass(frozen=True)
class FactsWanted:
    """What a batch's reactions and redactions refer to."""

    targets: frozenset[str]  # events reacted to
    redacted: frozenset[str]  # events redacted (reactions or messages)
    giver_days: frozenset[GiverDay]
    redaction_days: frozenset[tuple[str, datetime]] = frozenset()  # (room, UTC day) of each redaction
    joins_of: frozenset[tuple[str, str]] = frozenset()  # (room, member) whose join moment the rules need

    @property
    def any(self) -> bool:
        return bool(self.targets or self.redacted)


Pair = tuple[str, str]  # (giver, target event): one vote


@dataclass(frozen=True)
class CreditFacts:
    """What the credit rules need to know about the store before a batch, read in one go; read only."""

    messages: Mapping[str, SeenMessage]  # the remembered messages among the events referred to
    announcements: Mapping[str, Announced]
    reactions: Mapping[str, KeptReaction]  # present up/down reactions by event id, of every pair referred to
    votes: Mapping[Pair, Sequence[Credit]]  # each pair's unreversed vote credits (one, or per emoji before schema 6)
    given: Mapping[GiverDay, int]  # votes cast and changed that day, reversed or not
    joined: Mapping[tuple[str, str], datetime] = field(default_factory=dict)  # (room, member): first join seen

    def vote_target(self, event_id: str) -> str:
        """What a reaction to `event_id` votes on: the event itself, or for any of Kring's messages about a
        proposal, the proposal's first one (one proposal, one vote per member)."""
        announced = self.announcements.get(event_id)
        return announced.vote_target if announced is not None else event_id

    @classmethod
    def empty(cls) -> CreditFacts:
        """For a batch without reactions or redactions: nothing to know."""
        return cls({}, {}, {}, {}, {})


@dataclass
class Effects:
    """The rows a batch adds or changes, in the order its events caused them."""

    members: dict[tuple[str, str], str] = field(default_factory=dict)  # (room, member) → their latest name
    messages: list[tuple[str, str, str, int, str, int]] = field(default_factory=list)
    reactions: list[KeptReaction] = field(default_factory=list)
    removed_reactions: list[str] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    redacted: list[str] = field(default_factory=list)
    threaded: list[tuple[str, str]] = field(default_factory=list)  # (thread root, a member's message in it)
    joins: list[tuple[str, str, int]] = field(default_factory=list)  # (room, member, moment)

    def __bool__(self) -> bool:
        return bool(
            self.threaded
            or self.joins
            or self.members
            or self.messages
            or self.reactions
            or self.removed_reactions
            or self.credits
            or self.scores
            or self.redacted
        )

    def remember_member(self, room_id: str, user_id: str, display_name: str) -> None:
        """Once per member and batch, however much they say in it (the latest name is the one that counts)."""
        self.members[(room_id, user_id)] = clean_name(display_name)

    def add_message(self, message: SeenMessage) -> None:
        row = (message.event_id, message.room_id, message.author, to_db(message.sent_at), message.excerpt)
        self.messages.append((*row, int(message.is_idea)))

    def keep_reaction(self, reaction: KeptReaction) -> None:
        self.reactions.append(reaction)

    def remove_reaction(self, event_id: str) -> None:
        self.removed_reactions.append(event_id)

    def add_credit(self, credit: Credit) -> None:
        """A ledger row; the store numbers it and moves the receiver's total with it."""
        self.credits.append(credit)

    def add_to_score(self, event_id: str, delta: int) -> None:
        self.scores[event_id] = self.scores.get(event_id, 0) + delta

    def mark_redacted(self, event_id: str) -> None:
        self.redacted.append(event_id)

    def note_in_thread(self, thread_root: str, event_id: str) -> None:
        self.threaded.append((thread_root, event_id))

    def note_join(self, room_id: str, user_id: str, at: datetime) -> None:
        self.joins.append((room_id, user_id, to_db(at)))


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    """The ids in lists of a few fixed lengths (the last id repeated), so SQLite compiles each query a few times
    rather than once per batch size."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        size = next(bucket for bucket in CHUNK_SIZES if bucket >= len(chunk))
        yield chunk + chunk[-1:] * (size - len(chunk))


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _new_events(conn: sqlite3.Connection, events: Sequence[tuple[str, str]], at: int) -> list[bool]:
    seen: set[str] = set()
    for chunk in _chunks({event_id for event_id, _ in events}):
        rows = conn.execute(f"SELECT event_id FROM processed_events WHERE event_id IN ({_marks(chunk)})", chunk)
        seen.update(row[0] for row in rows)
    fresh: list[bool] = []
    rows_to_add: list[tuple[str, str, int]] = []
    for event_id, room_id in events:
        is_new = event_id not in seen
        fresh.append(is_new)
        if is_new:
            seen.add(event_id)
            rows_to_add.append((event_id, room_id, at))
    conn.executemany("INSERT INTO processed_events (event_id, room_id, processed_at) VALUES (?, ?, ?)", rows_to_add)
    return fresh


_UNREVERSED = "c.reason = 'reaction' AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id)"
_REACTION_COLUMNS = "event_id, room_id, giver, target_event_id, emoji, direction, at"


def _kept_reaction(row: sqlite3.Row) -> KeptReaction:
    return KeptReaction(row[0], row[1], row[2], row[3], row[4], row[5], from_db(row[6]))


def _read_facts(conn: sqlite3.Connection, wanted: FactsWanted) -> CreditFacts:
    reactions: dict[str, KeptReaction] = {}
    for chunk in _chunks(wanted.redacted):  # which of the redacted events are reactions, and to what
        query = f"SELECT {_REACTION_COLUMNS} FROM reactions WHERE removed = 0 AND event_id IN ({_marks(chunk)})"
        for row in conn.execute(query, chunk):
            reactions[row[0]] = _kept_reaction(row)
    # Every vote on the messages referred to: a redacted message takes back all of them.
    targets = wanted.targets | wanted.redacted | {r.target_event_id for r in reactions.values()}
    announcements = _announcements(conn, targets)
    targets |= announcements.keys()  # with all of Kring's other messages about the same proposals
    for chunk in _chunks(targets):
        query = (
            f"SELECT {_REACTION_COLUMNS} FROM reactions WHERE removed = 0 AND target_event_id IN ({_marks(chunk)}) "
            "ORDER BY at, rowid"
        )
        for row in conn.execute(query, chunk):
            reactions[row[0]] = _kept_reaction(row)
    votes: dict[Pair, list[Credit]] = {}
    for chunk in _chunks(targets):
        query = f"{CREDIT_SELECT} WHERE {_UNREVERSED} AND c.target_event_id IN ({_marks(chunk)}) ORDER BY c.id"
        for row in conn.execute(query, chunk):
            credit = credit_from_row(row)
            target = str(credit.target_event_id)
            found = announcements.get(target)
            votes.setdefault((str(credit.giver), found.vote_target if found else target), []).append(credit)
    messages: dict[str, SeenMessage] = {}
    for chunk in _chunks(targets):
        for row in conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE event_id IN ({_marks(chunk)})", chunk):
            messages[row[0]] = message_from_row(row)
    for event_id in messages.keys() & announcements.keys():
        del announcements[event_id]
    given: dict[GiverDay, int] = {}
    # Removing a reaction may bring the giver's earlier one back: that counts against the giver's own cap, also
    # when someone else (a moderator) removed it.
    days = set(wanted.giver_days) | {
        (room_id, reaction.giver, day)
        for reaction in reactions.values()
        if reaction.event_id in wanted.redacted
        for room_id, day in wanted.redaction_days
        if room_id == reaction.room_id
    }
    for room_id, giver, day_start in days:
        given[(room_id, giver, day_start)] = day_spent(conn, room_id, giver, day_start)
    joined: dict[tuple[str, str], datetime] = {}
    for room_id, user_id in wanted.joins_of:
        row = conn.execute(
            "SELECT joined_at FROM joins WHERE room_id = ? AND user_id = ?", (room_id, user_id)
        ).fetchone()
        if row is not None:
            joined[(room_id, user_id)] = from_db(row[0])
    return CreditFacts(messages, announcements, reactions, votes, given, joined)


def _announcements(conn: sqlite3.Connection, event_ids: Iterable[str]) -> dict[str, Announced]:
    """Kring's messages about a proposal among `event_ids`, and every other message of Kring's about the same
    proposals, each with the proposal's vote target."""
    proposals: set[int] = set()
    for chunk in _chunks(event_ids):
        query = f"SELECT proposal_id FROM bot_messages WHERE kind = 'announce' AND event_id IN ({_marks(chunk)})"
        proposals.update(int(row[0]) for row in conn.execute(query, chunk) if row[0] is not None)
    found: dict[str, Announced] = {}
    ordered = sorted(proposals)
    first: dict[int, str] = {}
    for start in range(0, len(ordered), CHUNK):
        ids = ordered[start : start + CHUNK]
        query = (
            "SELECT b.event_id, p.id, p.room_id, p.proposer FROM bot_messages b "
            f"JOIN proposals p ON p.id = b.proposal_id WHERE b.kind = 'announce' AND b.proposal_id IN ({_marks(ids)}) "
            "ORDER BY b.rowid"
        )
        for row in conn.execute(query, ids):
            vote_target = first.setdefault(int(row[1]), str(row[0]))
            found[row[0]] = Announced(row[0], row[1], row[2], row[3], vote_target)
    return found


def _write(conn: sqlite3.Connection, effects: Effects) -> None:
    if not effects:
        return
    # Inserts first: an update in this batch only ever concerns a row that existed when its event came.
    conn.executemany(
        "INSERT INTO members (room_id, user_id, display_name) VALUES (?, ?, ?) "
        "ON CONFLICT (room_id, user_id) DO UPDATE SET display_name = excluded.display_name "
        "WHERE display_name != excluded.display_name",  # an unchanged name leaves its page clean
        [(room_id, user_id, name) for (room_id, user_id), name in effects.members.items()],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO messages (event_id, room_id, author, sent_at, excerpt, is_idea) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        effects.messages,
    )
    conn.executemany(
        f"INSERT OR IGNORE INTO reactions ({_REACTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (r.event_id, r.room_id, r.giver, r.target_event_id, r.emoji, r.direction, to_db(r.at))
            for r in effects.reactions
        ],
    )
    conn.executemany("UPDATE reactions SET removed = 1 WHERE event_id = ?", [(e,) for e in effects.removed_reactions])
    add_credits(conn, effects.credits)
    conn.executemany(
        "UPDATE messages SET score = score + ? WHERE event_id = ?",
        [(delta, event_id) for event_id, delta in effects.scores.items() if delta],
    )
    conn.executemany(
        "UPDATE messages SET redacted = 1 WHERE event_id = ? AND redacted = 0", [(e,) for e in effects.redacted]
    )
    conn.executemany(
        "UPDATE proposals SET thread_latest = ? WHERE thread_root = ?", [(e, root) for root, e in effects.threaded]
    )
    conn.executemany(  # the first join Kring saw: leaving and coming back does not make an account new again
        "INSERT INTO joins (room_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT (room_id, user_id) "
        "DO UPDATE SET joined_at = excluded.joined_at WHERE excluded.joined_at < joins.joined_at",
        effects.joins,
    )


class IntakeQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def is_processed(self, event_id: str) -> bool:
        return await self.db.fetch_one("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)) is not None

    async def claim_new(self, events: Sequence[tuple[str, str]], at: datetime) -> list[bool]:
        """Record (event id, room id) pairs as processed; for each, True if it is new (not seen, not repeated)."""
        if not events:
            return []
        return await self.db.run(lambda conn: _new_events(conn, events, to_db(at)))

    async def votes_given(self, room_id: str, giver: str, day_start: datetime) -> int:
        """How much of `giver`'s daily cap the UTC day from `day_start` has used in a room (see DAY_SPENT)."""
        return await self.db.run(lambda conn: day_spent(conn, room_id, giver, day_start))

    async def credit_facts(self, wanted: FactsWanted) -> CreditFacts:
        return await self.db.run(lambda conn: _read_facts(conn, wanted))

    async def write(self, effects: Effects) -> None:
        if effects:
            await self.db.run(self.writer(effects))

    @staticmethod
    def writer(effects: Effects) -> Callable[[sqlite3.Connection], None]:
        """Writing `effects`, for code already on the database thread (e.g. `Store.savepoint(first=…)`)."""
        return functools.partial(_write, effects=effects)
