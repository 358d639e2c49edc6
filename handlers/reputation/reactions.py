"""Reactions as reputation: one member, one vote per message, given by their up or down emoji.

A member's up reactions (👍 ❤️ …) on someone's message give its author +1, down ones (👎 …) −1; with both, the latest
present one decides; removing them all removes the vote. Emoji are compared without skin tones and variation
selectors. No vote counts on your own message, a command, or the bot's messages (except its messages about a
proposal, which credit the proposer, all of them together one vote target); a member casts at most `daily_cap` votes
and changes per UTC day; when a message is deleted, the votes it earned are taken back. Members who opted out give
and receive nothing. Guests from other homeservers and members too new to the room give nothing, and a guest's
message earns nothing, where the operator says so (handlers.reputation.standing).

The rules run in memory, in event order, over what the store knew before the batch (`CreditFacts`, read in one
go and never changed) and what earlier events of the batch changed (the book's own copy of them); the outcome is
exactly that of handling the events one by one. What changes is collected as `Effects`, which the engine writes in
one go.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from handlers.events import Event, Joined, Message, Reaction, Redaction
from handlers.reputation.standing import Refusal, Refused, on_home_server, vote_refusal
from handlers.settings import ReputationSettings
from storage.queries.intake import CreditFacts, Effects, FactsWanted, GiverDay, Pair
from storage.queries.messages import message_seen
from storage.records import Credit, CreditReason, KeptReaction

log = logging.getLogger(__name__)

# Variation selectors (❤ vs ❤️) and skin-tone modifiers (👍🏽): the same reaction to people.
_EMOJI_VARIANTS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def normalize_emoji(key: str) -> str:
    return _EMOJI_VARIANTS.sub("", key).strip()


def credit_delta(key: str, settings: ReputationSettings) -> int:
    """+1 for an up emoji, −1 for a down emoji, 0 for any other reaction."""
    up, down = _emoji_sets(settings.up, settings.down)
    emoji = normalize_emoji(key)
    if emoji in up:
        return 1
    if emoji in down:
        return -1
    return 0


@functools.cache
def _emoji_sets(up: tuple[str, ...], down: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(normalize_emoji(e) for e in up), frozenset(normalize_emoji(e) for e in down)


def utc_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC calendar day a moment falls in, as [start, end)."""
    start = datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def facts_wanted(events: Iterable[Event], settings: ReputationSettings) -> FactsWanted:
    """What the store must tell about a batch's reactions and redactions before the rules can run."""
    targets: set[str] = set()
    redacted: set[str] = set()
    giver_days: set[GiverDay] = set()
    redaction_days: set[tuple[str, datetime]] = set()
    joins_of: set[tuple[str, str]] = set()
    for event in events:
        if isinstance(event, Reaction) and credit_delta(event.key, settings) != 0:
            targets.add(event.target_event_id)
            giver_days.add((event.room_id, event.sender, utc_day(event.at)[0]))
            if settings.min_days_in_room:
                joins_of.add((event.room_id, event.sender))
        elif isinstance(event, Redaction):
            redacted.add(event.redacts)
            redaction_days.add((event.room_id, utc_day(event.at)[0]))  # removing one may bring one back
    return FactsWanted(
        frozenset(targets), frozenset(redacted), frozenset(giver_days), frozenset(redaction_days), frozenset(joins_of)
    )


@dataclass(frozen=True)
class Target:
    receiver: str
    message_event_id: str | None
    proposal_id: int | None


class CreditBook:
    """The credit rules over one batch: facts in, effects out, no I/O."""

    def __init__(
        self,
        facts: CreditFacts,
        settings: ReputationSettings,
        bot_user_id: str,
        opted_out: frozenset[str] = frozenset(),
    ) -> None:
        self.facts = facts  # as the store had it before the batch
        self.opted_out = opted_out  # members who take no part in reputation (`!optout`)
        self.settings = settings
        self.bot_user_id = bot_user_id
        self.effects = Effects()
        self.refusals: list[Refusal] = []
        # Every refusal noted by this book: a member hears each once, so a second one in the batch (same room,
        # reason and cap day) would find them told already and needs no look in the store.
        self._refused: set[tuple[str, str, Refused, datetime | None]] = set()
        # The facts as the batch's events so far changed them; `facts` itself stays as it was read.
        self.messages = dict(facts.messages)
        self.reactions = dict(facts.reactions)
        self.votes: dict[Pair, Sequence[Credit]] = dict(facts.votes)
        self.given = dict(facts.given)
        self.joined = dict(facts.joined)
        # Present up/down reactions per vote, oldest first, and which vote each reaction belongs to.
        self._present: dict[Pair, list[KeptReaction]] = {}
        for reaction in sorted(facts.reactions.values(), key=lambda r: r.at):
            self._present.setdefault((reaction.giver, facts.vote_target(reaction.target_event_id)), []).append(reaction)

    def take_effects(self) -> Effects:
        """What changed since the last call, to be written now."""
        effects, self.effects = self.effects, Effects()
        return effects

    def take_refusals(self) -> list[Refusal]:
        """The reactions refused since the last call (at most one per member, room, reason and cap day in a batch)."""
        refusals, self.refusals = self.refusals, []
        return refusals

    def on_join(self, joined: Joined) -> None:
        """A member's first join in a room starts their days there (a later rejoin does not)."""
        key = (joined.room_id, joined.sender)
        known = self.joined.get(key)
        if known is None or joined.at < known:
            self.joined[key] = joined.at
        self.effects.note_join(joined.room_id, joined.sender, joined.at)

    def remember(self, message: Message, *, is_idea: bool) -> None:
        """Keep the author (for credits) and the text (for !ideas, if it is not a command)."""
        if message.sender_name:
            self.effects.remember_member(message.room_id, message.sender, message.sender_name)
        seen = message_seen(
            message.event_id, message.room_id, message.sender, message.at, message.body, is_idea=is_idea
        )
        if message.thread_root is not None:
            self.effects.note_in_thread(message.thread_root, message.event_id)
        if message.event_id not in self.messages:  # the store keeps the first one too
            self.messages[message.event_id] = seen
            self.effects.add_message(seen)

    def target(self, room_id: str, target_event_id: str) -> Target | None:
        """Who a vote on an event credits: a member's message's author, or the proposer of an announcement."""
        message = self.messages.get(target_event_id)
        if message is not None:
            if message.redacted or not message.is_idea or message.room_id != room_id:
                return None
            if message.author == self.bot_user_id:
                return None
            return Target(message.author, message.event_id, None)
        announced = self.facts.announcements.get(target_event_id)
        if announced is None or announced.room_id != room_id:
            return None
        return Target(announced.proposer, None, announced.proposal_id)

    def on_reaction(self, reaction: Reaction) -> None:
        """An up or down reaction: kept, and the member's vote on that message follows their latest one."""
        direction = credit_delta(reaction.key, self.settings)
        if direction == 0:
            return
        target = self.target(reaction.room_id, reaction.target_event_id)
        if target is None or target.receiver == reaction.sender:
            return  # not a member's idea (or an announcement), or the reactor's own
        if reaction.sender in self.opted_out or target.receiver in self.opted_out:
            return  # from their opt-out on, reactions by and to them count nothing (and are not kept for later)
        joined_at = self.joined.get((reaction.room_id, reaction.sender))
        refusal = vote_refusal(reaction.room_id, reaction.sender, reaction.at, joined_at, self.settings)
        if refusal is not None:  # not kept: it will not count later either
            self._refuse(refusal)
            return
        if not on_home_server(target.receiver, self.settings):
            return  # a guest's message earns nothing
        kept = KeptReaction(
            reaction.event_id,
            reaction.room_id,
            reaction.sender,
            reaction.target_event_id,
            normalize_emoji(reaction.key),
            direction,
            reaction.at,
        )
        pair = (reaction.sender, self.facts.vote_target(reaction.target_event_id))
        self._present.setdefault(pair, []).append(kept)
        self.reactions[reaction.event_id] = kept
        self.effects.keep_reaction(kept)
        if not self._settle(pair, target, cause=reaction.event_id, room_id=reaction.room_id, at=reaction.at):
            self._refuse(Refusal(reaction.room_id, reaction.sender, Refused.DAILY_CAP, utc_day(reaction.at)[1]))

    def on_redaction(self, redaction: Redaction) -> None:
        """A removed reaction may change or end its member's vote; a removed message loses every vote it had.

        Only its author, or someone with the room's redact level, removes an event: the server accepts a
        redaction of anyone's event from a member of the same server, and leaves it to clients to apply it.
        """
        kept = self.reactions.pop(redaction.redacts, None)
        if kept is not None:
            if kept.room_id != redaction.room_id or not _may_redact(redaction, kept.giver):
                self.reactions[kept.event_id] = kept
                return
            pair = (kept.giver, self.facts.vote_target(kept.target_event_id))
            self._present[pair] = [r for r in self._present.get(pair, []) if r.event_id != kept.event_id]
            self.effects.remove_reaction(kept.event_id)
            target = self.target(kept.room_id, kept.target_event_id)
            if target is not None:
                self._settle(pair, target, cause=redaction.event_id, room_id=kept.room_id, at=redaction.at)
            return
        message = self.messages.get(redaction.redacts)
        if message is None or message.redacted or message.room_id != redaction.room_id:
            return
        if not _may_redact(redaction, message.author):
            return
        self.messages[redaction.redacts] = dataclasses.replace(message, redacted=True)
        self.effects.mark_redacted(redaction.redacts)
        for pair in [pair for pair in self.votes if pair[1] == message.event_id]:
            self._take_back(pair, cause=redaction.event_id, at=redaction.at)

    def _refuse(self, refusal: Refusal) -> None:
        """Note a refused reaction, once per member, room, reason and cap day in a batch."""
        key = (refusal.room_id, refusal.user_id, refusal.why, refusal.counts_from)
        if key not in self._refused:
            self._refused.add(key)
            self.refusals.append(refusal)

    def _settle(self, pair: Pair, target: Target, *, cause: str, room_id: str, at: datetime) -> bool:
        """Make the member's vote what their latest present reaction says, within the daily cap; False when the
        cap kept it from counting (with a cap of 0 reactions simply count nothing).

        A vote cast or changed counts against the cap; over it, the vote stays as it was. A vote whose reactions
        are all gone is taken back whatever the cap.
        """
        present = self._present.get(pair, [])
        wanted = present[-1].direction if present else 0
        votes = self.votes.get(pair, [])
        if sum(credit.delta for credit in votes) == wanted and len(votes) <= 1:
            return True
        if wanted == 0:
            self._take_back(pair, cause=cause, at=at)
            return True
        day = (room_id, pair[0], utc_day(at)[0])
        given = self.given.get(day, 0)
        if given >= self.settings.daily_cap:
            log.info("daily cap reached for %s; %s changes no vote", pair[0], cause)
            return not self.settings.daily_cap
        self._take_back(pair, cause=cause, at=at)
        credit = Credit(
            room_id=room_id,
            giver=pair[0],
            receiver=target.receiver,
            delta=wanted,
            reason=CreditReason.REACTION,
            at=at,
            source_event_id=cause,
            target_event_id=pair[1],
            emoji=present[-1].emoji,
            proposal_id=target.proposal_id,
        )
        self.effects.add_credit(credit)
        self.votes[pair] = [credit]
        self.given[day] = given + 1
        if target.message_event_id is not None:
            self.effects.add_to_score(target.message_event_id, wanted)
        return True

    def _take_back(self, pair: Pair, *, cause: str, at: datetime) -> None:
        """Reverse the member's current vote on the event (each of its credits), if any."""
        for credit in self.votes.pop(pair, []):
            reversal = Credit(
                room_id=credit.room_id,
                giver=credit.giver,
                receiver=credit.receiver,
                delta=-credit.delta,
                reason=CreditReason.REVERSAL,
                at=at,
                source_event_id=cause,
                target_event_id=credit.target_event_id,
                emoji=credit.emoji,
                reverses=credit.source_event_id,
            )
            self.effects.add_credit(reversal)
            if credit.target_event_id in self.messages:
                self.effects.add_to_score(str(credit.target_event_id), -credit.delta)


def _may_redact(redaction: Redaction, author: str) -> bool:
    return redaction.sender == author or redaction.may_redact_others
