"""!help: the overview of all commands, or the usage and an example of one."""

from __future__ import annotations

from handlers.commands import COMMANDS, Context, UserError
from handlers.events import Say
from handlers.parsing import shown
from handlers.text import lines


@COMMANDS.command("help", "?")
async def show_help(ctx: Context, args: str) -> list[Say]:
    texts = ctx.texts
    if args:
        word = args.split()[0].removeprefix(ctx.settings.bot.command_prefix)
        command = COMMANDS.find(word)
        if command is None:
            raise UserError(texts.t("help.unknown", command=shown(word)))
        parts = [command.usage(texts)]
        if command.name == "propose":
            parts.append(texts.t("help.propose_multiline"))
        return [ctx.reply(lines(parts))]
    rows = [texts.t("help.title")]
    for command in COMMANDS.all():
        rows.append(texts.t(f"usage.{command.name}") + texts.t("help.dash") + texts.t(f"summary.{command.name}"))
    rows.append(texts.t("help.footer"))
    return [ctx.reply(lines(rows))]
