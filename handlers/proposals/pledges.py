"""Pledge commands: !backme places or replaces a pledge, !withdraw takes it back; the withdraw lock."""

from __future__ import annotations

from handlers.commands.arguments import PledgeRequest, PledgeTerms, ProposalRef
from handlers.commands.context import Context, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.proposals.go_rules import goals_broken, in_withdraw_lock, is_go, lock_moment
from handlers.proposals.proposing import require_open
from handlers.reputation.standing import on_home_server, server_of
from handlers.wording.fragments import load_facts, pledge_amount, progress
from handlers.wording.markup import Rendered, lines
from storage.records import Pledge, Proposal, Totals


def _check_lock(ctx: Context, proposal: Proposal, before: list[Pledge], after: list[Pledge]) -> None:
    """Kickstarter's rule: near the deadline, no change may undo a goal that was reached.

    A change handled after the lock began counts as made before it only when the room's timeline shows so, not
    its stamp alone: after downtime, a sender's homeserver need only stamp it after Kring's last batch."""
    lock_hours = ctx.settings.proposals.withdraw_lock_hours
    if not in_withdraw_lock(proposal, lock_moment(ctx.now, ctx.message.proven_by), lock_hours):
        return
    broken = goals_broken(proposal, Totals.of(before, proposal.proposer), Totals.of(after, proposal.proposer))
    if broken:
        names = ", ".join(ctx.texts.t(f"goal_name.{goal.value}").plain for goal in sorted(broken))
        until = ctx.texts.when(proposal.deadline)
        raise UserError(ctx.texts.t("pledge.locked", until=until, number=proposal.number, goals=names))


async def _fully_backed_news(ctx: Context, proposal: Proposal, pledges: list[Pledge]) -> list[Say]:
    """Announce once that every goal is met before the deadline."""
    if not is_go(proposal, Totals.of(pledges, proposal.proposer)) or proposal.fully_backed_at is not None:
        return []
    if not await ctx.store.proposals.mark_fully_backed(proposal.id, ctx.now):
        return []
    text = ctx.texts.t(
        "fully_backed.announce",
        number=proposal.number,
        title=proposal.title,
        deadline=ctx.texts.when(proposal.deadline),
    )
    return [ctx.announce(text, mentions=(proposal.proposer,), proposal_id=proposal.id)]


def _keep_amounts(ctx: Context, proposal: Proposal, old: Pledge | None, request: PledgeRequest) -> None:
    """A new pledge in which Kring reads no amount never drops the money or hours of the old one: plain support
    instead is asked for in so many words (`alleen steun`). Kring asks, and nothing changes."""
    draft = request.draft
    if old is None or not (old.money_cents or old.minutes) or draft.money_cents or draft.minutes:
        return
    if draft.support_only:
        return
    texts, kept = ctx.texts, pledge_amount(ctx.texts, old)
    if draft.note:
        raise UserError(texts.t("pledge.no_amount_read", text=draft.note, number=proposal.number, pledge=kept))
    raise UserError(texts.t("pledge.kept", number=proposal.number, pledge=kept))


@command(
    "backme",
    "back",
    "pledge",
    nl=("steun",),
    order=50,
    notes="a new pledge replaces your old one",
    help_extra="help.backme",
    args=(PledgeTerms(),),
)
async def back_me(ctx: Context, request: PledgeRequest) -> list[Say]:
    proposal, draft = request.proposal, request.draft
    require_open(ctx, proposal, "pledge.closed")
    reputation = ctx.settings.reputation
    if not on_home_server(ctx.sender, reputation):
        raise UserError(
            ctx.texts.t("standing.guest_pledge", servers=", ".join(reputation.servers), server=server_of(ctx.sender))
        )
    before = await ctx.store.proposals.pledges(proposal.id)
    old = next((p for p in before if p.user_id == ctx.sender), None)
    _keep_amounts(ctx, proposal, old, request)
    new = Pledge(
        user_id=ctx.sender,
        money_cents=draft.money_cents or 0,
        minutes=draft.minutes or 0,
        note=draft.note or (old.note if old is not None else ""),  # a new pledge without a note keeps the old one
        pledged_at=ctx.now,
    )
    after = [p for p in before if p.user_id != ctx.sender] + [new]
    _check_lock(ctx, proposal, before, after)
    facts = await load_facts(
        ctx.store, proposal, first=ctx.store.proposals.pledge_writer(proposal.id, new, ctx.message.event_id)
    )
    texts = ctx.texts
    who = facts.who(ctx.sender)
    amount = pledge_amount(texts, new)
    said: list[Rendered]
    support = not (new.money_cents or new.minutes)  # plain support reads as such, not "you back it with support"
    if old is None:
        key = "pledge.placed_support" if support else "pledge.placed"
        said = [texts.t(key, user=who, number=proposal.number, title=proposal.title, pledge=amount)]
    elif (old.money_cents, old.minutes) == (new.money_cents, new.minutes):
        said = [texts.t("pledge.unchanged", user=who, number=proposal.number, pledge=amount)]
    else:
        old_amount = pledge_amount(texts, old)
        key = "pledge.now_support" if support else "pledge.changed"
        said = [texts.t(key, user=who, number=proposal.number, pledge=amount, old=old_amount)]
    if ctx.sender == proposal.proposer:
        said.append(texts.t("pledge.own_note"))
    if old is not None and old.note and new.note == old.note and not draft.note:
        said.append(texts.t("pledge.note_kept", note=new.note))
    elif old is not None and new.note != old.note:
        said.append(texts.t("pledge.note_changed", note=new.note))
    reply = ctx.reply(
        lines([*said, progress(texts, proposal, facts.totals, ctx.now)]),
        mentions=(ctx.sender,),
        proposal_id=proposal.id,
    )
    return [reply, *await _fully_backed_news(ctx, proposal, facts.pledges)]


@command("withdraw", "unback", nl=("intrekken",), order=60, args=(ProposalRef(),))
async def withdraw(ctx: Context, proposal: Proposal) -> list[Say]:
    require_open(ctx, proposal, "pledge.closed")
    before = await ctx.store.proposals.pledges(proposal.id)
    mine = next((p for p in before if p.user_id == ctx.sender), None)
    if mine is None:
        raise UserError(ctx.texts.t("pledge.none", number=proposal.number))
    after = [p for p in before if p.user_id != ctx.sender]
    _check_lock(ctx, proposal, before, after)
    withdraw_mine = ctx.store.proposals.withdrawer(proposal.id, mine, ctx.message.event_id, ctx.now)
    facts = await load_facts(ctx.store, proposal, ctx.sender, first=withdraw_mine)
    texts = ctx.texts
    headline = texts.t(
        "pledge.withdrawn",
        user=facts.who(ctx.sender),
        number=proposal.number,
        pledge=pledge_amount(texts, mine),
    )
    reply = lines([headline, progress(texts, proposal, facts.totals, ctx.now)])
    return [ctx.reply(reply, mentions=(ctx.sender,), proposal_id=proposal.id)]
