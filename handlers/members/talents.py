"""Talents and needs: who can help with what (!skills, !who, !profile), and needs matched to talents (!need,
!needs, !solved). Being mentioned by a match is opt-in: `!skills ask on`; others are named without a mention."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from handlers.commands.arguments import (
    Helper,
    Member,
    NeedRef,
    NeedRequest,
    NeedText,
    OnOff,
    Query,
    TalentName,
    Talents,
)
from handlers.commands.context import Context, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.members.matching import TALENTS_PER_MEMBER, members_for, talent_key
from handlers.parsing import ADD_WORDS, ASK_WORDS, REMOVE_WORDS
from handlers.reputation.reactions import utc_day
from handlers.reputation.standing import Refused, on_home_server, vote_refusal
from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, lines, mention, user_text
from storage.records import Credit, CreditReason, Need, Status, Talent
from storage.store import Store

SHOWN_MATCHES = 5
SHOWN_WHO = 10


async def _your_talents(ctx: Context) -> list[Say]:
    """Your talents, and whether matches may mention you."""
    texts = ctx.texts
    mine = await ctx.store.talents.of(ctx.room_id, ctx.sender)
    askable = ctx.sender in await ctx.store.talents.askable(ctx.room_id)
    if not mine:
        return [ctx.reply(texts.t("talents.none"))]
    listed = Rendered.join(Rendered(", ", ", "), [user_text(t.talent) for t in mine])
    parts = [texts.t("talents.yours", talents=listed), texts.t("talents.asked" if askable else "talents.not_asked")]
    return [ctx.reply(lines(parts))]


@command("skills", nl=("talenten",), order=160, otherwise="err.bad_skills")
async def skills(ctx: Context) -> list[Say]:
    return await _your_talents(ctx)


@skills.sub(*ADD_WORDS.in_language("en"), nl=ADD_WORDS.in_language("nl"), args=(Talents(),))
async def add_skills(ctx: Context, talents: tuple[str, ...]) -> list[Say]:
    mine = await ctx.store.talents.of(ctx.room_id, ctx.sender)
    new = [Talent(ctx.sender, t, talent_key(t)) for t in talents]
    known = {t.key for t in mine}
    fresh = {t.key: t for t in new if t.key and t.key not in known}
    if len(mine) + len(fresh) > TALENTS_PER_MEMBER:
        raise UserError(ctx.texts.t("talents.too_many", max=TALENTS_PER_MEMBER))
    await ctx.store.talents.add(ctx.room_id, list(fresh.values()), ctx.now)
    return await _your_talents(ctx)


@skills.sub(*REMOVE_WORDS.in_language("en"), nl=REMOVE_WORDS.in_language("nl"), args=(TalentName(),))
async def remove_skill(ctx: Context, talent: str) -> list[Say]:
    if not await ctx.store.talents.remove(ctx.room_id, ctx.sender, talent_key(talent)):
        raise UserError(ctx.texts.t("talents.not_yours", talent=talent))
    return await _your_talents(ctx)


@skills.sub(*ASK_WORDS.in_language("en"), nl=ASK_WORDS.in_language("nl"), args=(OnOff(),))
async def ask_skills(ctx: Context, ask: bool) -> list[Say]:
    await ctx.store.talents.set_askable(ctx.room_id, ctx.sender, ask)
    return [ctx.reply(ctx.texts.t("talents.ask_on" if ask else "talents.ask_off"))]


async def _ranked(store: Store, room_id: str, users: list[str]) -> list[str]:
    """Best first: hours delivered and confirmed in this room, then credits."""
    hours = await store.underway.confirmed_minutes_by_member(room_id)
    credits = await store.credits.all_balances(room_id)
    return sorted(users, key=lambda u: (-hours.get(u, 0), -credits.get(u, 0), u))


@dataclass(frozen=True)
class Match:
    user_id: str
    shown: Rendered  # a mention for a member who opted in to be asked, their name for anyone else
    asked: bool


async def best_matches(store: Store, room_id: str, users: list[str], most: int) -> list[Match]:
    """The best `most` of `users`; only those who opted in (`!skills ask on`) are mentioned."""
    askable = await store.talents.askable(room_id)
    ranked = (await _ranked(store, room_id, users))[:most]
    names = await store.members.display_names(room_id, ranked)
    return [
        Match(
            user,
            mention(user, names.get(user, user)) if user in askable else user_text(names.get(user, user)),
            user in askable,
        )
        for user in ranked
    ]


def person_lines(texts: Texts, matches: list[Match], everyone: list[Talent]) -> list[Rendered]:
    return [
        texts.t("talents.person", user=m.shown, talents=", ".join(t.talent for t in everyone if t.user_id == m.user_id))
        for m in matches
    ]


def asked(matches: list[Match]) -> tuple[str, ...]:
    return tuple(m.user_id for m in matches if m.asked)


@command("who", nl=("wie",), order=150, notes="best first", args=(Query(),), read_only=True)
async def who(ctx: Context, query: str) -> list[Say]:
    everyone = await ctx.store.talents.in_room(ctx.room_id)
    found = members_for(everyone, query=query)
    if not found:
        return [ctx.reply(ctx.texts.t("talents.nobody", query=query))]
    matches = await best_matches(ctx.store, ctx.room_id, list(found), SHOWN_WHO)
    rows = [ctx.texts.t("talents.who_title", query=query), *person_lines(ctx.texts, matches, everyone)]
    return [ctx.reply(lines(rows), mentions=asked(matches))]


@command("profile", nl=("profiel",), order=170, args=(Member(),), read_only=True)
async def profile(ctx: Context, user_id: str) -> list[Say]:
    texts, store = ctx.texts, ctx.store
    who_ = await ctx.who(user_id)
    parts = [texts.t("profile.title", user=who_)]
    theirs = await store.talents.of(ctx.room_id, user_id)
    if theirs:
        parts.append(texts.t("profile.talents", talents=", ".join(t.talent for t in theirs)))
    standing = await store.credits.standing(ctx.room_id, user_id)
    if standing is not None:
        parts.append(texts.tn("profile.credits", standing.credits, credits=standing.credits, rank=standing.rank))
    proposals = [p for p in await store.proposals.in_room(ctx.room_id) if p.proposer == user_id]
    if proposals:
        went_go = sum(p.status in (Status.GO, Status.DONE, Status.DROPPED) for p in proposals)
        parts.append(texts.tn("profile.proposals", len(proposals), go=went_go))
    backed = await store.proposals.backed_by(ctx.room_id, user_id)
    if backed:
        parts.append(texts.tn("profile.backed", backed))
    minutes = (await store.underway.confirmed_minutes_by_member(ctx.room_id)).get(user_id, 0)
    if minutes:
        parts.append(texts.t("profile.hours", hours=texts.hours(minutes)))
    first = await store.talents.first_seen(ctx.room_id, user_id)
    if first is not None:
        parts.append(texts.t("profile.first_seen", when=texts.when(first)))
    return [ctx.reply(lines(parts))]


@command("need", "needs", nl=("gezocht",), order=130, args=(NeedText(),))
async def need(ctx: Context, request: NeedRequest | None) -> list[Say]:
    texts, store = ctx.texts, ctx.store
    if request is None:
        days = ctx.settings.talents.needs_days
        open_ones = await store.talents.open_needs(ctx.room_id, ctx.now - timedelta(days=days))
        if not open_ones:
            return [ctx.reply(texts.tn("needs.none", days, days=days))]
        names = await store.members.display_names(ctx.room_id, sorted({n.user_id for n in open_ones}))
        rows = [texts.tn("needs.title", days, days=days)]
        for item in open_ones:
            author = mention(item.user_id, names.get(item.user_id, item.user_id))
            rows.append(texts.t("needs.line", number=item.number, user=author, text=item.text))
        return [ctx.reply(lines(rows))]
    text, named = request.text, request.named
    posted = await store.talents.add_need(ctx.room_id, ctx.sender, text, named, ctx.now, ctx.message.event_id)
    everyone = [t for t in await store.talents.in_room(ctx.room_id) if t.user_id != ctx.sender]
    found = members_for(everyone, text=text, named=named)
    parts = [texts.t("needs.posted", number=posted.number, user=await ctx.who(ctx.sender), text=text)]
    mentioned: tuple[str, ...] = ()
    if found:
        matches = await best_matches(store, ctx.room_id, list(found), SHOWN_MATCHES)
        parts += [texts.t("needs.matches"), *person_lines(texts, matches, everyone)]
        mentioned = asked(matches)
    else:
        parts.append(texts.t("needs.no_match"))
    parts.append(texts.t("needs.how_to_solve", number=posted.number))
    if mentioned:  # a talent match reaches the members who asked to be mentioned (not the asker herself)
        return [replace(ctx.announce(lines(parts), mentions=tuple(sorted(set(mentioned)))), reaches=True)]
    return [ctx.announce(lines(parts), mentions=(ctx.sender,))]


@command("solved", nl=("opgelost",), order=140, args=(NeedRef(), Helper()))
async def solved(ctx: Context, item: Need, helper: str) -> list[Say]:
    texts = ctx.texts
    if item.user_id != ctx.sender and not ctx.is_moderator:
        raise UserError(texts.t("needs.not_allowed", number=item.number))
    if item.solved_at is not None:
        raise UserError(texts.t("needs.already_solved", number=item.number))
    if helper in (item.user_id, ctx.sender):
        raise UserError(texts.t("needs.self_help"))
    await ctx.store.talents.solve(item.id, ctx.now, helper or None)
    if not helper:
        return [ctx.reply(texts.t("needs.solved", number=item.number))]
    refused = await _help_credit_refusal(ctx, item.user_id, helper)
    if refused is not None:
        text = texts.t("needs.solved_no_credit", number=item.number, helper=await ctx.who(helper), why=refused)
        return [ctx.reply(text)]
    reward = ctx.settings.talents.help_reward
    if reward:  # the asker's thanks, as one of their votes of the day
        await ctx.store.credits.add(
            [Credit(ctx.room_id, item.user_id, helper, reward, CreditReason.HELPED, ctx.now, ctx.message.event_id)]
        )
    text = texts.t(
        "needs.solved_by", number=item.number, helper=await ctx.who(helper), reward=texts.tn("credits.reward", reward)
    )
    return [ctx.reply(text, mentions=(helper,))]


async def _help_credit_refusal(ctx: Context, asker: str, helper: str) -> Rendered | None:
    """Why the helper credit is not given, or None: it follows the rules of a vote by the asker (standing, opt-out,
    daily cap), and the helper must be a member of the room who may receive credits."""
    texts, reputation = ctx.texts, ctx.settings.reputation
    if not await ctx.store.members.is_known(ctx.room_id, helper):
        return texts.t("no_credit.not_a_member", helper=await ctx.who(helper))
    opted_out = await ctx.store.member_data.opted_out()
    for member in (asker, helper):
        if member in opted_out:
            return texts.t("no_credit.opted_out", member=await ctx.who(member))
    if not on_home_server(helper, reputation):
        return texts.t("no_credit.guest", member=await ctx.who(helper), servers=", ".join(reputation.servers))
    joined_at = await ctx.store.members.joined_at(ctx.room_id, asker)
    refusal = vote_refusal(ctx.room_id, asker, ctx.now, joined_at, reputation)
    if refusal is not None and refusal.why is Refused.GUEST:
        return texts.t("no_credit.guest", member=await ctx.who(asker), servers=", ".join(reputation.servers))
    if refusal is not None and refusal.counts_from is not None:
        return texts.t("no_credit.newcomer", member=await ctx.who(asker), moment=texts.when(refusal.counts_from))
    given = await ctx.store.intake.votes_given(ctx.room_id, asker, utc_day(ctx.now)[0])
    if given >= reputation.daily_cap:
        return texts.tn("no_credit.daily_cap", reputation.daily_cap, member=await ctx.who(asker))
    return None


async def needed_talents(
    store: Store, texts: Texts, room_id: str, needs: tuple[str, ...], proposer: str
) -> tuple[list[Rendered], tuple[str, ...]]:
    """For a proposal's `needs:`: per talent, up to five members who offer it (opted-in ones mentioned)."""
    everyone = [t for t in await store.talents.in_room(room_id) if t.user_id != proposer]
    rows: list[Rendered] = []
    mentioned: set[str] = set()
    for wanted in needs:
        found = members_for(everyone, named=[wanted])
        if not found:
            rows.append(texts.t("talents.needed_nobody", talent=wanted))
            continue
        matches = await best_matches(store, room_id, list(found), SHOWN_MATCHES)
        mentioned.update(asked(matches))
        people = Rendered.join(Rendered(", ", ", "), [m.shown for m in matches])
        rows.append(texts.t("talents.needed", talent=wanted, people=people))
    return rows, tuple(sorted(mentioned))
