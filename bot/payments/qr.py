"""The EPC QR code (SEPA credit transfer, "GiroCode") of a payment request, as a PNG image."""

from __future__ import annotations

import io
from decimal import Decimal

import segno.helpers

from handlers.payments.requests import EpcPayment, epc_payment
from handlers.settings import MoneySettings
from storage.store import Store

MIME_TYPE = "image/png"
SCALE = 6  # pixels per module: readable from a phone's screen by another phone


def qr_png(payment: EpcPayment) -> tuple[bytes, int]:
    """The image and its width (= height) in pixels; the reference in the code's structured-reference field."""
    code = segno.helpers.make_epc_qr(
        name=payment.name,
        iban=payment.iban,
        amount=Decimal(payment.amount_cents) / 100,
        reference=payment.reference,
        encoding="utf-8",  # names beyond Latin-1 too; every EPC reader must take UTF-8
    )
    out = io.BytesIO()
    code.save(out, kind="png", scale=SCALE, border=4)
    width, _ = code.symbol_size(scale=SCALE, border=4)
    return out.getvalue(), int(width)


async def request_qr(
    store: Store, money: MoneySettings | None, proposal_id: int | None, member: str
) -> EpcPayment | None:
    """The payment a queued QR message is for; None when it no longer can be made (no [money], no request)."""
    if money is None or proposal_id is None:
        return None
    request = await store.payments.request_of(proposal_id, member)
    return None if request is None else epc_payment(money, request)


def file_name(payment: EpcPayment) -> str:
    return f"kring-payment-{payment.reference}.png"
