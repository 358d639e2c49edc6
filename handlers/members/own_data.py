"""A member's own data: `!mydata` (a copy, sent to them privately), `!forgetme` (be forgotten, with confirmation),
`!optout` / `!optin` (reputation), and the daily clearing of old message text.

Forgetting replaces the member by a pseudonym ("former member 7") in every room, erases the text they wrote
and keeps the amounts, so totals, ranks and past decisions still add up (storage.queries.member_data does the rows).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.commands.context import Context, UserError
from handlers.commands.declaration import command, split_command
from handlers.events import Message, Say
from handlers.parsing import CONFIRM_WORDS
from handlers.settings import CommunitySettings
from handlers.wording.catalog import Texts
from handlers.wording.room_language import room_texts
from storage.records import MessageKind, Priority
from storage.store import Store

CONFIRM_WITHIN = timedelta(minutes=10)


@command("mydata", nl=("mijngegevens",), order=270, notes="the file is JSON, with a readable summary beside it")
async def my_data(ctx: Context) -> list[Say]:
    """The copy goes out through the outbox as a file in a direct room; the room only hears that it is on its way."""
    copy = Say(
        ctx.room_id,
        ctx.texts.t("privacy.copy_caption"),
        kind=MessageKind.DATA_COPY,
        mentions=(ctx.sender,),  # whose data: the copy is made when it is sent, so it is complete and current
        priority=Priority.PRIVATE,
    )
    return [copy, ctx.reply(ctx.texts.t("privacy.copy_sent"))]


@command("forgetme", nl=("vergeetmij",), order=300, notes="the books still add up", otherwise="err.bad_confirm")
async def forget_me(ctx: Context) -> list[Say]:
    """Asks to be forgotten; `!forgetme confirm` within CONFIRM_WITHIN carries it out."""
    await ctx.store.member_data.ask_to_forget(ctx.sender, ctx.now)
    minutes = int(CONFIRM_WITHIN.total_seconds() // 60)
    return [ctx.reply(ctx.texts.tn("privacy.forget_ask", minutes, minutes=minutes))]


@forget_me.sub(*CONFIRM_WORDS.in_language("en"), nl=CONFIRM_WORDS.in_language("nl"))
async def confirm_forget_me(ctx: Context) -> list[Say]:
    asked = await ctx.store.member_data.asked_to_forget(ctx.sender)
    if asked is None:
        raise UserError(ctx.texts.t("privacy.forget_nothing_to_confirm"))
    if ctx.now - asked > CONFIRM_WITHIN:
        raise UserError(ctx.texts.t("privacy.forget_expired"))
    names = await forget_member(ctx.store, ctx.settings, ctx.sender, ctx.now, also_in=ctx.room_id)
    return [ctx.reply(ctx.texts.t("privacy.forgotten", pseudonym=names[ctx.room_id]))]


async def forget_member(
    store: Store,
    settings: CommunitySettings,
    user_id: str,
    now: datetime,
    *,
    also_in: str | None = None,
    number: int | None = None,
) -> dict[str, str]:
    """Forget a member in every room (inside the caller's transaction; `store.member_data.scrub()` after it): the
    pseudonym as each room shows it, by room (`also_in` is named even when nothing is held there). `number`: the
    pseudonym they were given before (a restore forgetting them again), else the next one."""
    if number is None:
        number = await store.member_data.next_former_number()
    rooms = await store.member_data.rooms_of(user_id) | ({also_in} if also_in else set())
    names: dict[str, str] = {}
    for room in sorted(rooms):
        texts = await room_texts(store, settings, room)
        names[room] = texts.t("privacy.former_member", number=number).plain
    await store.member_data.forget(user_id, number, names, now)
    return names


def asks_to_forget(message: Message, prefix: str) -> bool:
    """Whether a message is `!forgetme` (in any language): the one command a forgotten member gets an answer to."""
    command = split_command(message.body, prefix, forget_me.words)
    return command is not None and command[0] in forget_me.words


def already_forgotten(texts: Texts, message: Message) -> Say:
    """The answer to a forgotten member's `!forgetme`: a reply to their event that names nobody."""
    return Say(message.room_id, texts.t("privacy.already_forgotten"), reply_to=message.event_id)


@command("optout", nl=("afmelden",), order=280)
async def opt_out(ctx: Context) -> list[Say]:
    if not await ctx.store.member_data.opt_out(ctx.sender, ctx.now):
        return [ctx.reply(ctx.texts.t("privacy.already_opted_out"))]
    return [ctx.reply(ctx.texts.t("privacy.opted_out"))]


@command("optin", nl=("aanmelden",), order=290)
async def opt_in(ctx: Context) -> list[Say]:
    if not await ctx.store.member_data.opt_in(ctx.sender):
        return [ctx.reply(ctx.texts.t("privacy.not_opted_out"))]
    return [ctx.reply(ctx.texts.t("privacy.opted_in"))]


async def clear_old_texts(store: Store, settings: CommunitySettings, now: datetime) -> int | None:
    """Once per UTC day: erase the text of messages older than `[privacy] keep_message_text_days` (proposals keep
    their titles and descriptions). The number cleared, or None when today's clearing was done already."""
    day = now.astimezone(UTC).date().isoformat()
    if await store.member_data.texts_cleared_on() == day:
        return None
    before = now - timedelta(days=settings.privacy.keep_message_text_days)
    return await store.member_data.clear_texts(before, day, requests_before=now - CONFIRM_WITHIN)
