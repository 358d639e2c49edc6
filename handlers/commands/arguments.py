"""The kinds of argument a command can declare: a proposal, a pledge, a title with goals, a date, a reason, a talent, …

Each reads its part of the command text (and says in the usage line how to write it); the ones that name
something in the store look it up before the handler runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from handlers.commands.context import Context, UsageError, UserError, first_word
from handlers.members.matching import TALENT_MAX, TALENT_MIN, talent_key
from handlers.parsing import (
    FOR_LABELS,
    OFF_WORDS,
    ON_WORDS,
    ParseError,
    PledgeDraft,
    Problem,
    ProposalDraft,
    ProposalEdit,
    clean_text,
    parse_amounts,
    parse_deadline,
    parse_edit,
    parse_pledge,
    parse_proposal_number,
    parse_propose,
    parse_small_count,
    pledge_in_order,
    shown,
    starts_with_amount,
    talent_list,
    without_joining_words,
)
from handlers.wording.catalog import languages
from handlers.wording.markup import lines
from storage.records import Need, Proposal

REASON_MAX = 500
UPDATE_MAX = 2000
_PERCENT_RE = re.compile(r"(?<![\w.,])(?P<n>[0-9]{1,3}) ?%")
USER_ID_MAX = 255
NEED_MAX = 1000
_FOR_RE = re.compile(rf"(?:^|\s){FOR_LABELS.pattern}\s*:\s*", re.IGNORECASE)
_NEED_NUMBER_RE = re.compile(r"(?:n#|#)?(?P<n>[0-9]+)", re.IGNORECASE)
T = TypeVar("T")


class _Plain(Generic[T]):
    """An argument that names nothing in the store: what it parses is what the handler gets."""

    async def resolve(self, ctx: Context, parsed: T) -> T:
        return parsed


def _about_a_proposal(ctx: Context) -> bool:
    """Whether the command may leave the proposal out: it replies to something, or was sent in a thread."""
    return bool(ctx.message.reply_to or ctx.message.thread_root)


async def _proposal(ctx: Context, number: int | None) -> Proposal:
    """The proposal numbered `number` in the room, or the one the command replies to (an announcement or status),
    or the one whose thread it was sent in."""
    if number is None and ctx.message.reply_to:
        sent = await ctx.store.bot_messages.bot_message(ctx.message.reply_to)
        if sent is not None and sent.proposal_id is not None:
            replied = await ctx.store.proposals.get(sent.proposal_id)
            if replied is not None and replied.room_id == ctx.room_id:
                return replied
    if number is None and ctx.message.thread_root:
        threaded = await ctx.store.proposals.by_thread_root(ctx.message.thread_root)
        if threaded is not None and threaded.room_id == ctx.room_id:
            return threaded
    if number is None:
        raise UsageError(ctx.texts.t("err.missing_proposal_number"))
    proposal = await ctx.store.proposals.by_number(ctx.room_id, number)
    if proposal is None:
        raise UserError(ctx.texts.t("proposal.not_found", number=number))
    return proposal


class ProposalRef:
    """`#3` or `3`; left out, the proposal of the message the command replies to."""

    usage_key = "arg.id"

    def parse(self, ctx: Context, text: str) -> tuple[int | None, str]:
        first, rest = first_word(text)
        if not first:
            return None, ""
        if _about_a_proposal(ctx) and starts_with_amount(text):
            return None, text  # `!geleverd 6 uur` in the thread: the proposal is known, the 6 is hours
        try:
            return parse_proposal_number(first), rest
        except ParseError:
            if _about_a_proposal(ctx) and not first.lstrip("#").isdigit():
                return None, text  # a reply to a proposal, or in its thread: the words are the next argument's
            raise

    async def resolve(self, ctx: Context, parsed: int | None) -> Proposal:
        return await _proposal(ctx, parsed)


@dataclass(frozen=True)
class PledgeRequest:
    proposal: Proposal
    draft: PledgeDraft


class PledgeTerms:
    """`<number> [€<money>] [<n>h] [note]`: amounts may stand anywhere after the number, the rest is the note."""

    usage_key = "arg.pledge"

    def parse(self, ctx: Context, text: str) -> tuple[PledgeDraft, str]:
        try:
            draft = parse_pledge(without_joining_words(text), ctx.settings.proposals.day_parts)
        except ParseError as error:
            if error.code is Problem.MISSING_PROPOSAL_NUMBER and _about_a_proposal(ctx):
                draft = PledgeDraft(proposal_number=None, money_cents=None, minutes=None, note="")
            else:
                raise self._with_suggestion(ctx, error, text) from None
        first = text.split()[0] if text else ""
        if draft.proposal_number is None and not _about_a_proposal(ctx) and draft.note.split()[:1] == [first]:
            # `!backme abc`: outside a reply to an announcement, a leading word is a bad number, not a note's start.
            raise ParseError(Problem.BAD_PROPOSAL_NUMBER, first)
        if draft.proposal_number is None and not _about_a_proposal(ctx):
            raise self._with_suggestion(ctx, ParseError(Problem.MISSING_PROPOSAL_NUMBER), text)
        return draft, ""

    @staticmethod
    def _with_suggestion(ctx: Context, error: ParseError, text: str) -> UsageError:
        """The error, and when the proposal number came after the amounts (`€50 1`), the order meant."""
        usage = ctx.parse_error(error)
        if not _about_a_proposal(ctx):
            usage.suggestion = pledge_in_order(text)
        return usage

    async def resolve(self, ctx: Context, parsed: PledgeDraft) -> PledgeRequest:
        return PledgeRequest(await _proposal(ctx, parsed.proposal_number), parsed)


class ProposalTerms(_Plain[ProposalDraft]):
    """`<title> [€<money>] [<n>h] [by <date> | in <n> days] [min <n>]`, or a title line and field lines."""

    usage_key = "arg.propose"

    def parse(self, ctx: Context, text: str) -> tuple[ProposalDraft, str]:
        if not text:
            raise UsageError(ctx.texts.t("err.title_missing"))
        settings = ctx.settings.proposals
        try:
            return parse_propose(text, ctx.now, settings.zone, settings.max_deadline_days, settings.day_parts), ""
        except ParseError as error:
            if "\n" not in text and "\r" not in text:
                raise
            # A proposal written over several lines is shown that form, not the one-line usage.
            problem = ctx.parse_error(error).problem
            raise UserError(lines([problem, ctx.texts.t("usage.propose_multiline")])) from None


class EditTerms(_Plain[ProposalEdit]):
    """`title: …`, `description: …`, `goal: €3.000`, `hours: 40`, `backers: 4`, `deadline: …`: what `!edit` changes."""

    usage_key = "arg.edit"

    def parse(self, ctx: Context, text: str) -> tuple[ProposalEdit, str]:
        if not text.strip():  # `!edit 2` alone: say what can be changed, not that “” is none of it
            raise UsageError(ctx.texts.t("err.missing_edit"))
        settings = ctx.settings.proposals
        return parse_edit(text, ctx.now, settings.zone, settings.max_deadline_days, settings.day_parts), ""


class Deadline(_Plain[datetime]):
    """A new deadline: a date, a date and time, or `in 3 days`."""

    usage_key = "arg.date"

    def parse(self, ctx: Context, text: str) -> tuple[datetime, str]:
        if not text:
            raise UsageError(ctx.texts.t("err.missing_deadline"))
        settings = ctx.settings.proposals
        return parse_deadline(text, ctx.now, settings.zone, settings.max_deadline_days), ""


@dataclass(frozen=True)
class Reason(_Plain[str]):
    """The rest of the line, on one line, at most REASON_MAX characters; `required` or may be left out."""

    required: bool = True
    usage: str = ""  # the catalog key of its usage, when it is no reason: `[summary]`

    @property
    def usage_key(self) -> str:
        return self.usage or ("arg.reason" if self.required else "arg.reason_optional")

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        reason = " ".join(clean_text(text).split())
        if self.required and not reason:
            raise UsageError(ctx.texts.t("err.missing_reason"))
        if len(reason) > REASON_MAX:
            raise UsageError(ctx.texts.t("err.reason_too_long", max=REASON_MAX))
        return reason, ""


@dataclass(frozen=True)
class Member:
    """`[@user]`: a member typed as a user id, or picked from the client's list (a pill: the body holds the display
    name, the user id is in `m.mentions`); left out, the sender (or, when `required`, a usage error).

    Clients also mention the author of the message a command replies to: that mention alone names nobody.
    """

    required: bool = False
    by_name: bool = False  # a bare word (`fleur`) passes as a name for the handler to look up among those it expects

    @property
    def usage_key(self) -> str:
        return "arg.member" if self.required else "arg.user"

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        typed = text.strip()
        if not typed:
            if self.required:
                raise UsageError(ctx.texts.t("err.missing_member"))
            return "", ""
        token = typed.split(None, 1)[0]
        if token.startswith("@") and 2 <= len(token) <= USER_ID_MAX and " " not in typed:
            return token, ""
        if not ctx.message.mentions:
            if self.by_name and " " not in typed:
                return typed, ""
            raise UsageError(ctx.texts.t("err.bad_user", token=shown(token)))
        return typed, ""

    async def resolve(self, ctx: Context, parsed: str) -> str:
        member = await self._resolve(ctx, parsed)
        if member and member != ctx.sender and await ctx.store.member_data.forgotten_among([member]):
            raise UserError(ctx.texts.t("privacy.member_forgotten"))  # never named or credited again
        return member

    async def _resolve(self, ctx: Context, parsed: str) -> str:
        if not parsed:
            return ctx.sender
        if parsed.startswith("@") and " " not in parsed:
            return parsed
        if self.by_name and not ctx.message.mentions:
            return parsed  # a name as typed: the handler matches it, or names whom it could be
        mentioned = list(ctx.message.mentions)
        names = await ctx.store.members.names_as_typed(ctx.room_id, mentioned)
        typed = parsed.casefold()
        named = [user for user in mentioned if user in names and names[user].casefold() in typed]
        if named:
            return named[0]
        replied = await ctx.store.messages.get(ctx.message.reply_to) if ctx.message.reply_to else None
        others = [user for user in mentioned if user in names and (replied is None or user != replied.author)]
        if others:
            return others[0]
        raise UsageError(ctx.texts.t("err.bad_user", token=shown(parsed.split(None, 1)[0])))


@dataclass(frozen=True)
class Count(_Plain[int]):
    """`[n]`: a whole number from 1 to `most`; left out, `default`."""

    default: int
    most: int
    usage_key = "arg.count"

    def parse(self, ctx: Context, text: str) -> tuple[int, str]:
        if not text:
            return self.default, ""
        token, rest = first_word(text)
        count = parse_small_count(token)
        if count is None or not 1 <= count <= self.most:
            raise UsageError(ctx.texts.t("err.bad_count", token=shown(token), max=self.most))
        return count, rest.strip()


class Page(_Plain[int]):
    """`[page]`: a page of a long list, from 1; left out, the first."""

    usage_key = "arg.page"

    def parse(self, ctx: Context, text: str) -> tuple[int, str]:
        if not text:
            return 1, ""
        token, rest = first_word(text)
        page = parse_small_count(token, max_digits=6)
        if page is None or page < 1:
            raise UsageError(ctx.texts.t("err.bad_page", token=shown(token)))
        return page, rest.strip()


class CommandWord(_Plain[str | None]):
    """`[command]`: the name of a command, with or without the prefix; left out, None."""

    usage_key = "arg.command"

    def parse(self, ctx: Context, text: str) -> tuple[str | None, str]:
        if not text:
            return None, ""
        word, rest = first_word(text)
        return word.removeprefix(ctx.texts.prefix), rest.strip()


class Language(_Plain[str]):
    """`nl|en`: a language Kring has a catalog for."""

    usage_key = "arg.language"

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        token, rest = first_word(text)
        wanted = token.lower()
        if not token:
            raise UsageError(ctx.texts.t("err.missing_language", languages=", ".join(languages())))
        if wanted not in languages():
            raise UsageError(ctx.texts.t("err.bad_language", token=shown(token), languages=", ".join(languages())))
        return wanted, rest.strip()


@dataclass(frozen=True)
class Progress:
    """What an update says: its text, and how far the work is if it names a percentage (`60%`)."""

    text: str
    percent: int | None


class UpdateText(_Plain[Progress]):
    """`<text> [NN%]`: the rest of the line; a percentage anywhere in it is the progress."""

    usage_key = "arg.update"

    def parse(self, ctx: Context, text: str) -> tuple[Progress, str]:
        cleaned = clean_text(text).strip()
        percent = None
        found = _PERCENT_RE.search(cleaned)
        if found is not None:
            percent = int(found["n"])
            if percent > 100:
                raise UsageError(ctx.texts.t("err.bad_percent", token=shown(found.group())))
            cleaned = (cleaned[: found.start()] + cleaned[found.end() :]).strip()
        words = cleaned
        if not words:
            raise UsageError(ctx.texts.t("err.missing_update"))
        if len(words) > UPDATE_MAX:
            raise UsageError(ctx.texts.t("err.update_too_long", max=UPDATE_MAX))
        return Progress(words, percent), ""


class DeliveryTerms(_Plain[PledgeDraft]):
    """`[€<money>] [<n>h] [note]`: what a backer paid or did; at least one amount."""

    usage_key = "arg.delivery"

    def parse(self, ctx: Context, text: str) -> tuple[PledgeDraft, str]:
        draft = parse_amounts(without_joining_words(text), ctx.settings.proposals.day_parts)
        if not draft.money_cents and not draft.minutes:
            raise UsageError(ctx.texts.t("err.missing_delivery"))
        return draft, ""


class Talents(_Plain[tuple[str, ...]]):
    """`<talent>, …`: talents to add, each of TALENT_MIN to TALENT_MAX characters."""

    usage_key = "arg.talents"

    def parse(self, ctx: Context, text: str) -> tuple[tuple[str, ...], str]:
        found = talent_list(text)
        if not found:
            raise UsageError(ctx.texts.t("err.missing_talent"))
        for talent in found:
            if not TALENT_MIN <= len(talent) <= TALENT_MAX:
                raise UsageError(ctx.texts.t("err.talent_length", token=shown(talent), min=TALENT_MIN, max=TALENT_MAX))
        return tuple(found), ""


class TalentName(_Plain[str]):
    """`<talent>`: one talent, as the member wrote it."""

    usage_key = "arg.talent"

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        if not text.strip():
            raise UsageError(ctx.texts.t("err.missing_talent"))
        return clean_text(text.strip()), ""


class OnOff(_Plain[bool]):
    """`on|off` (`aan|uit`): whether matches may mention the member."""

    usage_key = "arg.on_off"

    def parse(self, ctx: Context, text: str) -> tuple[bool, str]:
        answer = text.strip().lower()
        if answer not in ON_WORDS.all | OFF_WORDS.all:
            raise UsageError(ctx.texts.t("err.bad_ask", token=shown(text.strip())))
        return answer in ON_WORDS, ""


class Switch(_Plain[bool | None]):
    """`[on|off]`: nothing shows the digest; on or off (aan, uit) switches the room's weekly one."""

    usage_key = "arg.digest"

    def parse(self, ctx: Context, text: str) -> tuple[bool | None, str]:
        token, rest = first_word(text)
        if not token:
            return None, ""
        if token.lower() not in ON_WORDS.all | OFF_WORDS.all:
            raise UsageError(ctx.texts.t("err.bad_digest", token=shown(token)))
        return token.lower() in ON_WORDS, rest.strip()


class Query(_Plain[str]):
    """`<words>`: what to look for among the talents."""

    usage_key = "arg.query"

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        query = clean_text(text).strip()
        if not talent_key(query):
            raise UsageError(ctx.texts.t("err.missing_query"))
        return query, ""


@dataclass(frozen=True)
class NeedRequest:
    """What a member needs, and the talents they name for it (`for: driver`)."""

    text: str
    named: tuple[str, ...]


class NeedText(_Plain[NeedRequest | None]):
    """`[<text>] [for: <talent>, …]`: a need (with the talents it asks for), or nothing to list the open ones."""

    usage_key = "arg.need"

    def parse(self, ctx: Context, text: str) -> tuple[NeedRequest | None, str]:
        cleaned = clean_text(text).strip()
        if not cleaned:
            return None, ""
        split = _FOR_RE.search(cleaned)
        named: tuple[str, ...] = ()
        if split is not None:
            named = tuple(talent_list(cleaned[split.end() :]))
            cleaned = cleaned[: split.start()].strip()
        if not cleaned:
            raise UsageError(ctx.texts.t("err.missing_need"))
        if len(cleaned) > NEED_MAX:
            raise UsageError(ctx.texts.t("err.need_too_long", max=NEED_MAX))
        return NeedRequest(cleaned, named), ""


class NeedRef:
    """`N#3`, `#3` or `3`: a need of the room."""

    usage_key = "arg.need_id"

    def parse(self, ctx: Context, text: str) -> tuple[int, str]:
        token, rest = first_word(text)
        found = _NEED_NUMBER_RE.fullmatch(token)
        number = parse_small_count(found["n"]) if found else None
        if number is None or number < 1:
            raise ParseError(Problem.BAD_NEED_ID, token)
        return number, rest.strip()

    async def resolve(self, ctx: Context, parsed: int) -> Need:
        found = await ctx.store.talents.need(ctx.room_id, parsed)
        if found is None:
            raise UserError(ctx.texts.t("needs.not_found", number=parsed))
        return found


class Helper(Member):
    """`[@member]` who helped; left out, nobody."""

    @property
    def usage_key(self) -> str:
        return "arg.helper"

    def parse(self, ctx: Context, text: str) -> tuple[str, str]:
        if not text.strip() and not ctx.message.mentions:
            return "", ""
        return super().parse(ctx, text)

    async def resolve(self, ctx: Context, parsed: str) -> str:
        return await super().resolve(ctx, parsed) if parsed else ""  # nobody, not the sender as for other members
