"""After GO, confirming deliveries: `!confirm` (or a ✅ on Kring's reply to a delivery) and `!unconfirm`; what a
confirmation credits, bounded like a vote (handlers.reputation.effort)."""

from __future__ import annotations

from datetime import datetime

from handlers.commands.arguments import Member, ProposalRef
from handlers.commands.context import Context, Role, UserError
from handlers.commands.declaration import command
from handlers.events import Reaction, Say
from handlers.parsing import shown
from handlers.proposals.underway import in_thread, require_underway
from handlers.reputation.effort import Grant, bounded_effort
from handlers.reputation.reactions import normalize_emoji
from handlers.settings import CommunitySettings, ProposalSettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import amount_of, load_facts
from handlers.wording.markup import Rendered, lines, markup, user_text
from handlers.wording.room_language import room_texts
from storage.records import (
    Credit,
    CreditReason,
    Delivery,
    Pledge,
    Proposal,
)
from storage.store import Store

CONFIRM_EMOJI = frozenset({"✅", "✔", "☑"})  # compared without variation selectors


async def confirm_deliveries(
    store: Store,
    community: CommunitySettings,
    texts: Texts,
    proposal: Proposal,
    backer: str,
    confirmer: str,
    deliveries: list[Delivery],
    *,
    event_id: str,
    at: datetime,
) -> Rendered:
    """Confirm `deliveries` of `backer`: hours earn credits per whole hour up to the hours pledged, each money
    delivery its reward, bounded like votes (handlers.reputation.effort). Says what was confirmed and credited."""
    await store.underway.confirm([d.id for d in deliveries], confirmer, at, event_id)
    facts = await load_facts(store, proposal, backer, confirmer)
    grant = await _owed_now(store, community, proposal, facts.pledges, backer, confirmer, at)
    rewards = grant.credits
    await store.credits.add(
        Credit(
            proposal.room_id, confirmer, backer, delta, reason, at, source_event_id=event_id, proposal_id=proposal.id
        )
        for delta, reason in rewards
    )
    amount = amount_of(texts, sum(d.money_cents for d in deliveries), sum(d.minutes for d in deliveries))
    parts = [
        texts.t(
            "underway.confirmed",
            user=facts.who(confirmer),
            backer=facts.who(backer),
            amount=amount,
            number=proposal.number,
        )
    ]
    earned = sum(delta for delta, _ in rewards)
    if earned:
        parts.append(texts.t("underway.earned", backer=facts.who(backer), reward=texts.tn("credits.reward", earned)))
    if grant.not_voting is not None:
        parts.append(texts.t("underway.effort_not_counted", member=facts.who(grant.not_voting)))
    elif grant.held_back:
        cap = community.reputation.daily_cap
        parts.append(texts.t("underway.effort_capped", user=facts.who(confirmer), cap=cap))
    return lines(parts)


async def _owed_now(
    store: Store,
    community: CommunitySettings,
    proposal: Proposal,
    pledges: list[Pledge],
    backer: str,
    confirmer: str,
    at: datetime,
) -> Grant:
    """The effort credits `confirmer` grants `backer` now: what is owed, up to `max_credits_per_backer` for the
    proposal in all, within the confirmer's daily cap."""
    settings = community.proposals
    owed = [
        (await _hours_owed(store, settings, proposal, pledges, backer), CreditReason.DELIVERED_HOURS),
        (await _money_owed(store, settings, proposal, pledges, backer), CreditReason.DELIVERED_MONEY),
    ]
    room = settings.max_credits_per_backer
    for reason in (CreditReason.DELIVERED_HOURS, CreditReason.DELIVERED_MONEY):
        room -= await store.credits.standing_for(proposal.id, backer, reason)
    for index, (delta, reason) in enumerate(owed):
        owed[index] = (max(0, min(delta, room)), reason)
        room -= owed[index][0]
    return await bounded_effort(store, community, proposal.room_id, confirmer, backer, owed, at)


async def _hours_owed(
    store: Store, settings: ProposalSettings, proposal: Proposal, pledges: list[Pledge], backer: str
) -> int:
    """Credits still owed for confirmed hours: per whole hour, up to the hours pledged, less what stands."""
    pledged = next((p.minutes for p in pledges if p.user_id == backer), 0)
    confirmed = [d for d in await store.underway.deliveries([proposal.id]) if d.user_id == backer and d.confirmed]
    earned = min(sum(d.minutes for d in confirmed), pledged) // 60 * settings.credits_per_delivered_hour
    return earned - await store.credits.standing_for(proposal.id, backer, CreditReason.DELIVERED_HOURS)


async def _money_owed(
    store: Store, settings: ProposalSettings, proposal: Proposal, pledges: list[Pledge], backer: str
) -> int:
    """The money reward still owed: once per backer per proposal, for a backer who pledged money and has a
    confirmed delivery of money (so neither penny deliveries nor money nobody pledged farm it), less what stands."""
    pledged = next((p.money_cents for p in pledges if p.user_id == backer), 0)
    confirmed = [d for d in await store.underway.deliveries([proposal.id]) if d.user_id == backer and d.confirmed]
    earned = settings.delivery_reward if pledged and any(d.money_cents for d in confirmed) else 0
    return earned - await store.credits.standing_for(proposal.id, backer, CreditReason.DELIVERED_MONEY)


@command(
    "confirm",
    nl=("bevestig",),
    order=220,
    notes="or ✅ on Kring's reply",
    args=(ProposalRef(), Member(required=True, by_name=True)),
    who=Role.PROPOSER_MODERATOR_OR_TREASURER,
    help_extra="help.confirm",
)
async def confirm(ctx: Context, proposal: Proposal, backer: str) -> list[Say]:
    require_underway(ctx, proposal)
    if not backer.startswith("@"):
        backer = await waiting_backer_named(ctx, proposal, backer)
    if backer == ctx.sender:
        own = "underway.self_confirm_proposer" if backer == proposal.proposer else "underway.self_confirm"
        raise UserError(ctx.texts.t(own))
    waiting = [d for d in await ctx.store.underway.deliveries([proposal.id]) if d.user_id == backer and not d.confirmed]
    beyond = await _paid_again(ctx, proposal, backer)
    waiting = [d for d in waiting if d.id not in beyond]
    if ctx.sender != proposal.proposer and not ctx.is_moderator:  # a treasurer: a payment a statement suggested
        suggested = {delivery for _, _, delivery in await ctx.store.payments.suggestions_waiting(proposal.id, backer)}
        waiting = [d for d in waiting if d.id in suggested]
        if not waiting and not beyond:
            who = await ctx.who(backer)
            raise UserError(ctx.texts.t("payments.nothing_suggested", backer=who, number=proposal.number))
    if not waiting and not beyond:
        who = await ctx.who(backer)
        raise UserError(ctx.texts.t("underway.nothing_to_confirm", backer=who, number=proposal.number))
    if not waiting:
        return [ctx.reply(lines(list(beyond.values())), proposal_id=proposal.id)]
    text = await confirm_deliveries(
        ctx.store,
        ctx.settings,
        ctx.texts,
        proposal,
        backer,
        ctx.sender,
        waiting,
        event_id=ctx.message.event_id,
        at=ctx.now,
    )
    if beyond:
        text = lines([text, *beyond.values()])
    return [ctx.reply(text, mentions=(backer,), proposal_id=proposal.id)]


async def _paid_again(ctx: Context, proposal: Proposal, backer: str) -> dict[int, Rendered]:
    """The suggested bank lines that would bring more than the backer's request asks once earlier ones are counted:
    each becomes a double payment for the treasurer, its waiting delivery gone; by delivery id, the line saying so."""
    request = await ctx.store.payments.request_of(proposal.id, backer)
    if request is None:
        return {}
    suggested = await ctx.store.payments.suggestions_waiting(proposal.id, backer)
    arrived = (await ctx.store.payments.arrived([request.id])).get(request.id, 0)
    beyond: dict[int, Rendered] = {}
    who = await ctx.who(backer)
    for line_id, line, delivery in suggested:
        if arrived < request.amount_cents:
            arrived += line.amount_cents  # confirmed now: it counts towards the request
            continue
        await ctx.store.payments.mark_double(line_id, delivery)
        beyond[delivery] = ctx.texts.t(
            "payments.paid_again",
            date=line.booked_on.isoformat(),
            amount=ctx.texts.money(line.amount_cents),
            backer=who,
            number=proposal.number,
        )
    return beyond


async def waiting_backer_named(ctx: Context, proposal: Proposal, typed: str) -> str:
    """`!confirm 2 fleur`: the one backer with a delivery waiting whose name or user name is `fleur`; otherwise
    an error naming the backers whose deliveries wait (or saying none does)."""
    waiting = sorted({d.user_id for d in await ctx.store.underway.deliveries([proposal.id]) if not d.confirmed})
    facts = await load_facts(ctx.store, proposal, *waiting)
    wanted = typed.casefold()
    named = [u for u in waiting if wanted in (facts.names.get(u, "").casefold(), u[1:].split(":", 1)[0].casefold())]
    if len(named) == 1:
        return named[0]
    token = shown(typed)
    if not waiting:
        raise UserError(ctx.texts.t("underway.none_waiting", token=token, number=proposal.number))
    backers = Rendered.join(markup(", ", ", "), [facts.who(u) + user_text(f" ({u})") for u in waiting])
    raise UserError(ctx.texts.t("underway.who_waits", token=token, number=proposal.number, backers=backers))


def is_confirmation(key: str) -> bool:
    return normalize_emoji(key) in CONFIRM_EMOJI


async def confirm_by_reaction(store: Store, settings: CommunitySettings, reaction: Reaction) -> list[Say]:
    """A ✅ on Kring's reply to a delivery, by the proposer or a moderator: the delivery is confirmed."""
    sent = await store.bot_messages.bot_message(reaction.target_event_id)
    if sent is None or sent.delivery_id is None or sent.room_id != reaction.room_id:
        return []
    delivery = await store.underway.delivery(sent.delivery_id)
    proposal = None if delivery is None else await store.proposals.get(delivery.proposal_id)
    if delivery is None or delivery.confirmed or proposal is None or not proposal.is_underway:
        return []
    moderator = reaction.sender_power >= settings.proposals.moderator_power_level
    if (reaction.sender != proposal.proposer and not moderator) or reaction.sender == delivery.user_id:
        return []  # not theirs to confirm: a plain reaction
    texts = await room_texts(store, settings, proposal.room_id)
    text = await confirm_deliveries(
        store,
        settings,
        texts,
        proposal,
        delivery.user_id,
        reaction.sender,
        [delivery],
        event_id=reaction.event_id,
        at=reaction.at,
    )
    return [in_thread(proposal, text, mentions=(delivery.user_id,))]


@command(
    "unconfirm",
    nl=("herroep",),
    order=230,
    args=(ProposalRef(), Member(required=True)),
    who=Role.PROPOSER_MODERATOR_OR_TREASURER,  # only one's own confirmations: a treasurer's are suggested payments
)
async def unconfirm(ctx: Context, proposal: Proposal, backer: str) -> list[Say]:
    """The confirmer takes back a confirmation of the same day; its credits are reversed."""
    require_underway(ctx, proposal)
    today = ctx.now.astimezone(ctx.texts.zone).date()
    mine = [
        d
        for d in await ctx.store.underway.deliveries([proposal.id])
        if d.user_id == backer
        and d.confirmed_by == ctx.sender
        and d.confirmed_at is not None
        and d.confirmed_at.astimezone(ctx.texts.zone).date() == today
    ]
    who = await ctx.who(backer)
    if not mine:
        raise UserError(ctx.texts.t("underway.nothing_to_unconfirm", backer=who, number=proposal.number))
    events = {str(d.confirm_event_id) for d in mine}
    await ctx.store.credits.reverse_from(
        events, (CreditReason.DELIVERED_HOURS, CreditReason.DELIVERED_MONEY), ctx.message.event_id, ctx.now
    )
    await ctx.store.underway.unconfirm([d.id for d in mine])
    # Other confirmations of the backer still stand: their hours are owed again up to what was pledged, and the
    # money reward again if one of them is money.
    pledges = await ctx.store.proposals.pledges(proposal.id)
    owed = (await _owed_now(ctx.store, ctx.settings, proposal, pledges, backer, ctx.sender, ctx.now)).credits
    await ctx.store.credits.add(
        Credit(
            ctx.room_id,
            ctx.sender,
            backer,
            delta,
            reason,
            ctx.now,
            source_event_id=ctx.message.event_id,
            proposal_id=proposal.id,
        )
        for delta, reason in owed
        if delta > 0
    )
    amount = amount_of(ctx.texts, sum(d.money_cents for d in mine), sum(d.minutes for d in mine))
    text = ctx.texts.t("underway.unconfirmed", backer=who, amount=amount, number=proposal.number)
    return [ctx.reply(text, mentions=(backer,), proposal_id=proposal.id)]
