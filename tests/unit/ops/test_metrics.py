"""Metrics: which commands and decisions the engine reports, credits counted from the start, health by sync age,
and the `[metrics]` settings."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.ops.metrics import Metrics
from tests.unit.harness import Harness

ANN = "@ann:test"
BOB = "@bob:test"


async def test_the_engine_reports_each_command_by_name_and_outcome_and_each_decision(room: Harness) -> None:
    commands: list[tuple[str, str]] = []
    decisions: list[None] = []
    room.kring.on_command = lambda name, outcome: commands.append((name, outcome))
    room.kring.on_decision = lambda: decisions.append(None)
    await room.say(ANN, "!propose Shared courier in 2 days")
    await room.say(BOB, "!steun 1")  # the Dutch name, counted under the English one
    await room.say(BOB, "!backme 9")
    await room.say(BOB, "!frobnicate")
    assert commands == [("propose", "ok"), ("backme", "ok"), ("backme", "refused"), ("unknown", "refused")]
    assert decisions == []
    await room.wait(timedelta(days=3))
    assert len(decisions) == 1


async def test_credits_are_counted_from_the_start_and_health_follows_the_last_sync(room: Harness) -> None:
    idea, _ = await room.say(ANN, "Shared courier?")
    await room.react(BOB, idea, "👍")
    metrics = Metrics(room.store, health_max_sync_age_s=10)
    await metrics.start_counting()
    await metrics.refresh()
    assert (
        metrics.registry.get_sample_value("kring_credits_given_total") == 0
    )  # the ledger's past is not this process's work
    await room.react("@cas:test", idea, "🎉")
    await room.react("@dan:test", idea, "👎")
    await metrics.refresh()
    assert metrics.registry.get_sample_value("kring_credits_given_total") == 1

    assert not metrics.healthy  # no sync yet
    metrics.synced()
    assert metrics.healthy
    metrics.last_sync = time.monotonic() - 11
    assert not metrics.healthy and metrics.sync_age() > 10


@pytest.mark.parametrize("listen", ["9464", "localhost", "127.0.0.1:99999", ":9464"])
def test_a_bad_listen_address_is_named(tmp_path: Path, listen: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[metrics]\nlisten = "{listen}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^config error at metrics.listen: .*host:port"):
        load_settings(path, environ={})
