"""A scripted burst of member activity: reactions (some redacted and made again), pledges, changes, withdrawals.

Scripts are drawn from a seeded random generator, one per member, and each member sends its script in order
while all members send at once. What the books must say then depends only on each member's own order, which
the homeserver keeps, except for the daily cap: a reaction redacted before Kring saw it never counts towards
it. So members who redact stay below the cap even if every reaction of theirs counted; the others ("spammers")
never redact and run far past it.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nio import AsyncClient, RoomSendResponse

from tests.integration.community import send_text

from .model import PledgeWanted, Sent, delta_of

KEYS = ["👍", "➕", "❤️", "❤", "🎉", "👏", "💯", "👎", "➖", "😀"]  # ❤ and ❤️ are one emoji; 😀 gives nothing


@dataclass(frozen=True)
class React:
    target: str
    key: str


@dataclass(frozen=True)
class Redact:
    reaction: int  # index of an earlier React in the same script


@dataclass(frozen=True)
class Command:
    body: str
    pledge: PledgeWanted | None = None


Action = React | Redact | Command


@dataclass
class Script:
    member: AsyncClient
    actions: list[Action] = field(default_factory=list)
    done: int = 0  # actions sent so far
    reactions: list[str] = field(default_factory=list)  # event ids of the reactions sent so far


def reaction_scripts(
    rng: random.Random,
    reactors: list[AsyncClient],
    targets: list[str],
    *,
    reactions: int,
    daily_cap: int,
    spammers: int,
    redact_share: float = 0.15,
) -> list[Script]:
    """`reactions` reactions over the reactors; the first `spammers` reactors never redact and exceed the cap."""
    scripts = [Script(member) for member in reactors]
    made: list[list[tuple[str, str]]] = [[] for _ in reactors]
    active: list[set[tuple[str, str]]] = [set() for _ in reactors]
    alive: list[list[int]] = [[] for _ in reactors]  # their reactions not redacted, by index in `made`
    counting = [0] * len(reactors)
    made_total = 0
    for _attempt in range(reactions * 100):
        if made_total == reactions:
            break
        who = rng.randrange(len(reactors))
        target, key = rng.choice(targets), rng.choice(KEYS)
        spammer = who < spammers
        if (target, key) in active[who]:
            continue  # the homeserver refuses an identical reaction that is still there
        if not spammer and delta_of(key) and counting[who] >= daily_cap:
            continue  # a member who redacts stays below the cap (see the module docstring)
        made_total += 1
        scripts[who].actions.append(React(target, key))
        made[who].append((target, key))
        active[who].add((target, key))
        counting[who] += 1 if delta_of(key) else 0
        alive[who].append(len(made[who]) - 1)
        if not spammer and rng.random() < redact_share:
            index = alive[who].pop(len(alive[who]) - 1 - rng.randrange(min(3, len(alive[who]))))
            scripts[who].actions.append(Redact(index))  # one of their last few reactions, still there
            active[who].discard(made[who][index])
    return scripts


def pledge_scripts(rng: random.Random, backers: list[AsyncClient], proposals: list[int], commands: int) -> list[Script]:
    """`commands` pledges, changes and withdrawals spread over the backers."""
    scripts = [Script(member) for member in backers]
    pledged: list[set[int]] = [set() for _ in backers]
    for n in range(commands):
        who = n % len(backers)
        number = rng.choice(proposals)
        if number in pledged[who] and rng.random() < 0.25:
            scripts[who].actions.append(Command(f"!withdraw {number}", PledgeWanted(number, withdraw=True)))
            pledged[who].discard(number)
            continue
        euros, hours = rng.choice([0, 5, 20, 100, 250]), rng.choice([0, 0, 1, 4])
        note = rng.choice(["", "happy to help", "can drive on Tuesdays", "for the van"])
        parts = [f"!backme {number}"] + ([f"€{euros}"] if euros else []) + ([f"{hours}h"] if hours else [])
        body = " ".join([*parts, note]).strip()
        wanted = PledgeWanted(number, euros * 100, hours * 60, note)
        scripts[who].actions.append(Command(body, wanted))
        pledged[who].add(number)
    return scripts


async def play(
    scripts: list[Script],
    room_id: str,
    sent: Sent,
    on_event: Callable[[], Awaitable[None]] | None = None,
    *,
    upto: float = 1.0,
) -> None:
    """Every member sends its script in order, all members at once, up to the share `upto` of each script
    (a later call goes on from there); `sent` records what went out."""

    async def one(script: Script) -> None:
        end = math.ceil(len(script.actions) * upto)
        while script.done < end:
            action = script.actions[script.done]
            if isinstance(action, React):
                content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": action.target, "key": action.key}}
                response = await script.member.room_send(room_id, "m.reaction", content)
                assert isinstance(response, RoomSendResponse), response
                script.reactions.append(str(response.event_id))
                sent.reactions[str(response.event_id)] = (action.target, action.key)
            elif isinstance(action, Redact):
                redacted = await script.member.room_redact(room_id, script.reactions[action.reaction])
                event_id = getattr(redacted, "event_id", None)
                assert isinstance(event_id, str), redacted
                sent.redactions.add(event_id)
                sent.redacted_reactions[event_id] = script.reactions[action.reaction]
            else:
                event_id = await send_text(script.member, room_id, action.body)
                sent.commands.append(event_id)
                if action.pledge is not None:
                    sent.pledges[event_id] = action.pledge
            script.done += 1
            if on_event is not None:
                await on_event()

    await asyncio.gather(*(one(script) for script in scripts))
