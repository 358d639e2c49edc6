"""A bank line that only looks like a backer's payment (the amount, the proposal's number) waits as a suggestion:
a treasurer, the proposer or a moderator confirms it with !confirm, or rejects it here with !reject — then it is
a line for the treasurer to handle, and no delivery of the backer."""

from __future__ import annotations

from handlers.commands.arguments import Member, ProposalRef
from handlers.commands.context import Context, Role, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.proposals.confirmations import waiting_backer_named
from handlers.wording.markup import Rendered, lines
from storage.records import Proposal


@command(
    "reject",
    nl=("afwijzen",),
    order=235,
    args=(ProposalRef(), Member(required=True, by_name=True)),
    who=Role.PROPOSER_MODERATOR_OR_TREASURER,
    help_extra="help.reject",
)
async def reject(ctx: Context, proposal: Proposal, backer: str) -> list[Say]:
    if not backer.startswith("@"):  # `!reject 1 cas`, as !confirm takes it
        backer = await waiting_backer_named(ctx, proposal, backer)
    waiting = await ctx.store.payments.suggestions_waiting(proposal.id, backer)
    who = await ctx.who(backer)
    if not waiting:
        raise UserError(ctx.texts.t("payments.nothing_suggested", backer=who, number=proposal.number))
    await ctx.store.payments.reject_suggestions([(line_id, delivery) for line_id, _, delivery in waiting])
    rows: list[Rendered] = [
        ctx.texts.t(
            "payments.rejected",
            date=line.booked_on.isoformat(),
            amount=ctx.texts.money(line.amount_cents),
            backer=who,
            number=proposal.number,
        )
        for _, line, _ in waiting
    ]
    return [ctx.reply(lines(rows), proposal_id=proposal.id)]
