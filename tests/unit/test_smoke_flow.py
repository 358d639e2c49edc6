"""The seed flow end to end through the real handlers and store: idea, credits, proposal, pledges, GO."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.harness import Harness


async def test_idea_to_go_names_backers_and_rewards_effort(room: Harness) -> None:
    idea, _ = await room.say("@ann:test", "Shared courier for the district?")
    await room.react("@bob:test", idea, "👍")
    await room.react("@cas:test", idea, "🎉")
    assert await room.rep("@ann:test") == 2

    announcement = await room.reply("@ann:test", "!propose Shared courier €1.000 in 3 days min 2", reply_to=idea)
    assert announcement.kind == "announce" and announcement.reply_to is None
    assert "#1" in announcement.body and "Shared courier" in announcement.body

    await room.reply("@bob:test", "!backme 1 €600")
    await room.reply("@cas:test", "!backme 1 €400 4h")
    out = await room.wait(timedelta(days=3, minutes=1))
    decisions = [s for s in out if s.body.startswith("✅ GO #1")]
    assert len(decisions) == 1
    assert set(decisions[0].mentions) == {"@ann:test", "@bob:test", "@cas:test"}
    assert "Bob" in decisions[0].body and "€600" in decisions[0].body
    assert await room.rep("@ann:test") == 2 + 5
    assert await room.rep("@bob:test") == 1
