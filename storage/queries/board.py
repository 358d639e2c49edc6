"""The board's ways in: one-time sign-in links and browser sessions (kept as digests of their tokens only), and
each room's opaque board key."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database
from storage.queries.members import names_in_room
from storage.queries.payments import COUNTED_LINES
from storage.queries.proposals import _PROPOSAL_COLUMNS as PROPOSAL_COLUMNS
from storage.queries.proposals import _proposal as proposal_of
from storage.queries.underway import _DELIVERY_COLUMNS as DELIVERY_COLUMNS
from storage.queries.underway import _delivery as delivery_of
from storage.records import Delivery, Objection, Pledge, Proposal, Update
from storage.timeconv import from_db, to_db

TOKEN_BYTES = 24  # 192 bits: a link or a session cannot be guessed


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """What is stored of a token: a database copy opens no board."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Involved:
    """What several proposals hold, by proposal id, and the names of the people in them."""

    pledges: dict[int, list[Pledge]]
    objections: dict[int, list[Objection]]
    updates: dict[int, list[Update]]
    deliveries: dict[int, list[Delivery]]
    names: dict[str, str]


@dataclass(frozen=True)
class Own:
    """What only the viewer sees on a board: their pledges to proposals open or underway (newest proposal first),
    what they delivered to those underway, and their own name."""

    name: str
    pledges: list[tuple[Proposal, Pledge]]
    deliveries: list[tuple[Proposal, Delivery]]
    payments: list[tuple[Proposal, str, int, int]] = field(default_factory=list)  # [money]: reference, asked, arrived


@dataclass(frozen=True)
class Viewer:
    """Who looks at which room's board."""

    room_id: str
    user_id: str


class BoardQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def new_link(self, room_id: str, user_id: str, expires_at: datetime) -> str:
        """A sign-in link's token for `user_id` and the board of `room_id` (inside the caller's transaction)."""
        token = new_token()
        await self.db.execute(
            "INSERT INTO board_links (digest, room_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
            (digest(token), room_id, user_id, to_db(expires_at)),
        )
        return token

    async def use_link(self, token: str, now: datetime) -> Viewer | None:
        """The link's viewer, once: a used, expired or unknown link gives None."""

        def use(conn: sqlite3.Connection) -> Viewer | None:
            row = conn.execute(
                "UPDATE board_links SET used_at = ? WHERE digest = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING room_id, user_id",
                (to_db(now), digest(token), to_db(now)),
            ).fetchone()
            return None if row is None else Viewer(str(row[0]), str(row[1]))

        return await self.db.run(use)  # one statement: used at most once, even by two requests at a time

    async def link_room(self, token: str, now: datetime) -> str | None:
        """The room of a link that still works, without using it (its page only shows a button)."""
        row = await self.db.fetch_one(
            "SELECT room_id FROM board_links WHERE digest = ? AND used_at IS NULL AND expires_at > ?",
            (digest(token), to_db(now)),
        )
        return None if row is None else str(row[0])

    async def new_session(self, viewer: Viewer, expires_at: datetime) -> str:
        token = new_token()
        await self.db.execute(
            "INSERT INTO board_sessions (digest, room_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
            (digest(token), viewer.room_id, viewer.user_id, to_db(expires_at)),
        )
        return token

    async def session(self, token: str, now: datetime) -> Viewer | None:
        row = await self.db.fetch_one(
            "SELECT room_id, user_id FROM board_sessions WHERE digest = ? AND expires_at > ?",
            (digest(token), to_db(now)),
        )
        return None if row is None else Viewer(str(row[0]), str(row[1]))

    async def end_session(self, token: str) -> None:
        await self.db.execute("DELETE FROM board_sessions WHERE digest = ?", (digest(token),))

    async def drop_expired(self, now: datetime) -> None:
        await self.db.execute("DELETE FROM board_links WHERE expires_at <= ?", (to_db(now),))
        await self.db.execute("DELETE FROM board_sessions WHERE expires_at <= ?", (to_db(now),))

    async def room_key(self, room_id: str) -> str:
        """The room's board key, made on first use: the widget's address names it instead of the room."""
        row = await self.db.fetch_one("SELECT key FROM board_rooms WHERE room_id = ?", (room_id,))
        if row is not None:
            return str(row[0])
        key = secrets.token_urlsafe(12)
        await self.db.execute("INSERT OR IGNORE INTO board_rooms (room_id, key) VALUES (?, ?)", (room_id, key))
        row = await self.db.fetch_one("SELECT key FROM board_rooms WHERE room_id = ?", (room_id,))
        return str(row[0]) if row is not None else key

    async def room_of_key(self, key: str) -> str | None:
        row = await self.db.fetch_one("SELECT room_id FROM board_rooms WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def written(self) -> int:
        """How often a table a board may show was written (kept by triggers): while it stays the same, no board
        changed. A chat message, a sync token or a sign-in leaves it as it was."""
        row = await self.db.fetch_one("SELECT n FROM board_writes")
        return int(row[0]) if row is not None else 0

    # what the board shows that no command reads the same way
    async def involvement(self, room_id: str, proposal_ids: Collection[int], others: Collection[str]) -> Involved:
        """Pledges, objections, updates and deliveries of several proposals, and the names of everyone in them
        and of `others`: one round trip, however many proposals a page shows."""

        def read(conn: sqlite3.Connection) -> Involved:
            ids = tuple(proposal_ids)
            marks = ",".join("?" * len(ids))
            found = Involved({i: [] for i in ids}, {i: [] for i in ids}, {i: [] for i in ids}, {i: [] for i in ids}, {})
            if ids:
                for row in conn.execute(
                    "SELECT proposal_id, user_id, money_cents, minutes, note, pledged_at FROM pledges "
                    f"WHERE proposal_id IN ({marks}) ORDER BY pledged_at, user_id",
                    ids,
                ):
                    found.pledges[row[0]].append(Pledge(row[1], row[2], row[3], row[4], from_db(row[5])))
                for row in conn.execute(
                    f"SELECT proposal_id, user_id, reason, at FROM objections WHERE proposal_id IN ({marks}) "
                    "ORDER BY at, user_id",
                    ids,
                ):
                    found.objections[row[0]].append(Objection(row[1], row[2], from_db(row[3])))
                for row in conn.execute(
                    f"SELECT proposal_id, user_id, text, percent, at FROM updates WHERE proposal_id IN ({marks}) "
                    "ORDER BY at, id",
                    ids,
                ):
                    found.updates[row[0]].append(Update(row[1], row[2], row[3], from_db(row[4])))
                for row in conn.execute(
                    f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE proposal_id IN ({marks}) ORDER BY at, id", ids
                ):
                    delivery = delivery_of(row)
                    found.deliveries[delivery.proposal_id].append(delivery)
            people = set(others)
            for by_id in (found.pledges, found.objections, found.updates, found.deliveries):
                people |= {entry.user_id for entries in by_id.values() for entry in entries}
            found.names.update(names_in_room(conn, room_id, sorted(people)))
            return found

        return await self.db.run(read)

    async def own(self, room_id: str, user_id: str) -> Own:
        """The viewer's part of the board, in one round trip."""

        def read(conn: sqlite3.Connection) -> Own:
            pledges = []
            # From the member's pledges (pledges_by_member) to their proposals, not through every proposal.
            for row in conn.execute(
                f"SELECT {PROPOSAL_COLUMNS}, g.money_cents, g.minutes, g.note, g.pledged_at FROM pledges g "
                "CROSS JOIN proposals ON id = g.proposal_id WHERE room_id = ? AND g.user_id = ? "
                "AND (status = 'open' OR (status = 'go' AND closed IS NULL)) ORDER BY number DESC",
                (room_id, user_id),
            ):
                *columns, money_cents, minutes, note, pledged_at = tuple(row)
                pledge = Pledge(user_id, int(money_cents), int(minutes), str(note), from_db(pledged_at))
                pledges.append((proposal_of(columns), pledge))  # type: ignore[arg-type]
            underway = {proposal.id: proposal for proposal, _ in pledges if proposal.is_underway}
            deliveries: list[tuple[Proposal, Delivery]] = []
            if underway:
                marks = ",".join("?" * len(underway))
                for row in conn.execute(
                    f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE proposal_id IN ({marks}) AND user_id = ? "
                    "ORDER BY at, id",
                    (*underway, user_id),
                ):
                    delivery = delivery_of(row)
                    deliveries.append((underway[delivery.proposal_id], delivery))
            deliveries.sort(key=lambda entry: -entry[0].number)  # by proposal as the pledges, each in time order
            name = names_in_room(conn, room_id, [user_id]).get(user_id, user_id)
            payments = []
            for proposal in sorted(underway.values(), key=lambda p: -p.number):
                for reference, asked, arrived in conn.execute(
                    "SELECT r.reference, r.amount_cents, (SELECT COALESCE(SUM(amount_cents), 0) FROM bank_lines "
                    f"WHERE request_id = r.id AND {COUNTED_LINES}) "
                    "FROM payment_requests r WHERE r.proposal_id = ? AND r.user_id = ?",
                    (proposal.id, user_id),
                ):
                    payments.append((proposal, str(reference), int(asked), int(arrived)))
            return Own(name, pledges, deliveries, payments)

        return await self.db.run(read)
