"""Reactions as reputation credits: up/down emoji, no self-credit, one per key, daily cap, redaction undoes.

The rules run in memory, in event order, over what the store knew before the batch (`CreditFacts`, read in one
go) and what earlier events of the batch changed; the outcome is exactly that of handling the events one by
one. What changes is collected as `Effects`, which the engine writes in one go.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from handlers.events import Event, Message, Reaction, Redaction
from handlers.settings import ReputationSettings
from storage.intake import CreditFacts, Effects, FactsWanted, GiverDay
from storage.messages import message_seen
from storage.records import Credit, CreditReason

log = logging.getLogger(__name__)

VARIATION_SELECTOR = "\ufe0f"


def normalize_emoji(key: str) -> str:
    """❤️ and ❤ are the same reaction to people; compare without variation selectors."""
    return key.replace(VARIATION_SELECTOR, "").strip()


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
    for event in events:
        if isinstance(event, Reaction) and credit_delta(event.key, settings) != 0:
            targets.add(event.target_event_id)
            giver_days.add((event.room_id, event.sender, utc_day(event.at)[0]))
        elif isinstance(event, Redaction):
            redacted.add(event.redacts)
    return FactsWanted(frozenset(targets), frozenset(redacted), frozenset(giver_days))


@dataclass(frozen=True)
class Target:
    receiver: str
    message_event_id: str | None
    proposal_id: int | None


class CreditBook:
    """The credit rules over one batch: facts in, effects out, no I/O."""

    def __init__(self, facts: CreditFacts, settings: ReputationSettings, bot_user_id: str) -> None:
        self.facts = facts
        self.settings = settings
        self.bot_user_id = bot_user_id
        self.effects = Effects()

    def take_effects(self) -> Effects:
        """What changed since the last call, to be written now."""
        effects, self.effects = self.effects, Effects()
        return effects

    def remember(self, message: Message, *, is_idea: bool) -> None:
        """Keep the author (for credits) and, for non-commands, the text (for !ideas)."""
        if message.sender_name:
            self.effects.remember_member(message.room_id, message.sender, message.sender_name)
        seen = message_seen(message.event_id, message.room_id, message.sender, message.at, message.body)
        self.facts.messages.setdefault(message.event_id, seen)  # the store keeps the first one too
        self.effects.add_message(seen, is_idea=is_idea)

    def target(self, reaction: Reaction) -> Target | None:
        """Who a reaction credits: the message's author, or the proposer for the bot's announcements."""
        message = self.facts.messages.get(reaction.target_event_id)
        if message is not None:
            if message.redacted or message.room_id != reaction.room_id or message.author == self.bot_user_id:
                return None
            return Target(message.author, message.event_id, None)
        announced = self.facts.announcements.get(reaction.target_event_id)
        if announced is None or announced.room_id != reaction.room_id:
            return None
        return Target(announced.proposer, None, announced.proposal_id)

    def on_reaction(self, reaction: Reaction) -> bool:
        """Apply a reaction's credit if the rules allow; True when a credit was given."""
        delta = credit_delta(reaction.key, self.settings)
        if delta == 0:
            return False
        target = self.target(reaction)
        if target is None or target.receiver == reaction.sender:
            return False  # not a member's message (or an announcement), or the reactor's own
        emoji = normalize_emoji(reaction.key)
        key = (reaction.sender, reaction.target_event_id, emoji)
        if key in self.facts.active:
            return False  # one credit per (reactor, message, emoji)
        day = (reaction.room_id, reaction.sender, utc_day(reaction.at)[0])
        given = self.facts.given.get(day, 0)
        if given >= self.settings.daily_cap:
            log.info("daily cap reached for %s; reaction %s gives nothing", reaction.sender, reaction.event_id)
            return False
        credit = Credit(
            room_id=reaction.room_id,
            giver=reaction.sender,
            receiver=target.receiver,
            delta=delta,
            reason=CreditReason.REACTION,
            at=reaction.at,
            source_event_id=reaction.event_id,
            target_event_id=reaction.target_event_id,
            emoji=emoji,
            proposal_id=target.proposal_id,
        )
        self.effects.add_credit(credit)
        self.facts.active[key] = credit
        self.facts.by_reaction[reaction.event_id] = credit
        self.facts.given[day] = given + 1
        if target.message_event_id is not None:
            self.effects.add_to_score(target.message_event_id, delta)
        return True

    def on_redaction(self, redaction: Redaction) -> None:
        """A removed reaction takes its credit back (once); a removed message leaves !ideas."""
        credit = self.facts.by_reaction.get(redaction.redacts)
        if credit is not None:
            if credit.room_id != redaction.room_id:
                return
            reversal = Credit(
                room_id=credit.room_id,
                giver=credit.giver,
                receiver=credit.receiver,
                delta=-credit.delta,
                reason=CreditReason.REVERSAL,
                at=redaction.at,
                source_event_id=redaction.event_id,
                target_event_id=credit.target_event_id,
                emoji=credit.emoji,
                reverses=credit.source_event_id,
            )
            self.effects.add_credit(reversal)
            del self.facts.by_reaction[redaction.redacts]
            key = (str(credit.giver), str(credit.target_event_id), str(credit.emoji))
            if self.facts.active.get(key) == credit:
                del self.facts.active[key]
            if credit.target_event_id in self.facts.messages:
                self.effects.add_to_score(credit.target_event_id, -credit.delta)
            return
        message = self.facts.messages.get(redaction.redacts)
        if message is not None and not message.redacted:
            self.facts.messages[redaction.redacts] = dataclasses.replace(message, redacted=True)
            self.effects.mark_redacted(redaction.redacts)
