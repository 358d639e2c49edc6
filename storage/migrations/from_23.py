"""Schema versions from 23 (a new one goes at the end): messages meant to reach the members they name, the weekly
digest, the count of the writes a board can show (kept by triggers), effort credits read by their day."""

from __future__ import annotations

import sqlite3

from storage.migrations.runner import migration, run_script


@migration(23)
def messages_that_reach(conn: sqlite3.Connection) -> None:
    """A queued message says whether it is meant to reach the members it mentions (sent so that they are
    notified) or is routine (notifies nobody)."""
    run_script(
        conn,
        """
        ALTER TABLE outbox ADD COLUMN reaches INTEGER NOT NULL DEFAULT 0
        """,
    )


@migration(24)
def digests(conn: sqlite3.Connection) -> None:
    """The weekly digest: each room's weekly moment is claimed once (sent, or nothing to say), so a restart never
    posts it twice; a room may switch it off or on for itself (NULL: as configured)."""
    run_script(
        conn,
        """
        CREATE TABLE digests (
            room_id TEXT NOT NULL,
            due_at  INTEGER NOT NULL,
            state   TEXT NOT NULL CHECK (state IN ('sent', 'empty')),
            done_at INTEGER NOT NULL,
            PRIMARY KEY (room_id, due_at)
        );
        ALTER TABLE room_settings ADD COLUMN digest INTEGER
        """,
    )


# What a write to these tables can never change on a board: the sync token and other keys, chat and its
# bookkeeping, the outbox, sign-ins, the schedule. Every other table counts (`board_writes`).
BOARD_BLIND = frozenset(
    {
        "kv",
        "messages",
        "processed_events",
        "outbox",
        "bot_messages",
        "encrypted_pending",
        "board_links",
        "board_sessions",
        "board_writes",
        "digests",
        "told",
        "joins",
        "reactions",
        "announcements",
        "pledge_history",
    }
)


def count_board_writes(conn: sqlite3.Connection, table: str) -> None:
    """Triggers that count every insert, update and delete of `table` in `board_writes`."""
    for event in ("INSERT", "UPDATE", "DELETE"):
        conn.execute(
            f"CREATE TRIGGER IF NOT EXISTS board_writes_{table}_{event.lower()} AFTER {event} ON {table} "
            "BEGIN UPDATE board_writes SET n = n + 1; END"
        )


@migration(25)
def board_writes(conn: sqlite3.Connection) -> None:
    """A count of the writes that can change what a board shows, kept by triggers (no code path can miss one):
    the board keeps its page while it stays the same, across chat messages, sync tokens and other writes."""
    run_script(
        conn,
        """
        CREATE TABLE board_writes (n INTEGER NOT NULL);
        INSERT INTO board_writes (n) VALUES (0)
        """,
    )
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table not in BOARD_BLIND and not table.startswith("sqlite_"):
            count_board_writes(conn, table)


@migration(26)
def effort_credits_count(conn: sqlite3.Connection) -> None:
    """Effort credits count against the daily cap like votes: what a member granted by confirming deliveries and
    the GO rewards they received that day are read from two small indexes."""
    run_script(
        conn,
        """
        CREATE INDEX credits_effort_given ON credits (room_id, giver, at)
            WHERE reason IN ('delivered_hours', 'delivered_money');
        CREATE INDEX credits_go_received ON credits (room_id, receiver, at) WHERE reason IN ('go_proposer', 'go_backer')
        """,
    )
