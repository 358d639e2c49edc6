"""The language a room speaks: `!language nl|en` (moderators), and the texts of a room in its language."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

from handlers.commands.arguments import Language
from handlers.commands.context import Context, Role
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.settings import CommunitySettings
from handlers.wording.catalog import Texts
from storage.store import Store


@functools.cache
def texts_in(language: str, zone: ZoneInfo, prefix: str) -> Texts:
    return Texts(language, zone, prefix)


async def room_texts(store: Store, settings: CommunitySettings, room_id: str) -> Texts:
    """The texts of a room: its own language if a moderator chose one, else the configured default."""
    return texts_for_choice(settings, await store.room_settings.language(room_id))


def texts_for_choice(settings: CommunitySettings, chosen: str | None) -> Texts:
    """The texts in the language a room chose (`storage.queries.room_settings`), or in the configured default."""
    return texts_in(chosen or settings.bot.language, settings.proposals.zone, settings.bot.command_prefix)


@command("language", nl=("taal",), order=310, args=(Language(),), who=Role.MODERATOR)
async def set_language(ctx: Context, language: str) -> list[Say]:
    if language == ctx.texts.language:
        return [ctx.reply(ctx.texts.t("language.same"))]
    await ctx.store.room_settings.set_language(ctx.room_id, language)
    texts = texts_in(language, ctx.texts.zone, ctx.texts.prefix)
    return [ctx.reply(texts.t("language.set"))]
