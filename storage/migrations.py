"""Numbered schema migrations, each applied in its own transaction together with PRAGMA user_version.

They run on the database thread with the plain sqlite3 connection, before the database is handed to anyone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: dict[int, Migration] = {}
REBUILDS_TABLES: set[int] = set()  # migrations that copy a table into a new one: foreign keys off meanwhile


class SchemaTooNewError(Exception):
    """The database was written by a newer Kring; refuse rather than guess."""


def migration(version: int, *, rebuilds_tables: bool = False) -> Callable[[Migration], Migration]:
    def register(step: Migration) -> Migration:
        if version in MIGRATIONS:
            raise RuntimeError(f"migration {version} registered twice")
        MIGRATIONS[version] = step
        if rebuilds_tables:
            REBUILDS_TABLES.add(version)
        return step

    return register


def latest_version() -> int:
    return max(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def refuse_newer_schema(conn: sqlite3.Connection) -> int:
    """The database's schema version; SchemaTooNewError if a newer Kring wrote it."""
    version = current_version(conn)
    newest = latest_version()
    if version > newest:
        raise SchemaTooNewError(
            f"the database has schema version {version} but this Kring knows only up to {newest}; "
            "upgrade Kring or use a backup"
        )
    return version


def apply_migrations(conn: sqlite3.Connection) -> None:
    version = refuse_newer_schema(conn)
    for target in range(version + 1, latest_version() + 1):
        rebuild = target in REBUILDS_TABLES
        keys_were_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if rebuild:
            conn.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction does this take effect
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) >= target:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            MIGRATIONS[target](conn)
            if rebuild and conn.execute("PRAGMA foreign_key_check").fetchall():
                raise sqlite3.IntegrityError(f"migration {target} would break a foreign key")
            conn.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if rebuild and keys_were_on and not conn.in_transaction:
                conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("COMMIT")
        if rebuild and keys_were_on:
            conn.execute("PRAGMA foreign_keys = ON")
        log.info("database migrated to schema version %d", target)


def _script(conn: sqlite3.Connection, statements: str) -> None:
    # executescript would COMMIT our transaction, so run statement by statement.
    for statement in statements.split(";"):
        if statement.strip():
            conn.execute(statement)


@migration(1)
def initial_schema(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE kv (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE processed_events (
            event_id     TEXT PRIMARY KEY,
            room_id      TEXT NOT NULL,
            processed_at INTEGER NOT NULL
        );
        CREATE TABLE members (
            room_id      TEXT NOT NULL,
            user_id      TEXT NOT NULL,
            display_name TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
        CREATE TABLE messages (
            event_id  TEXT PRIMARY KEY,
            room_id   TEXT NOT NULL,
            author    TEXT NOT NULL,
            sent_at   INTEGER NOT NULL,
            excerpt   TEXT NOT NULL,
            is_idea   INTEGER NOT NULL,
            score     INTEGER NOT NULL DEFAULT 0,
            redacted  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX messages_ideas ON messages (room_id, sent_at) WHERE is_idea = 1 AND redacted = 0;
        CREATE TABLE proposals (
            id                 INTEGER PRIMARY KEY,
            room_id            TEXT NOT NULL,
            number             INTEGER NOT NULL,
            title              TEXT NOT NULL,
            description        TEXT NOT NULL,
            proposer           TEXT NOT NULL,
            money_goal_cents   INTEGER,
            hours_goal_minutes INTEGER,
            min_backers        INTEGER NOT NULL,
            deadline           INTEGER NOT NULL,
            created_at         INTEGER NOT NULL,
            source_event_id    TEXT NOT NULL,
            idea_event_id      TEXT,
            status             TEXT NOT NULL DEFAULT 'open'
                               CHECK (status IN ('open', 'go', 'no-go', 'cancelled')),
            decided_at         INTEGER,
            cancel_reason      TEXT,
            fully_backed_at    INTEGER,
            UNIQUE (room_id, number)
        );
        CREATE INDEX proposals_open ON proposals (room_id, deadline) WHERE status = 'open';
        CREATE INDEX proposals_idea ON proposals (idea_event_id) WHERE idea_event_id IS NOT NULL;
        CREATE TABLE pledges (
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            user_id     TEXT NOT NULL,
            money_cents INTEGER NOT NULL CHECK (money_cents >= 0),
            minutes     INTEGER NOT NULL CHECK (minutes >= 0),
            note        TEXT NOT NULL,
            pledged_at  INTEGER NOT NULL,
            PRIMARY KEY (proposal_id, user_id)
        );
        CREATE TABLE pledge_history (
            id          INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            user_id     TEXT NOT NULL,
            action      TEXT NOT NULL CHECK (action IN ('pledge', 'withdraw')),
            money_cents INTEGER NOT NULL,
            minutes     INTEGER NOT NULL,
            note        TEXT NOT NULL,
            event_id    TEXT NOT NULL,
            at          INTEGER NOT NULL
        );
        CREATE TABLE objections (
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            user_id     TEXT NOT NULL,
            reason      TEXT NOT NULL,
            at          INTEGER NOT NULL,
            PRIMARY KEY (proposal_id, user_id)
        );
        CREATE TABLE credits (
            id              INTEGER PRIMARY KEY,
            room_id         TEXT NOT NULL,
            giver           TEXT,
            receiver        TEXT NOT NULL,
            delta           INTEGER NOT NULL,
            reason          TEXT NOT NULL
                            CHECK (reason IN ('reaction', 'reversal', 'go_proposer', 'go_backer')),
            source_event_id TEXT,
            target_event_id TEXT,
            emoji           TEXT,
            proposal_id     INTEGER REFERENCES proposals (id),
            reverses        INTEGER UNIQUE REFERENCES credits (id),
            at              INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX credits_by_reaction ON credits (source_event_id) WHERE reason = 'reaction';
        CREATE INDEX credits_given ON credits (room_id, giver, at) WHERE reason = 'reaction';
        CREATE INDEX credits_active_key ON credits (target_event_id, giver, emoji) WHERE reason = 'reaction';
        CREATE TABLE reputation (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            credits INTEGER NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
        CREATE INDEX reputation_rank ON reputation (room_id, credits);
        CREATE TABLE announcements (
            id          INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'deadline')),
            due_at      INTEGER NOT NULL,
            state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
            done_at     INTEGER,
            UNIQUE (proposal_id, kind)
        );
        CREATE INDEX announcements_pending ON announcements (due_at) WHERE state = 'pending';
        CREATE TABLE outbox (
            id          INTEGER PRIMARY KEY,
            room_id     TEXT NOT NULL,
            kind        TEXT NOT NULL,
            proposal_id INTEGER REFERENCES proposals (id),
            body        TEXT NOT NULL,
            html        TEXT NOT NULL,
            reply_to    TEXT,
            mentions    TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            sent_at     INTEGER,
            event_id    TEXT
        );
        CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
        CREATE TABLE bot_messages (
            event_id    TEXT PRIMARY KEY,
            room_id     TEXT NOT NULL,
            kind        TEXT NOT NULL,
            proposal_id INTEGER REFERENCES proposals (id)
        )
        """,
    )


@migration(2)
def encrypted_pending(conn: sqlite3.Connection) -> None:
    """Encrypted events we could not decrypt yet: kept until their keys arrive, never dropped."""
    _script(
        conn,
        """
        CREATE TABLE encrypted_pending (
            event_id   TEXT PRIMARY KEY,
            room_id    TEXT NOT NULL,
            sender     TEXT NOT NULL,
            source     TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            explained  INTEGER NOT NULL DEFAULT 0
        )
        """,
    )


@migration(3)
def ideas_by_score(conn: sqlite3.Connection) -> None:
    """!ideas reads the best-scored ideas first and stops at ten, instead of sorting a month of messages."""
    _script(
        conn,
        """
        DROP INDEX messages_ideas;
        CREATE INDEX messages_top_ideas ON messages (room_id, score DESC, sent_at DESC)
            WHERE is_idea = 1 AND redacted = 0 AND score > 0
        """,
    )


@migration(4)
def outbox_states(conn: sqlite3.Connection) -> None:
    """The outbox says what became of a message in words: pending, sent (with its event id) or dropped.

    Before, a dropped message was `sent_at = -1` (its room left) or `event_id = ''` (the homeserver refused it).
    """
    _script(
        conn,
        """
        ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sent', 'dropped'));
        UPDATE outbox SET state = 'dropped', sent_at = NULL WHERE sent_at = -1;
        UPDATE outbox SET state = 'dropped', event_id = NULL WHERE sent_at IS NOT NULL AND event_id = '';
        UPDATE outbox SET state = 'sent' WHERE sent_at IS NOT NULL AND state = 'pending';
        DELETE FROM bot_messages WHERE event_id = '';
        DROP INDEX outbox_unsent;
        CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending'
        """,
    )


@migration(5)
def room_settings(conn: sqlite3.Connection) -> None:
    """What a room chose for itself (its language); a room without a row uses the config's defaults."""
    _script(
        conn,
        """
        CREATE TABLE room_settings (
            room_id  TEXT PRIMARY KEY,
            language TEXT
        )
        """,
    )


@migration(6)
def reactions(conn: sqlite3.Connection) -> None:
    """One member, one vote per message: the up and down reactions are kept, each member's latest present one
    decides their vote. Reactions that gave a credit before are carried over."""
    _script(
        conn,
        """
        CREATE TABLE reactions (
            event_id        TEXT PRIMARY KEY,
            room_id         TEXT NOT NULL,
            giver           TEXT NOT NULL,
            target_event_id TEXT NOT NULL,
            emoji           TEXT NOT NULL,
            direction       INTEGER NOT NULL CHECK (direction IN (-1, 1)),
            at              INTEGER NOT NULL,
            removed         INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX reactions_present ON reactions (target_event_id, giver) WHERE removed = 0;
        INSERT INTO reactions (event_id, room_id, giver, target_event_id, emoji, direction, at)
            SELECT c.source_event_id, c.room_id, c.giver, c.target_event_id, COALESCE(c.emoji, ''), c.delta, c.at
            FROM credits c WHERE c.reason = 'reaction' AND c.giver IS NOT NULL AND c.target_event_id IS NOT NULL
            AND c.delta IN (-1, 1) AND NOT EXISTS (SELECT 1 FROM credits r WHERE r.reverses = c.id)
        """,
    )


@migration(7, rebuilds_tables=True)
def underway(conn: sqlite3.Connection) -> None:
    """After GO: updates, deliveries and their confirmation, the proposal's thread, a closing state, nudges.

    SQLite cannot widen a CHECK constraint in place, so the credit ledger (new reasons: confirmed deliveries)
    and the announcement schedule (new kinds: nudges) are copied into tables that allow them; SQLite's own
    recipe for that wants foreign keys off meanwhile, and checked before the COMMIT. Proposals that went GO
    before get their thread (the first announcement) and their nudges (at the default 14 and 7 days).
    """
    _script(
        conn,
        """
        ALTER TABLE proposals ADD COLUMN closed TEXT CHECK (closed IN ('done', 'dropped'));
        ALTER TABLE proposals ADD COLUMN closed_at INTEGER;
        ALTER TABLE proposals ADD COLUMN close_reason TEXT;
        ALTER TABLE proposals ADD COLUMN thread_root TEXT;
        ALTER TABLE proposals ADD COLUMN thread_latest TEXT;
        CREATE INDEX proposals_thread ON proposals (thread_root) WHERE thread_root IS NOT NULL;
        CREATE TABLE updates (
            id          INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            user_id     TEXT NOT NULL,
            text        TEXT NOT NULL,
            percent     INTEGER CHECK (percent BETWEEN 0 AND 100),
            at          INTEGER NOT NULL,
            event_id    TEXT NOT NULL UNIQUE
        );
        CREATE INDEX updates_of ON updates (proposal_id, at);
        CREATE TABLE deliveries (
            id               INTEGER PRIMARY KEY,
            proposal_id      INTEGER NOT NULL REFERENCES proposals (id),
            user_id          TEXT NOT NULL,
            money_cents      INTEGER NOT NULL CHECK (money_cents >= 0),
            minutes          INTEGER NOT NULL CHECK (minutes >= 0),
            note             TEXT NOT NULL,
            at               INTEGER NOT NULL,
            event_id         TEXT NOT NULL UNIQUE,
            confirmed_by     TEXT,
            confirmed_at     INTEGER,
            confirm_event_id TEXT
        );
        CREATE INDEX deliveries_of ON deliveries (proposal_id, user_id);
        ALTER TABLE outbox ADD COLUMN thread_root TEXT;
        ALTER TABLE outbox ADD COLUMN opens_thread INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN delivery_id INTEGER REFERENCES deliveries (id);
        ALTER TABLE bot_messages ADD COLUMN delivery_id INTEGER REFERENCES deliveries (id);
        CREATE TABLE credits_new (
            id              INTEGER PRIMARY KEY,
            room_id         TEXT NOT NULL,
            giver           TEXT,
            receiver        TEXT NOT NULL,
            delta           INTEGER NOT NULL,
            reason          TEXT NOT NULL CHECK (reason IN ('reaction', 'reversal', 'go_proposer', 'go_backer',
                                                            'delivered_hours', 'delivered_money', 'helped')),
            source_event_id TEXT,
            target_event_id TEXT,
            emoji           TEXT,
            proposal_id     INTEGER REFERENCES proposals (id),
            reverses        INTEGER UNIQUE REFERENCES credits (id),
            at              INTEGER NOT NULL
        );
        INSERT INTO credits_new SELECT id, room_id, giver, receiver, delta, reason, source_event_id, target_event_id,
            emoji, proposal_id, reverses, at FROM credits;
        DROP TABLE credits;
        ALTER TABLE credits_new RENAME TO credits;
        CREATE UNIQUE INDEX credits_by_reaction ON credits (source_event_id) WHERE reason = 'reaction';
        CREATE INDEX credits_given ON credits (room_id, giver, at) WHERE reason = 'reaction';
        CREATE INDEX credits_active_key ON credits (target_event_id, giver, emoji) WHERE reason = 'reaction';
        CREATE INDEX credits_by_source ON credits (source_event_id);
        CREATE TABLE announcements_new (
            id          INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'deadline', 'update_nudge', 'delivery_nudge')),
            due_at      INTEGER NOT NULL,
            state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
            done_at     INTEGER,
            UNIQUE (proposal_id, kind)
        );
        INSERT INTO announcements_new SELECT id, proposal_id, kind, due_at, state, done_at FROM announcements;
        DROP TABLE announcements;
        ALTER TABLE announcements_new RENAME TO announcements;
        CREATE INDEX announcements_pending ON announcements (due_at) WHERE state = 'pending';
        UPDATE proposals SET thread_root = (
            SELECT b.event_id FROM bot_messages b WHERE b.proposal_id = proposals.id AND b.kind = 'announce'
            ORDER BY b.rowid LIMIT 1
        );
        INSERT OR IGNORE INTO announcements (proposal_id, kind, due_at)
            SELECT id, 'update_nudge', decided_at + 14 * 86400 FROM proposals
            WHERE status = 'go' AND decided_at IS NOT NULL;
        INSERT OR IGNORE INTO announcements (proposal_id, kind, due_at)
            SELECT id, 'delivery_nudge', decided_at + 7 * 86400 FROM proposals
            WHERE status = 'go' AND decided_at IS NOT NULL
        """,
    )


@migration(8)
def talents_and_needs(conn: sqlite3.Connection) -> None:
    """Who can help with what: members' talents, whether they want to be asked, needs posted in the room, and
    the talents a proposal needs."""
    _script(
        conn,
        """
        CREATE TABLE talents (
            room_id  TEXT NOT NULL,
            user_id  TEXT NOT NULL,
            talent   TEXT NOT NULL,
            key      TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (room_id, user_id, key)
        );
        CREATE INDEX talents_in_room ON talents (room_id, key);
        CREATE TABLE askable (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
        CREATE TABLE needs (
            id        INTEGER PRIMARY KEY,
            room_id   TEXT NOT NULL,
            number    INTEGER NOT NULL,
            user_id   TEXT NOT NULL,
            text      TEXT NOT NULL,
            talents   TEXT NOT NULL,
            at        INTEGER NOT NULL,
            event_id  TEXT NOT NULL UNIQUE,
            solved_at INTEGER,
            helped_by TEXT,
            UNIQUE (room_id, number)
        );
        ALTER TABLE proposals ADD COLUMN needs TEXT NOT NULL DEFAULT '[]'
        """,
    )


@migration(9)
def volume(conn: sqlite3.Connection) -> None:
    """Abuse by volume: the outbox sends by priority (decisions before reminders before replies), a member's
    commands of the last minute are counted, and the bot says "slow down" once a minute at most."""
    _script(
        conn,
        """
        ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
        DROP INDEX outbox_pending;
        CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending';
        CREATE INDEX messages_commands ON messages (room_id, author, sent_at) WHERE is_idea = 0;
        CREATE TABLE slowed (
            room_id   TEXT NOT NULL,
            user_id   TEXT NOT NULL,
            warned_at INTEGER NOT NULL,
            PRIMARY KEY (room_id, user_id)
        )
        """,
    )


@migration(10)
def standing(conn: sqlite3.Connection) -> None:
    """Fresh and guest accounts: when each member first joined each room (their reactions may count only days
    later), and what the bot has told a member once (why their reactions count nothing)."""
    _script(
        conn,
        """
        CREATE TABLE joins (
            room_id   TEXT NOT NULL,
            user_id   TEXT NOT NULL,
            joined_at INTEGER NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
        CREATE TABLE told (
            room_id  TEXT NOT NULL,
            user_id  TEXT NOT NULL,
            topic    TEXT NOT NULL,
            told_at  INTEGER NOT NULL,
            PRIMARY KEY (room_id, user_id, topic)
        )
        """,
    )


@migration(11)
def privacy(conn: sqlite3.Connection) -> None:
    """Members' own data: who opted out of reputation, and the keyed hashes of forgotten members' user ids (so
    their later events are ignored without keeping the ids)."""
    _script(
        conn,
        """
        CREATE TABLE opted_out (
            user_id      TEXT PRIMARY KEY,
            opted_out_at INTEGER NOT NULL
        );
        CREATE TABLE forgotten (
            digest       TEXT PRIMARY KEY,
            pseudonym    TEXT NOT NULL,
            forgotten_at INTEGER NOT NULL
        );
        CREATE INDEX messages_sent ON messages (sent_at) WHERE excerpt != ''
        """,
    )


@migration(12)
def proposals_underway(conn: sqlite3.Connection) -> None:
    """`!proposals` lists the proposals underway decided last: an index of them, newest decision first."""
    _script(
        conn,
        """
        CREATE INDEX proposals_underway ON proposals (room_id, decided_at) WHERE status = 'go' AND closed IS NULL
        """,
    )


@migration(13)
def told_once(conn: sqlite3.Connection) -> None:
    """What the bot has told a member lives in one table: "slow down" (once a minute) joins the once-only notices
    in `told`, and `slowed` goes."""
    _script(
        conn,
        """
        INSERT OR IGNORE INTO told (room_id, user_id, topic, told_at)
            SELECT room_id, user_id, 'slow_down', warned_at FROM slowed;
        DROP TABLE slowed
        """,
    )


@migration(14)
def helper_credits_are_votes(conn: sqlite3.Connection) -> None:
    """A helper credit (`!solved`) is one of the asker's votes of the day: the daily count reads both kinds."""
    _script(
        conn,
        """
        DROP INDEX credits_given;
        CREATE INDEX credits_given ON credits (room_id, giver, at) WHERE reason IN ('reaction', 'helped')
        """,
    )


@migration(15)
def proposal_vote_target(conn: sqlite3.Connection) -> None:
    """All of Kring's messages about a proposal are one vote target: find them by proposal."""
    conn.execute("CREATE INDEX bot_messages_about ON bot_messages (proposal_id) WHERE kind = 'announce'")


@migration(16, rebuilds_tables=True)
def outbox_attempts(conn: sqlite3.Connection) -> None:
    """A message the homeserver keeps refusing is tried again later, then parked, so it holds up no other: the
    outbox counts each message's attempts, when it may be tried next and the last error, and knows `parked`."""
    _script(
        conn,
        """
        CREATE TABLE outbox_new (
            id           INTEGER PRIMARY KEY,
            room_id      TEXT NOT NULL,
            kind         TEXT NOT NULL,
            proposal_id  INTEGER REFERENCES proposals (id),
            body         TEXT NOT NULL,
            html         TEXT NOT NULL,
            reply_to     TEXT,
            mentions     TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            sent_at      INTEGER,
            event_id     TEXT,
            state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped', 'parked')),
            thread_root  TEXT,
            opens_thread INTEGER NOT NULL DEFAULT 0,
            delivery_id  INTEGER REFERENCES deliveries (id),
            priority     INTEGER NOT NULL DEFAULT 2,
            attempts     INTEGER NOT NULL DEFAULT 0,
            retry_at     INTEGER,
            last_error   TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO outbox_new (id, room_id, kind, proposal_id, body, html, reply_to, mentions, created_at, sent_at,
                                event_id, state, thread_root, opens_thread, delivery_id, priority)
            SELECT id, room_id, kind, proposal_id, body, html, reply_to, mentions, created_at, sent_at, event_id,
                   state, thread_root, opens_thread, delivery_id, priority FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_new RENAME TO outbox;
        CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending'
        """,
    )


@migration(17)
def commands_held_back(conn: sqlite3.Connection) -> None:
    """A command ignored over the budget is marked: it does not count against the member's next minute."""
    _script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0
        """,
    )


@migration(18, rebuilds_tables=True)
def confirm_nudge(conn: sqlite3.Connection) -> None:
    """A new kind of announcement: the proposer is reminded of deliveries waiting for her confirmation. SQLite
    cannot widen a CHECK constraint in place, so the schedule is copied into a table that allows it."""
    _script(
        conn,
        """
        CREATE TABLE announcements_new (
            id          INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals (id),
            kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'deadline', 'update_nudge', 'delivery_nudge',
                                                      'confirm_nudge')),
            due_at      INTEGER NOT NULL,
            state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
            done_at     INTEGER,
            UNIQUE (proposal_id, kind)
        );
        INSERT INTO announcements_new SELECT id, proposal_id, kind, due_at, state, done_at FROM announcements;
        DROP TABLE announcements;
        ALTER TABLE announcements_new RENAME TO announcements;
        CREATE INDEX announcements_pending ON announcements (due_at) WHERE state = 'pending'
        """,
    )


@migration(19)
def board(conn: sqlite3.Connection) -> None:
    """The room's board in the browser: one-time sign-in links and the sessions they open (only digests of their
    tokens are kept), and each room's opaque board key for the widget's address (no room id in a URL); indexes
    for the archive (the board's page and `!archive`) and a member's own pledges."""
    _script(
        conn,
        """
        CREATE TABLE board_links (
            digest     TEXT PRIMARY KEY,
            room_id    TEXT NOT NULL,
            user_id    TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at    INTEGER
        );
        CREATE TABLE board_sessions (
            digest     TEXT PRIMARY KEY,
            room_id    TEXT NOT NULL,
            user_id    TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE board_rooms (
            room_id TEXT PRIMARY KEY,
            key     TEXT NOT NULL UNIQUE
        );
        CREATE INDEX proposals_decided
            ON proposals (room_id, COALESCE(closed_at, decided_at, created_at) DESC, number DESC)
            WHERE status != 'open' AND NOT (status = 'go' AND closed IS NULL);
        CREATE INDEX pledges_by_member ON pledges (user_id)
        """,
    )


@migration(20)
def members_by_name(conn: sqlite3.Connection) -> None:
    """Names are shown with the user id beside them when another member of the room has the same one: finding
    those holders reads two indexes instead of every member of the room (each reply, and each board page)."""
    _script(
        conn,
        """
        CREATE INDEX members_by_name ON members (room_id, display_name);
        CREATE INDEX members_by_folded_name ON members (room_id, lower(display_name))
        """,
    )


@migration(21)
def effort_credits_count(conn: sqlite3.Connection) -> None:
    """Effort credits count against the daily cap like votes: what a member granted by confirming deliveries and
    the GO rewards they received that day are read from two small indexes."""
    _script(
        conn,
        """
        CREATE INDEX credits_effort_given ON credits (room_id, giver, at)
            WHERE reason IN ('delivered_hours', 'delivered_money');
        CREATE INDEX credits_go_received ON credits (room_id, receiver, at) WHERE reason IN ('go_proposer', 'go_backer')
        """,
    )
