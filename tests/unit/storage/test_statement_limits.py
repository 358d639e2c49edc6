"""A member's message cannot make a query too big for SQLite and stop the bot (issue 31, item 5)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from handlers.events import Message
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"


async def test_a_command_mentioning_a_thousand_members_is_answered_on_an_old_sqlite(room: Harness) -> None:
    await room.store.db.run(lambda conn: conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999))
    await room.say("@bob:test", "hello")  # one of them is known by name
    mentions = (*(f"@m{n}:test" for n in range(999)), "@bob:test")
    message = Message("$many", ROOM, ANN, "!rep Bob", room.clock.now(), mentions=mentions)  # a pill
    assert await room.kring.handle(message)
    (answer,) = await room.deliver()
    assert answer.body.startswith("Bob has")


async def test_a_command_whose_query_is_too_big_fails_alone_not_its_batch(
    room: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def too_big(*_: Any, **__: Any) -> None:
        raise sqlite3.OperationalError("too many SQL variables")

    monkeypatch.setattr(room.store.credits, "standing", too_big)
    batch = [
        Message("$before", ROOM, ANN, "an idea before it", room.clock.now()),
        Message("$rep", ROOM, ANN, "!rep", room.clock.now()),
        Message("$after", ROOM, ANN, "!help", room.clock.now()),
    ]
    assert await room.kring.handle_batch(batch) == 3  # handled, not retried forever
    replies = await room.deliver()
    assert len(replies) == 2
    assert replies[0].body.startswith("Something went wrong on my side; nothing was changed.")
    assert await room.rows("SELECT event_id FROM messages WHERE event_id = '$before'")
