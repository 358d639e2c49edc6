"""`kring console`: effort credits (GO rewards, confirmed deliveries) that no pair of accounts can farm (issue 31)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.reputation.test_console_farming import Terminal, open_terminal

CAP = 20  # the default daily cap: what one member can vote in a day


async def farm(tmp_path: Path, *lines: str, **reputation: int) -> tuple[Terminal, str]:
    term = await open_terminal(tmp_path, {"bot": {"commands_per_minute": 0}, "reputation": reputation})
    out = await term.run("/as @alice", "hello", "/as @sock", "hi", *lines)
    return term, out


async def test_a_pair_cannot_mint_credits_through_delivered_hours(tmp_path: Path) -> None:
    term, out = await farm(
        tmp_path,
        "/as @alice",
        "!propose Farm in 1m min 1",
        "/as @sock",
        "!backme 1 100000h",
        "/wait 2m",
        "!delivered 1 100000h",
        "/as @alice",
        "!confirm 1 @sock",
        "!top",
    )
    try:
        assert "✅ GO #1 Farm" in out
        # GO: alice +5 and sock +1, each counted on their own cap; alice's confirmation grants what is left of hers.
        assert await term.rep("@alice") == 5 and await term.rep("@sock") == 1 + (CAP - 5)
        assert "sock earns +15 credits for it." in out and "+100000" not in out
        assert "alice has given the 20 credits a member may give in a day; the rest can be earned" in out
        assert await term.rep("@alice") + await term.rep("@sock") <= 2 * CAP
        # The next day the rest is owed, up to the ceiling per backer per proposal, and no further.
        later = await term.run("/wait 1d", "/as @sock", "!delivered 1 1h", "/as @alice", "!confirm 1 @sock")
        assert "sock earns +5 credits for it." in later and await term.rep("@sock") == 1 + 20
        again = await term.run("/wait 1d", "/as @sock", "!delivered 1 1h", "/as @alice", "!confirm 1 @sock")
        assert "earns" not in again and await term.rep("@sock") == 1 + 20
    finally:
        await term.kring.store.close()


async def test_two_proposals_share_one_daily_cap(tmp_path: Path) -> None:
    term, out = await farm(
        tmp_path,
        "/as @alice",
        "!propose Farm in 1m min 1",
        "!propose Farm two in 1m min 1",
        "/as @sock",
        "!backme 1 100000h",
        "!backme 2 100000h",
        "/wait 2m",
        "!delivered 1 100000h",
        "!delivered 2 100000h",
        "/as @alice",
        "!confirm 1 @sock",
        "!confirm 2 @sock",
    )
    try:
        assert "✅ GO #1 Farm" in out and "✅ GO #2 Farm two" in out
        assert await term.rep("@alice") == 10  # two GO rewards of 5, her own day's cap
        assert await term.rep("@sock") == 2 + (CAP - 10)  # two backer rewards; the rest of alice's cap
        assert await term.rep("@alice") + await term.rep("@sock") <= 2 * CAP
    finally:
        await term.kring.store.close()


async def test_hours_spread_over_ten_confirmations_earn_no_more(tmp_path: Path) -> None:
    one = ("/as @sock", "!delivered 1 10000h", "/as @alice", "!confirm 1 @sock")
    spread = [line for _ in range(10) for line in one]
    term, out = await farm(
        tmp_path, "/as @alice", "!propose Farm in 1m min 1", "/as @sock", "!backme 1 100000h", "/wait 2m", *spread
    )
    try:
        assert len(re.findall(r"alice confirmed sock's delivery of 10,000h", out)) == 10
        assert await term.rep("@sock") == 1 + (CAP - 5)
        assert sum(int(n) for n in re.findall(r"sock earns \+(\d+) credits? for it", out)) == CAP - 5
    finally:
        await term.kring.store.close()


async def test_accounts_that_may_not_vote_yet_neither_earn_nor_grant_effort(tmp_path: Path) -> None:
    term, out = await farm(
        tmp_path,
        "/as @alice",
        "!propose Farm in 1m min 1",
        "/as @sock",
        "!backme 1 100000h",
        "/wait 2m",
        "!delivered 1 100000h",
        "/as @alice",
        "!confirm 1 @sock",
        min_days_in_room=30,
        daily_cap=5,
    )
    try:
        assert "✅ GO #1 Farm" in out and "Rewards:" not in out.split("✅ GO #1 Farm")[1].split("[")[0]
        assert "earns" not in out
        assert "No credits for it: alice's votes do not count here yet" in out
        assert await term.rep("@alice") == 0 and await term.rep("@sock") == 0
    finally:
        await term.kring.store.close()


async def test_a_go_reward_needs_backers_who_could_vote(tmp_path: Path) -> None:
    # Alice has been in the room a month; her backer is a fresh account: the GO stands, but rewards nobody.
    term = await open_terminal(tmp_path, {"bot": {"commands_per_minute": 0}, "reputation": {"min_days_in_room": 30}})
    try:
        await term.run("/as @alice", "hello", "/wait 31d")
        out = await term.run("/as @alice", "!propose Farm in 1m", "/as @sock", "!backme 1", "/wait 2m")
        assert "✅ GO #1 Farm" in out
        assert await term.rep("@alice") == 0 and await term.rep("@sock") == 0
    finally:
        await term.kring.store.close()


async def test_help_says_the_effort_credit_rules(tmp_path: Path) -> None:
    term, out = await farm(tmp_path, "!help confirm", "!taal nl", "!hulp bevestig")
    try:
        assert "Effort credits count like votes" in out and "at most +20 credits from one proposal" in out
    finally:
        await term.kring.store.close()


async def test_a_fresh_proposer_earns_no_go_reward_and_the_decision_says_who_does(tmp_path: Path) -> None:
    term = await open_terminal(tmp_path, {"bot": {"commands_per_minute": 0}, "reputation": {"min_days_in_room": 30}})
    try:
        await term.run("/as @sock", "hi", "/wait 31d")
        out = await term.run("/as @alice", "!propose Farm in 1m", "/as @sock", "!backme 1", "/wait 2m")
        assert "Rewards: each backer +1 credit." in out and "alice +5" not in out
        assert await term.rep("@alice") == 0 and await term.rep("@sock") == 1
    finally:
        await term.kring.store.close()
