"""The engine: each event at most once, its effects in one transaction, the outbox, restarts and migrations."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from handlers.events import Event, Message, Reaction
from storage.migrations import MIGRATIONS, SchemaTooNewError, latest_version
from storage.records import OutboxMessage
from storage.store import Store
from tests.unit.harness import BOT, ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"


async def setup_room(room: Harness) -> dict[str, str]:
    """An idea with a reaction and a proposal with a pledge; returns the event ids to replay."""
    idea, _ = await room.say(ANN, "Shared courier?", event_id="$idea")
    await room.react(BOB, idea, "👍", event_id="$up")
    await room.react(CAS, idea, "👍", event_id="$up2")
    await room.redact(CAS, "$up2", event_id="$undo")
    await room.say(ANN, "!propose Shared courier €100 in 3 days", event_id="$propose")
    await room.say(BOB, "!backme 1 €60", event_id="$backme")
    await room.say(BOB, "!withdraw 1", event_id="$withdraw")
    await room.say(BOB, "!backme 1 €30", event_id="$backme2")
    return {"idea": idea}


REPLAYS: dict[str, Callable[[Harness], Awaitable[Any]]] = {
    "message": lambda room: room.say(ANN, "Shared courier?", event_id="$idea"),
    "propose": lambda room: room.say(ANN, "!propose Shared courier €100 in 3 days", event_id="$propose"),
    "backme": lambda room: room.say(BOB, "!backme 1 €60", event_id="$backme"),
    "withdraw": lambda room: room.say(BOB, "!withdraw 1", event_id="$withdraw"),
    "reaction": lambda room: room.react(BOB, "$idea", "👍", event_id="$up"),
    "redacted reaction": lambda room: room.react(CAS, "$idea", "👍", event_id="$up2"),
    "redaction": lambda room: room.redact(CAS, "$up2", event_id="$undo"),
}


@pytest.mark.parametrize("kind", list(REPLAYS))
async def test_replaying_an_event_changes_nothing_and_sends_nothing(room: Harness, kind: str) -> None:
    await setup_room(room)
    before = await room.dump(everything=True)
    sent = len(room.sent)
    await REPLAYS[kind](room)
    await room.deliver()
    assert await room.dump(everything=True) == before
    assert len(room.sent) == sent


async def test_replaying_after_a_restart_changes_nothing(room: Harness) -> None:
    await setup_room(room)
    await room.reopen()
    before = await room.dump(everything=True)
    for replay in REPLAYS.values():
        await replay(room)
    assert await room.deliver() == []
    assert await room.dump(everything=True) == before


async def test_handle_reports_whether_the_event_was_new(room: Harness) -> None:
    message = Message("$m1", ROOM, ANN, "hello", room.clock.now())
    assert await room.kring.handle(message) is True
    assert await room.kring.handle(message) is False


async def test_the_bots_own_events_are_ignored(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Shared courier?")
    _, out = await room.say(BOT, "!propose Echoed back by the homeserver")
    await room.react(BOT, idea, "👍")
    assert out == []
    assert await room.rows("SELECT * FROM proposals") == []
    assert await room.rep(ANN) == 0


async def test_history_is_remembered_but_not_acted_on(room: Harness) -> None:
    now = room.clock.now()
    past: list[Event] = [
        Message("$old", ROOM, ANN, "Shared courier?", now, sender_name="Ann"),
        Message("$cmd", ROOM, BOB, "!propose An old plan", now),
        Reaction("$r", ROOM, BOB, "$old", "👍", now),
    ]
    assert await room.kring.handle_batch(past, history=True) == 3
    assert await room.deliver() == []
    assert await room.rows("SELECT * FROM proposals") == []
    assert await room.rep(ANN) == 0
    assert not await room.kring.handle(past[1])  # seen once, never executed later

    await room.react(CAS, "$old", "👍")  # a new reaction to a message from before counts
    assert await room.rep(ANN) == 1
    assert "Ann: “Shared courier?”" in (await room.reply(CAS, "!ideas")).body


async def test_a_failing_handler_changes_nothing_and_says_so(
    room: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await room.say(ANN, "!propose Shared courier €100 in 3 days")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug after the pledge was written")

    monkeypatch.setattr("handlers.proposals.pledges.load_facts", broken)
    before = await room.dump()
    with caplog.at_level(logging.ERROR):
        event_id, out = await room.say(BOB, "!backme 1 €60")
    assert [s.body for s in out] == ["Something went wrong on my side; nothing was changed. Please try again later."]
    assert out[0].reply_to == event_id
    assert await room.dump() == before
    assert await room.store.intake.is_processed(event_id)
    assert "bug after the pledge was written" in caplog.text

    monkeypatch.undo()
    _, again = await room.say(BOB, "!backme 1 €60", event_id=event_id)  # redelivered: already processed
    assert again == []
    assert await room.rows("SELECT * FROM pledges") == []


async def test_a_store_failure_aborts_the_event_so_it_is_retried(
    room: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    idea, _ = await room.say(ANN, "Shared courier?")
    before = await room.dump(everything=True)

    def disk_full(*args: object) -> Callable[[sqlite3.Connection], None]:
        def write(conn: sqlite3.Connection) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        return write

    monkeypatch.setattr(room.store.intake, "writer", disk_full)  # where a batch's credits are written
    reaction = Reaction("$up", ROOM, BOB, idea, "👍", room.clock.now())
    with pytest.raises(sqlite3.OperationalError):
        await room.kring.handle(reaction)
    assert await room.dump(everything=True) == before  # not even marked processed

    monkeypatch.undo()
    assert await room.kring.handle(reaction) is True
    assert await room.rep(ANN) == 1


async def test_a_batch_commits_its_state_with_its_effects(room: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    now = room.clock.now()
    first: list[Event] = [Message("$a", ROOM, ANN, "Shared courier?", now), Reaction("$r", ROOM, BOB, "$a", "👍", now)]
    assert await room.kring.handle_batch(first, {"sync_token": "s1"}) == 2
    assert await room.store.key_values.get("sync_token") == "s1"

    def disk_full(*args: object) -> Callable[[sqlite3.Connection], None]:
        def write(conn: sqlite3.Connection) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        return write

    monkeypatch.setattr(room.store.intake, "writer", disk_full)  # where a batch's credits are written
    second: list[Event] = [Message("$b", ROOM, CAS, "A van?", now), Reaction("$r2", ROOM, BOB, "$b", "👍", now)]
    with pytest.raises(sqlite3.OperationalError):
        await room.kring.handle_batch(second, {"sync_token": "s2"})
    assert await room.store.key_values.get("sync_token") == "s1"
    assert not await room.store.intake.is_processed("$b")
    assert await room.rep(ANN) == 1


async def test_a_failure_writing_the_events_before_a_command_aborts_the_batch(
    room: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not a database error, yet the reaction before the command must not be lost: the batch is retried whole.
    idea, _ = await room.say(ANN, "Shared courier?")
    before = await room.dump(everything=True)
    writer = room.store.intake.writer

    def broken_writer(effects: Any) -> Callable[[sqlite3.Connection], None]:
        def write(conn: sqlite3.Connection) -> None:
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

        return write

    monkeypatch.setattr(room.store.intake, "writer", broken_writer)
    now = room.clock.now()
    batch: list[Event] = [Reaction("$up", ROOM, BOB, idea, "👍", now), Message("$help", ROOM, CAS, "!help", now)]
    with pytest.raises(UnicodeEncodeError):
        await room.kring.handle_batch(batch)
    assert await room.dump(everything=True) == before  # nothing claimed, nothing answered

    monkeypatch.setattr(room.store.intake, "writer", writer)
    assert await room.kring.handle_batch(batch) == 2
    assert await room.rep(ANN) == 1
    (answer,) = await room.deliver()
    assert answer.reply_to == "$help"


async def test_a_command_refused_before_it_reads_anything_keeps_the_events_around_it(room: Harness) -> None:
    # The events before a command are written with its first statement: one that sends none still gets them written.
    idea, _ = await room.say(ANN, "Shared courier?")
    await room.reply(ANN, "!help")  # the room's language is known from here on: reading it costs nothing
    now = room.clock.now()
    batch: list[Event] = [
        Reaction("$up", ROOM, BOB, idea, "👍", now),
        Message("$bare", ROOM, CAS, "!backme", now),
        Reaction("$up2", ROOM, CAS, idea, "👍", now),
        Message("$top", ROOM, BOB, "!top", now),
    ]
    assert await room.kring.handle_batch(batch) == 4
    assert await room.rep(ANN) == 2
    refused, top = await room.deliver()
    assert refused.reply_to == "$bare" and "!backme" in refused.body
    assert top.reply_to == "$top" and "Ann" in top.body


async def test_an_undelivered_message_is_sent_later_exactly_once(room: Harness) -> None:
    async def offline(message: OutboxMessage) -> str:
        raise ConnectionError("homeserver unreachable")

    await room.kring.handle(Message("$p", ROOM, ANN, "!propose Shared courier", room.clock.now()))
    with pytest.raises(ConnectionError):
        await room.kring.deliver(offline)
    await room.reopen()
    (announcement,) = await room.deliver()
    assert announcement.body.startswith("📣 New proposal #1")
    assert await room.deliver() == []
    await room.react(BOB, announcement.event_id, "👍")  # its event id is known once it went out
    assert await room.rep(ANN) == 1


async def test_restart_keeps_credits_proposals_and_the_announcements_event_ids(room: Harness) -> None:
    await setup_room(room)
    announcement = next(s for s in room.sent if s.kind == "announce")
    await room.reopen()
    assert await room.rep(ANN) == 1
    answer = await room.reply(CAS, "!status", reply_to=announcement.event_id)
    assert answer.body.startswith("#1 Shared courier — open") and "Bob: €30" in answer.body
    await room.react(CAS, announcement.event_id, "🎉")
    assert await room.rep(ANN) == 2


# migrations


async def test_a_new_database_gets_the_latest_schema(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "new.db")
    try:
        row = await store.db.fetch_one("PRAGMA user_version")
        assert row is not None and row[0] == latest_version()
    finally:
        await store.close()


def future_database(tmp_path: Path) -> Path:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    return path


async def test_a_database_from_a_newer_kring_is_refused(tmp_path: Path) -> None:
    path = future_database(tmp_path)
    with pytest.raises(SchemaTooNewError, match="schema version"):
        await Store.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []  # left untouched
    conn.close()


def test_the_cli_refuses_a_database_from_a_newer_kring(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    assert main(["export", "-c", str(config), "--db", str(future_database(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kring: ") and "schema version" in err and err.count("\n") == 1


async def test_reopening_a_database_keeps_its_data(room: Harness) -> None:
    await setup_room(room)
    before = await room.dump(everything=True)
    await room.reopen()
    await room.reopen()
    assert await room.dump(everything=True) == before


async def test_an_older_outbox_gets_named_states_for_what_became_of_each_message(tmp_path: Path) -> None:
    """Schema 4: `sent_at = -1` (room left) and `event_id = ''` (refused for good) were dropped messages."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        for version in (1, 2, 3):
            MIGRATIONS[version](conn)
        conn.execute("PRAGMA user_version = 3")
        row = "INSERT INTO outbox (room_id, kind, body, html, mentions, created_at, sent_at, event_id) VALUES "
        conn.execute(row + "('!r', 'reply', 'waiting', '', '[]', 1, NULL, NULL)")
        conn.execute(row + "('!r', 'reply', 'room left', '', '[]', 1, -1, NULL)")
        conn.execute(row + "('!r', 'reply', 'refused', '', '[]', 1, 5, '')")
        conn.execute(row + "('!r', 'reply', 'went out', '', '[]', 1, 5, '$e1')")
        conn.execute("INSERT INTO bot_messages (event_id, room_id, kind) VALUES ('', '!r', 'reply')")
    conn.close()
    store = await Store.open(path)
    try:
        states = await store.db.fetch_all("SELECT body, state, event_id FROM outbox ORDER BY id")
        assert [tuple(r) for r in states] == [
            ("waiting", "pending", None),
            ("room left", "dropped", None),
            ("refused", "dropped", None),
            ("went out", "sent", "$e1"),
        ]
        assert [m.message.body for m in await store.outbox.pending()] == ["waiting"]
        assert await store.bot_messages.bot_message("") is None
    finally:
        await store.close()


async def test_schema_7_keeps_the_ledger_and_the_schedule_while_it_widens_them(tmp_path: Path) -> None:
    """The ledger and the schedule are copied into tables that allow delivery credits and nudges."""
    path = tmp_path / "v6.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        for version in range(1, 7):
            MIGRATIONS[version](conn)
        conn.execute("PRAGMA user_version = 6")
        conn.execute(
            "INSERT INTO proposals (id, room_id, number, title, description, proposer, min_backers, deadline, "
            "created_at, source_event_id) VALUES (1, '!r', 1, 'Van', '', '@a', 1, 9, 1, '$p')"
        )
        credit = "INSERT INTO credits (room_id, giver, receiver, delta, reason, source_event_id, reverses, at) VALUES "
        conn.execute(credit + "('!r', '@b', '@a', 1, 'reaction', '$r1', NULL, 1)")
        conn.execute(credit + "('!r', '@b', '@a', -1, 'reversal', '$x1', 1, 2)")
        conn.execute("INSERT INTO announcements (proposal_id, kind, due_at, state) VALUES (1, 'deadline', 9, 'done')")
        conn.execute("UPDATE proposals SET status = 'go', decided_at = 9")
        conn.execute(
            "INSERT INTO bot_messages (event_id, room_id, kind, proposal_id) VALUES ('$ann', '!r', 'announce', 1)"
        )
        conn.execute(
            "INSERT INTO bot_messages (event_id, room_id, kind, proposal_id) VALUES ('$go', '!r', 'announce', 1)"
        )
    conn.close()
    store = await Store.open(path)
    try:
        rows = await store.db.fetch_all("SELECT id, delta, reason, reverses FROM credits ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 1, "reaction", None), (2, -1, "reversal", 1)]
        # A proposal that went GO before gets its thread and its nudges.
        assert [a.kind.value for a in await store.schedule.pending()] == ["delivery_nudge", "update_nudge"]
        moved = await store.proposals.get(1)
        assert moved is not None and moved.thread_root == "$ann" and moved.is_underway
        assert await store.db.fetch_all("PRAGMA foreign_key_check") == []
        assert tuple(await store.db.fetch_one("PRAGMA foreign_keys") or ()) == (1,)  # on again after the copy
        async with store.transaction():
            await store.db.execute(credit + "('!r', '@a', '@b', 2, 'delivered_hours', '$c', NULL, 3)")
    finally:
        await store.close()
