"""A sync batch has exactly the effects of its events handled one by one: ledger, reputation, scores, replies."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handlers.events import Event, Message, Reaction, Redaction
from tests.unit.harness import BOT, ROOM, START, Harness, make_harness

OTHER_ROOM = "!other:test"
PEOPLE = ("@ann:test", "@bob:test", "@cas:test", "@dee:test", BOT)
KEYS = ("👍", "❤️", "❤", "🎉", "👎", "➖", "😀")
TEXTS = ("Shared courier?", "A van for the district", "!rep", "!top", "!ideas", "!proposals", "!backme 1 €5")
KINDS: tuple[str, ...] = (
    *("message", "message", "reaction", "reaction", "reaction", "reaction"),
    *("redaction", "redaction", "repeat", "announcement"),
)


@dataclass(frozen=True)
class Step:
    """One event to make: `pick` chooses what it refers to among the last events made before it."""

    kind: str
    sender: int
    room: int
    pick: int
    text: int
    hours: int


steps = st.lists(
    st.builds(
        Step,
        kind=st.sampled_from(KINDS),
        sender=st.sampled_from((0, 1, 1, 2, 2, 3, 4)),
        room=st.integers(0, 5),
        pick=st.integers(0, 7),
        text=st.integers(0, len(TEXTS) - 1),
        hours=st.sampled_from((0, 0, 0, 0, 1, 3, 30)),
    ),
    min_size=3,
    max_size=40,
)


def _events(plan: list[Step], announcement: str) -> list[Event]:
    events: list[Event] = []
    messages: list[str] = []
    reactions: list[str] = []
    at = START
    for index, step in enumerate(plan):
        at += timedelta(hours=step.hours)  # a few UTC days: the daily cap resets
        event_id = f"$e{index}"
        sender = PEOPLE[step.sender]
        room = OTHER_ROOM if step.room == 0 else ROOM
        key = KEYS[step.text % len(KEYS)]
        if step.kind == "message":
            name = sender.lstrip("@").split(":")[0] + (" (away)" if step.pick == 7 else "")  # renamed in the batch
            events.append(Message(event_id, room, sender, TEXTS[step.text], at, sender_name=name))
            messages.append(event_id)
        elif step.kind in ("reaction", "announcement"):
            target = announcement if step.kind == "announcement" else _recent(messages, step.pick)
            events.append(Reaction(event_id, room, sender, target, key, at))
            reactions.append(event_id)
        elif step.kind == "redaction":
            target = _recent(reactions, step.pick) if step.pick < 6 else _recent(messages, step.pick)
            events.append(Redaction(event_id, room, sender, target, at))
        elif events:
            events.append(events[-1 - step.pick % len(events)])  # delivered again: handled once
    return events


def _recent(ids: list[str], pick: int) -> str:
    return ids[-1 - pick % min(len(ids), 4)] if ids else "$none"


async def _room(directory: Path, name: str, cap: int) -> tuple[Harness, str]:
    """A room where @ann's proposal #1 is announced (reactions to the announcement credit her)."""
    harness = await make_harness(directory, name, reputation={"daily_cap": cap})
    _, sent = await harness.say("@ann:test", "!propose Shared courier €100 in 10 days")
    return harness, sent[0].event_id


async def _outcomes(plan: list[Step], batches: list[int], cap: int) -> list[dict[str, list[tuple[Any, ...]]]]:
    """Every table after the events went in as one batch, one by one, and in the given cuts."""
    with tempfile.TemporaryDirectory() as directory:
        dumps = []
        for way in ("one batch", "one by one", "cuts"):
            harness, announcement = await _room(Path(directory), f"{way}.db", cap)
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
            dump = await harness.dump(everything=True)
            del dump["board_writes"]  # how many write statements it took (one batch writes fewer), not what they wrote
            dumps.append(dump)
            await harness.store.close()
        return dumps


def _plan(*steps: tuple[str, int, int, int]) -> list[Step]:
    """Steps in the main room at one moment: (kind, sender, pick, text)."""
    return [Step(kind, sender, room=1, pick=pick, text=text, hours=0) for kind, sender, pick, text in steps]


ANN, BOB = 0, 1
CAP_REACHED_MID_BATCH = _plan(("message", ANN, 0, 0), *(("reaction", BOB, 0, key) for key in (0, 1, 3, 4)))
TAKEN_BACK_TWICE = _plan(
    ("message", ANN, 0, 0), ("reaction", BOB, 0, 0), ("redaction", BOB, 0, 0), ("redaction", BOB, 0, 0)
) + _plan(("reaction", BOB, 0, 0))
MESSAGE_REMOVED_THEN_REACTED = _plan(("message", ANN, 0, 0), ("redaction", ANN, 7, 0), ("reaction", BOB, 0, 0))
# Bob speaks (his name is learnt), votes, takes it back and votes again over the cap of 1: told by name.
NAMED_IN_THE_SAME_BATCH = _plan(
    ("message", BOB, 0, 0), ("announcement", BOB, 0, 0), ("redaction", BOB, 0, 0), ("announcement", BOB, 0, 0)
)
# The same, then Ann's `!rep`: Bob is told by name before the command's reply.
NAMED_BEFORE_A_COMMAND = NAMED_IN_THE_SAME_BATCH + _plan(("message", ANN, 0, 2))
# Bob speaks, renames himself (pick 7 adds " (away)"), speaks again and renames back: his latest name is kept.
RENAMED_IN_THE_BATCH = _plan(("message", 1, 0, 0), ("message", 1, 7, 1), ("message", 2, 0, 3), ("message", 1, 0, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(plan=CAP_REACHED_MID_BATCH, batches=[], cap=2)
@example(plan=TAKEN_BACK_TWICE, batches=[], cap=20)
@example(plan=MESSAGE_REMOVED_THEN_REACTED, batches=[], cap=20)
@example(plan=NAMED_IN_THE_SAME_BATCH, batches=[], cap=1)
@example(plan=NAMED_BEFORE_A_COMMAND, batches=[], cap=1)
@example(plan=RENAMED_IN_THE_BATCH[:2], batches=[], cap=20)
@example(plan=RENAMED_IN_THE_BATCH, batches=[], cap=20)
@given(plan=steps, batches=st.lists(st.integers(0, 100), max_size=4), cap=st.sampled_from((1, 2, 20)))
def test_a_batch_has_the_effects_of_its_events_one_by_one(plan: list[Step], batches: list[int], cap: int) -> None:
    one_batch, one_by_one, cuts = asyncio.run(_outcomes(plan, batches, cap))
    assert one_batch == one_by_one
    assert cuts == one_by_one
