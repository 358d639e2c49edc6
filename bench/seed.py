"""A store as a long-lived community leaves it: members, messages, a credit ledger and proposals with pledges."""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.shapes import member_id, room_id
from storage.store import Store

ROOM = room_id(0)
DAY = 86_400
YEAR = 365 * DAY
CREDITS_PER_MESSAGE = 5
REVERSED_EVERY = 50  # one reaction in fifty is taken back
UP = ("👍", "❤", "🎉", "➕", "👏")


@dataclass(frozen=True)
class Community:
    credits: int
    proposals: int
    members: int = 500
    open_proposals: int = 20

    @property
    def messages(self) -> int:
        return max(10, self.credits // CREDITS_PER_MESSAGE)


def message_event(index: int) -> str:
    return f"$seed-message-{index}"


def announcement_event(proposal: int) -> str:
    return f"$seed-announcement-{proposal}"


@dataclass(frozen=True)
class _Message:
    index: int
    author: int
    sent_at: int

    def row(self) -> tuple[object, ...]:
        excerpt = f"Idea {self.index}: a shared courier for the district"
        return (message_event(self.index), ROOM, member_id(self.author), self.sent_at, excerpt, 1)


def _credits(community: Community, messages: list[_Message]) -> Iterator[tuple[object, ...]]:
    """Reactions to the messages in turn, five each from five other members; one in fifty is taken back."""
    credit_id = 0
    reaction = 0
    while credit_id < community.credits:
        message = messages[(reaction // CREDITS_PER_MESSAGE) % len(messages)]
        turn = reaction % CREDITS_PER_MESSAGE
        author = member_id(message.author)
        giver = member_id((message.author + 1 + turn) % community.members)
        delta = -1 if turn == CREDITS_PER_MESSAGE - 1 and message.index % 3 == 0 else 1
        emoji = "👎" if delta < 0 else UP[turn]
        at = message.sent_at + 60 * (turn + 1)
        target = message_event(message.index)
        credit_id += 1
        yield (credit_id, ROOM, giver, author, delta, "reaction", f"$seed-reaction-{reaction}", target, emoji, None, at)
        if reaction % REVERSED_EVERY == 0 and credit_id < community.credits:
            credit_id += 1
            undo = f"$seed-redaction-{reaction}"
            yield (credit_id, ROOM, giver, author, -delta, "reversal", undo, target, emoji, credit_id - 1, at + 30)
        reaction += 1


def _fill(conn: sqlite3.Connection, community: Community, seed: int) -> None:
    rng = random.Random(seed)
    now = int(time.time())
    conn.executemany(
        "INSERT INTO members (room_id, user_id, display_name) VALUES (?, ?, ?)",
        [(ROOM, member_id(m), f"Member {m}") for m in range(community.members)],
    )
    messages = [
        _Message(i, rng.randrange(community.members), now - rng.randrange(YEAR)) for i in range(community.messages)
    ]
    conn.executemany(
        "INSERT INTO messages (event_id, room_id, author, sent_at, excerpt, is_idea) VALUES (?, ?, ?, ?, ?, ?)",
        (message.row() for message in messages),
    )
    credits = list(_credits(community, messages))
    conn.executemany(
        "INSERT INTO credits (id, room_id, giver, receiver, delta, reason, source_event_id, target_event_id, emoji, "
        "reverses, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        credits,
    )
    reputation: Counter[str] = Counter()
    scores: Counter[str] = Counter()
    for credit in credits:
        reputation[str(credit[3])] += int(str(credit[4]))
        scores[str(credit[7])] += int(str(credit[4]))
    conn.executemany(
        "INSERT INTO reputation (room_id, user_id, credits) VALUES (?, ?, ?)",
        [(ROOM, user, total) for user, total in reputation.items()],
    )
    conn.executemany("UPDATE messages SET score = ? WHERE event_id = ?", [(s, e) for e, s in scores.items()])
    conn.execute(
        "INSERT INTO processed_events (event_id, room_id, processed_at) SELECT event_id, room_id, sent_at FROM messages"
    )
    conn.execute(
        "INSERT INTO processed_events (event_id, room_id, processed_at) SELECT source_event_id, room_id, at "
        "FROM credits"
    )
    _proposals(conn, community, rng, now)


def _proposals(conn: sqlite3.Connection, community: Community, rng: random.Random, now: int) -> None:
    rows = []
    pledges = []
    history = []
    announcements = []
    bot_messages = []
    for number in range(1, community.proposals + 1):
        is_open = number > community.proposals - community.open_proposals
        created = now - DAY if is_open else now - YEAR + (number * (YEAR - 30 * DAY)) // community.proposals
        deadline = now + rng.randrange(2, 30) * DAY if is_open else created + 14 * DAY
        status = "open" if is_open else rng.choice(("go", "no-go", "go", "cancelled"))
        proposer = member_id(rng.randrange(community.members))
        title = f"Shared courier round {number}"
        money = rng.choice((None, 250_000, 80_000, 1_200_000))
        decided = None if is_open else deadline
        source = f"$seed-propose-{number}"
        rows.append(
            (number, ROOM, number, title, "", proposer, money, 2400, 3, deadline, created, source, status, decided)
        )
        backers = rng.sample(range(community.members), rng.randint(2, 8))
        for backer in backers:
            user = member_id(backer)
            cents = rng.choice((0, 2_500, 10_000, 50_000))
            minutes = rng.choice((0, 60, 240))
            pledges.append((number, user, cents, minutes, "", created + 3600))
            history.append(
                (number, user, "pledge", cents, minutes, "", f"$seed-back-{number}-{backer}", created + 3600)
            )
        bot_messages.append((announcement_event(number), ROOM, "announce", number))
        if is_open:
            announcements.append((number, "deadline", deadline, "pending"))
            announcements.append((number, "reminder", deadline - DAY, "pending"))
    conn.executemany(
        "INSERT INTO proposals (id, room_id, number, title, description, proposer, money_goal_cents, "
        "hours_goal_minutes, min_backers, deadline, created_at, source_event_id, status, decided_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO pledges (proposal_id, user_id, money_cents, minutes, note, pledged_at) VALUES (?, ?, ?, ?, ?, ?)",
        pledges,
    )
    conn.executemany(
        "INSERT INTO pledge_history (proposal_id, user_id, action, money_cents, minutes, note, event_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        history,
    )
    conn.executemany(
        "INSERT INTO bot_messages (event_id, room_id, kind, proposal_id) VALUES (?, ?, ?, ?)", bot_messages
    )
    conn.executemany("INSERT INTO announcements (proposal_id, kind, due_at, state) VALUES (?, ?, ?, ?)", announcements)


async def seed(database: Path, community: Community, seed: int = 11) -> float:
    """Create `database` with Kring's schema and fill it; returns the seconds it took."""
    started = time.perf_counter()
    store = await Store.open(database)
    await store.close()
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -200000")
        # Bulk loads go faster with the indexes built afterwards, from sorted data.
        indexes = [
            sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        ]
        for (name,) in list(conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")):
            conn.execute(f"DROP INDEX {name}")
        conn.execute("BEGIN")
        _fill(conn, community, seed)
        for sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return time.perf_counter() - started


def open_numbers(community: Community) -> list[int]:
    return list(range(community.proposals - community.open_proposals + 1, community.proposals + 1))
