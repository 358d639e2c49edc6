"""After GO: carrying a proposal out in the open — updates, deliveries confirmed and credited, done or dropped.

!update, !delivered, !done, !drop and !mine (confirming deliveries: handlers.proposals.confirmations).
Only a backer reports their own delivery; only the proposer or a moderator confirms (a treasurer too, for a payment
a bank statement suggested), closes or drops; nothing here changes pledges or the decision. Updates, deliveries
and their confirmations are posted in the proposal's thread; the closing report stays in the main timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from handlers.commands.arguments import DeliveryTerms, Progress, ProposalRef, Reason, UpdateText
from handlers.commands.context import Context, Role, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.parsing import PledgeDraft
from handlers.payments.requests import money_arrived, requests_for_mine
from handlers.settings import ProposalSettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import DOT, amount_of, backer_ledger, load_facts, pledge_amount
from handlers.wording.markup import Rendered, lines
from storage.records import (
    AnnouncementKind,
    Delivery,
    MessageKind,
    Priority,
    Proposal,
    Status,
    Update,
)
from storage.store import Store

MINE_RECENT = 5  # decided or closed proposals of one's own that !mine shows, the latest first


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
    if draft.money_cents and await ctx.store.payments.request_of(proposal.id, ctx.sender) is not None:
        # The bank statement confirms this money: reported here as well, it would count twice.
        raise UserError(ctx.texts.t("underway.money_by_bank", number=proposal.number))
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
