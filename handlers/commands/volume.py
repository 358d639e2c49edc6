"""Abuse by volume: a member's command budget per minute, and command bodies too large to read."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands.declaration import Context
from handlers.events import Say

BUDGET_WINDOW = timedelta(minutes=1)
MAX_COMMAND_BYTES = 16 * 1024  # a command body larger than this is not read
SLOW_DOWN = "slow_down"  # what the member was told, at most once a minute


async def held_back(ctx: Context) -> list[Say] | None:
    """None when the command may run; otherwise what the bot says instead (possibly nothing).

    Over budget (`[bot] commands_per_minute` in the last minute, moderators exempt), the member hears one short
    "slow down" per minute and otherwise nothing; the command changes nothing. It stays handled (it is not run
    later) and is marked held back: only the commands Kring answered count against the budget.
    """
    budget = ctx.settings.bot.commands_per_minute
    if budget and not ctx.is_moderator:
        since = ctx.now - BUDGET_WINDOW
        sent = await ctx.store.messages.commands_since(ctx.room_id, ctx.sender, since)  # this one included
        if sent > budget:
            await ctx.store.messages.hold_back(ctx.message.event_id)
            seconds = int(BUDGET_WINDOW.total_seconds())
            if await ctx.store.outbox.tell_once(ctx.room_id, ctx.sender, SLOW_DOWN, ctx.now, every=seconds):
                return [ctx.reply(ctx.texts.tn("volume.slow_down", budget, budget=budget))]
            return []
    if len(ctx.message.body.encode()) > MAX_COMMAND_BYTES:
        return [ctx.reply(ctx.texts.t("volume.too_long", kb=MAX_COMMAND_BYTES // 1024))]
    return None
