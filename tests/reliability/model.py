"""The ground truth: what Kring's books must say, computed from what members sent, by the rules of PRODUCT.md.

This is a second, deliberately plain implementation of the credit and pledge rules, run over the room's
timeline as the homeserver ordered it. It shares no code with Kring. What members sent is known from the
test's own records (a redacted reaction comes back from the homeserver without its content).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .matrix_kit import RoomEvent

UP = frozenset({"👍", "➕", "❤", "🎉", "👏", "💯"})  # without variation selectors
DOWN = frozenset({"👎", "➖"})


def norm(key: str) -> str:
    return key.replace("\ufe0f", "").strip()


def delta_of(key: str) -> int:
    emoji = norm(key)
    return 1 if emoji in UP else -1 if emoji in DOWN else 0


@dataclass(frozen=True)
class PledgeWanted:
    """What one `!backme` sets (or, with `withdraw`, removes) for its sender on proposal `number`."""

    number: int
    money_cents: int = 0
    minutes: int = 0
    note: str = ""
    withdraw: bool = False


@dataclass
class Sent:
    """What the members sent, by event id."""

    reactions: dict[str, tuple[str, str]] = field(default_factory=dict)  # reaction -> (target event, key)
    redactions: set[str] = field(default_factory=set)
    pledges: dict[str, PledgeWanted] = field(default_factory=dict)  # command event -> its effect
    commands: list[str] = field(default_factory=list)  # every command: each is answered exactly once

    @property
    def total(self) -> int:
        return len(self.reactions) + len(self.redactions) + len(self.commands)


@dataclass
class Expected:
    credits: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # reaction -> (giver, receiver, delta)
    reversed: dict[str, str] = field(default_factory=dict)  # redaction -> the reaction whose credit it takes back
    reputation: Counter[str] = field(default_factory=Counter)
    pledges: dict[int, dict[str, tuple[int, int, str]]] = field(default_factory=dict)


def expected_books(events: list[RoomEvent], sent: Sent, bot_id: str, daily_cap: int) -> Expected:
    """Run the rules over the timeline, in the homeserver's order."""
    books = Expected()
    authors: dict[str, str] = {}  # member messages -> author
    proposers: list[str] = []  # proposal number n -> proposers[n - 1]
    announced: dict[str, str] = {}  # the bot's "New proposal" messages -> the proposer
    active: set[tuple[str, str, str]] = set()
    given: Counter[tuple[str, str]] = Counter()
    for event in events:
        if event.type == "m.room.message" and event.sender == bot_id:
            body = str(event.content.get("body", ""))
            if body.startswith("📣 New proposal #"):
                number = int(body.removeprefix("📣 New proposal #").split(":", 1)[0])
                announced[event.event_id] = proposers[number - 1]
        elif event.type == "m.room.message":
            body = str(event.content.get("body", ""))
            if body.lower().startswith("!propose "):
                proposers.append(event.sender)
            elif event.event_id in sent.pledges:
                wanted = sent.pledges[event.event_id]
                pledges = books.pledges.setdefault(wanted.number, {})
                if wanted.withdraw:
                    pledges.pop(event.sender, None)
                else:
                    pledges[event.sender] = (wanted.money_cents, wanted.minutes, wanted.note)
            elif not body.startswith("!"):
                authors[event.event_id] = event.sender
        elif event.type == "m.reaction" and event.event_id in sent.reactions:
            target, key = sent.reactions[event.event_id]
            delta = delta_of(key)
            receiver = authors.get(target) or announced.get(target)
            day = datetime.fromtimestamp(event.ts / 1000, UTC).date().isoformat()
            if delta == 0 or receiver is None or receiver == event.sender:
                continue
            if (event.sender, target, norm(key)) in active or given[(event.sender, day)] >= daily_cap:
                continue
            active.add((event.sender, target, norm(key)))
            given[(event.sender, day)] += 1
            books.credits[event.event_id] = (event.sender, receiver, delta)
            books.reputation[receiver] += delta
        elif event.type == "m.room.redaction" and event.redacts in books.credits:
            reaction = event.redacts
            if reaction in books.reversed.values():
                continue
            giver, receiver, delta = books.credits[reaction]
            target, key = sent.reactions[reaction]
            active.discard((giver, target, norm(key)))
            books.reversed[event.event_id] = reaction
            books.reputation[receiver] -= delta
    return books


@dataclass(frozen=True)
class Outcome:
    sent: int
    counted: int
    lost: int
    duplicated: int
    problems: list[str]


def compare(expected: Expected, room: dict[str, Any], sent: Sent, answers: dict[str, int]) -> Outcome:
    """What the export and the bot's answers say against the ground truth.

    Every event sent is counted once: a reaction whose credit (or, rightly, lack of one) is in the ledger, a
    redaction whose reversal is there as it should be, a command answered exactly once (and, for a pledge,
    reflected in the final pledges). Lost: an effect that should be in the books and is not; duplicated: one
    that is there more often than it should be (or that should not be there at all).
    """
    problems: list[str] = []
    ledger: Counter[tuple[str, str]] = Counter((str(c["event_id"]), str(c["reason"])) for c in room["credits"])
    credit_of = {str(c["event_id"]): c for c in room["credits"] if c["reason"] == "reaction"}
    lost = duplicated = counted = 0
    # A reaction redacted before Kring saw it arrives stripped and counts nothing, so its redaction takes
    # nothing back: the pair is right either way (credit and reversal, or neither), as long as it is a pair.
    undone = {reaction: redaction for redaction, reaction in expected.reversed.items()}
    for reaction in sent.reactions:
        times = ledger[(reaction, "reaction")]
        wanted = 1 if reaction in expected.credits else 0
        if reaction in undone and times == 0 and ledger[(undone[reaction], "reversal")] == 0:
            wanted = 0
        if times == wanted and (
            not times
            or (credit_of[reaction]["giver"], credit_of[reaction]["receiver"], credit_of[reaction]["delta"])
            == expected.credits[reaction]
        ):
            counted += 1
        elif times < wanted:
            lost += 1
            problems.append(f"reaction {reaction}: no credit, expected {expected.credits[reaction]}")
        else:
            duplicated += 1
            problems.append(f"reaction {reaction}: {times} credits, expected {wanted}")
    for redaction in sent.redactions:
        times = ledger[(redaction, "reversal")]
        undoes = expected.reversed.get(redaction)
        wanted = 1 if undoes is not None and ledger[(undoes, "reaction")] else 0
        if times == wanted:
            counted += 1
        elif times < wanted:
            lost += 1
            problems.append(f"redaction {redaction}: its credit was not taken back")
        else:
            duplicated += 1
            problems.append(f"redaction {redaction}: {times} reversals, expected {wanted}")
    final = {
        proposal["id"]: {p["user"]: (p["money_cents"], p["minutes"], p["note"]) for p in proposal["pledges"]}
        for proposal in room["proposals"]
    }
    wrong_pledges = {number for number, pledges in expected.pledges.items() if final.get(number, {}) != pledges}
    for number in wrong_pledges:
        problems.append(f"pledges of #{number}: {final.get(number)} != expected {expected.pledges[number]}")
    for command in sent.commands:
        times = answers.get(command, 0)
        pledge = sent.pledges.get(command)
        pledge_ok = pledge is None or pledge.number not in wrong_pledges
        if times == 1 and pledge_ok:
            counted += 1
        elif times == 0 or not pledge_ok:
            lost += 1
            problems.append(f"command {command}: answered {times} times" + ("" if pledge_ok else ", pledges wrong"))
        else:
            duplicated += 1
            problems.append(f"command {command}: answered {times} times")
    reputation = {user: credits for user, credits in room["reputation"].items() if credits}
    wanted_reputation = {user: credits for user, credits in expected.reputation.items() if credits}
    if reputation != wanted_reputation:
        problems.append(f"reputation {reputation} != expected {wanted_reputation}")
    return Outcome(sent.total, counted, lost, duplicated, problems)
