"""Fixtures for the unit tests: a Kring over a fresh temp SQLite store with a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.unit.harness import Harness, make_harness

MakeRoom = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(tmp_path)
    yield harness
    await harness.store.close()


@pytest.fixture
async def make_room(tmp_path: Path) -> AsyncIterator[MakeRoom]:
    """A room with settings overrides, e.g. `await make_room(proposals={"withdraw_lock_hours": 0})`."""
    made: list[Harness] = []

    async def make(**overrides: dict[str, Any]) -> Harness:
        harness = await make_harness(tmp_path, f"room{len(made)}.db", **overrides)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.store.close()
