"""Reputation commands: !rep, !top and !ideas."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands.arguments import Count, Member
from handlers.commands.context import Context
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.wording.markup import lines, mention

TOP_DEFAULT = 10
TOP_MAX = 50
IDEAS_SHOWN = 10


@command("rep", "credits", nl=("reputatie",), order=180, args=(Member(),), read_only=True)
async def rep(ctx: Context, user_id: str) -> list[Say]:
    standing = await ctx.store.credits.standing(ctx.room_id, user_id)
    if user_id == ctx.sender:
        if standing is None:
            return [ctx.reply(ctx.texts.t("rep.self_none"))]
        return [ctx.reply(ctx.texts.tn("rep.self", standing.credits, credits=standing.credits, rank=standing.rank))]
    who = await ctx.who(user_id)
    if standing is None:
        return [ctx.reply(ctx.texts.t("rep.none", user=who))]
    text = ctx.texts.tn("rep.line", standing.credits, user=who, credits=standing.credits, rank=standing.rank)
    return [ctx.reply(text)]


@command("top", "leaderboard", nl=("top",), order=190, args=(Count(default=TOP_DEFAULT, most=TOP_MAX),), read_only=True)
async def top(ctx: Context, count: int) -> list[Say]:
    show_negative = ctx.settings.reputation.show_negative
    board, names = await ctx.store.credits.leaderboard_named(ctx.room_id, count, show_negative=show_negative)
    if not board:
        return [ctx.reply(ctx.texts.t("top.none"))]
    rows = [ctx.texts.t("top.title")]
    for standing in board:
        who = mention(standing.user_id, names.get(standing.user_id, standing.user_id))
        rows.append(ctx.texts.t("top.line", rank=standing.rank, user=who, credits=standing.credits))
    return [ctx.reply(lines(rows))]


@command("ideas", nl=("ideeen", "ideeën"), order=120, read_only=True)
async def ideas(ctx: Context) -> list[Say]:
    days = ctx.settings.reputation.ideas_days
    found, names = await ctx.store.messages.top_ideas_named(ctx.room_id, ctx.now - timedelta(days=days), IDEAS_SHOWN)
    if not found:
        return [ctx.reply(ctx.texts.tn("ideas.none", days, days=days))]
    rows = [ctx.texts.tn("ideas.title", days, days=days)]
    for idea in found:
        author = mention(idea.author, names.get(idea.author, idea.author))
        rows.append(ctx.texts.t("ideas.line", score=idea.score, author=author, excerpt=idea.excerpt))
    rows.append(ctx.texts.t("ideas.footer"))
    return [ctx.reply(lines(rows))]
