"""What a task keeps in memory about its writes follows the unit of work: kept on commit, undone on rollback."""

from __future__ import annotations

import pytest

from storage.queries.room_settings import RoomSettingQueries
from tests.unit.harness import ROOM, Harness


async def test_a_committed_transaction_runs_its_commit_hooks_in_order_and_no_undo(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    async with room.store.transaction():
        db.on_commit(lambda: seen.append("first"))
        db.on_rollback(lambda: seen.append("undone"))
        db.on_commit(lambda: seen.append("second"))
        assert seen == []  # nothing before the COMMIT
    assert seen == ["first", "second"]


async def test_a_rolled_back_transaction_undoes_in_reverse_order_and_keeps_nothing(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with room.store.transaction():
            db.on_rollback(lambda: seen.append("undo first"))
            db.on_commit(lambda: seen.append("kept"))
            db.on_rollback(lambda: seen.append("undo second"))
            raise RuntimeError("the batch fails")
    assert seen == ["undo second", "undo first"]
    async with room.store.transaction():
        pass
    assert seen == ["undo second", "undo first"]  # the next transaction runs none of the old hooks


async def test_a_savepoint_rolled_back_undoes_only_its_own_and_the_transaction_commits_the_rest(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    async with room.store.transaction():
        db.on_commit(lambda: seen.append("batch kept"))
        with pytest.raises(RuntimeError):
            async with room.store.savepoint():
                db.on_commit(lambda: seen.append("command kept"))
                db.on_rollback(lambda: seen.append("command undone"))
                raise RuntimeError("the command fails")
        assert seen == ["command undone"]
        async with room.store.savepoint():
            db.on_commit(lambda: seen.append("next command kept"))
    assert seen == ["command undone", "batch kept", "next command kept"]


async def test_a_savepoint_that_ended_well_is_undone_with_the_transaction_around_it(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with room.store.transaction():
            async with room.store.savepoint():
                db.on_rollback(lambda: seen.append("command undone"))
                db.on_commit(lambda: seen.append("command kept"))
            raise RuntimeError("the batch fails after the command")
    assert seen == ["command undone"]


async def test_a_savepoint_of_its_own_commits_by_its_release(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    async with room.store.savepoint():
        db.on_commit(lambda: seen.append("kept"))
        assert seen == []
    assert seen == ["kept"]
    with pytest.raises(RuntimeError):
        async with room.store.savepoint():
            db.on_rollback(lambda: seen.append("undone"))
            raise RuntimeError("fails")
    assert seen == ["kept", "undone"]


async def test_outside_a_transaction_a_write_is_committed_at_once(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []
    db.on_rollback(lambda: seen.append("undone"))
    db.on_commit(lambda: seen.append("kept"))
    assert seen == ["kept"]


async def test_a_faulty_hook_keeps_neither_the_others_nor_the_commit_from_happening(room: Harness) -> None:
    db = room.store.db
    seen: list[str] = []

    def faulty() -> None:
        raise ValueError("a bug in a hook")

    async with room.store.transaction():
        await room.store.key_values.set("hooked", "yes")
        db.on_commit(faulty)
        db.on_commit(lambda: seen.append("kept"))
    assert seen == ["kept"]
    assert await room.store.key_values.get("hooked") == "yes"


async def test_a_rooms_language_kept_in_memory_follows_the_unit_that_set_it(room: Harness) -> None:
    languages = room.store.room_settings
    assert await languages.language(ROOM) is None  # none chosen: read once, then known
    with pytest.raises(RuntimeError):
        async with room.store.transaction(), room.store.savepoint():
            await languages.set_language(ROOM, "nl")
            assert await languages.language(ROOM) == "nl"  # the rest of the batch speaks it
            raise RuntimeError("the command fails after all")
    assert await languages.language(ROOM) is None
    async with room.store.transaction():
        await languages.set_language(ROOM, "en")
    assert await languages.language(ROOM) == "en"
    assert await RoomSettingQueries(room.store.db).language(ROOM) == "en"  # as the store has it
