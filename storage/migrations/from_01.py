"""Schema versions 1 to 6: the first tables (proposals, pledges, credits, the outbox), encrypted events kept until
their keys arrive, ideas by score, named outbox states, room settings, one vote per member and message."""

from __future__ import annotations

import sqlite3

from storage.migrations.runner import migration, run_script


@migration(1)
def initial_schema(conn: sqlite3.Connection) -> None:
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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
