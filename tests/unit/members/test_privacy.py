"""Members' own data: a copy (`!mydata`), being forgotten (`!forgetme`), opting out of reputation, the leaderboard's
tone, and how long message text is kept."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.console import Console
from bot.ops.data_copy import copy_of, summary
from bot.ops.export import export_rooms
from handlers.events import Event, Message, Reaction, Say
from handlers.wording.catalog import Texts
from storage.records import MessageKind
from tests.unit.conftest import MakeRoom
from tests.unit.harness import ROOM, Harness, make_harness

ANN = "@annelies:test"  # her display name in the harness: "Annelies"
BOB = "@bob:test"
CAS = "@cas:test"
OTHER_ROOM = "!other:test"
HER_TEXTS = (
    "Shall we share one courier for Westerpark?",
    "I can drive on Tuesdays with my van",
    "Too expensive for small pharmacies",
    "Route planned and tested twice",
    "Second room idea about vaccination evenings",
    "pharmacy logistics",
    "someone to translate leaflets",
)
BOBS_TEXTS = ("Bob thinks a shared fridge is better", "Bob's own note about Fridays")


async def seed(room: Harness) -> dict[str, str]:
    """Annelies and Bob take part in two rooms: ideas, credits both ways, pledges with notes, an objection, a GO
    with an update and a delivery, talents and a need."""
    her_idea, _ = await room.say(ANN, HER_TEXTS[0])
    bobs_idea, _ = await room.say(BOB, BOBS_TEXTS[0])
    await room.react(BOB, her_idea, "👍")
    await room.react(CAS, her_idea, "🎉")
    await room.react(ANN, bobs_idea, "👎")
    await room.say(BOB, "!propose Shared courier €500 4h in 3 days min 2")
    await room.say(ANN, f"!backme 1 €300 2h {HER_TEXTS[1]}")
    await room.say(BOB, f"!backme 1 €200 2h {BOBS_TEXTS[1]}")
    await room.say(ANN, "!propose Courier on Sundays €100 in 3 days")
    await room.say(CAS, "!backme 2 €20")
    await room.say(ANN, f"!object 1 {HER_TEXTS[2]}")
    await room.wait(timedelta(days=4))
    await room.say(BOB, "!update 1 Route half done 50%")
    await room.say(ANN, f"!delivered 1 2h {HER_TEXTS[3]}")
    await room.say(BOB, f"!confirm 1 {ANN}")
    await room.say(ANN, f"!skills add {HER_TEXTS[5]}")
    await room.say(ANN, f"!need {HER_TEXTS[6]}")
    second, _ = await room.say(ANN, HER_TEXTS[4], room=OTHER_ROOM)
    await room.react(BOB, second, "👍", room=OTHER_ROOM)
    await room.deliver()
    return {"her_idea": her_idea, "bobs_idea": bobs_idea}


def totals(document: dict[str, Any]) -> dict[str, Any]:
    """What must still add up after a member is forgotten: per room, the credit totals, the ledger's sum, each
    proposal's status and pledged amounts."""
    summary = {}
    for room in document["rooms"]:
        summary[room["room_id"]] = {
            "reputation": sorted(room["reputation"].values()),
            "ledger": sum(c["delta"] for c in room["credits"]),
            "proposals": [
                (p["id"], p["status"], sum(x["money_cents"] for x in p["pledges"]), len(p["pledges"]))
                for p in room["proposals"]
            ],
        }
    return summary


async def test_the_copy_holds_the_members_data_and_nobody_elses(room: Harness) -> None:
    await seed(room)
    _, out = await room.say(ANN, "!mydata")
    assert [s.kind for s in out] == [MessageKind.REPLY.value, MessageKind.DATA_COPY.value]  # the copy may wait
    assert out[0].body == "Kring is sending you a copy of everything it holds about you, in a direct message."
    copy = await copy_of(room.store, ANN, room.clock.now())
    text = json.dumps(copy, ensure_ascii=False)
    for her_text in HER_TEXTS:
        assert her_text in text, her_text
    for bobs in BOBS_TEXTS:
        assert bobs not in text
    assert sorted(copy["rooms"]) == sorted([ROOM, OTHER_ROOM])
    assert {p["user_id"] for p in copy["pledges"]} == {ANN}
    assert all(ANN in (c["giver"], c["receiver"]) for c in copy["credits"])
    assert {m["author"] for m in copy["messages"]} == {ANN}
    assert copy["names"][0]["display_name"] == "Annelies"
    assert copy["talents"][0]["talent"] == HER_TEXTS[5]


async def test_the_console_writes_the_copy_to_a_file(tmp_path: Path) -> None:

    harness = await make_harness(tmp_path)
    try:
        out = io.StringIO()
        console = Console(harness.kring, harness.clock, out, folder=tmp_path)
        await console.handle_line("/as @annelies")
        await console.handle_line("A courier for the whole district?")
        await console.handle_line("!mijngegevens")
        written = await asyncio.to_thread(lambda: list(tmp_path.glob("kring-data-annelies-*.json")))
        assert len(written) == 1
        assert written[0].stat().st_mode & 0o077 == 0  # for her eyes only
        copy = json.loads(await asyncio.to_thread(written[0].read_text, encoding="utf-8"))
        assert copy["messages"][0]["excerpt"] == "A courier for the whole district?"
        assert "kring-data-annelies-" in out.getvalue()
    finally:
        await harness.store.close()


async def database_bytes(room: Harness) -> bytes:
    files = [room.path, Path(f"{room.path}-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


async def test_forgetting_erases_name_id_and_text_and_the_books_still_add_up(room: Harness) -> None:
    await seed(room)
    await room.say(ANN, "!mydata")  # a sent copy in the outbox names her too
    before = await export_rooms(room.store, room.kring.settings.proposals.zone)
    ask = await room.reply(ANN, "!forgetme")
    assert "send !forgetme confirm within 10 minutes" in ask.body
    done = await room.reply(ANN, "!forgetme confirm")
    assert done.body.startswith("Done: Kring has forgotten you. In its books you are now “former member 1”")

    after = await export_rooms(room.store, room.kring.settings.proposals.zone)
    assert totals(after) == totals(before)
    exported = json.dumps(after, ensure_ascii=False)
    stored = await database_bytes(room)
    for needle in (ANN, "Annelies", *HER_TEXTS):
        assert needle not in exported, needle
        assert needle.encode() not in stored, needle
    assert "former member 1" in exported
    assert BOBS_TEXTS[1] in exported  # others' words stay
    assert "Courier on Sundays" in exported  # the titles of her proposals stay, as the room's record
    top = await room.reply(BOB, "!top")
    assert "former member 1" in top.body and "@annelies" not in top.html


async def test_a_forgotten_member_is_neither_remembered_nor_named_and_hears_so_once_asked(room: Harness) -> None:
    her_idea, _ = await room.say(ANN, HER_TEXTS[0])
    await room.reply(ANN, "!forgetme")
    await room.reply(ANN, "!forgetme confirm")
    later, out = await room.say(ANN, "Another idea of mine")
    assert out == []
    await room.react(ANN, (await room.say(BOB, "Bob's idea"))[0], "👍")
    assert await room.rep(BOB) == 0
    assert await room.rows("SELECT * FROM messages WHERE event_id = ?", later) == []
    again = await room.reply(ANN, "!vergeetmij")
    assert again.body == "Kring has already forgotten you: it does not remember or name you."
    assert again.mentions == ()
    assert (await room.say(ANN, "!rep"))[1] == []
    named = await room.reply(BOB, f"!rep {ANN}")  # others cannot name or credit them either
    assert named.body == "Kring has forgotten that member at their request: it does not name them."
    await room.react(BOB, her_idea, "👍")  # her old message earns its pseudonym a credit: the books add up
    assert await room.rep("former member 1") == 1


async def test_confirmation_needs_a_recent_request(room: Harness) -> None:
    nothing = await room.reply(ANN, "!forgetme confirm")
    assert nothing.body == "There is nothing to confirm: send !forgetme first, then !forgetme confirm."
    await room.reply(ANN, "!forgetme")
    room.clock.advance(timedelta(minutes=11))
    late = await room.reply(ANN, "!forgetme confirm")
    assert late.body.startswith("Your request to be forgotten has lapsed")
    wrong = await room.reply(ANN, "!forgetme please")
    assert "“please” is not a confirmation" in wrong.body
    assert await room.rows("SELECT * FROM forgotten") == []
    await room.reply(ANN, "!vergeetmij")
    done = await room.reply(ANN, "!vergeetmij bevestig")
    assert "former member 1" in done.body


async def test_opting_out_counts_nothing_from_then_on_and_hides_from_top_and_ideas(room: Harness) -> None:
    her_idea, _ = await room.say(ANN, HER_TEXTS[0])
    await room.react(BOB, her_idea, "👍")
    opted = await room.reply(ANN, "!optout")
    assert opted.body.startswith("You have opted out of reputation")
    assert (await room.reply(ANN, "!afmelden")).body.startswith("You have already opted out")
    bobs_idea, _ = await room.say(BOB, "Bob's idea")
    await room.react(ANN, bobs_idea, "👍")  # by her: nothing
    await room.react(CAS, her_idea, "👍")  # to her: nothing
    assert await room.rep(BOB) == 0
    assert await room.rep(ANN) == 1  # what she had stays
    top = await room.reply(CAS, "!top")
    ideas = await room.reply(CAS, "!ideas")
    assert "Annelies" not in top.body and HER_TEXTS[0] not in ideas.body
    assert (await room.reply(ANN, "!rep")).body.startswith("You have 1 credit")
    assert (await room.reply(ANN, "!optin")).body.startswith("Welcome back")
    await room.react(ANN, bobs_idea, "🎉")
    assert await room.rep(BOB) == 1
    assert "Annelies" in (await room.reply(CAS, "!top")).body


async def test_show_negative_false_hides_negative_totals_from_top(make_room: MakeRoom) -> None:
    room = await make_room(reputation={"show_negative": False})
    idea, _ = await room.say(BOB, "A bad idea")
    await room.react(ANN, idea, "👎")
    good, _ = await room.say(CAS, "A good idea")
    await room.react(ANN, good, "👍")
    top = await room.reply(ANN, "!top")
    assert "Cas" in top.body and "Bob" not in top.body
    assert "−1" in (await room.reply(BOB, "!rep")).body or "-1" in (await room.reply(BOB, "!rep")).body


async def test_message_text_is_cleared_after_the_days_set_once_a_day(make_room: MakeRoom) -> None:
    room = await make_room(privacy={"keep_message_text_days": 30})
    old, _ = await room.say(ANN, HER_TEXTS[0])
    await room.react(BOB, old, "👍")
    await room.say(ANN, "!propose Shared courier €100 in 3 days")
    room.clock.advance(timedelta(days=29))
    fresh, _ = await room.say(ANN, HER_TEXTS[4])
    assert await room.kring.clear_old_texts() == 0  # nothing is 30 days old yet
    assert await room.kring.clear_old_texts() is None  # once a day
    room.clock.advance(timedelta(days=2))
    assert await room.kring.clear_old_texts() == 2  # the idea and the command
    texts = dict(await room.rows("SELECT event_id, excerpt FROM messages"))
    assert texts[old] == "" and texts[fresh] == HER_TEXTS[4]
    assert await room.rows("SELECT score FROM messages WHERE event_id = ?", old) == [(1,)]
    assert await room.rows("SELECT title FROM proposals") == [("Shared courier",)]
    assert HER_TEXTS[0].encode() not in await database_bytes(room)
    assert await room.kring.clear_old_texts() is None


def test_the_operator_can_forget_a_member_from_the_command_line(tmp_path: Path, capsys: Any) -> None:
    async def prepare() -> Path:
        harness = await make_harness(tmp_path)
        await seed(harness)
        await harness.store.close()
        return harness.path

    database = asyncio.run(prepare())
    assert main(["forget", "annelies", "--db", str(database)]) == 2
    assert "not a user id" in capsys.readouterr().err
    assert main(["forget", ANN, "--db", str(database)]) == 0
    assert "forgot @annelies:test" in capsys.readouterr().err
    stored = database.read_bytes()
    assert ANN.encode() not in stored and HER_TEXTS[1].encode() not in stored
    assert main(["forget", ANN, "--db", str(database)]) == 0
    assert "was forgotten before; nothing to do" in capsys.readouterr().err


async def test_forgetting_in_the_middle_of_a_batch_acts_as_one_event_at_a_time(room: Harness) -> None:
    her_idea, _ = await room.say(ANN, HER_TEXTS[0])
    await room.react(BOB, her_idea, "👍")
    await room.reply(ANN, "!forgetme")
    now = room.clock.now()
    batch: list[Event] = [
        Message("$rep", ROOM, BOB, f"!rep {ANN}", now),
        Message("$confirm", ROOM, ANN, "!forgetme confirm", now),
        Reaction("$cheer", ROOM, CAS, her_idea, "🎉", now),
    ]
    await room.kring.handle_batch(batch)
    out = await room.deliver()
    assert all(ANN not in s.body + s.html and "Annelies" not in s.body for s in out), [s.body for s in out]
    assert await room.rep("former member 1") == 2  # Cas's vote went to the pseudonym, like Bob's before
    assert ANN.encode() not in await database_bytes(room)


async def test_an_optout_in_the_middle_of_a_batch_counts_the_reaction_after_it_for_nothing(room: Harness) -> None:
    bobs_idea, _ = await room.say(BOB, "Bob's idea")
    now = room.clock.now()
    batch: list[Event] = [Message("$out", ROOM, ANN, "!optout", now), Reaction("$r", ROOM, ANN, bobs_idea, "👍", now)]
    await room.kring.handle_batch(batch)
    assert await room.rep(BOB) == 0


async def test_an_optout_in_a_batch_that_rolls_back_is_not_in_force(room: Harness) -> None:
    """Its reaction after the opt-out read who opted out (the uncommitted row with it): that reading is undone too."""
    bobs_idea, _ = await room.say(BOB, "Bob's idea")
    now = room.clock.now()
    batch: list[Event] = [Message("$out", ROOM, ANN, "!optout", now), Reaction("$r", ROOM, CAS, bobs_idea, "👍", now)]

    async def fails() -> list[Say]:
        raise RuntimeError("the sync token could not be stored")

    with pytest.raises(RuntimeError):
        await room.kring.handle_batch(batch, also=fails)
    assert ANN not in await room.store.member_data.opted_out()
    await room.react(ANN, bobs_idea, "👍")
    assert await room.rep(BOB) == 1  # her reaction counts: she never opted out
    await room.kring.handle_batch(batch)  # the batch handled again, committed this time
    assert ANN in await room.store.member_data.opted_out()


async def test_a_forgetting_in_a_batch_that_rolls_back_is_done_when_the_batch_is_handled_again(room: Harness) -> None:
    await room.say(ANN, HER_TEXTS[0])
    await room.reply(ANN, "!forgetme")
    confirm = Message("$confirm", ROOM, ANN, "!forgetme confirm", room.clock.now())

    async def fails() -> list[Say]:
        raise RuntimeError("the sync token could not be stored")

    with pytest.raises(RuntimeError):
        await room.kring.handle_batch([confirm], also=fails)
    assert await room.rows("SELECT * FROM forgotten") == []
    assert not room.store.member_data.scrub_due  # nothing was erased: no WAL to empty
    await room.kring.handle_batch([confirm])  # the sync loop handles the same events again
    out = await room.deliver()
    assert out[0].body.startswith("Done: Kring has forgotten you")
    assert await room.rows("SELECT author FROM messages WHERE author = ?", ANN) == []
    assert len(await room.rows("SELECT * FROM forgotten")) == 1


async def test_after_forgetting_no_empty_quote_no_reminder_no_stored_pseudonym_mention_and_dutch_names(
    room: Harness,
) -> None:
    """In a Dutch room: her update shows as erased in !status, the delivery reminder addresses only Bob, no stored
    message mentions a pseudonym as if it were a user id, and the export names her "oud-lid 1"."""
    room.powers["@mod:test"] = 50
    await room.say("@mod:test", "!taal nl")
    await room.say(BOB, "!propose Gedeelde koerier €500 in 3 days")
    await room.say(ANN, "!backme 1 €300 Ik rijd op dinsdag")
    await room.say(BOB, "!backme 1 €200")
    await room.wait(timedelta(days=3, minutes=1))
    await room.say(ANN, "!update 1 Route half klaar 50%")
    await room.say(ANN, "!forgetme")
    await room.say(ANN, "!forgetme bevestig")
    status = await room.reply(CAS, "!status 1")
    assert "“”" not in status.body and "oud-lid 1: (gewist)" in status.body
    (reminder,) = [s for s in await room.wait(timedelta(days=7)) if s.body.startswith("👋")]
    assert "oud-lid 1" not in reminder.body and "former member" not in reminder.body and "Bob" in reminder.body
    assert reminder.mentions == (BOB,)
    stored = [json.loads(m) for (m,) in await room.rows("SELECT mentions FROM outbox")]
    assert all(mention.startswith("@") for mentions in stored for mention in mentions), stored
    exported = json.dumps(await export_rooms(room.store, room.kring.settings.proposals.zone), ensure_ascii=False)
    assert "oud-lid 1" in exported and "former member" not in exported


async def test_an_erased_update_reads_erased_in_an_english_status(room: Harness) -> None:
    await room.say(BOB, "!propose Shared courier €500 in 3 days")
    await room.say(ANN, "!backme 1 €500")
    await room.wait(timedelta(days=3, minutes=1))
    await room.say(ANN, "!update 1 Route half done 50%")
    await room.say(ANN, "!forgetme")
    await room.say(ANN, "!forgetme confirm")
    status = await room.reply(CAS, "!status 1")
    assert "“”" not in status.body and "former member 1: (erased)" in status.body


async def test_no_update_is_asked_of_a_forgotten_proposer(room: Harness) -> None:
    await room.say(ANN, "!propose Shared courier €500 in 3 days")
    await room.say(BOB, "!backme 1 €500")
    await room.wait(timedelta(days=3, minutes=1))
    await room.say(ANN, "!forgetme")
    await room.say(ANN, "!forgetme confirm")
    later = await room.wait(timedelta(days=30))
    assert [s.body for s in later if s.body.startswith("👋 No update")] == []


async def test_the_copy_has_a_readable_summary_in_the_rooms_language(room: Harness) -> None:
    await room.say(ANN, "!propose Courier €100 in 3 days")
    await room.say(BOB, "!backme 1 €50 happy to")
    document = await copy_of(room.store, BOB, room.clock.now())
    english = summary(Texts("en", room.kring.settings.proposals.zone), document).plain.splitlines()
    assert english[0] == "In short, the file holds:" and "your pledges: 1" in english
    assert english[-1] == "The file itself is JSON, with every row in full."
    dutch = summary(Texts("nl", room.kring.settings.proposals.zone), document).plain.splitlines()
    assert dutch[0] == "Kort samengevat staat in het bestand:" and "je toezeggingen: 1" in dutch
    nobody = summary(
        Texts("nl", room.kring.settings.proposals.zone), await copy_of(room.store, "@x:test", room.clock.now())
    )
    assert nobody.plain.splitlines()[1] == "niets behalve je gebruikers-id"


def test_the_privacy_page_exists_in_dutch_and_the_readme_links_it() -> None:
    root = Path(__file__).resolve().parents[3]
    dutch = (root / "docs" / "PRIVACY.nl.md").read_text(encoding="utf-8")
    assert "](docs/PRIVACY.nl.md)" in (root / "README.md").read_text(encoding="utf-8")
    for command in ("!mijngegevens", "!vergeetmij bevestig", "!afmelden", "!aanmelden"):
        assert command in dutch
    assert "## Je rechten, en hoe je ze gebruikt" in dutch and "oud-lid 7" in dutch
