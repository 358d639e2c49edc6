"""Every user-facing sentence, per language, and the number, money, time and progress-bar formats."""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta
from fractions import Fraction
from string import Formatter
from zoneinfo import ZoneInfo

from handlers.text import Rendered, user_text

Catalog = dict[str, str]

EN: Catalog = {
    # generic
    "internal_error": "Something went wrong on my side; nothing was changed. Please try again later.",
    "unknown_command": "I don't know the command {command}. Send {prefix}help for the list of commands.",
    "usage": "Usage: {usage}\nExample: {example}",
    # parse errors (handlers.parsing.ParseError codes)
    "err.bad_money": "I can't read the amount “{token}”. Write money like €2.500, €2,500.50 or 2500 euro.",
    "err.money_too_large": "“{token}” is more than the maximum of €10,000,000.",
    "err.money_not_positive": "The amount “{token}” must be more than zero.",
    "err.bad_hours": "I can't read the hours “{token}”. Write hours like 40h, 40 hours or 1.5h.",
    "err.hours_too_large": "“{token}” is more than the maximum of 100,000 hours.",
    "err.hours_not_positive": "The hours “{token}” must be more than zero.",
    "err.bad_date": (
        "I can't read the deadline “{token}”. Write it like 2026-12-15, 2026-12-15 17:00, 15-12-2026 "
        "or in 3 days / in 2 weeks / in 36h."
    ),
    "err.missing_deadline": "Which deadline? Give the new one, like 2026-12-31 or in 7 days.",
    "err.deadline_past": "The deadline “{token}” has already passed; choose a moment in the future.",
    "err.deadline_too_far": "The deadline “{token}” is more than {max_days} days away.",
    "err.bad_duration": "I can't read the duration “{token}”. Write it like 3d, 2w, 36h or 90m.",
    "err.bad_proposal_id": "“{token}” is not a proposal number. Write it like #3 or 3.",
    "err.missing_proposal_id": "Which proposal? Give its number, like #3, or reply to my announcement of it.",
    "err.title_length": "A title needs {min} to {max} characters.",
    "err.unknown_token": "I don't understand “{token}”.",
    "err.duplicate_money": "You gave an amount of money twice (“{token}”).",
    "err.duplicate_hours": "You gave hours twice (“{token}”).",
    "err.duplicate_deadline": "You gave a deadline twice (“{token}”).",
    "err.duplicate_min": "You gave the minimum number of backers twice (“{token}”).",
    "err.bad_min_backers": "“{token}” is not a valid minimum number of backers (1 to 100,000).",
    "err.ambiguous_number": "“{token}” alone is unclear: write €{token} for money or {token}h for hours.",
    "err.note_too_long": "The note is too long (at most {max} characters).",
    "err.description_too_long": "The description is too long ({length} characters; at most {max}).",
    "err.bad_count": "“{token}” is not a number from 1 to {max}.",
    "err.bad_user": "“{token}” is not a Matrix user id. Write it like @name:server.org.",
    "err.missing_reason": "Please give a reason.",
    "err.reason_too_long": "The reason is too long (at most {max} characters).",
    # help
    "help.title": "Kring commands:",
    "help.dash": " — ",
    "help.footer": "Send {prefix}help <command> for its syntax and an example.",
    "help.unknown": "There is no command “{command}”. Send {prefix}help for the list.",
    "summary.help": "this overview, or the syntax of one command",
    "summary.propose": "turn an idea into a proposal with goals and a deadline",
    "summary.backme": "back a proposal with money, hours or plain support",
    "summary.withdraw": "withdraw your pledge before the deadline",
    "summary.object": "record an objection (shown, never blocking)",
    "summary.proposals": "open proposals with their progress",
    "summary.proposal": "full status of one proposal",
    "summary.rep": "a member's credits and rank",
    "summary.top": "the leaderboard",
    "summary.ideas": "the most credited recent ideas not yet proposed",
    "summary.cancel": "cancel an open proposal (proposer or moderator)",
    "summary.extend": "move a deadline later (moderator)",
    "help.command": "{prefix}{command}",
    "help.status_alias": "Also: {prefix}status <id>",
    "arg.id": "<id>",
    "arg.pledge": "<id> [€<money>] [<n>h] [note]",
    "arg.propose": "<title> [€<money>] [<n>h] [by <date> | in <n> days] [min <n>]",
    "arg.date": "<date>",
    "arg.reason": "<reason>",
    "arg.reason_optional": "[reason]",
    "arg.user": "[@user]",
    "arg.count": "[n]",
    "arg.command": "[command]",
    "example.help": "{prefix}help backme",
    "example.propose": "{prefix}propose Shared courier for the district €2.500 40h by 2026-12-15 min 5",
    "example.backme": "{prefix}backme #3 €250 4h happy to drive on Tuesdays",
    "example.withdraw": "{prefix}withdraw #3",
    "example.object": "{prefix}object #3 the insurer already offers this",
    "example.proposals": "{prefix}proposals",
    "example.proposal": "{prefix}proposal #3",
    "example.rep": "{prefix}rep @anna:example.org",
    "example.top": "{prefix}top 5",
    "example.ideas": "{prefix}ideas",
    "example.cancel": "{prefix}cancel #3 merged with #4",
    "example.extend": "{prefix}extend #3 2026-12-31",
    "help.propose_multiline": (
        "Or over several lines: {prefix}propose <title>, then goal: €2.500, hours: 40, "
        "deadline: 2026-12-15 17:00, backers: 5; other lines are the description. "
        "Reply to an idea with {prefix}propose to link it."
    ),
    # proposals
    "proposal.not_found": "There is no proposal #{number} in this room. Send {prefix}proposals for the open ones.",
    "proposal.closed": "Proposal #{number} is already closed ({status}).",
    "proposal.deadline_passed": "The deadline of #{number} has passed; the decision is being announced.",
    "proposal.reputation_low": "You need at least {needed} credits to make a proposal; you have {credits}.",
    "proposal.announce": "📣 New proposal #{number}: {title}\nProposed by {proposer}.",
    "proposal.idea_link": "From the idea by {author}: “{excerpt}”",
    "proposal.goals": "Goals: {goals}",
    "proposal.deadline": "Deadline: {deadline} ({left})",
    "proposal.how_to_back": "Back it: {prefix}backme {number} [€amount] [hours] [note] — or react to this message.",
    "proposal.no_open": "There are no open proposals. Start one with {prefix}propose.",
    "proposal.open_title": "Open proposals:",
    "proposal.list_item": "#{number} {title}",
    "proposal.status_title": "#{number} {title} — {status}",
    "proposal.proposer": "Proposed by {proposer} on {created}.",
    "proposal.backers_title": "Backers ({count}):",
    "proposal.no_backers": "No backers yet.",
    "proposal.objections_title": "Objections ({count}):",
    "proposal.objection": "{user}: {reason}",
    "proposal.cancelled_reason": "Cancelled: {reason}",
    "proposal.decided": "Decided {when}.",
    "status.open": "open",
    "status.go": "GO",
    "status.no-go": "NO-GO",
    "status.cancelled": "cancelled",
    "goal.money": "{amount}",
    "goal.hours": "{hours}",
    "goal.backers": "{count} backers",
    "goal.backer": "1 backer",
    "pledge.money": "{amount}",
    "pledge.hours": "{hours}",
    "pledge.support": "support",
    "pledge.line": "{user}: {pledge}",
    "pledge.line_note": "{user}: {pledge} — “{note}”",
    # pledges
    "pledge.placed": "Thank you {user}: you back #{number} {title} with {pledge}.",
    "pledge.changed": "{user}, your pledge to #{number} is now {pledge} (was {old}).",
    "pledge.unchanged": "{user}, your pledge to #{number} was already {pledge}.",
    "pledge.withdrawn": "{user}, your pledge to #{number} ({pledge}) is withdrawn.",
    "pledge.none": "You have no pledge on #{number}, so there is nothing to withdraw.",
    "pledge.locked": (
        "In the last {hours} hours before the deadline you can't drop #{number} below a goal it has "
        "reached ({goals}). Your pledge stays as it was."
    ),
    "pledge.closed": "Proposal #{number} is closed ({status}); pledges can no longer change.",
    # objections
    "object.recorded": "Your objection to #{number} is recorded; it will be shown with its status and decision.",
    "object.closed": "Proposal #{number} is closed ({status}); objections can no longer be added.",
    # cancel / extend
    "cancel.announce": "🚫 Proposal #{number} {title} was cancelled by {user}.",
    "cancel.reason": "Reason: {reason}",
    "denied.cancel": "Only the proposer ({proposer}) or a moderator can cancel #{number}.",
    "denied.extend": "Only a moderator (power level {level} or more) can move a deadline.",
    "extend.not_later": "The new deadline must be later than the current one ({deadline}).",
    "extend.done": "The deadline of #{number} {title} is now {deadline} ({left}).",
    # announcements
    "reminder.announce": "⏰ Reminder: #{number} {title} closes {deadline} ({left}).",
    "reminder.gap": "Still needed: {gap}.",
    "reminder.met": "Every goal is met; backing stays open until the deadline.",
    "fully_backed.announce": "🎯 #{number} {title} is fully backed! Pledges stay open until {deadline}.",
    "decision.go": "✅ GO #{number} {title}",
    "decision.no_go": "❌ NO-GO #{number} {title}",
    "decision.late": "(Announced late: the deadline was {deadline}, while I was offline.)",
    "decision.go_reason": "Every goal was met: {totals}.",
    "decision.no_go_reason": "Short of: {gap}.",
    "decision.rewards": "Rewards: {proposer} +{proposer_credits} credits, each backer +{backer_credits}.",
    "gap.money": "{amount}",
    "gap.hours": "{hours}",
    "gap.backers": "{count} more backers",
    "gap.backer": "1 more backer",
    # reputation
    "rep.line": "{user} has {credits} credits in this room (rank {rank}).",
    "rep.none": "{user} has no credits in this room yet.",
    "top.title": "Most credited members:",
    "top.line": "{rank}. {user} — {credits}",
    "top.none": "No credits have been given in this room yet. React with 👍 to a good message!",
    "ideas.title": "Most credited ideas of the last {days} days:",
    "ideas.line": "+{score} {author}: “{excerpt}”",
    "ideas.footer": "To make one a proposal, reply to the original message with {prefix}propose <title>.",
    "ideas.none": "No credited ideas in the last {days} days. React with 👍 to the ideas you like.",
    # encryption
    "crypto.undecryptable": (
        "I could not decrypt {count} encrypted message(s) from {users}: the keys never reached me, so they "
        "counted for nothing. If one was a command, please send it again. To avoid this, let your client share "
        "keys with unverified sessions (Element: Settings → Security & Privacy), or verify Kring's device."
    ),
    # time
    "left.days": "{n} days left",
    "left.day": "1 day left",
    "left.hours": "{n} hours left",
    "left.hour": "1 hour left",
    "left.minutes": "{n} minutes left",
    "left.closing": "closing now",
    "progress.backers": "{count}/{needed} backers",
}

NL: Catalog = {
    "internal_error": "Er ging bij mij iets mis; er is niets veranderd. Probeer het later nog eens.",
    "unknown_command": "Het commando {command} ken ik niet. Stuur {prefix}help voor de lijst.",
    "usage": "Gebruik: {usage}\nVoorbeeld: {example}",
    "help.title": "Kring-commando's:",
    "help.footer": "Stuur {prefix}help <commando> voor de schrijfwijze en een voorbeeld.",
    "left.days": "nog {n} dagen",
    "left.day": "nog 1 dag",
    "left.hours": "nog {n} uur",
    "left.hour": "nog 1 uur",
    "left.minutes": "nog {n} minuten",
    "left.closing": "sluit nu",
    "progress.backers": "{count}/{needed} backers",
    "status.open": "open",
    "status.cancelled": "ingetrokken",
}

CATALOGS: dict[str, Catalog] = {"en": EN, "nl": NL}

_FORMATTER = Formatter()
BAR_WIDTH = 10


class Texts:
    """Looks up sentences in one language (falling back to English) and formats values for it."""

    def __init__(self, language: str, timezone: ZoneInfo, prefix: str = "!") -> None:
        self.language = language
        self.catalog = {**EN, **CATALOGS.get(language, {})}
        self.zone = timezone
        self.prefix = prefix

    def t(self, key: str, **params: str | int | Rendered) -> Rendered:
        """The sentence `key` with params filled in; plain strings are user text and get escaped in HTML."""
        values: dict[str, Rendered] = {"prefix": user_text(self.prefix)}
        for name, value in params.items():
            values[name] = value if isinstance(value, Rendered) else user_text(str(value))
        plain: list[str] = []
        html: list[str] = []
        for literal, literal_html, field in _parsed(self.catalog[key]):
            plain.append(literal)
            html.append(literal_html)
            if field is not None:
                plain.append(values[field].plain)
                html.append(values[field].html)
        return Rendered("".join(plain), "".join(html))

    def has(self, key: str) -> bool:
        return key in self.catalog

    # value formats
    def money(self, cents: int) -> str:
        euros, rest = divmod(cents, 100)
        thousands, decimal = (".", ",") if self.language == "nl" else (",", ".")
        grouped = f"{euros:,}".replace(",", thousands)
        return f"€{grouped}" if rest == 0 else f"€{grouped}{decimal}{rest:02d}"

    def hours(self, minutes: int) -> str:
        whole, rest = divmod(minutes, 60)
        if rest == 0:
            return f"{whole}h"
        text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
        return (text.replace(".", ",") if self.language == "nl" else text) + "h"

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        if self.language == "nl":
            return local.strftime("%d-%m-%Y %H:%M")
        return local.strftime("%Y-%m-%d %H:%M")

    def time_left(self, remaining: timedelta) -> Rendered:
        # Count in started minutes: "in 3 days" stored to the whole second must still read "3 days left".
        seconds = math.ceil(remaining.total_seconds() / 60) * 60
        if seconds <= 60:
            return self.t("left.closing")
        if seconds >= 2 * 86400:
            return self.t("left.days", n=int(seconds // 86400))
        if seconds >= 86400:
            return self.t("left.day")
        if seconds >= 2 * 3600:
            return self.t("left.hours", n=int(seconds // 3600))
        if seconds >= 3600:
            return self.t("left.hour")
        return self.t("left.minutes", n=seconds // 60)

    def bar(self, ratio: Fraction) -> str:
        percent = math.floor(ratio * 100)
        filled = max(0, min(BAR_WIDTH, percent // 10))
        return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {percent}%"


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str, str | None], ...]:
    """A template's literal parts (plain and as HTML) and fields, worked out once per template."""
    return tuple((literal, _escape_literal(literal), field) for literal, field, _, _ in _FORMATTER.parse(template))


def _escape_literal(literal: str) -> str:
    escaped = literal.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")
