"""Who counts: members on the community's own homeservers, and members who have been in the room long enough.

`[reputation] servers` keeps guests from other homeservers out of the books (they give and receive no credits
and cannot pledge); `[reputation] min_days_in_room` makes a brand-new account's reactions count for nothing until
it has been in the room that long, so credits cannot be farmed with fresh accounts. A refused reaction is not
kept for later, and the member hears why once per room.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from handlers.events import Say
from handlers.settings import ReputationSettings
from handlers.wording.catalog import Texts
from handlers.wording.markup import mention
from storage.queries.outbox import Telling, Told
from storage.store import Store


class Refused(StrEnum):
    GUEST = "guest"  # the giver's homeserver is not one of the community's
    NEWCOMER = "newcomer"  # the giver joined too recently
    DAILY_CAP = "daily_cap"  # the giver cast the day's votes already: told once a (UTC) day


@dataclass(frozen=True)
class Refusal:
    """A reaction that counted nothing, and why: the member is told once."""

    room_id: str
    user_id: str
    why: Refused
    counts_from: datetime | None = None  # for a newcomer: when their reactions start to count; over the cap: again


def server_of(user_id: str) -> str:
    return user_id.partition(":")[2].lower()


def on_home_server(user_id: str, settings: ReputationSettings) -> bool:
    """True when `servers` is not set, or the user id is on one of them."""
    return not settings.servers or server_of(user_id) in settings.servers


def votes_count_from(joined_at: datetime | None, settings: ReputationSettings) -> datetime | None:
    """When a member's reactions start to count; None when they count already (also: join never seen)."""
    if not settings.min_days_in_room or joined_at is None:
        return None
    return joined_at + timedelta(days=settings.min_days_in_room)


def vote_refusal(
    room_id: str, giver: str, at: datetime, joined_at: datetime | None, settings: ReputationSettings
) -> Refusal | None:
    """Why a reaction by `giver` at `at` counts nothing, or None when it may count."""
    if not on_home_server(giver, settings):
        return Refusal(room_id, giver, Refused.GUEST)
    counts_from = votes_count_from(joined_at, settings)
    if counts_from is not None and at < counts_from:
        return Refusal(room_id, giver, Refused.NEWCOMER, counts_from)
    return None


async def tell_each_once(
    store: Store,
    texts_in: Callable[[str | None], Texts],
    settings: ReputationSettings,
    refusals: Sequence[tuple[Refusal, datetime]],
    *,
    first: Callable[[sqlite3.Connection], object] | None = None,
) -> list[Say | None]:
    """For each refusal and the moment of its reaction: what the member hears about why their reactions count
    nothing, once per room and reason (the daily cap: once a day); None when they were told already.

    One round trip, after `first` (the names the batch learnt, so the member is named as the room knows them),
    settles whether each is told and reads the names and rooms' languages (`texts_in` gives the texts in a room's
    chosen language) of the few that are.
    """
    found = await store.outbox.tell_each_once(tellings(refusals), first=first)
    return answers(found, texts_in, settings, refusals)


def tellings(refusals: Sequence[tuple[Refusal, datetime]]) -> list[Telling]:
    """What the outbox notes for each refusal, so its member hears it once (see `tell_each_once`)."""
    return [_telling(refusal, at) for refusal, at in refusals]


def answers(
    found: Told,
    texts_in: Callable[[str | None], Texts],
    settings: ReputationSettings,
    refusals: Sequence[tuple[Refusal, datetime]],
) -> list[Say | None]:
    """What each member hears about their refusal, given what the outbox `found` (None: told already)."""
    return [
        _refusal_say(
            texts_in(found.languages[refusal.room_id]),
            settings,
            refusal,
            found.names[refusal.room_id, refusal.user_id],
        )
        if tell
        else None
        for (refusal, _), tell in zip(refusals, found.told, strict=True)
    ]


def _telling(refusal: Refusal, at: datetime) -> Telling:
    every = None
    if refusal.why is Refused.DAILY_CAP:
        assert refusal.counts_from is not None
        day_start = refusal.counts_from - timedelta(days=1)
        every = int((at - day_start).total_seconds()) + 1  # told before today (UTC), the day the cap counts
    return Telling(refusal.room_id, refusal.user_id, refusal.why.value, at, every)


def _refusal_say(texts: Texts, settings: ReputationSettings, refusal: Refusal, name: str) -> Say:
    member = mention(refusal.user_id, name)
    if refusal.why is Refused.GUEST:
        text = texts.t("standing.guest_votes", member=member, servers=", ".join(settings.servers))
    elif refusal.why is Refused.DAILY_CAP:
        assert refusal.counts_from is not None
        cap = settings.daily_cap
        text = texts.tn("standing.daily_cap", cap, member=member, cap=cap, moment=texts.when(refusal.counts_from))
    else:
        assert refusal.counts_from is not None
        text = texts.tn(
            "standing.newcomer_votes",
            settings.min_days_in_room,
            member=member,
            days=settings.min_days_in_room,
            moment=texts.when(refusal.counts_from),
        )
    return Say(refusal.room_id, text, mentions=(refusal.user_id,))
