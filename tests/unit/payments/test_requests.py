"""After GO, every money backer gets a payment request (text and EPC QR) in a direct message; before it, the
proposal and !help backme say that money is paid only after GO."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from stdnum import iso11649

from bot.config import ConfigError, parse_settings
from handlers.payments.references import compact, reference_for, references_in
from tests.unit.conftest import MakeRoom
from tests.unit.harness import Harness, make_harness

ANN = "@ann:test"
BOB = "@bob:test"
CAS = "@cas:test"
DIK = "@dik:test"
IBAN = "NL91ABNA0417164300"
MONEY: dict[str, Any] = {"iban": "NL91 ABNA 0417 1643 00", "account_name": "Vereniging Kring", "treasurers": [DIK]}


async def money_room(make_room: MakeRoom, **money: Any) -> Harness:
    return await make_room(money={**MONEY, **money})


async def gone_go(room: Harness) -> list[Any]:
    await room.say(ANN, "!propose Shared courier €50 4h in 2 days min 2")
    await room.say(BOB, "!backme 1 €60")
    await room.say(CAS, "!backme 1 €15 2h")
    await room.say(DIK, "!backme 1 3h")
    return await room.wait(timedelta(days=2, minutes=1))


async def test_the_proposal_and_help_say_money_is_paid_only_after_go(make_room: MakeRoom) -> None:
    room = await money_room(make_room)
    announcement = await room.reply(ANN, "!propose Shared courier €50 in 2 days")
    line = "💶 A money pledge is paid only after GO, to Vereniging Kring (NL91 ABNA 0417 1643 00)."
    assert line in announcement.body
    assert line in (await room.reply(BOB, "!help backme")).body
    plain = await make_room()
    assert "paid only after GO" not in (await plain.reply(ANN, "!propose Shared courier €50 in 2 days")).body


async def test_go_tells_money_backers_to_pay_by_the_request_not_to_report_it(make_room: MakeRoom) -> None:
    """A payment a backer also reported with !delivered would be counted beside the one the bank statement brings:
    with payment requests, the GO says to pay by the request and to report only hours."""
    room = await money_room(make_room)
    go = next(s for s in await gone_go(room) if s.body.startswith("✅ GO #1"))
    assert "Backers: pay with the payment request in your direct messages" in go.body
    assert "report it with !delivered 1 [€amount]" not in go.body
    assert "report hours worked with !delivered 1 [hours]" in go.body
    hours_only = await money_room(make_room)  # nobody pledged money: nothing is asked by a request
    await hours_only.say(ANN, "!propose Painting 4h in 2 days")
    await hours_only.say(BOB, "!backme 1 4h")
    go = next(s for s in await hours_only.wait(timedelta(days=2, minutes=1)) if s.body.startswith("✅ GO #1"))
    assert "Backers: pay or work as you pledged, and report it with !delivered 1 [€amount] [hours]." in go.body


async def test_a_money_backer_with_a_request_gets_no_nudge_to_report_the_payment(make_room: MakeRoom) -> None:
    """Bob pledged only money and got a payment request: the bank statement confirms it and the request's own
    reminder asks for it; the nudge to report deliveries names only those with hours to report."""
    room = await make_room(money=MONEY, proposals={"delivery_reminder_days": 3})
    await gone_go(room)
    (nudge,) = [s for s in await room.wait(timedelta(days=3)) if s.body.startswith("👋")]
    assert nudge.body.startswith("👋 A reminder for #1 Shared courier: Cas and Dik: nothing of your pledges")
    assert set(nudge.mentions) == {CAS, DIK}


async def test_go_sends_each_money_backer_a_request_with_its_own_reference(make_room: MakeRoom) -> None:
    room = await money_room(make_room)
    out = await gone_go(room)
    go = next(s for s in out if s.body.startswith("✅ GO #1"))
    assert "Payment requests went out in direct messages to the 2 backers who pledged money" in go.body
    assert "treasurer: @dik:test" in go.body
    direct = [s for s in out if s.kind in ("payment_request", "payment_qr")]
    assert [(s.kind, s.mentions) for s in direct] == [
        ("payment_request", (BOB,)),
        ("payment_qr", (BOB,)),
        ("payment_request", (CAS,)),
        ("payment_qr", (CAS,)),
    ]
    bob = direct[0].body
    assert "Payment request for #1 Shared courier" in bob
    assert "Amount: €60" in bob and "IBAN: NL91 ABNA 0417 1643 00" in bob and "Vereniging Kring" in bob
    requests = await room.rows("SELECT user_id, amount_cents, reference FROM payment_requests ORDER BY id")
    assert [(user, cents) for user, cents, _ in requests] == [(BOB, 6000), (CAS, 1500)]
    references = [reference for _, _, reference in requests]
    assert len(set(references)) == 2 and all(iso11649.is_valid(r) for r in references)
    assert iso11649.format(references[0]) in bob


async def test_without_money_settings_go_asks_nobody_to_pay(room: Harness) -> None:
    out = await gone_go(room)
    assert not [s for s in out if s.kind.startswith("payment")]
    assert await room.rows("SELECT * FROM payment_requests") == []


def test_a_reference_typed_in_any_case_and_spacing_is_found() -> None:
    reference = reference_for(12, 3)
    assert iso11649.is_valid(reference)
    typed = f"bijdrage {reference[:4].lower()} {reference[4:6]}.{reference[6:].lower()} dank je"
    assert compact(reference) in references_in(typed)
    assert references_in("RF18 5390 0754 7034") == []  # another creditor's reference is not Kring's


def test_the_qr_code_holds_the_sepa_transfer_field_by_field() -> None:
    from PIL import Image

    try:
        from pyzbar.pyzbar import decode
    except ImportError as missing:  # pyzbar is there (the test extra); the system's zbar library may not be
        if os.environ.get("CI"):  # .ci/run installs it: there a missing zbar is a failure
            raise
        pytest.skip(f"zbar is missing: install Debian's libzbar0 (.ci/run does): {missing}")

    from bot.payments.qr import qr_png
    from handlers.payments.requests import EpcPayment

    reference = reference_for(7, 2)
    image, width = qr_png(EpcPayment("Vereniging Kring", IBAN, 6050, reference))
    with Image.open(io.BytesIO(image)) as picture:
        assert picture.size == (width, width)
        (symbol,) = decode(picture)
    fields = symbol.data.decode("utf-8").split("\n")
    assert fields[:4] == ["BCD", "002", "1", "SCT"]  # the EPC069-12 header: version 2, UTF-8, SEPA credit transfer
    assert fields[5:8] == ["Vereniging Kring", IBAN, "EUR60.5"]
    assert fields[9] == reference  # the structured creditor reference, not free text
    assert fields[10:] in ([], [""], ["", ""])


async def test_the_console_prints_the_request_and_writes_its_qr_image(tmp_path: Path) -> None:
    from bot.console import Console

    harness = await make_harness(tmp_path, money=MONEY)
    try:
        out = io.StringIO()
        console = Console(harness.kring, harness.clock, out, folder=tmp_path)
        for line in ("!propose Shared courier €50 in 2 days min 1", "/as @bob", "!backme 1 €60", "/wait 3d"):
            await console.handle_line(line)
        said = out.getvalue()
        assert "… @bob receives in a direct message:\n      💶 Payment request for #1 Shared courier" in said
        assert "Amount: €60" in said and "IBAN: NL91 ABNA 0417 1643 00" in said
        (image,) = await asyncio.to_thread(lambda: list(tmp_path.glob("kring-payment-RF*.png")))
        assert f"the console wrote it to {image}" in said
        assert image.read_bytes().startswith(b"\x89PNG")
    finally:
        await harness.store.close()


def test_a_wrong_iban_check_digit_is_one_line_at_start(tmp_path: Path) -> None:
    from bot.cli import main

    config = tmp_path / "kring.toml"
    config.write_text('[money]\niban = "NL91 ABNA 0417 1643 01"\naccount_name = "Kring"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        parse_settings({"money": {"iban": "NL91 ABNA 0417 1643 01", "account_name": "Kring"}})
    (line,) = str(refused.value).splitlines()
    assert line.startswith("config error at money.iban:") and "Invalid checksum digits" in line
    assert main(["console", "-c", str(config)]) != 0
    assert parse_settings({"money": MONEY}).money is not None and parse_settings({}).money is None


def test_a_wrong_iban_stops_every_command_with_one_clear_line_and_the_config_error_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every config error, exit code 2 (README: "Running it on a homeserver"): 1 is a command that ran and
    refused, e.g. a statement it did not import."""
    from bot.cli import main

    config = tmp_path / "kring.toml"
    config.write_text('[money]\niban = "NL91 ABNA 0417 1643 01"\naccount_name = "Kring"\n', encoding="utf-8")
    for command in (["console"], ["payments", "import", str(config)], ["export"]):
        assert main([*command, "-c", str(config)]) == 2
        assert capsys.readouterr().err == (
            "kring: config error at money.iban: not a valid IBAN 'NL91 ABNA 0417 1643 01': Invalid checksum digits\n"
        )


def test_a_blank_account_name_is_one_line_at_start() -> None:
    """The EPC QR code must name the account: spaces alone would make every payment request's image fail."""
    with pytest.raises(ConfigError) as refused:
        parse_settings({"money": {**MONEY, "account_name": "   "}})
    (line,) = str(refused.value).splitlines()
    assert line.startswith("config error at money.account_name:") and "blank" in line
    assert parse_settings({"money": {**MONEY, "account_name": " Kring "}}).money.account_name == "Kring"  # type: ignore[union-attr]
