"""Reputation commands: !rep, !top and !ideas."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import COMMANDS, Context, UsageError
from handlers.events import Say
from handlers.parsing import shown
from handlers.text import lines, mention

TOP_DEFAULT = 10
TOP_MAX = 50
IDEAS_SHOWN = 10


def _target_user(ctx: Context, args: str) -> str:
    if ctx.message.mentions:
        return ctx.message.mentions[0]
    if not args:
        return ctx.sender
    token = args.split()[0]
    if len(token) < 2 or not token.startswith("@") or len(token) > 255:
        raise UsageError(ctx.texts.t("err.bad_user", token=shown(token)))
    return token


@COMMANDS.command("rep", "credits")
async def rep(ctx: Context, args: str) -> list[Say]:
    user_id = _target_user(ctx, args)
    names = await ctx.store.events.display_names(ctx.room_id, [user_id])
    who = mention(user_id, names.get(user_id, user_id))
    standing = await ctx.store.credits.standing(ctx.room_id, user_id)
    if standing is None:
        return [ctx.reply(ctx.texts.t("rep.none", user=who))]
    return [ctx.reply(ctx.texts.t("rep.line", user=who, credits=standing.credits, rank=standing.rank))]


@COMMANDS.command("top", "leaderboard")
async def top(ctx: Context, args: str) -> list[Say]:
    count = TOP_DEFAULT
    if args:
        token = args.split()[0]
        # A few ASCII digits only: "²".isdigit() holds yet int("²") raises, and int() refuses 4 300 digits.
        if not (token.isascii() and token.isdigit() and len(token) <= 6) or not 1 <= int(token) <= TOP_MAX:
            raise UsageError(ctx.texts.t("err.bad_count", token=shown(token), max=TOP_MAX))
        count = int(token)
    board = await ctx.store.credits.leaderboard(ctx.room_id, count)
    if not board:
        return [ctx.reply(ctx.texts.t("top.none"))]
    names = await ctx.store.events.display_names(ctx.room_id, [s.user_id for s in board])
    rows = [ctx.texts.t("top.title")]
    for standing in board:
        who = mention(standing.user_id, names.get(standing.user_id, standing.user_id))
        rows.append(ctx.texts.t("top.line", rank=standing.rank, user=who, credits=standing.credits))
    return [ctx.reply(lines(rows))]


@COMMANDS.command("ideas")
async def ideas(ctx: Context, args: str) -> list[Say]:
    days = ctx.settings.reputation.ideas_days
    found = await ctx.store.events.top_ideas(ctx.room_id, ctx.now - timedelta(days=days), IDEAS_SHOWN)
    if not found:
        return [ctx.reply(ctx.texts.t("ideas.none", days=days))]
    names = await ctx.store.events.display_names(ctx.room_id, sorted({m.author for m in found}))
    rows = [ctx.texts.t("ideas.title", days=days)]
    for idea in found:
        author = mention(idea.author, names.get(idea.author, idea.author))
        rows.append(ctx.texts.t("ideas.line", score=idea.score, author=author, excerpt=idea.excerpt))
    rows.append(ctx.texts.t("ideas.footer"))
    return [ctx.reply(lines(rows))]
