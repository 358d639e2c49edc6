"""Schema versions 7 to 12: work after GO (updates, deliveries, nudges), talents and needs, abuse by volume, fresh
accounts, members' own data, proposals underway."""

from __future__ import annotations

import sqlite3

from storage.migrations.runner import migration, run_script


@migration(7, rebuilds_tables=True)
def underway(conn: sqlite3.Connection) -> None:
    """After GO: updates, deliveries and their confirmation, the proposal's thread, a closing state, nudges.

    SQLite cannot widen a CHECK constraint in place, so the credit ledger (new reasons: confirmed deliveries)
    and the announcement schedule (new kinds: nudges) are copied into tables that allow them; SQLite's own
    recipe for that wants foreign keys off meanwhile, and checked before the COMMIT. Proposals that went GO
    before get their thread (the first announcement) and their nudges (at the default 14 and 7 days).
    """
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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
def members_own_data(conn: sqlite3.Connection) -> None:
    """Members' own data: who opted out of reputation, and the keyed hashes of forgotten members' user ids (so
    their later events are ignored without keeping the ids)."""
    run_script(
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
    run_script(
        conn,
        """
        CREATE INDEX proposals_underway ON proposals (room_id, decided_at) WHERE status = 'go' AND closed IS NULL
        """,
    )
