"""A bank statement's lines taken in: each new incoming line matched to a payment request and booked as a
confirmed money delivery with the bank as its source (said once in the proposal's thread), or kept as a suggestion,
a double payment or a line for the treasurer; then a summary. All or nothing: a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handlers.events import Say
from handlers.payments.matching import Match, UnknownReference, match_lines
from handlers.payments.requests import shown_iban
from handlers.proposals.confirmations import confirm_deliveries
from handlers.proposals.underway import in_thread
from handlers.settings import CommunitySettings, valid_iban
from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, lines, user_text
from handlers.wording.room_language import room_texts
from storage.records import BANK, BankLine, LineOutcome, Proposal
from storage.store import Store

DIGESTED = "sha256:"  # the key of a line the bank gave no reference of its own (bot.payments.statement)
TEXT_SHOWN = 60  # of a payer's description, in the summary


class ImportRefused(Exception):
    """The statement is not taken in at all; `key` and `params` say why, in one sentence."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


@dataclass
class Imported:
    """What one import did: every new line's match, how many lines were known already, and what to post."""

    matches: list[Match] = field(default_factory=list)
    duplicates: list[Match] = field(default_factory=list)  # new keys, but the booking of a line imported before
    already: int = 0
    says: list[Say] = field(default_factory=list)
    proposals: dict[int, Proposal] = field(default_factory=dict)


async def import_statement(
    store: Store, settings: CommunitySettings, account_iban: str, bank_lines: Sequence[BankLine], now: datetime
) -> Imported:
    """Take in a statement's lines, inside the caller's transaction; ImportRefused before anything is written."""
    money = settings.money
    if money is None:
        raise ImportRefused("payments.no_money")
    try:
        account = valid_iban(account_iban)
    except ValueError:
        account = account_iban
    if account != money.iban:
        raise ImportRefused("payments.other_account", found=account_iban, expected=shown_iban(money.iban))
    known = await store.payments.known_keys({line.key for line in bank_lines})
    fresh: dict[str, BankLine] = {}
    for line in bank_lines:
        if line.key not in known:
            fresh.setdefault(line.key, line)  # a line twice in one file is one line
    result = Imported(already=len(bank_lines) - len(fresh))
    if fresh:
        first = min(line.booked_on for line in fresh.values())
        last = max(line.booked_on for line in fresh.values())
        before: dict[tuple[object, ...], set[bool]] = {}
        for known_line in await store.payments.booked_between(first, last):
            before.setdefault(_booking(known_line), set()).add(known_line.key.startswith(DIGESTED))
        for key, line in list(fresh.items()):
            digested = before.get(_booking(line), set())
            # Two lines that both carry the bank's reference, and different ones, are two bookings.
            if line.amount_cents > 0 and (True in digested or (digested and key.startswith(DIGESTED))):
                result.duplicates.append(Match(line, LineOutcome.UNMATCHED))
                del fresh[key]
    requests = await store.payments.all_requests()
    proposal_ids = {request.proposal_id for request in requests}
    for proposal_id in proposal_ids:
        proposal = await store.proposals.get(proposal_id)
        if proposal is not None:
            result.proposals[proposal_id] = proposal
    numbers = {pid: proposal.number for pid, proposal in result.proposals.items()}
    arrived = await store.payments.arrived([request.id for request in requests])
    try:
        result.matches = match_lines(list(fresh.values()), requests, arrived, numbers)
    except UnknownReference as unknown:
        texts = await _texts(store, settings)
        raise ImportRefused(
            "payments.unknown_reference",
            date=unknown.line.booked_on.isoformat(),
            amount=texts.money(unknown.line.amount_cents),
            reference=unknown.reference,
        ) from None
    kept = []  # lines that book nothing: kept together
    for match in result.matches:
        if match.request is None or match.outcome is LineOutcome.DOUBLE:
            kept.append((match.line, match.outcome, None if match.request is None else match.request.id, None))
        else:
            await _book(store, settings, match, now, result)
    await store.payments.add_lines(kept, now)
    return result


def _booking(line: BankLine) -> tuple[object, ...]:
    """What the same booking says in a bank's MT940 and its CAMT.053 alike: date, amount, account, text (its
    spacing and case aside: the formats wrap and join the text differently)."""
    iban, text = "".join(line.payer_iban.split()).upper(), "".join(line.text.split()).casefold()
    return line.booked_on, line.amount_cents, line.currency, iban, text


async def _texts(store: Store, settings: CommunitySettings, room_id: str | None = None) -> Texts:
    return await room_texts(store, settings, room_id or "")


async def _book(store: Store, settings: CommunitySettings, match: Match, now: datetime, result: Imported) -> None:
    line, request = match.line, match.request
    assert request is not None
    proposal = result.proposals[request.proposal_id]
    event_id = f"{BANK}:{line.key}"
    delivery = await store.underway.add_delivery(
        proposal.id, request.user_id, match.counted_cents or line.amount_cents, 0, BANK, now, event_id
    )
    await store.payments.add_line(line, match.outcome, now, request_id=request.id, delivery_id=delivery.id)
    if match.outcome is not LineOutcome.MATCHED:
        return  # a suggestion waits, unconfirmed, for a treasurer's !confirm
    texts = await _texts(store, settings, proposal.room_id)
    # The bank confirms as a proposer would and grants the money-delivery credits; no member gave them.
    await confirm_deliveries(
        store, settings, texts, proposal, request.user_id, BANK, [delivery], event_id=event_id, at=now
    )
    names = await store.members.display_names(proposal.room_id, [request.user_id])
    backer = user_text(names.get(request.user_id, request.user_id))
    parts = [texts.t("money.arrived", backer=backer, amount=texts.money(line.amount_cents), number=proposal.number)]
    if match.left_cents:
        parts.append(texts.t("money.part_left", left=texts.money(match.left_cents)))
    if match.surplus_cents:
        parts.append(texts.t("money.surplus", surplus=texts.money(match.surplus_cents)))
    result.says.append(in_thread(proposal, lines(parts), mentions=(request.user_id,)))


def summary(texts: Texts, account_iban: str, read: int, result: Imported) -> Rendered:
    """What the treasurer reads after an import: matched, suggested, not matched, paid twice, known, ignored."""
    by = {outcome: [m for m in result.matches if m.outcome is outcome] for outcome in LineOutcome}
    parts = [texts.tn("payments.summary", read, iban=shown_iban(account_iban), count=read)]

    def about(match: Match) -> dict[str, str | int | Rendered]:
        line = match.line
        shown: dict[str, str | int | Rendered] = {
            "date": line.booked_on.isoformat(),
            "amount": texts.money(line.amount_cents),
            "name": user_text(line.payer_name or "?"),
            "text": user_text(line.text[:TEXT_SHOWN] + ("…" if len(line.text) > TEXT_SHOWN else "")),
        }
        if match.request is not None:
            proposal = result.proposals[match.request.proposal_id]
            shown["number"] = proposal.number
            shown["backer"] = user_text(match.request.user_id)
        return shown

    if by[LineOutcome.MATCHED]:
        parts.append(texts.t("payments.matched_title", count=len(by[LineOutcome.MATCHED])))
        for match in by[LineOutcome.MATCHED]:
            row = texts.t("payments.matched", **about(match))
            if match.left_cents:
                row = row + user_text(" · ") + texts.t("payments.left", left=texts.money(match.left_cents))
            if match.surplus_cents:
                row = row + user_text(" · ") + texts.t("payments.surplus", surplus=texts.money(match.surplus_cents))
            parts.append(row)
    for outcome, title, row_key in (
        (LineOutcome.SUGGESTED, "payments.suggested_title", "payments.suggested"),
        (LineOutcome.UNMATCHED, "payments.unmatched_title", "payments.unmatched"),
        (LineOutcome.DOUBLE, "payments.double_title", "payments.double"),
    ):
        if by[outcome]:
            parts.append(texts.t(title, count=len(by[outcome])))
            parts += [texts.t(row_key, **about(match)) for match in by[outcome]]
    if result.duplicates:
        parts.append(texts.t("payments.duplicate_title", count=len(result.duplicates)))
        parts += [texts.t("payments.unmatched", **about(match)) for match in result.duplicates]
    if result.already:
        parts.append(texts.t("payments.already", count=result.already))
    if by[LineOutcome.IGNORED]:
        parts.append(texts.t("payments.ignored", count=len(by[LineOutcome.IGNORED])))
    return lines(parts)
