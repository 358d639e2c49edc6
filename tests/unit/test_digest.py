"""The weekly digest in `kring console`: once a week at its moment, late once after downtime, never twice, on
demand with !digest, in the room's language, switched off per room, and no digest for an empty week."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import ConfigError, parse_settings
from bot.console import BOT_ID, run_console
from bot.engine import Kring
from bot.scheduler import DueAnnouncements
from storage.store import Store
from tests.unit.harness import START, Harness

ANN = "@ann:test"
TITLE = "📰 This week in the circle"
MOMENT = datetime.fromisoformat("2026-03-09T07:00:00+00:00")  # Monday 08:00 in Amsterdam, a week after START

A_WEEK = [
    "Shall we buy a shared bakfiets?",  # an idea that rises
    "/as @bob",
    "/react 1 👍",
    "/as @you",
    "!propose Shared courier €100 in 10 days min 2",  # closes in the coming week, still short
    "/as @bob",
    "!backme 1 €60",
    "/as @you",
    "!propose Second van in 2 days",  # decided during the week
    "/as @bob",
    "!backme 2",
    "/as @cas",
    "!need a van on Saturday for: driver",  # nobody answers it
]


@dataclass
class Terminal:
    kring: Kring
    clock: ManualClock

    async def run(self, *lines: str) -> str:
        out = io.StringIO()
        await run_console(self.kring, self.clock, io.StringIO("".join(line + "\n" for line in lines)), out)
        return out.getvalue()

    def restarted(self) -> Terminal:
        """The same store and clock under a new Kring, as after a restart."""
        return Terminal(Kring(self.kring.store, self.kring.settings, self.clock, BOT_ID), self.clock)


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    store = await Store.open(tmp_path / "console.db")
    clock = ManualClock(START)
    yield Terminal(Kring(store, parse_settings({}), clock, BOT_ID), clock)
    await store.close()


def digest_of(out: str, title: str = TITLE) -> str:
    """The console's text of the one digest in `out` (its numbered message up to the next one)."""
    assert out.count(title) == 1, out
    start = out.index(title)
    end = out.find("\n[", start)
    return out[start : end if end != -1 else len(out)]


async def test_the_digest_comes_once_at_its_moment_with_the_week_in_it(terminal: Terminal) -> None:
    out = await terminal.run(*A_WEEK, "/wait 6d")
    assert TITLE not in out  # not before its moment
    out = await terminal.run("/wait 1d")
    digest = digest_of(out)
    assert "New proposals:" in digest and "#1 Shared courier by you" in digest and "#2 Second van by you" in digest
    assert "Ideas that rose:" in digest and "+1 you: “Shall we buy a shared bakfiets?”" in digest
    assert "Deadlines in the coming week:" in digest
    assert "#1 Shared courier, closes 12 March 2026, 11:00: still needs €40 · 1 more backer" in digest
    assert "Decided last week:" in digest and "✅ #2 Second van: GO, backed by bob" in digest
    assert "Needs nobody answered yet:" in digest and "N#1 cas: “a van on Saturday”" in digest
    assert "Late" not in digest
    sent = await terminal.kring.store.db.fetch_one("SELECT mentions FROM outbox WHERE body LIKE '📰%'")
    assert sent is not None and sent[0] == "[]"  # an m.notice that pings nobody
    # The week after: #1's NO-GO and the GO's work; then a week with nothing in it gets no digest.
    out = await terminal.run("/as @bob", "!delivered 2 2h", "/wait 7d")
    digest = digest_of(out)
    assert "❌ #1 Shared courier: NO-GO, backed by bob" in digest
    assert "Work underway:" in digest and "#2 Second van: 1 delivery reported; everything pledged is reported" in digest
    assert TITLE not in await terminal.run("/wait 7d")


async def test_a_week_with_nothing_in_it_gets_no_digest(terminal: Terminal) -> None:
    out = await terminal.run("good morning", "/as @bob", "hello", "/wait 15d")
    assert TITLE not in out
    assert "Nothing to tell this week" in await terminal.run("!digest")


async def test_a_digest_missed_while_down_comes_late_once_and_never_twice_after_a_restart(terminal: Terminal) -> None:
    await terminal.run(*A_WEEK)
    terminal.clock.set(MOMENT + timedelta(hours=5))  # the bot was down at its moment
    later = terminal.restarted()
    out = await later.run("/time")
    digest = digest_of(out)
    assert "(Late: it was due 9 March 2026, 08:00, while I was offline.)" in digest
    again = later.restarted()
    assert await again.kring.fire_due_digests() == 0  # claimed in the store: a restart does not post it again
    assert TITLE not in await again.run("/time")
    rows = await again.kring.store.db.fetch_all("SELECT COUNT(*) FROM outbox WHERE body LIKE '📰%'")
    assert rows[0][0] == 1


async def test_digest_on_demand_in_dutch_and_switched_off_by_a_moderator(terminal: Terminal) -> None:
    await terminal.run(*A_WEEK, "/wait 4d")
    out = await terminal.run("!taal nl", "!overzicht")
    digest = digest_of(out, "📰 Deze week in de kring")
    assert "Nieuwe voorstellen:" in digest and "Deadlines in de komende week:" in digest
    assert "✅ #2 Second van: GO, gesteund door bob" in digest
    out = await terminal.run("/as @bob", "!overzicht uit")
    assert "Alleen een moderator zet het wekelijkse overzicht aan of uit." in out
    assert "📰" not in await terminal.run("/as @you", "!overzicht misschien")
    out = await terminal.run("/as @you", "!overzicht uit", "/wait 7d")
    assert "Het wekelijkse overzicht staat uit in deze kamer" in out
    assert "📰" not in out  # off: no weekly digest
    assert "📰 Deze week in de kring" in await terminal.run("!overzicht")  # still on demand
    out = await terminal.run("!digest on")
    assert "Het wekelijkse overzicht staat aan in deze kamer." in out
    assert "📰" not in out  # the moment it missed while off is not owed late
    out = await terminal.run("/wait 7d")
    assert out.count("📰 Deze week in de kring") == 1  # the next weekly moment


async def test_long_lists_are_cut_so_the_digest_fits_one_message(terminal: Terminal) -> None:
    needs = [f"!need help number {n} for: driver" for n in range(1, 9)]
    out = await terminal.run(*needs, "/wait 7d")
    digest = digest_of(out)
    assert "N#5 you: “help number 5”" in digest and "N#6" not in digest
    assert "… and 3 more" in digest


def test_the_digest_moment_follows_the_config(tmp_path: Path) -> None:
    from handlers.digest import latest_moment, next_moment

    settings = parse_settings({"digest": {"weekday": "friday", "time": "17:30"}})
    zone = settings.proposals.zone
    assert next_moment(settings.digest, zone, START).isoformat() == "2026-03-06T16:30:00+00:00"
    assert latest_moment(settings.digest, zone, START).isoformat() == "2026-02-27T16:30:00+00:00"
    # Across the change to summer time the local hour stays: 17:30 in Amsterdam is 15:30 UTC from April on.
    assert next_moment(settings.digest, zone, datetime.fromisoformat("2026-03-28T12:00:00+00:00")).isoformat() == (
        "2026-04-03T15:30:00+00:00"
    )
    with pytest.raises(ConfigError, match=r"digest\.time"):
        parse_settings({"digest": {"time": "25:00"}})
    with pytest.raises(ConfigError, match=r"digest\.weekday"):
        parse_settings({"digest": {"weekday": "maandag"}})


async def test_the_sync_loop_posts_the_digest_once_late_after_downtime_and_not_again_after_a_restart(
    room: Harness,
) -> None:
    await DueAnnouncements(room.kring).fire(room.clock.now())  # the first sync: Kring notes when it began
    await room.say(ANN, "!propose Shared courier €100 in 10 days")
    room.clock.set(MOMENT + timedelta(hours=3))  # down at the digest's moment, back three hours later
    await DueAnnouncements(room.kring).fire(room.clock.now())
    (digest,) = await room.deliver()
    assert digest.body.startswith(TITLE) and "(Late: it was due 9 March 2026, 08:00" in digest.body
    assert digest.content["msgtype"] == "m.notice" and not digest.notifies
    await DueAnnouncements(room.kring).fire(room.clock.now() + timedelta(minutes=5))  # restarted
    assert await room.deliver() == []
