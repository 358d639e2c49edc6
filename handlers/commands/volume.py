"""Abuse by volume: a member's command budget per minute, and command bodies too large to read."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from handlers.commands.context import Context
from handlers.commands.declaration import without_leading_blanks
from handlers.events import Say
from handlers.parsing import shown
from handlers.wording.markup import Rendered
from storage.queries.messages import Spent

BUDGET_WINDOW = timedelta(minutes=1)
MAX_COMMAND_BYTES = 16 * 1024  # a command body larger than this is not read
SLOW_DOWN = "slow_down"  # noted with the moment until which the member's commands are not run
COMMAND_COST = 2  # a command's share of the budget, in halves: a look-up costs one half
LOOK_UP_COST = 1


def cost(*, look_up: bool) -> int:
    return LOOK_UP_COST if look_up else COMMAND_COST


async def held_back(ctx: Context, *, read_only: bool = False) -> list[Say] | None:
    """None when the command may run; otherwise what the bot says instead (possibly nothing).

    A member may give `[bot] commands_per_minute` commands in the last minute (moderators are exempt); a
    `read_only` look-up costs half. The first command over it is answered with "slow down": it was not run, and
    none of the member's commands is run for so many seconds, until the last minute's are all a minute old. The
    ones sent in those seconds change nothing and get no answer (the member was told). They stay handled (none is
    run later) and are marked held back: only the commands Kring ran count against the budget.
    """
    budget = ctx.settings.bot.commands_per_minute
    if budget and not ctx.is_moderator:
        store, room_id, sender = ctx.store, ctx.room_id, ctx.sender
        paused_until = await store.outbox.told_at(room_id, sender, SLOW_DOWN)
        if paused_until is not None and ctx.now < paused_until:
            await store.messages.hold_back(ctx.message.event_id)
            return []
        spent = await store.messages.commands_since(
            room_id, sender, ctx.now - BUDGET_WINDOW, besides=ctx.message.event_id
        )
        pause_ends = _pause_ends(spent, budget * COMMAND_COST - cost(look_up=read_only))
        if pause_ends is not None:
            await store.messages.hold_back(ctx.message.event_id)
            await store.outbox.tell_once(room_id, sender, SLOW_DOWN, pause_ends, every=0)
            return [ctx.reply(_slow_down(ctx, budget, max(1, math.ceil((pause_ends - ctx.now).total_seconds()))))]
        if read_only:
            await store.messages.count_as_look_up(ctx.message.event_id)
    if len(ctx.message.body.encode()) > MAX_COMMAND_BYTES:
        return [ctx.reply(ctx.texts.t("volume.too_long", kb=MAX_COMMAND_BYTES // 1024))]
    return None


def _pause_ends(spent: Sequence[Spent], room: int) -> datetime | None:
    """None when what was `spent` (oldest first) leaves `room` halves free; otherwise when all of it is a minute
    old: a pause ends with the whole budget back, so a flood hears one "slow down" a minute, not one per command
    that leaves the window."""
    if sum(cost(look_up=command.look_up) for command in spent) <= room:
        return None
    return spent[-1].at + BUDGET_WINDOW


def _slow_down(ctx: Context, budget: int, seconds: int) -> Rendered:
    texts = ctx.texts
    typed = shown(without_leading_blanks(ctx.message.body).split("\n", 1)[0])
    said = texts.tn("volume.slow_down", budget, budget=budget)
    return said + Rendered(" ", " ") + texts.tn("volume.not_run", seconds, command=typed, seconds=seconds)
