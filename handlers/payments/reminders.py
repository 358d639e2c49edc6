"""`request_reminder_days` after a payment request, a backer whose payment has not arrived in full is reminded,
once, in their direct room with Kring, while the proposal is underway: of the whole amount, or of the rest after a
part payment."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.events import Say
from handlers.payments.requests import request_text
from handlers.settings import CommunitySettings
from handlers.wording.markup import lines
from handlers.wording.room_language import room_texts
from storage.records import MessageKind, Priority
from storage.store import Store


async def remind_unpaid(store: Store, settings: CommunitySettings, now: datetime) -> list[Say]:
    """The reminders due by `now`, each request marked reminded (one paid in full is marked, unsaid)."""
    money = settings.money
    if money is None:
        return []
    due = await store.payments.unreminded(now - timedelta(days=money.request_reminder_days))
    if not due:
        return []
    arrived = await store.payments.arrived([request.id for request in due])
    says = []
    for request in due:
        proposal = await store.proposals.get(request.proposal_id)
        paid = arrived.get(request.id, 0)
        if proposal is None or not proposal.is_underway or paid >= request.amount_cents:
            continue  # done or dropped meanwhile (its report said what never arrived), or paid in full
        texts = await room_texts(store, settings, proposal.room_id)
        if paid:  # a part payment: the rest is asked for
            reminder = texts.t(
                "money.reminder_rest",
                number=proposal.number,
                title=proposal.title,
                arrived=texts.money(paid),
                left=texts.money(request.amount_cents - paid),
            )
        else:
            reminder = texts.t("money.reminder", number=proposal.number, title=proposal.title)
        asked = request_text(texts, money, proposal, request, open_cents=request.amount_cents - paid)
        says.append(
            Say(
                room_id=proposal.room_id,
                text=lines([reminder, asked]),
                kind=MessageKind.PAYMENT_REQUEST,
                proposal_id=proposal.id,
                mentions=(request.user_id,),
                priority=Priority.PRIVATE,
            )
        )
    await store.payments.mark_reminded([request.id for request in due], now)
    return says
