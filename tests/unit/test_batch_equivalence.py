"""A sync batch has exactly the effects of its events handled one by one: ledger, reputation, scores, replies."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.events import Event, Message, Reaction, Redaction
from tests.unit.harness import BOT, ROOM, START, Harness, make_harness

OTHER_ROOM = "!other:test"
PEOPLE = ("@ann:test", "@bob:test", "@cas:test", "@dee:test", BOT)
KEYS = ("👍", "❤️", "❤", "🎉", "👎", "➖", "😀")
TEXTS = ("Shared courier?", "A van for the district", "!rep", "!top", "!ideas", "!proposals", "!backme 1 €5")
SETTINGS: dict[str, Any] = {"reputation": {"daily_cap": 3}}


@dataclass(frozen=True)
class Step:
    """One event to make: `pick` chooses what it refers to among the events made before it."""

    kind: str
    sender: int
    room: int
    pick: int
    text: int
    hours: int


steps = st.lists(
    st.builds(
        Step,
        kind=st.sampled_from(("message", "reaction", "reaction", "reaction", "redaction", "repeat", "announcement")),
        sender=st.integers(0, len(PEOPLE) - 1),
        room=st.integers(0, 4),
        pick=st.integers(0, 10_000),
        text=st.integers(0, len(TEXTS) - 1),
        hours=st.integers(0, 20),
    ),
    max_size=40,
)


def _events(plan: list[Step], announcement: str) -> list[Event]:
    events: list[Event] = []
    at = START
    for index, step in enumerate(plan):
        at += timedelta(hours=step.hours)  # a few UTC days: the daily cap resets
        event_id = f"$e{index}"
        sender = PEOPLE[step.sender]
        room = OTHER_ROOM if step.room == 0 else ROOM
        earlier = events[step.pick % len(events)].event_id if events else "$none"
        if step.kind == "message":
            name = sender.lstrip("@").split(":")[0]
            events.append(Message(event_id, room, sender, TEXTS[step.text], at, sender_name=name))
        elif step.kind == "reaction":
            events.append(Reaction(event_id, room, sender, earlier, KEYS[step.text % len(KEYS)], at))
        elif step.kind == "announcement":
            events.append(Reaction(event_id, room, sender, announcement, KEYS[step.text % len(KEYS)], at))
        elif step.kind == "redaction":
            events.append(Redaction(event_id, room, sender, earlier, at))
        elif events:
            events.append(events[step.pick % len(events)])  # delivered again: handled once
    return events


async def _room(directory: Path, name: str) -> tuple[Harness, str]:
    """A room where @ann's proposal #1 is announced (reactions to the announcement credit her)."""
    harness = await make_harness(directory, name, **SETTINGS)
    _, sent = await harness.say("@ann:test", "!propose Shared courier €100 in 10 days")
    return harness, sent[0].event_id


async def _outcomes(plan: list[Step], batches: list[int]) -> list[dict[str, list[tuple[Any, ...]]]]:
    """Every table after the events went in as one batch, one by one, and in the given cuts."""
    with tempfile.TemporaryDirectory() as directory:
        dumps = []
        for way in ("one batch", "one by one", "cuts"):
            harness, announcement = await _room(Path(directory), f"{way}.db")
            events = _events(plan, announcement)
            if way == "one batch":
                await harness.kring.handle_batch(events)
            elif way == "one by one":
                for event in events:
                    await harness.kring.handle(event)
            else:
                start = 0
                for cut in [*sorted(c % (len(events) + 1) for c in batches), len(events)]:
                    await harness.kring.handle_batch(events[start:cut])
                    start = max(start, cut)
            await harness.deliver()
            dumps.append(await harness.dump(everything=True))
            await harness.store.close()
        return dumps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps, batches=st.lists(st.integers(0, 100), max_size=4))
def test_a_batch_has_the_effects_of_its_events_one_by_one(plan: list[Step], batches: list[int]) -> None:
    one_batch, one_by_one, cuts = asyncio.run(_outcomes(plan, batches))
    assert one_batch == one_by_one
    assert cuts == one_by_one
