"""`kring console`: credits one account cannot farm alone (issue 23), played as a member would."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from storage.store import Store
from tests.unit.harness import START

ROOM = "!console:kring.local"


class Terminal:
    def __init__(self, kring: Kring, clock: ManualClock) -> None:
        self.kring = kring
        self.clock = clock

    async def run(self, *lines: str) -> str:
        out = io.StringIO()
        await run_console(self.kring, self.clock, io.StringIO("".join(line + "\n" for line in lines)), out)
        return out.getvalue()

    async def rep(self, user: str) -> int:
        return await self.kring.store.credits.balance(ROOM, user)


async def open_terminal(tmp_path: Path, config: dict[str, Any]) -> Terminal:
    store = await Store.open(tmp_path / "console.db")
    clock = ManualClock(START)
    return Terminal(Kring(store, parse_settings(config), clock, BOT_ID), clock)


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    term = await open_terminal(tmp_path, {"bot": {"commands_per_minute": 0}})
    yield term
    await term.kring.store.close()


async def test_backing_your_own_proposal_is_no_go_and_earns_nothing(terminal: Terminal) -> None:
    out = await terminal.run("!propose Courier in 1 day", "!backme 1 €1", "!proposals", "/wait 2d")
    listed = re.search(r"Open proposals:\n\s+#1 Courier\n\s+(.*)", out)
    assert listed is not None and "€1 · 0 of 1 backer" in listed[1]  # !proposals counts no proposer as a backer either
    assert "As the proposer, your pledge counts toward the money and hours, but not as a backer." in out
    assert "❌ NO-GO #1 Courier" in out and "✅ GO" not in out
    assert "1 more backer" in out.split("NO-GO #1")[1]
    assert await terminal.rep("@you") == 0


async def test_the_proposers_money_counts_but_the_proposer_is_no_backer(terminal: Terminal) -> None:
    out = await terminal.run(
        "!propose Courier €100 in 1 day",
        "!backme 1 €60",
        "/as @bob",
        "!backme 1 €40",
        "/wait 2d",
    )
    go = out[out.index("✅ GO #1 Courier") :]
    assert "1 backer (at least 1)" in go and "Backers (1):" in go
    # Listed apart from the backers, so the count matches its list:
    assert "• bob: €40\n    The proposer's own pledge (not a backer): you: €60" in go
    assert "• you" not in go
    assert await terminal.rep("@you") == 5 and await terminal.rep("@bob") == 1


async def test_help_and_announcement_say_the_proposer_is_no_backer(terminal: Terminal) -> None:
    out = await terminal.run("!help propose", "!propose Courier in 1 day")
    assert "your own pledge counts toward the money and hours, but you are not one of the backers" in out
    assert "the proposer is not counted as a backer" in out.split("New proposal #1")[1]


async def test_penny_deliveries_by_a_support_only_backer_earn_no_money_reward(terminal: Terminal) -> None:
    await terminal.run("!propose Courier in 1 day", "/as @bob", "!backme 1", "/wait 2d")
    assert await terminal.rep("@bob") == 1  # the GO's backer reward
    out = await terminal.run("/as @bob", *["!delivered 1 €0.01"] * 5, "/as @you", "!confirm 1 @bob")
    assert "you confirmed bob's delivery of €0.05 to #1." in out and "earns" not in out
    assert await terminal.rep("@bob") == 1


async def test_the_money_reward_is_once_per_backer_per_proposal(terminal: Terminal) -> None:
    await terminal.run("!propose Courier €10 in 1 day", "/as @bob", "!backme 1 €10", "/wait 2d")
    out = await terminal.run("/as @bob", "!delivered 1 €5", "!delivered 1 €5", "/as @you", "!confirm 1 @bob")
    assert "bob earns +1 credit for it." in out
    out = await terminal.run("/as @bob", "!delivered 1 €0.01", "/as @you", "!confirm 1 @bob")
    assert "you confirmed bob's delivery of €0.01 to #1." in out and "earns" not in out
    assert await terminal.rep("@bob") == 1 + 1


async def test_solved_follows_the_rules_of_a_vote(tmp_path: Path) -> None:
    term = await open_terminal(
        tmp_path, {"bot": {"commands_per_minute": 0}, "reputation": {"min_days_in_room": 7, "daily_cap": 2}}
    )
    try:
        await term.run("/as @main", "hello", "/as @ann", "hi", "/as @dik", "hey", "/wait 8d")
        fresh = await term.run(
            "/as @new", *[line for n in (1, 2, 3) for line in ("!need a ride", f"!solved {n} @main")]
        )
        assert await term.rep("@main") == 0  # a brand-new account's thanks count no more than its 👍
        assert "main gets no credit for it: new's credits count from 17 March 2026, 11:00, as their votes do." in fresh
        capped = await term.run(
            "/as @ann", *[line for n in (4, 5, 6) for line in ("!need a ride", f"!solved {n} @main")]
        )
        assert await term.rep("@main") == 2  # ann's daily cap of 2
        assert "main gets no credit for it: ann has given the 2 credits a member may give in a day." in capped
        others = await term.run(
            "/as @ann",
            "!need a lift",
            "!solved 7 @ghost",
            "!need a van",
            "/as @you",
            "!solved 8 @you",
        )
        assert "@ghost gets no credit for it: @ghost is not a member of this room." in others
        assert "You cannot credit yourself" in others
        assert await term.rep("@ghost") == 0 and await term.rep("@you") == 0
        opted = await term.run("/wait 1d", "/as @dik", "!optout", "!need a map", "!solved 9 @main")
        assert "main gets no credit for it: dik takes no part in reputation." in opted
        assert await term.rep("@main") == 2
    finally:
        await term.kring.store.close()


def kring_messages_about(out: str, number: int) -> list[int]:
    """The numbers of Kring's own posts (not its replies to commands) about proposal #number."""
    return [int(n) for n, text in re.findall(r"^\[(\d+)\] kring: (.*)$", out, re.MULTILINE) if f"#{number}" in text]


async def test_all_of_kring_messages_about_a_proposal_are_one_vote_target(terminal: Terminal) -> None:
    posts = [2, 5, 6, 7]  # the announcement, fully backed, the reminder, GO
    out = await terminal.run(
        "!propose Courier in 3 days",
        "/as @bob",
        "!backme 1",
        "/wait 4d",
        "/as @cas",
        *[f"/react {n} 👍" for n in posts],
        "!rep @you",  # one friend, one vote
        f"/unreact {posts[0]} 👍",
        f"/unreact {posts[1]} 👍",
        "!rep @you",  # still a 👍 on the others
        *[f"/unreact {n} 👍" for n in posts[2:]],
        "!rep @you",  # no 👍 left, no vote
    )
    assert kring_messages_about(out, 1) == posts
    assert re.findall(r"you has (-?\d+) credits", out) == ["6", "6", "5"]
