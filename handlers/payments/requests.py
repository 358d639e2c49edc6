"""After GO, a payment request for every money backer: amount, the association's account and a reference of
its own, in a direct message (its EPC QR code follows as an image); the GO announcement says that they went out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from schwifty import IBAN

from handlers.events import Say
from handlers.payments.references import formatted, reference_for
from handlers.settings import MoneySettings
from handlers.wording.catalog import Texts
from handlers.wording.fragments import ProposalFacts
from handlers.wording.markup import Rendered, lines, mention, user_text
from storage.records import MessageKind, PaymentRequest, Priority, Proposal
from storage.store import Store


@dataclass(frozen=True)
class EpcPayment:
    """What an EPC QR code (SEPA credit transfer) holds: the beneficiary, the amount and the structured reference."""

    name: str
    iban: str
    amount_cents: int
    reference: str


def epc_payment(money: MoneySettings, request: PaymentRequest) -> EpcPayment:
    return EpcPayment(money.account_name, money.iban, request.amount_cents, request.reference)


def shown_iban(iban: str) -> str:
    return str(IBAN(iban).formatted)


def paid_after_go(texts: Texts, money: MoneySettings) -> Rendered:
    """The one line before a decision: a money pledge is paid only after GO, to the association's account."""
    return texts.t("money.paid_after_go", account_name=money.account_name, iban=shown_iban(money.iban))


def treasurers(texts: Texts, money: MoneySettings) -> Rendered:
    """Who reads the bank statements: the configured treasurers, or the room's moderators."""
    if not money.treasurers:
        return texts.t("money.treasurers_moderators")
    return Rendered.join(user_text(", "), [mention(user, user) for user in money.treasurers])


def request_text(
    texts: Texts, money: MoneySettings, proposal: Proposal, request: PaymentRequest, *, open_cents: int | None = None
) -> Rendered:
    """The request as the backer reads it: every value on a line of its own, to copy; `open_cents`: what is left
    to pay after a part payment (the whole amount when None)."""
    return lines(
        [
            texts.t("money.request", number=proposal.number, title=proposal.title),
            texts.t(
                "money.request_amount", amount=texts.money(request.amount_cents if open_cents is None else open_cents)
            ),
            texts.t("money.request_iban", iban=shown_iban(money.iban)),
            texts.t("money.request_name", account_name=money.account_name),
            texts.t("money.request_reference", reference=formatted(request.reference)),
            texts.t("money.request_how"),
        ]
    )


async def request_payments(
    store: Store, money: MoneySettings, texts: Texts, facts: ProposalFacts, now: datetime
) -> tuple[list[Say], Rendered | None]:
    """Make the GO's payment requests (once) and the direct messages that carry them; with the line for the GO
    announcement, None when nobody pledged money."""
    proposal = facts.proposal
    # The proposer's own money pledge is asked for too: it counts towards the goal, so it must arrive.
    backers = sorted((p for p in facts.pledges if p.money_cents > 0), key=lambda p: (p.pledged_at, p.user_id))
    if not backers:
        return [], None
    await store.payments.add_requests(
        (
            (proposal.id, pledge.user_id, pledge.money_cents, reference_for(proposal.id, index))
            for index, pledge in enumerate(backers, start=1)
        ),
        now,
    )
    says = []
    for pledge in backers:
        request = await store.payments.request_of(proposal.id, pledge.user_id)
        assert request is not None
        for kind, text in (
            (MessageKind.PAYMENT_REQUEST, request_text(texts, money, proposal, request)),
            (MessageKind.PAYMENT_QR, texts.t("money.qr_caption", reference=formatted(request.reference))),
        ):
            says.append(
                Say(
                    room_id=proposal.room_id,
                    text=text,
                    kind=kind,
                    proposal_id=proposal.id,
                    mentions=(pledge.user_id,),
                    priority=Priority.PRIVATE,
                )
            )
    line = texts.tn("money.go_requests", len(backers), count=len(backers), treasurers=treasurers(texts, money))
    return says, line


async def requests_for_mine(store: Store, texts: Texts, room_id: str, user_id: str) -> list[Rendered]:
    """`!mine`: the member's payment requests in this room, pledged beside arrived, with the reference to copy."""
    requests = await store.payments.requests_of_member(user_id)
    arrived = await store.payments.arrived([request.id for request in requests])
    rows = []
    for request in requests:
        proposal = await store.proposals.get(request.proposal_id)
        if proposal is None or proposal.room_id != room_id:
            continue
        rows.append(
            texts.t(
                "money.mine_row",
                number=proposal.number,
                title=proposal.title,
                amount=texts.money(request.amount_cents),
                arrived=texts.money(arrived.get(request.id, 0)),
                reference=formatted(request.reference),
            )
        )
    return [texts.t("money.mine_title"), *rows] if rows else []


async def money_arrived(store: Store, texts: Texts, proposal: Proposal, who: Callable[[str], Rendered]) -> Rendered:
    """The status and the closing report: money asked for beside money arrived, and who has not paid (yet);
    empty when no payment request was made."""
    requests = await store.payments.requests_of([proposal.id])
    if not requests:
        return Rendered("", "")
    arrived = await store.payments.arrived([request.id for request in requests])
    asked = sum(request.amount_cents for request in requests)
    got = sum(min(arrived.get(request.id, 0), request.amount_cents) for request in requests)
    parts = [texts.t("money.arrived_total", arrived=texts.money(got), pledged=texts.money(asked))]
    missing = [
        texts.t("money.missing", user=who(r.user_id), amount=texts.money(r.amount_cents - arrived.get(r.id, 0)))
        for r in requests
        if arrived.get(r.id, 0) < r.amount_cents
    ]
    if missing:
        key = "money.not_arrived" if proposal.is_underway else "money.never_arrived"
        parts.append(texts.t(key, missing=Rendered.join(user_text(", "), missing)))
    return lines(parts)
