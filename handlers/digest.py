"""The weekly digest ("This week in the circle"): once a week per room, and on demand with `!digest`.

One m.notice (it pings nobody) with new proposals and rising ideas, the deadlines of the coming week with what each
still needs, last week's decisions with their backers, work underway and needs nobody answered yet. A week with
nothing in it gets no digest. Each room's weekly moment is claimed once in the store, sent or not, so a restart
never posts it twice; one that fell due while the bot was down goes out late, once, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from handlers.commands.arguments import Switch
from handlers.commands.context import Context, UserError
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.proposals.go_rules import announced_late, shortfall
from handlers.settings import CommunitySettings, DigestSettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import amount_of, gap
from handlers.wording.markup import Rendered, bullet_list, lines, mention
from handlers.wording.room_language import room_texts
from storage.records import Priority, Proposal, Status
from storage.store import Store

WEEK = timedelta(days=7)
SHOWN = 5  # items per list; the rest are counted ("… and 3 more"), so the digest always fits one message
SINCE_KEY = "digest.since"  # when Kring first looked for digests: no weekly moment before it is owed

T = TypeVar("T")


def latest_moment(settings: DigestSettings, zone: ZoneInfo, now: datetime) -> datetime:
    """The last weekly moment at or before `now`: the configured weekday and time in the room's time zone."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - settings.day_number) % 7)
    hour, minute = settings.hour_minute
    moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
    if moment > now:
        moment = datetime.combine(day - WEEK, time(hour, minute), tzinfo=zone)
    return moment.astimezone(UTC)


def next_moment(settings: DigestSettings, zone: ZoneInfo, now: datetime) -> datetime:
    """The first weekly moment after `now` (a week of local days later: the same hour across a DST change)."""
    last = latest_moment(settings, zone, now).astimezone(zone)
    hour, minute = settings.hour_minute
    return datetime.combine(last.date() + WEEK, time(hour, minute), tzinfo=zone).astimezone(UTC)


async def is_on(store: Store, settings: CommunitySettings, room_id: str) -> bool:
    chosen = await store.room_settings.digest(room_id)
    return settings.digest.enabled if chosen is None else chosen


async def due_digests(store: Store, settings: CommunitySettings, until: datetime) -> list[tuple[str, datetime]]:
    """The rooms whose weekly moment (at or before `until`) is not claimed yet, with that moment; the first call
    only notes when Kring began (a new installation owes no digest of the weeks before it), in the caller's
    transaction."""
    began = await store.key_values.get(SINCE_KEY)
    if began is None:
        await store.key_values.set(SINCE_KEY, until.isoformat())
        return []
    moment = latest_moment(settings.digest, settings.proposals.zone, until)
    if moment <= datetime.fromisoformat(began):
        return []
    claimed = await store.digests.claimed()
    due = []
    for room_id in await store.digests.rooms():
        last = claimed.get(room_id)
        if (last is None or last < moment) and await is_on(store, settings, room_id):
            due.append((room_id, moment))
    return due


async def fire_digest(
    store: Store, settings: CommunitySettings, room_id: str, due_at: datetime, now: datetime, *, late: bool = False
) -> list[Say]:
    """Claim the room's weekly moment and say its digest; [] when it was claimed before or the week was empty."""
    texts = await room_texts(store, settings, room_id)
    text = await digest_text(store, settings, texts, room_id, due_at, now)
    if not await store.digests.claim(room_id, due_at, sent=text is not None, at=now):
        return []
    if text is None:
        return []
    if announced_late(due_at, now, offline=late):
        text = lines([text, texts.t("digest.late", due=texts.when(due_at))])
    return [Say(room_id, text, priority=Priority.REMINDER)]


async def digest_text(
    store: Store, settings: CommunitySettings, texts: Texts, room_id: str, until: datetime, now: datetime
) -> Rendered | None:
    """The digest of the week before `until`, with the deadlines of the week after `now`; None: nothing to say."""
    since = until - WEEK
    week = await store.digests.week(room_id, since, until, now + WEEK)
    ideas = await store.messages.top_ideas(room_id, since, 100)
    needs = await store.talents.open_needs(room_id, since)
    people = {p.proposer for p in week.new} | {m.author for m in ideas} | {n.user_id for n in needs}
    people |= {b for backers in week.backers.values() for b in backers[:SHOWN]}
    names = await store.members.display_names(room_id, sorted(people))

    def who(user_id: str) -> Rendered:
        return mention(user_id, names.get(user_id, user_id))

    sections: list[Rendered] = []

    def section(title: str, items: Sequence[T], line: Callable[[T], Rendered]) -> None:
        if items:
            shown_items = [line(item) for item in items[:SHOWN]]
            if len(items) > SHOWN:
                shown_items.append(texts.tn("digest.more", len(items) - SHOWN, count=len(items) - SHOWN))
            sections.append(texts.t(title) + bullet_list(shown_items))

    section(
        "digest.new",
        [p for p in week.new if p.status is not Status.CANCELLED],
        lambda p: texts.t("digest.new_line", number=p.number, title=p.title, proposer=who(p.proposer)),
    )
    section(
        "digest.ideas",
        ideas,
        lambda m: texts.t("ideas.line", score=m.score, author=who(m.author), excerpt=m.excerpt),
    )

    def closing(p: Proposal) -> Rendered:
        missing = shortfall(p, week.totals[p.id])
        still = texts.t("digest.met") if missing.none else texts.t("digest.needs", gap=gap(texts, missing))
        return texts.t(
            "digest.closing_line", number=p.number, title=p.title, deadline=texts.when(p.deadline), still=still
        )

    section("digest.closing", week.closing, closing)

    def decided(p: Proposal) -> Rendered:
        backers = week.backers.get(p.id, [])
        named = [who(b) for b in backers[:SHOWN]]
        if len(backers) > SHOWN:
            named.append(texts.tn("digest.more", len(backers) - SHOWN, count=len(backers) - SHOWN))
        listed = Rendered.join(Rendered(", ", ", "), named) if named else texts.t("digest.no_backers")
        key = "digest.decided_no_go" if p.status is Status.NO_GO else "digest.decided_go"
        return texts.t(key, number=p.number, title=p.title, backers=listed)

    section("digest.decided", week.decided, decided)

    def underway(p: Proposal) -> Rendered:
        work = week.work[p.id]
        done = []
        if work.updates:
            done.append(texts.tn("digest.updates", work.updates, count=work.updates))
        if work.reported:
            done.append(texts.tn("digest.reported", work.reported, count=work.reported))
        if work.confirmed:
            done.append(texts.tn("digest.confirmed", work.confirmed, count=work.confirmed))
        if work.open_money_cents or work.open_minutes:
            still = texts.t("digest.still_open", amount=amount_of(texts, work.open_money_cents, work.open_minutes))
        else:
            still = texts.t("digest.all_reported")
        activity = Rendered.join(Rendered(", ", ", "), done)
        return texts.t("digest.underway_line", number=p.number, title=p.title, activity=activity, still=still)

    section("digest.underway", week.underway, underway)
    section(
        "digest.unanswered",
        needs,
        lambda n: texts.t("needs.line", number=n.number, user=who(n.user_id), text=n.text),
    )
    if not sections:
        return None
    return lines([texts.t("digest.title"), *sections])


@command("digest", nl=("overzicht",), order=125, args=(Switch(),))
async def show_digest(ctx: Context, switch: bool | None) -> list[Say]:
    """`!digest`: the week so far; `!digest on|off` (moderators) switches the room's weekly digest."""
    if switch is not None:
        if not ctx.is_moderator:
            raise UserError(ctx.texts.t("digest.not_allowed"))
        await ctx.store.room_settings.set_digest(ctx.room_id, switch)
        if switch:  # from the next weekly moment on: the one already past is not owed late
            past = latest_moment(ctx.settings.digest, ctx.settings.proposals.zone, ctx.now)
            await ctx.store.digests.claim(ctx.room_id, past, sent=False, at=ctx.now)
        return [ctx.reply(ctx.texts.t("digest.switched_on" if switch else "digest.switched_off"))]
    up_to_now = ctx.now + timedelta(seconds=1)  # the last seven days, this very moment included
    text = await digest_text(ctx.store, ctx.settings, ctx.texts, ctx.room_id, up_to_now, ctx.now)
    return [ctx.reply(text if text is not None else ctx.texts.t("digest.nothing"))]
