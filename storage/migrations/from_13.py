"""Schema versions from 13 (a new one goes at the end): one table of what the bot told a member, helper credits as
votes, one vote target per proposal, outbox attempts, held-back commands, the confirmation nudge, the board,
members found by name, look-ups in the command budget."""

from __future__ import annotations

import sqlite3

from storage.migrations.runner import migration, run_script


@migration(13)
def told_once(conn: sqlite3.Connection) -> None:
    """What the bot has told a member lives in one table: "slow down" (once a minute) joins the once-only notices
    in `told`, and `slowed` goes."""
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0
        """,
    )


@migration(18, rebuilds_tables=True)
def confirm_nudge(conn: sqlite3.Connection) -> None:
    """A new kind of announcement: the proposer is reminded of deliveries waiting for her confirmation. SQLite
    cannot widen a CHECK constraint in place, so the schedule is copied into a table that allows it."""
    run_script(
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
    run_script(
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
    run_script(
        conn,
        """
        CREATE INDEX members_by_name ON members (room_id, display_name);
        CREATE INDEX members_by_folded_name ON members (room_id, lower(display_name))
        """,
    )


@migration(21)
def payments(conn: sqlite3.Connection) -> None:
    """Money that arrives: a payment request per money pledge of a GO (its structured creditor reference unique),
    and every bank line a statement brought, kept once by its key (the bank's reference, or a digest of its fields)
    with what it was taken for."""
    run_script(
        conn,
        """
        CREATE TABLE payment_requests (
            id           INTEGER PRIMARY KEY,
            proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
            user_id      TEXT NOT NULL,
            amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
            reference    TEXT NOT NULL UNIQUE,
            requested_at INTEGER NOT NULL,
            reminded_at  INTEGER,
            UNIQUE (proposal_id, user_id)
        );
        CREATE TABLE bank_lines (
            id           INTEGER PRIMARY KEY,
            line_key     TEXT NOT NULL UNIQUE,
            booked_on    TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            currency     TEXT NOT NULL,
            payer_name   TEXT NOT NULL,
            payer_iban   TEXT NOT NULL,
            text         TEXT NOT NULL,
            outcome      TEXT NOT NULL CHECK (outcome IN ('matched', 'suggested', 'unmatched', 'ignored', 'double')),
            request_id   INTEGER REFERENCES payment_requests (id),
            user_id      TEXT,  -- the backer whose request it paid: the payer's name and IBAN are their data
            delivery_id  INTEGER REFERENCES deliveries (id),
            imported_at  INTEGER NOT NULL
        );
        CREATE INDEX bank_lines_of_request ON bank_lines (request_id) WHERE request_id IS NOT NULL
        """,
    )


@migration(22)
def look_ups_count_half(conn: sqlite3.Connection) -> None:
    """A look-up (`!help`, `!rep`, …) costs half of a command in the member's budget: the command is marked."""
    run_script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN look_up INTEGER NOT NULL DEFAULT 0
        """,
    )
