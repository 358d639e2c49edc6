"""Proposal commands: !propose, !edit, !proposals, !archive, !proposal/!status, !object, !cancel, !extend."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from handlers.commands.arguments import Deadline, EditTerms, Page, ProposalRef, ProposalTerms, Reason
from handlers.commands.context import Context, Role, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.members.talents import needed_talents
from handlers.parsing import ALL_WORDS, WITHDRAW_WORDS, ProposalDraft, ProposalEdit, title_key
from handlers.payments.requests import money_arrived, paid_after_go
from handlers.proposals.underway import in_thread
from handlers.wording.fragments import (
    NAMED,
    goals,
    load_facts,
    progress,
    status_message,
    underway_block,
    underway_line,
)
from handlers.wording.markup import Rendered, lines, mention, user_text
from storage.records import AnnouncementKind, NewProposal, Objection, Priority, Proposal, Status, is_user_id
from storage.store import Store


def require_open(ctx: Context, proposal: Proposal, closed_key: str = "proposal.closed") -> None:
    if not proposal.is_open:
        raise UserError(
            ctx.texts.t(closed_key, number=proposal.number, status=ctx.texts.t(f"status.{proposal.status.value}"))
        )
    if ctx.now >= proposal.deadline:
        raise UserError(ctx.texts.t("proposal.deadline_passed", number=proposal.number))


async def schedule_announcements(store: Store, proposal: Proposal, reminder_hours: int, now: datetime) -> None:
    await store.schedule.schedule(proposal.id, AnnouncementKind.DEADLINE, proposal.deadline)
    reminder_at = proposal.deadline - timedelta(hours=reminder_hours)
    if reminder_hours > 0 and reminder_at > now:
        await store.schedule.schedule(proposal.id, AnnouncementKind.REMINDER, reminder_at)


@command(
    "propose",
    nl=("voorstel",),
    order=40,
    notes="as a reply to an idea, it links the idea",
    args=(ProposalTerms(),),
    help_extra="help.propose_multiline",
)
async def propose(ctx: Context, draft: ProposalDraft) -> list[Say]:
    settings = ctx.settings.proposals
    needed = settings.min_reputation_to_propose
    if needed > 0:
        credits = await ctx.store.credits.balance(ctx.room_id, ctx.sender)
        if credits < needed:
            raise UserError(ctx.texts.tn("proposal.reputation_low", needed, needed=needed, credits=credits))
    open_in_room = await ctx.store.proposals.open_in_room(ctx.room_id)
    own = [p for p in open_in_room if p.proposer == ctx.sender]
    limit = settings.max_open_per_member
    if limit and len(own) >= limit:
        named = ", ".join(f"#{p.number} {p.title}" for p in own)
        raise UserError(ctx.texts.tn("proposal.too_many_open", limit, limit=limit, open=named))
    for open_one in open_in_room:
        if title_key(open_one.title) == title_key(draft.title):  # two of one plan would split its backers
            raise UserError(ctx.texts.t("proposal.duplicate", number=open_one.number, title=open_one.title))
    idea = None
    if ctx.message.reply_to:
        idea = await ctx.store.messages.get(ctx.message.reply_to)
        if idea is not None and (idea.redacted or idea.room_id != ctx.room_id):
            idea = None
    proposal = await ctx.store.proposals.create(
        NewProposal(
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
            needs=draft.needs,
        )
    )
    await schedule_announcements(ctx.store, proposal, settings.reminder_hours, ctx.now)
    facts = await load_facts(ctx.store, proposal)
    texts = ctx.texts
    parts = [texts.t("proposal.announce", number=proposal.number, title=proposal.title, proposer=facts.who(ctx.sender))]
    mentions = [ctx.sender]
    asked: tuple[str, ...] = ()
    if idea is not None:
        names = await ctx.store.members.display_names(ctx.room_id, [idea.author])
        author = mention(idea.author, names.get(idea.author, idea.author))
        parts.append(texts.t("proposal.idea_link", author=author, excerpt=idea.excerpt))
        mentions.append(idea.author)
    if proposal.description:
        parts.append(user_text(proposal.description))
    parts.append(texts.t("proposal.goals_announce", goals=goals(texts, proposal)))
    parts.append(
        texts.t(
            "proposal.deadline",
            deadline=texts.deadline(proposal.deadline),
            left=texts.time_left(proposal.deadline - ctx.now),
        )
    )
    if proposal.needs:
        rows, asked = await needed_talents(ctx.store, texts, ctx.room_id, proposal.needs, proposal.proposer)
        parts += [texts.t("talents.needed_title"), *rows]
        mentions += asked
    parts.append(texts.t("proposal.how_to_back", number=proposal.number, proposer=facts.who(ctx.sender)))
    if ctx.settings.money is not None and proposal.money_goal_cents:
        parts.append(paid_after_go(texts, ctx.settings.money))
    announcement = ctx.announce(lines(parts), mentions=tuple(sorted(set(mentions))), proposal_id=proposal.id)
    if asked:  # a talent match: it reaches the members who asked to be mentioned, not the proposer or the idea's author
        announcement = dataclasses.replace(announcement, mentions=tuple(sorted(set(asked))), reaches=True)
    return [dataclasses.replace(announcement, opens_thread=True)]  # updates and deliveries follow in its thread


UNDERWAY_SHOWN = 10  # `!proposals` lists the proposals underway that were decided last


@command("proposals", nl=("voorstellen",), order=10, otherwise="err.bad_scope", read_only=True)
async def list_proposals(ctx: Context) -> list[Say]:
    open_ones, underway, underway_count, totals = await ctx.store.proposals.listing(ctx.room_id, UNDERWAY_SHOWN)
    if not open_ones and not underway:
        return [ctx.reply(ctx.texts.t("proposal.no_open"))]
    items: list[Rendered] = []
    if open_ones:
        items.append(ctx.texts.t("proposal.open_title"))
    for proposal in open_ones:
        items.append(ctx.texts.t("proposal.list_item", number=proposal.number, title=proposal.title))
        items.append(user_text("   ") + progress(ctx.texts, proposal, totals[proposal.id], ctx.now))
    if underway:
        items.append(ctx.texts.t("proposal.underway_title"))
        deliveries = await ctx.store.underway.deliveries([p.id for p in underway])
        for proposal in underway:
            updates = await ctx.store.underway.updates(proposal.id)
            items.append(ctx.texts.t("proposal.list_item", number=proposal.number, title=proposal.title))
            mine = [d for d in deliveries if d.proposal_id == proposal.id]
            items.append(user_text("   ") + underway_line(ctx.texts, totals[proposal.id], updates, mine))
        if underway_count > len(underway):
            more = underway_count - len(underway)
            items.append(ctx.texts.tn("proposal.underway_more", more, count=more))
    return [ctx.reply(lines(items))]


ARCHIVE_PAGE = 10  # proposals per page of the archive


@list_proposals.sub(*ALL_WORDS.in_language("en"), nl=ALL_WORDS.in_language("nl"), args=(Page(),))
async def list_all_proposals(ctx: Context, page: int) -> list[Say]:
    return await _archive_page(ctx, page)


@command(
    "archive",
    nl=("archief",),
    order=20,
    notes="NO-GO, cancelled, done and dropped, ten a page",
    args=(Page(),),
    read_only=True,
)
async def archive(ctx: Context, page: int) -> list[Say]:
    return await _archive_page(ctx, page)


async def _archive_page(ctx: Context, page: int) -> list[Say]:
    """The decided and closed proposals, newest first, a page at a time."""
    texts = ctx.texts
    found, count = await ctx.store.proposals.finished_in_room(ctx.room_id, ARCHIVE_PAGE, (page - 1) * ARCHIVE_PAGE)
    if not count:
        return [ctx.reply(texts.t("archive.none"))]
    pages = -(-count // ARCHIVE_PAGE)
    if not found:
        raise UserError(texts.tn("archive.no_page", pages))
    rows = [texts.tn("archive.title", count)]
    for proposal in found:
        when = proposal.closed_at or proposal.decided_at or proposal.created_at
        status = texts.t(f"status.{proposal.status.value}")
        rows.append(
            texts.t("archive.line", number=proposal.number, title=proposal.title, status=status, when=texts.day(when))
        )
    if page < pages:
        rows.append(texts.t("archive.more", page=page, pages=pages, next=page + 1))
    return [ctx.reply(lines(rows))]


async def _idea_line(ctx: Context, proposal: Proposal) -> Rendered | None:
    """`From the idea by Bob: “…”`, while the idea is still there to quote."""
    idea = await ctx.store.messages.get(proposal.idea_event_id) if proposal.idea_event_id else None
    if idea is None or idea.redacted or not idea.excerpt:
        return None
    return ctx.texts.t("proposal.idea_link", author=await ctx.who(idea.author), excerpt=idea.excerpt)


@command("proposal", "status", nl=("status",), order=30, args=(ProposalRef(),), read_only=True)
async def show_proposal(ctx: Context, proposal: Proposal) -> list[Say]:
    facts = await load_facts(ctx.store, proposal)
    view = status_message(ctx.texts, facts, ctx.now, await _idea_line(ctx, proposal))
    if proposal.needs:
        rows, _ = await needed_talents(ctx.store, ctx.texts, ctx.room_id, proposal.needs, proposal.proposer)
        view = lines([view, ctx.texts.t("talents.needed_title"), *rows])
    if proposal.status in (Status.GO, Status.DONE, Status.DROPPED):
        updates = await ctx.store.underway.updates(proposal.id)
        deliveries = await ctx.store.underway.deliveries([proposal.id])
        updates_people = {u.user_id for u in updates} | {d.user_id for d in deliveries}
        facts = await load_facts(ctx.store, proposal, *updates_people)
        view = lines([view, underway_block(ctx.texts, facts, updates, deliveries)])
        money = await money_arrived(ctx.store, ctx.texts, proposal, facts.who)
        if money.plain:
            view = lines([view, money])
    return [ctx.reply(view, proposal_id=proposal.id)]


@command(
    "edit",
    nl=("wijzig",),
    order=80,
    notes="one field per line; shown in the proposal's thread",
    args=(ProposalRef(), EditTerms()),
    who=Role.PROPOSER_OR_MODERATOR,
)
async def edit_proposal(ctx: Context, proposal: Proposal, change: ProposalEdit) -> list[Say]:
    """Until the first pledge the proposer may change the title, the description, the goals and the deadline
    (earlier too, which !extend may not); the change is shown in the proposal's thread. After it, the terms stay as
    the backers took them."""
    require_open(ctx, proposal)
    texts = ctx.texts
    if await ctx.store.proposals.pledges(proposal.id):
        raise UserError(texts.t("edit.pledged", number=proposal.number))
    title = change.title if change.title is not None else proposal.title
    if change.title is not None:
        for open_one in await ctx.store.proposals.open_in_room(ctx.room_id):
            if open_one.id != proposal.id and title_key(open_one.title) == title_key(title):
                raise UserError(texts.t("proposal.duplicate", number=open_one.number, title=open_one.title))
    money = change.money_cents if change.money_cents is not None else proposal.money_goal_cents
    minutes = change.minutes if change.minutes is not None else proposal.hours_goal_minutes
    backers = change.min_backers if change.min_backers is not None else proposal.min_backers
    description = change.description if change.description is not None else proposal.description
    await ctx.store.proposals.edit(
        proposal.id,
        title=title,
        description=description,
        money_goal_cents=money,
        hours_goal_minutes=minutes,
        min_backers=backers,
    )
    deadline = change.deadline if change.deadline is not None else proposal.deadline
    if deadline != proposal.deadline:
        await ctx.store.proposals.set_deadline(proposal.id, deadline)
        moved = await ctx.store.proposals.get(proposal.id)
        assert moved is not None
        await ctx.store.schedule.cancel_pending(proposal.id)  # a reminder already past the new deadline goes too
        await schedule_announcements(ctx.store, moved, ctx.settings.proposals.reminder_hours, ctx.now)
    facts = await load_facts(ctx.store, proposal, ctx.sender)
    none = texts.t("edit.none").plain
    rows = [texts.t("edit.done", user=facts.who(ctx.sender), number=proposal.number, title=title)]
    if title != proposal.title:
        rows.append(texts.t("edit.title", old=proposal.title, new=title))
    if money != proposal.money_goal_cents:
        old_money = texts.money(proposal.money_goal_cents) if proposal.money_goal_cents else none
        rows.append(texts.t("edit.money", old=old_money, new=texts.money(money) if money else none))
    if minutes != proposal.hours_goal_minutes:
        old_hours = texts.hours(proposal.hours_goal_minutes) if proposal.hours_goal_minutes else none
        rows.append(texts.t("edit.hours", old=old_hours, new=texts.hours(minutes) if minutes else none))
    if backers != proposal.min_backers:
        rows.append(texts.t("edit.backers", old=proposal.min_backers, new=backers))
    if deadline != proposal.deadline:
        old_deadline, left = texts.deadline(proposal.deadline), texts.time_left(deadline - ctx.now)
        rows.append(texts.t("edit.deadline", old=old_deadline, new=texts.deadline(deadline), left=left))
    if description != proposal.description:
        rows.append(texts.t("edit.description", text=description))
    said = in_thread(proposal, lines(rows))
    if ctx.message.thread_root and ctx.message.thread_root == proposal.thread_root:
        said = ctx.reply(lines(rows), proposal_id=proposal.id)
    return [said]


@command(
    "object",
    nl=("bezwaar",),
    order=70,
    notes="a new one replaces yours (and says so); shown with the status and the decision",
    args=(ProposalRef(), Reason()),
    help_extra="help.object",
)
async def object_to(ctx: Context, proposal: Proposal, reason: str) -> list[Say]:
    """One objection per member: a new one replaces theirs (and says so)."""
    require_open(ctx, proposal, "object.closed")
    texts = ctx.texts
    earlier = await _objection_of(ctx, proposal)
    await ctx.store.proposals.object(proposal.id, Objection(ctx.sender, reason, ctx.now))
    if earlier is not None:
        said = texts.t("object.replaced", number=proposal.number, reason=reason, old=earlier.reason)
        return [ctx.reply(said, proposal_id=proposal.id)]
    return [ctx.reply(texts.t("object.recorded", number=proposal.number), proposal_id=proposal.id)]


@object_to.sub(*WITHDRAW_WORDS.in_language("en"), nl=WITHDRAW_WORDS.in_language("nl"), args=(ProposalRef(),))
async def withdraw_objection(ctx: Context, proposal: Proposal) -> list[Say]:
    """`!object 3 withdraw`: the member's objection is taken back."""
    require_open(ctx, proposal, "object.closed")
    if await _objection_of(ctx, proposal) is None:
        raise UserError(ctx.texts.t("object.none", number=proposal.number))
    await ctx.store.proposals.withdraw_objection(proposal.id, ctx.sender)
    return [ctx.reply(ctx.texts.t("object.withdrawn", number=proposal.number), proposal_id=proposal.id)]


async def _objection_of(ctx: Context, proposal: Proposal) -> Objection | None:
    return next((o for o in await ctx.store.proposals.objections(proposal.id) if o.user_id == ctx.sender), None)


@command(
    "cancel", nl=("annuleer",), order=200, args=(ProposalRef(), Reason(required=False)), who=Role.PROPOSER_OR_MODERATOR
)
async def cancel(ctx: Context, proposal: Proposal, reason: str) -> list[Say]:
    if not proposal.is_open:
        raise UserError(
            ctx.texts.t(
                "proposal.closed", number=proposal.number, status=ctx.texts.t(f"status.{proposal.status.value}")
            )
        )
    await ctx.store.proposals.set_status(proposal.id, Status.CANCELLED, ctx.now, reason or None)
    await ctx.store.schedule.cancel_pending(proposal.id)
    facts = await load_facts(ctx.store, proposal, ctx.sender)
    parts = [ctx.texts.t("cancel.announce", number=proposal.number, title=proposal.title, user=facts.who(ctx.sender))]
    if reason:
        parts.append(ctx.texts.t("cancel.reason", reason=reason))
    backers = [p for p in facts.backing if is_user_id(p.user_id)]
    if backers:  # they are told their pledges lapse, and reached: the cancellation names them
        named = [facts.who(p.user_id) for p in backers[:NAMED]]
        if len(backers) > NAMED:
            named.append(ctx.texts.tn("proposal.backers_more", len(backers) - NAMED))
        parts.append(ctx.texts.tn("cancel.lapse", len(backers), backers=Rendered.join(Rendered(", ", ", "), named)))
    reached = {p.user_id for p in backers[:NAMED]}
    if ctx.sender != proposal.proposer and is_user_id(proposal.proposer):  # a moderator cancelled: she is told too
        parts.append(ctx.texts.t("decision.proposer", proposer=facts.who(proposal.proposer)))
        reached.add(proposal.proposer)
    mentions = tuple(sorted(reached))
    said = ctx.announce(lines(parts), mentions=mentions, proposal_id=proposal.id, priority=Priority.DECISION)
    return [dataclasses.replace(said, reaches=bool(mentions))]


@command("extend", nl=("verleng",), order=210, args=(ProposalRef(), Deadline()), who=Role.MODERATOR)
async def extend(ctx: Context, proposal: Proposal, deadline: datetime) -> list[Say]:
    require_open(ctx, proposal)
    if deadline <= proposal.deadline:
        raise UserError(ctx.texts.t("extend.not_later", deadline=ctx.texts.when(proposal.deadline)))
    await ctx.store.proposals.set_deadline(proposal.id, deadline)
    moved = await ctx.store.proposals.get(proposal.id)
    assert moved is not None
    await schedule_announcements(ctx.store, moved, ctx.settings.proposals.reminder_hours, ctx.now)
    text = ctx.texts.t(
        "extend.done",
        number=proposal.number,
        title=proposal.title,
        deadline=ctx.texts.deadline(deadline),
        left=ctx.texts.time_left(deadline - ctx.now),
    )
    return [ctx.reply(text, proposal_id=proposal.id)]
