"""Proposal commands: !propose, !proposals, !proposal/!status, !object, !cancel, !extend."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.commands import COMMANDS, Context, UsageError, UserError
from handlers.domain import Objection, Proposal, Status
from handlers.events import Say
from handlers.parsing import ParseError, parse_deadline, parse_proposal_id, parse_propose
from handlers.text import Rendered, lines, mention, user_text
from handlers.views import goals, load_facts, progress, status_view
from storage.announcements import AnnouncementKind
from storage.store import Store

REASON_MAX = 500


async def resolve_proposal(ctx: Context, number: int | None) -> Proposal:
    """The proposal a command names, or the one the command replies to (an announcement or status)."""
    if number is None and ctx.message.reply_to:
        sent = await ctx.store.announcements.bot_message(ctx.message.reply_to)
        if sent is not None and sent.proposal_id is not None:
            replied = await ctx.store.proposals.get(sent.proposal_id)
            if replied is not None and replied.room_id == ctx.room_id:
                return replied
    if number is None:
        raise UsageError(ctx.texts.t("err.missing_proposal_id"))
    proposal = await ctx.store.proposals.by_number(ctx.room_id, number)
    if proposal is None:
        raise UserError(ctx.texts.t("proposal.not_found", number=number))
    return proposal


def split_reference(ctx: Context, args: str) -> tuple[int | None, str]:
    """Take a leading `#3` / `3` off the arguments; absent when the command is a reply to a proposal."""
    first, _, rest = args.partition(" ")
    if not first:
        return None, ""
    try:
        return parse_proposal_id(first), rest.strip()
    except ParseError as error:
        if ctx.message.reply_to and not first.lstrip("#").isdigit():
            return None, args
        raise ctx.parse_error(error) from None


def require_open(ctx: Context, proposal: Proposal, closed_key: str = "proposal.closed") -> None:
    if not proposal.is_open:
        raise UserError(
            ctx.texts.t(closed_key, number=proposal.number, status=ctx.texts.t(f"status.{proposal.status.value}"))
        )
    if ctx.now >= proposal.deadline:
        raise UserError(ctx.texts.t("proposal.deadline_passed", number=proposal.number))


async def schedule_announcements(store: Store, proposal: Proposal, reminder_hours: int, now: datetime) -> None:
    await store.announcements.schedule(proposal.id, AnnouncementKind.DEADLINE, proposal.deadline)
    reminder_at = proposal.deadline - timedelta(hours=reminder_hours)
    if reminder_hours > 0 and reminder_at > now:
        await store.announcements.schedule(proposal.id, AnnouncementKind.REMINDER, reminder_at)


@COMMANDS.command("propose")
async def propose(ctx: Context, args: str) -> list[Say]:
    settings = ctx.settings.proposals
    if not args:
        raise UsageError(ctx.texts.t("err.title_length", min=3, max=200))
    needed = settings.min_reputation_to_propose
    if needed > 0:
        credits = await ctx.store.credits.balance(ctx.room_id, ctx.sender)
        if credits < needed:
            raise UserError(ctx.texts.t("proposal.reputation_low", needed=needed, credits=credits))
    try:
        draft = parse_propose(args, ctx.now, settings.zone, settings.max_deadline_days)
    except ParseError as error:
        raise ctx.parse_error(error) from None
    idea = None
    if ctx.message.reply_to:
        idea = await ctx.store.events.get_message(ctx.message.reply_to)
        if idea is not None and (idea.redacted or idea.room_id != ctx.room_id):
            idea = None
    proposal = await ctx.store.proposals.create(
        room_id=ctx.room_id,
        title=draft.title,
        description=draft.description,
        proposer=ctx.sender,
        money_goal_cents=draft.money_cents,
        hours_goal_minutes=draft.minutes,
        min_backers=draft.min_backers or settings.default_min_backers,
        deadline=draft.deadline or ctx.now + timedelta(days=settings.default_deadline_days),
        created_at=ctx.now,
        source_event_id=ctx.message.event_id,
        idea_event_id=idea.event_id if idea else None,
    )
    await schedule_announcements(ctx.store, proposal, settings.reminder_hours, ctx.now)
    facts = await load_facts(ctx.store, proposal)
    texts = ctx.texts
    parts = [texts.t("proposal.announce", number=proposal.number, title=proposal.title, proposer=facts.who(ctx.sender))]
    mentions = [ctx.sender]
    if idea is not None:
        names = await ctx.store.events.display_names(ctx.room_id, [idea.author])
        author = mention(idea.author, names.get(idea.author, idea.author))
        parts.append(texts.t("proposal.idea_link", author=author, excerpt=idea.excerpt))
        mentions.append(idea.author)
    if proposal.description:
        parts.append(user_text(proposal.description))
    parts.append(texts.t("proposal.goals", goals=goals(texts, proposal)))
    parts.append(
        texts.t(
            "proposal.deadline",
            deadline=texts.when(proposal.deadline),
            left=texts.time_left(proposal.deadline - ctx.now),
        )
    )
    parts.append(texts.t("proposal.how_to_back", number=proposal.number))
    return [ctx.announce(lines(parts), mentions=tuple(sorted(set(mentions))), proposal_id=proposal.id)]


@COMMANDS.command("proposals")
async def list_proposals(ctx: Context, args: str) -> list[Say]:
    open_ones = await ctx.store.proposals.open_in_room(ctx.room_id)
    if not open_ones:
        return [ctx.reply(ctx.texts.t("proposal.no_open"))]
    items: list[Rendered] = [ctx.texts.t("proposal.open_title")]
    totals = await ctx.store.proposals.totals([p.id for p in open_ones])
    for proposal in open_ones:
        items.append(ctx.texts.t("proposal.list_item", number=proposal.number, title=proposal.title))
        items.append(user_text("   ") + progress(ctx.texts, proposal, totals[proposal.id], ctx.now))
    return [ctx.reply(lines(items))]


@COMMANDS.command("proposal", "status")
async def show_proposal(ctx: Context, args: str) -> list[Say]:
    number, _rest = split_reference(ctx, args)
    proposal = await resolve_proposal(ctx, number)
    facts = await load_facts(ctx.store, proposal)
    return [ctx.reply(status_view(ctx.texts, facts, ctx.now), proposal_id=proposal.id)]


@COMMANDS.command("object")
async def object_to(ctx: Context, args: str) -> list[Say]:
    number, reason = split_reference(ctx, args)
    proposal = await resolve_proposal(ctx, number)
    require_open(ctx, proposal, "object.closed")
    reason = " ".join(reason.split())
    if not reason:
        raise UsageError(ctx.texts.t("err.missing_reason"))
    if len(reason) > REASON_MAX:
        raise UsageError(ctx.texts.t("err.reason_too_long", max=REASON_MAX))
    await ctx.store.proposals.object(proposal.id, Objection(ctx.sender, reason, ctx.now))
    return [ctx.reply(ctx.texts.t("object.recorded", number=proposal.number), proposal_id=proposal.id)]


@COMMANDS.command("cancel")
async def cancel(ctx: Context, args: str) -> list[Say]:
    number, reason = split_reference(ctx, args)
    proposal = await resolve_proposal(ctx, number)
    if proposal.proposer != ctx.sender and not ctx.is_moderator:
        facts = await load_facts(ctx.store, proposal)
        raise UserError(
            ctx.texts.t("cancel.not_allowed", proposer=facts.who(proposal.proposer), number=proposal.number)
        )
    if not proposal.is_open:
        raise UserError(
            ctx.texts.t(
                "proposal.closed",
                number=proposal.number,
                status=ctx.texts.t(f"status.{proposal.status.value}"),
            )
        )
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        raise UsageError(ctx.texts.t("err.reason_too_long", max=REASON_MAX))
    await ctx.store.proposals.set_status(proposal.id, Status.CANCELLED, ctx.now, reason or None)
    await ctx.store.announcements.cancel_pending(proposal.id)
    facts = await load_facts(ctx.store, proposal, ctx.sender)
    parts = [ctx.texts.t("cancel.announce", number=proposal.number, title=proposal.title, user=facts.who(ctx.sender))]
    if reason:
        parts.append(ctx.texts.t("cancel.reason", reason=reason))
    mentions = tuple(sorted({proposal.proposer, *facts.backers}))
    return [ctx.announce(lines(parts), mentions=mentions, proposal_id=proposal.id)]


@COMMANDS.command("extend")
async def extend(ctx: Context, args: str) -> list[Say]:
    number, date_text = split_reference(ctx, args)
    proposal = await resolve_proposal(ctx, number)
    settings = ctx.settings.proposals
    if not ctx.is_moderator:
        raise UserError(ctx.texts.t("extend.not_allowed", level=settings.moderator_power_level))
    require_open(ctx, proposal)
    if not date_text:
        raise UsageError(ctx.texts.t("err.missing_deadline"))
    try:
        deadline = parse_deadline(date_text, ctx.now, settings.zone, settings.max_deadline_days)
    except ParseError as error:
        raise ctx.parse_error(error) from None
    if deadline <= proposal.deadline:
        raise UserError(ctx.texts.t("extend.not_later", deadline=ctx.texts.when(proposal.deadline)))
    await ctx.store.proposals.set_deadline(proposal.id, deadline)
    moved = await ctx.store.proposals.get(proposal.id)
    assert moved is not None
    await schedule_announcements(ctx.store, moved, settings.reminder_hours, ctx.now)
    text = ctx.texts.t(
        "extend.done",
        number=proposal.number,
        title=proposal.title,
        deadline=ctx.texts.when(deadline),
        left=ctx.texts.time_left(deadline - ctx.now),
    )
    return [ctx.reply(text, proposal_id=proposal.id)]
