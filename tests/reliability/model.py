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
    return "".join(ch for ch in key if ch not in "\ufe0e\ufe0f" and not "\U0001f3fb" <= ch <= "\U0001f3ff").strip()


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
    redacted_reactions: dict[str, str] = field(default_factory=dict)  # redaction -> the reaction it removes
    pledges: dict[str, PledgeWanted] = field(default_factory=dict)  # command event -> its effect
    commands: list[str] = field(default_factory=list)  # every command: each is answered exactly once

    @property
    def total(self) -> int:
        return len(self.reactions) + len(self.redactions) + len(self.commands)


Row = tuple[str, str, str, int]  # reason, giver, receiver, delta


@dataclass
class Expected:
    rows: dict[str, list[Row]] = field(default_factory=dict)  # event (reaction or redaction) -> ledger rows it causes
    reputation: Counter[str] = field(default_factory=Counter)
    pledges: dict[int, dict[str, tuple[int, int, str]]] = field(default_factory=dict)

    @property
    def credits(self) -> list[Row]:
        return [row for rows in self.rows.values() for row in rows if row[0] == "reaction"]


def expected_books(events: list[RoomEvent], sent: Sent, bot_id: str, daily_cap: int) -> Expected:
    """Run the rules over the timeline, in the homeserver's order: one vote per member and message, the latest
    present up or down reaction decides, a vote cast or changed counts against the daily cap."""
    books = Expected()
    authors: dict[str, str] = {}  # member messages -> author
    proposers: list[str] = []  # proposal number n -> proposers[n - 1]
    announced: dict[str, str] = {}  # the bot's "New proposal" messages -> the proposer
    present: dict[tuple[str, str], list[tuple[str, int]]] = {}  # (giver, target) -> [(reaction, direction)]
    reaction_of: dict[str, tuple[str, str]] = {}  # kept reaction -> (giver, target)
    votes: dict[tuple[str, str], int] = {}
    given: Counter[tuple[str, str]] = Counter()

    def settle(pair: tuple[str, str], receiver: str, cause: str, day: str) -> None:
        kept = present.get(pair, [])
        wanted = kept[-1][1] if kept else 0
        current = votes.get(pair, 0)
        if wanted == current:
            return
        rows = books.rows.setdefault(cause, [])
        if wanted and given[(pair[0], day)] >= daily_cap:
            return
        if current:
            rows.append(("reversal", pair[0], receiver, -current))
            books.reputation[receiver] -= current
        if wanted:
            rows.append(("reaction", pair[0], receiver, wanted))
            books.reputation[receiver] += wanted
            given[(pair[0], day)] += 1
        votes[pair] = wanted

    for event in events:
        day = datetime.fromtimestamp(event.ts / 1000, UTC).date().isoformat()
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
                else:  # a new pledge without a note keeps the old note
                    note = wanted.note or pledges.get(event.sender, (0, 0, ""))[2]
                    pledges[event.sender] = (wanted.money_cents, wanted.minutes, note)
            elif not body.startswith("!"):
                authors[event.event_id] = event.sender
        elif event.type == "m.reaction" and event.event_id in sent.reactions:
            target, key = sent.reactions[event.event_id]
            direction = delta_of(key)
            receiver = authors.get(target) or announced.get(target)
            if direction == 0 or receiver is None or receiver == event.sender:
                continue
            pair = (event.sender, target)
            present.setdefault(pair, []).append((event.event_id, direction))
            reaction_of[event.event_id] = pair
            settle(pair, receiver, event.event_id, day)
        elif event.type == "m.room.redaction" and event.redacts in reaction_of:
            pair = reaction_of.pop(event.redacts)
            present[pair] = [(r, d) for r, d in present[pair] if r != event.redacts]
            receiver = authors.get(pair[1]) or announced[pair[1]]
            settle(pair, receiver, event.event_id, day)
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

    Every event sent is counted once: a reaction or redaction whose ledger rows (a vote, a change, a take-back,
    or rightly none) are exactly those it should cause, a command answered exactly once (and, for a pledge,
    reflected in the final pledges). Lost: an effect that should be in the books and is not; duplicated: one
    that is there more often than it should be (or that should not be there at all).
    """
    problems: list[str] = []
    actual: dict[str, list[Row]] = {}
    for credit in room["credits"]:
        row = (str(credit["reason"]), str(credit["giver"]), str(credit["receiver"]), int(credit["delta"]))
        actual.setdefault(str(credit["event_id"]), []).append(row)
    lost = duplicated = counted = 0
    # A reaction redacted before Kring saw it arrives stripped and counts nothing, so its redaction changes
    # nothing either: the pair is right either way (both with their rows, or both without), as it would be for
    # a member whose reaction Kring never saw.
    redaction_of = {target: redaction for redaction, target in sent.redacted_reactions.items()}
    for event in [*sent.reactions, *sent.redactions]:
        got = sorted(actual.get(event, []))
        wanted = sorted(expected.rows.get(event, []))
        partner = redaction_of.get(event) or sent.redacted_reactions.get(event)
        unseen = partner is not None and not actual.get(event) and not actual.get(partner)
        if got == wanted or unseen:
            counted += 1
        elif len(got) < len(wanted):
            lost += 1
            problems.append(f"event {event}: rows {got}, expected {wanted}")
        else:
            duplicated += 1
            problems.append(f"event {event}: rows {got}, expected {wanted}")
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
