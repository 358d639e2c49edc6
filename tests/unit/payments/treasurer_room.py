"""A room whose proposal went GO with two money backers, and a configured treasurer who is neither proposer nor
moderator: where the treasurer's tests and the counted-once tests start."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness
from tests.unit.payments.statements import ACCOUNT

ANN = "@ann:test"  # the proposer
BOB = "@bob:test"  # pledged €60 and 2h
CAS = "@cas:test"  # pledged €15
TES = "@tes:test"  # the treasurer: no moderator, not the proposer
MONEY: dict[str, Any] = {"iban": ACCOUNT, "account_name": "Vereniging Kring", "treasurers": [TES]}


async def went_go(make_room: MakeRoom) -> Harness:
    """#1 went GO with Bob's €60 and 2h and Cas's €15: both have a payment request."""
    room = await make_room(money=MONEY)
    await room.say(ANN, "!propose Shared courier €50 in 2 days min 2")
    await room.say(BOB, "!backme 1 €60 2h")
    await room.say(CAS, "!backme 1 €15")
    await room.wait(timedelta(days=2, minutes=1))
    return room
