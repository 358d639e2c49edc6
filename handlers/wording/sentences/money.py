"""Sentences of money that arrives: payment requests, reminders, statements and their import."""

from __future__ import annotations

from handlers.wording.sentences.kinds import Sentence, _msg, _plural

SENTENCES: tuple[Sentence, ...] = (
    _msg("money.paid_after_go", "💶 A money pledge is paid only after GO, to {account_name} ({iban})."),
    _plural(
        "money.go_requests",
        "💶 A payment request went out in a direct message to the backer who pledged money; treasurer: {treasurers}.",
        "💶 Payment requests went out in direct messages to the {count} backers who pledged money; "
        "treasurer: {treasurers}.",
    ),
    _msg("money.treasurers_moderators", "the room's moderators"),
    _msg("money.request", "💶 Payment request for #{number} {title} (it went GO):"),
    _msg("money.request_amount", "Amount: {amount}"),
    _msg("money.request_iban", "IBAN: {iban}"),
    _msg("money.request_name", "In the name of: {account_name}"),
    _msg("money.request_reference", "Payment reference: {reference}"),
    _msg(
        "money.request_how",
        "Put the reference in your bank's payment reference field (or at the start of the description), or scan "
        "the QR code below with your banking app.",
    ),
    _msg("money.qr_caption", "QR code for the transfer, reference {reference}"),
    _msg("money.reminder", "Reminder: Kring has not yet seen your payment for #{number} {title}."),
    _msg(
        "money.reminder_rest",
        "Reminder: of your payment for #{number} {title} Kring has seen {arrived}; {left} is still open.",
    ),
    _msg("board.my_payment", "#{number} {title}: payment request {amount}, {arrived} arrived · reference {reference}"),
    _msg("board.my_payment_part", "payment request {amount}, {arrived} arrived · reference {reference}"),
    _msg("money.mine_title", "Payment requests (pledged · arrived):"),
    _msg("money.mine_row", "#{number} {title}: {amount} · {arrived} · reference {reference}"),
    _msg(
        "money.arrived", "🏦 {backer}'s payment of {amount} for #{number} has arrived: confirmed by the bank statement."
    ),
    _msg("money.arrived_total", "💶 Money arrived at the bank: {arrived} of {pledged} asked for."),
    _msg("money.missing", "{user} {amount}"),
    _msg("money.not_arrived", "Not arrived yet: {missing}."),
    _msg("money.never_arrived", "Never arrived: {missing}."),
    _msg("money.part_left", "{left} of it is still open."),
    _msg("money.surplus", "{surplus} more than pledged: the treasurer is told."),
    _plural("payments.summary", "Statement of {iban}: {count} line read.", "Statement of {iban}: {count} lines read."),
    _msg("payments.matched_title", "Matched ({count}):"),
    _msg("payments.matched", "{date} · {amount} · {name} → #{number} {backer}"),
    _msg("payments.left", "{left} still open"),
    _msg("payments.surplus", "{surplus} more than pledged"),
    _msg(
        "payments.suggested_title",
        "Suggestions ({count}): in the proposal's room, confirm each with {prefix}confirm <number> <backer> or "
        "reject it with {prefix}reject <number> <backer>:",
    ),
    _msg("payments.suggested", "{date} · {amount} · {name} · “{text}” → #{number} {backer}?"),
    _msg(
        "payments.nothing_suggested",
        "No payment of {backer} to #{number} that Kring suggested from a bank statement waits for a decision.",
    ),
    _msg(
        "payments.paid_again",
        "The bank line of {date} ({amount}) pays #{number} again after {backer} paid it in full: not counted, it is "
        "back with the lines for the treasurer.",
    ),
    _msg(
        "payments.rejected",
        "The bank line of {date} ({amount}) is not {backer}'s payment to #{number}: it is back with the lines for "
        "the treasurer.",
    ),
    _msg("payments.unmatched_title", "Not matched, for the treasurer ({count}):"),
    _msg("payments.unmatched", "{date} · {amount} · {name} · “{text}”"),
    _msg("payments.double_title", "Paid again after being paid in full, not counted ({count}):"),
    _msg("payments.double", "{date} · {amount} · {name} → #{number} {backer}"),
    _msg(
        "payments.duplicate_title",
        "Probably imported before from another file (the same day, amount, account and text), not counted ({count}):",
    ),
    _msg("payments.already", "Imported before: {count}."),
    _msg("payments.ignored", "Ignored (debits, other currencies): {count}."),
    _msg("payments.no_money", "Kring has no [money] settings, so it reads no bank statements."),
    _msg("payments.not_treasurer", "Only a treasurer can hand Kring a bank statement; the file was not read."),
    _msg("payments.too_big", "The file is larger than {limit}: not a statement Kring reads. Nothing was imported."),
    _msg(
        "payments.not_a_statement",
        "This is not a bank statement Kring reads (CAMT.053 or MT940). Nothing was imported.",
    ),
    _msg("payments.malformed", "The statement cannot be read ({reason}). Nothing was imported."),
    _msg(
        "payments.unsafe_xml",
        "The statement declares XML entities or a document type, which Kring never reads. Nothing was imported.",
    ),
    _msg(
        "payments.other_account",
        "This statement is of account {found}, not of the association's account {expected}. Nothing was imported.",
    ),
    _msg(
        "payments.unknown_reference",
        "The line of {date} ({amount}) names reference {reference}, which no payment request has. "
        "Nothing was imported.",
    ),
    _msg("payments.download_failed", "Kring could not fetch the file from the homeserver. Nothing was imported."),
    _msg("console.direct_message", "    … {user} receives in a direct message:"),
    _msg("console.qr_written", "    … and a QR code image; the console wrote it to {file}"),
)
