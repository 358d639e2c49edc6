"""All of Kring's messages about a proposal are one vote target (issue 23, item 4), through nio's parsing."""

from __future__ import annotations

import itertools
from typing import Any

from nio import Event as NioEvent

from bot.matrix.events import to_kring_event
from handlers.events import Event
from tests.unit.harness import ROOM, Harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
_ids = itertools.count(1)


async def sync(room: Harness, *sources: dict[str, Any]) -> list[str]:
    """One sync batch: each event parsed by nio and converted as the runner converts it; their event ids."""
    events: list[Event] = []
    for source in sources:
        parsed = NioEvent.parse_event(source)
        event = to_kring_event(ROOM, parsed.source, power_of=lambda _user: 0, name_of=lambda user: user)
        assert event is not None
        events.append(event)
    await room.kring.handle_batch(events)
    return [str(source["event_id"]) for source in sources]


def stamped(room: Harness, sender: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    ts = int(room.clock.now().timestamp() * 1000)
    return {"type": kind, "event_id": f"$vt{next(_ids)}", "sender": sender, "origin_server_ts": ts, "content": content}


def reaction(room: Harness, sender: str, target: str, key: str = "👍") -> dict[str, Any]:
    relation = {"rel_type": "m.annotation", "event_id": target, "key": key}
    return stamped(room, sender, "m.reaction", {"m.relates_to": relation})


def redaction(room: Harness, sender: str, target: str) -> dict[str, Any]:
    return {**stamped(room, sender, "m.room.redaction", {"redacts": target}), "redacts": target}


async def test_reactions_on_several_kring_messages_about_one_proposal_are_one_vote(room: Harness) -> None:
    (announcement,) = (await room.say(ANN, "!propose Courier in 3 days"))[1]
    _, out = await room.say(BOB, "!backme 1")
    (fully_backed,) = [sent for sent in out if sent.kind == "announce"]
    before = await room.rep(ANN)
    on_announcement, _, _ = await sync(
        room,
        reaction(room, CAS, announcement.event_id),
        reaction(room, CAS, fully_backed.event_id, "🎉"),
        reaction(room, DIK, fully_backed.event_id),
    )
    assert await room.rep(ANN) == before + 2  # cas and dik: one vote each
    await sync(room, redaction(room, CAS, on_announcement))
    assert await room.rep(ANN) == before + 2  # cas's 🎉 on the other message still stands
    (on_other,) = [r[0] for r in await room.rows("SELECT event_id FROM reactions WHERE giver = ? AND removed = 0", CAS)]
    await sync(room, redaction(room, CAS, on_other))
    assert await room.rep(ANN) == before + 1
