"""!help: the overview of all commands, generated from their declarations, or the usage and an example of one."""

from __future__ import annotations

from handlers.commands.arguments import CommandWord
from handlers.commands.context import Context, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.parsing import shown
from handlers.payments.requests import paid_after_go
from handlers.wording.markup import lines


@command("help", "?", nl=("hulp",), order=320, args=(CommandWord(),), read_only=True)
async def show_help(ctx: Context, word: str | None) -> list[Say]:
    texts = ctx.texts
    if word is not None:
        found = ctx.commands.find(word)
        if found is None:
            nearest = ctx.commands.nearest(word)
            if nearest is not None:  # `!help backing`: the typo gets the suggestion a mistyped command gets
                helping = ctx.commands.find("help")
                assert helping is not None
                suggestion = f"{texts.prefix}{helping.name_in(texts.language)} {nearest}"
                raise UserError(texts.t("help.unknown_suggest", command=shown(word), suggestion=suggestion))
            raise UserError(texts.t("help.unknown", command=shown(word)))
        # What it does and who may use it (its summary says when that is not every member), then how.
        about = texts.t("help.command", command=found.name_in(texts.language))
        parts = [about + texts.t("help.dash") + texts.t(f"summary.{found.name}"), found.usage(texts)]
        if found.help_extra is not None:
            ceiling = texts.tn("credits.reward", ctx.settings.proposals.max_credits_per_backer)
            parts.append(texts.t(found.help_extra, ceiling=ceiling))
        if found.name == "backme" and ctx.settings.money is not None:
            parts.append(paid_after_go(texts, ctx.settings.money))
        if found.name == "confirm" and ctx.settings.money is not None:
            parts.append(texts.t("help.confirm_treasurer"))
        aliases = found.names_in(texts.language)[1:]
        if aliases:
            parts.append(texts.t("help.aliases", names=", ".join(texts.prefix + alias for alias in aliases)))
        return [ctx.reply(lines(parts))]
    rows = [texts.t("help.title")]
    for listed in ctx.commands:
        rows.append(listed.usage_line(texts) + texts.t("help.dash") + texts.t(f"summary.{listed.name}"))
    rows.append(texts.t("help.footer"))
    rows.append(texts.t("help.language"))
    return [ctx.reply(lines(rows))]
