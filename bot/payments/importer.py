"""A bank statement handed to Kring, by the command line or in a treasurer's direct message: read (size first),
imported in one transaction, and answered with the summary or the one sentence that says why nothing was."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Kring
from bot.payments.statement import StatementError
from bot.payments.statements import MAX_STATEMENT_BYTES, read_statement, too_big
from handlers.payments.importing import ImportRefused, summary
from handlers.wording.markup import Rendered


class Refused(Exception):
    """Nothing was imported; the message is the sentence to show."""

    def __init__(self, text: Rendered) -> None:
        super().__init__(text.plain)
        self.text = text


def read_file(path: Path) -> bytes:
    """The file's bytes; a file over the limit is refused without being read."""
    if path.stat().st_size > MAX_STATEMENT_BYTES:
        raise too_big()
    with path.open("rb") as handle:
        data = handle.read(MAX_STATEMENT_BYTES + 1)  # it may have grown since
    if len(data) > MAX_STATEMENT_BYTES:
        raise too_big()
    return data


async def take_in(kring: Kring, data: bytes, room_id: str = "") -> Rendered:
    """Import a statement's bytes; the summary in the room's language (the default for the command line), or
    Refused with the sentence that says why nothing was imported."""
    texts = await kring.texts_for(room_id)
    try:
        statement = read_statement(data)
        imported = await kring.take_statement(statement.account_iban, statement.lines)
    except (StatementError, ImportRefused) as error:
        raise Refused(texts.t(error.key, **error.params)) from None
    return summary(texts, statement.account_iban, len(statement.lines), imported)
