"""After GO: carrying a proposal out in the open — updates, deliveries confirmed and credited, done or dropped.

!update, !delivered, !confirm (or a ✅ on Kring's reply to a delivery), !unconfirm, !done, !drop and !mine.
Only a backer reports their own delivery; only the proposer or a moderator confirms (a treasurer too, for a payment
a bank statement suggested), closes or drops; nothing here changes pledges or the decision. Updates, deliveries
and their confirmations are posted in the proposal's thread; the closing report stays in the main timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from handlers.commands.arguments import DeliveryTerms, Member, Progress, ProposalRef, Reason, UpdateText
from handlers.commands.declaration import Context, Role, UserError, command
from handlers.events import Reaction, Say
from handlers.parsing import PledgeDraft, shown
from handlers.payments.requests import money_arrived, requests_for_mine
from handlers.reputation.effort import Grant, bounded_effort
from handlers.reputation.reactions import normalize_emoji
from handlers.settings import CommunitySettings, ProposalSettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import DOT, amount_of, backer_ledger, load_facts, pledge_amount
from handlers.wording.markup import Rendered, lines, markup, user_text
from handlers.wording.room_language import room_texts
from storage.records import (
    AnnouncementKind,
    Credit,
    CreditReason,
    Delivery,
    MessageKind,
    Pledge,
    Priority,
    Proposal,
    Status,
    Update,
)
from storage.store import Store

MINE_RECENT = 5  # decided or closed proposals of one's own that !mine shows, the latest first
CONFIRM_EMOJI = frozenset({"✅", "✔", "☑"})  # compared without variation selectors


def require_underway(ctx: Context, proposal: Proposal) -> None:
    if not proposal.is_underway:
        status = ctx.texts.t(f"status.{proposal.status.value}")
        if proposal.closed_at is not None:  # done or dropped: it is closed, and its report is there to read
            when = ctx.texts.when(proposal.closed_at)
            title = proposal.title
            raise UserError(
                ctx.texts.t("underway.closed", number=proposal.number, title=title, status=status, when=when)
            )
        if proposal.is_open:  # before the deadline: updates and deliveries come after GO
            deadline = ctx.texts.when(proposal.deadline)
            raise UserError(ctx.texts.t("underway.not_yet", number=proposal.number, deadline=deadline))
        raise UserError(ctx.texts.t("underway.not_underway", number=proposal.number, status=status))


async def schedule_update_nudge(store: Store, settings: ProposalSettings, proposal_id: int, since: datetime) -> None:
    """Ask for an update `update_every_days` after `since` (GO, the latest update, or the latest nudge)."""
    await store.schedule.schedule(
        proposal_id, AnnouncementKind.UPDATE_NUDGE, since + timedelta(days=settings.update_every_days)
    )


async def schedule_nudges(store: Store, settings: ProposalSettings, proposal: Proposal, since: datetime) -> None:
    """After GO: ask for an update when none came for `update_every_days`, and remind backers once to deliver."""
    await schedule_update_nudge(store, settings, proposal.id, since)
    await store.schedule.schedule(
        proposal.id, AnnouncementKind.DELIVERY_NUDGE, since + timedelta(days=settings.delivery_reminder_days)
    )


def in_thread(
    proposal: Proposal,
    text: Rendered,
    *,
    mentions: Iterable[str] = (),
    delivery_id: int | None = None,
    reaches: bool = False,
) -> Say:
    """A message in the proposal's thread (in the main timeline while its announcement is not out yet)."""
    return Say(
        room_id=proposal.room_id,
        text=text,
        kind=MessageKind.THREAD,
        proposal_id=proposal.id,
        mentions=tuple(sorted(set(mentions))),
        thread_root=proposal.thread_root,
        delivery_id=delivery_id,
        reaches=reaches,
    )


@command(
    "update", nl=("voortgang",), order=90, notes="shown in the proposal's thread", args=(ProposalRef(), UpdateText())
)
async def post_update(ctx: Context, proposal: Proposal, progress: Progress) -> list[Say]:
    require_underway(ctx, proposal)
    facts = await load_facts(ctx.store, proposal, ctx.sender)
    if ctx.sender != proposal.proposer and ctx.sender not in facts.backers:
        raise UserError(ctx.texts.t("underway.update_not_allowed", number=proposal.number))
    await ctx.store.underway.add_update(
        proposal.id, Update(ctx.sender, progress.text, progress.percent, ctx.now), ctx.message.event_id
    )
    settings = ctx.settings.proposals
    await schedule_update_nudge(ctx.store, settings, proposal.id, ctx.now)
    head = ctx.texts.t(
        "underway.update_posted", number=proposal.number, title=proposal.title, user=facts.who(ctx.sender)
    )
    if progress.percent is not None:
        head = head + Rendered(" ", " ") + ctx.texts.t("underway.percent", percent=progress.percent)
    text = lines([head, ctx.texts.t("underway.quote", text=progress.text)])
    notify = facts.mentioned if settings.mention_backers_on_update else ()
    said = in_thread(proposal, text, mentions=(m for m in notify if m != ctx.sender))
    if ctx.message.thread_root == proposal.thread_root:
        said = ctx.reply(text, mentions=said.mentions, proposal_id=proposal.id)
    return [said]


@command("delivered", nl=("geleverd",), order=100, args=(ProposalRef(), DeliveryTerms()))
async def report_delivery(ctx: Context, proposal: Proposal, draft: PledgeDraft) -> list[Say]:
    require_underway(ctx, proposal)
    facts = await load_facts(ctx.store, proposal, ctx.sender)
    if ctx.sender not in facts.backers:
        raise UserError(ctx.texts.t("underway.not_a_backer", number=proposal.number))
    delivery = await ctx.store.underway.add_delivery(
        proposal.id,
        ctx.sender,
        draft.money_cents or 0,
        draft.minutes or 0,
        draft.note,
        ctx.now,
        ctx.message.event_id,
    )
    settings = ctx.settings.proposals
    due = ctx.now + timedelta(days=settings.confirm_reminder_days)
    await ctx.store.schedule.schedule_unless_pending(proposal.id, AnnouncementKind.CONFIRM_NUDGE, due)
    parts = [delivered_line(ctx.texts, facts.who(ctx.sender), delivery, proposal.number)]
    if delivery.note:
        parts.append(ctx.texts.t("underway.quote", text=delivery.note))
    own = ctx.sender == proposal.proposer  # only a moderator confirms it: say so, not "you confirm it"
    how = "underway.how_to_confirm_own" if own else "underway.how_to_confirm"
    parts.append(ctx.texts.t(how, proposer=facts.who(proposal.proposer), number=proposal.number, backer=ctx.sender))
    text = lines(parts)
    return [
        Say(
            room_id=ctx.room_id,
            text=text,
            kind=MessageKind.REPLY,
            reply_to=ctx.message.event_id,
            proposal_id=proposal.id,
            mentions=() if own else (proposal.proposer,),
            thread_root=proposal.thread_root,
            delivery_id=delivery.id,
        )
    ]


def delivered_line(texts: Texts, who: Rendered, delivery: Delivery, number: int) -> Rendered:
    """`📦 bram paid €150 and worked 2h for #2 (not confirmed yet)`: what was done, in the words for it."""
    money, hours = texts.money(delivery.money_cents), texts.hours(delivery.minutes)
    if delivery.money_cents and delivery.minutes:
        return texts.t("underway.delivered_both", user=who, money=money, hours=hours, number=number)
    if delivery.money_cents:
        return texts.t("underway.delivered_money", user=who, money=money, number=number)
    return texts.t("underway.delivered_hours", user=who, hours=hours, number=number)


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
    if ctx.sender != proposal.proposer and not ctx.is_moderator:  # a treasurer: a payment a statement suggested
        suggested = {delivery for _, _, delivery in await ctx.store.payments.suggestions_waiting(proposal.id, backer)}
        waiting = [d for d in waiting if d.id in suggested]
        if not waiting:
            who = await ctx.who(backer)
            raise UserError(ctx.texts.t("payments.nothing_suggested", backer=who, number=proposal.number))
    if not waiting:
        who = await ctx.who(backer)
        raise UserError(ctx.texts.t("underway.nothing_to_confirm", backer=who, number=proposal.number))
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
    return [ctx.reply(text, mentions=(backer,), proposal_id=proposal.id)]


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


async def _close(ctx: Context, proposal: Proposal, status: Status, reason: str) -> list[Say]:
    require_underway(ctx, proposal)
    await ctx.store.proposals.close(proposal.id, status, ctx.now, reason or None)
    await ctx.store.schedule.cancel_pending(proposal.id)
    closed = await ctx.store.proposals.get(proposal.id)
    assert closed is not None
    report = await closing_report(ctx.store, ctx.texts, closed, ctx.sender)
    facts = await load_facts(ctx.store, closed)
    mentions = tuple(sorted(set(facts.mentioned)))
    return [ctx.announce(report, mentions=mentions, proposal_id=closed.id, priority=Priority.DECISION)]


@command(
    "done",
    nl=("klaar",),
    order=240,
    args=(ProposalRef(), Reason(required=False, usage="arg.summary_optional")),
    who=Role.PROPOSER_OR_MODERATOR,
)
async def done(ctx: Context, proposal: Proposal, summary: str) -> list[Say]:
    return await _close(ctx, proposal, Status.DONE, summary)


@command("drop", nl=("staak",), order=250, args=(ProposalRef(), Reason()), who=Role.PROPOSER_OR_MODERATOR)
async def drop(ctx: Context, proposal: Proposal, reason: str) -> list[Say]:
    return await _close(ctx, proposal, Status.DROPPED, reason)


async def closing_report(store: Store, texts: Texts, proposal: Proposal, closer: str) -> Rendered:
    """Pledged beside delivered and confirmed, per backer; the number of updates; GO and closing dates."""
    facts = await load_facts(store, proposal, closer)
    deliveries = await store.underway.deliveries([proposal.id])
    updates = await store.underway.updates(proposal.id)
    key = "report.done" if proposal.status is Status.DONE else "report.dropped"
    parts = [texts.t(key, number=proposal.number, title=proposal.title, user=facts.who(closer))]
    if proposal.close_reason:
        parts.append(texts.t("underway.quote", text=proposal.close_reason))
    assert proposal.decided_at is not None and proposal.closed_at is not None
    parts.append(
        texts.t(
            "report.dates",
            go=texts.when(proposal.decided_at),
            closed=texts.when(proposal.closed_at),
            updates=texts.tn("report.updates", len(updates)),
        )
    )
    parts.append(backer_ledger(texts, facts.pledges, deliveries, facts.who))
    money = await money_arrived(store, texts, proposal, facts.who)
    if money.plain:
        parts.append(money)
    return lines(parts)


async def _waiting_for(ctx: Context, proposals: list[Proposal]) -> list[Rendered]:
    """Per backer, the deliveries to the proposer's underway `proposals` that wait for confirmation."""
    waiting = [d for d in await ctx.store.underway.deliveries([p.id for p in proposals]) if not d.confirmed]
    rows = []
    for proposal in proposals:
        backers = sorted({d.user_id for d in waiting if d.proposal_id == proposal.id and d.user_id != ctx.sender})
        for backer in backers:
            theirs = [d for d in waiting if d.proposal_id == proposal.id and d.user_id == backer]
            amount = amount_of(ctx.texts, sum(d.money_cents for d in theirs), sum(d.minutes for d in theirs))
            rows.append(
                ctx.texts.t(
                    "mine.to_confirm",
                    number=proposal.number,
                    title=proposal.title,
                    backer=await ctx.who(backer),
                    amount=amount,
                    user_id=backer,
                )
            )
    return rows


@command("mine", nl=("mijn",), order=110)
async def mine(ctx: Context) -> list[Say]:
    """My open pledges, my GO pledges with what is still to deliver, deliveries waiting for my confirmation, my open
    and underway proposals and the latest of my others."""
    texts = ctx.texts
    open_ones = await ctx.store.proposals.open_in_room(ctx.room_id)
    underway = await ctx.store.proposals.underway_backed_by(ctx.room_id, ctx.sender)
    rows: list[Rendered] = []
    pledged_open = []
    for proposal in open_ones:
        pledge = next((p for p in await ctx.store.proposals.pledges(proposal.id) if p.user_id == ctx.sender), None)
        if pledge is not None:
            pledged_open.append(
                texts.t(
                    "mine.pledge", number=proposal.number, title=proposal.title, pledge=pledge_amount(texts, pledge)
                )
            )
    to_deliver = []
    deliveries = await ctx.store.underway.deliveries([p.id for p in underway])
    for proposal in underway:
        pledge = next((p for p in await ctx.store.proposals.pledges(proposal.id) if p.user_id == ctx.sender), None)
        if pledge is None:
            continue
        mine_delivered = [d for d in deliveries if d.proposal_id == proposal.id and d.user_id == ctx.sender]
        money_left = max(0, pledge.money_cents - sum(d.money_cents for d in mine_delivered))
        minutes_left = max(0, pledge.minutes - sum(d.minutes for d in mine_delivered))
        left = (
            amount_of(texts, money_left, minutes_left) if money_left or minutes_left else texts.t("mine.all_delivered")
        )
        to_deliver.append(texts.t("mine.underway", number=proposal.number, title=proposal.title, left=left))
    own = await ctx.store.proposals.of_proposer(ctx.room_id, ctx.sender, MINE_RECENT)
    to_confirm = await _waiting_for(ctx, [p for p in own if p.is_underway])
    if pledged_open:
        rows += [texts.t("mine.open_title"), *pledged_open]
    if to_deliver:
        rows += [texts.t("mine.underway_title"), *to_deliver]
    if to_confirm:
        rows += [texts.t("mine.confirm_title"), *to_confirm]
    rows += await requests_for_mine(ctx.store, texts, ctx.room_id, ctx.sender)
    if own:
        rows.append(texts.t("mine.own_title"))
        rows += [
            texts.t("proposal.list_item", number=p.number, title=p.title) + DOT + texts.t(f"status.{p.status.value}")
            for p in own
        ]
    if not rows:
        return [ctx.reply(texts.t("mine.nothing"))]
    return [ctx.reply(lines(rows))]
