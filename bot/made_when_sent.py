"""What a private message holds that is made only as it goes out, so no outbox sender does domain work itself.

A one-time sign-in link to the board is made when sent, so no usable token waits in the outbox; a member's copy of
their data is made when sent, so it holds everything up to that moment. The engine provides this (`Kring.
made_when_sent`); the Matrix sender and the console only put the result into their own form.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from bot.board.server import sign_in_link
from bot.ops.data_copy import MIME_TYPE, copy_of, encoded, file_name, summary
from storage.records import OutboxMessage, Outgoing

if TYPE_CHECKING:
    from bot.engine import Kring


@dataclass(frozen=True)
class DataCopy:
    """A member's copy of their data as a file: its name, its bytes and their type, and the caption it goes with."""

    name: str
    payload: bytes
    mime_type: str
    caption: str
    caption_html: str
    summary: str  # what the copy holds, readable: the caption's second part


class MadeWhenSent:
    """The parts of queued private messages (`mentions[0]` is the member they are for) made at send time."""

    def __init__(self, kring: Kring) -> None:
        self._kring = kring

    async def sign_in_link(self, queued: OutboxMessage, member: str) -> str:
        """A new one-time link that signs `member` in to the board of the room the link was asked in."""
        kring = self._kring
        return await sign_in_link(kring.store, kring.settings.board, kring.clock, queued.message.room_id, member)

    async def board_link(self, queued: OutboxMessage, member: str) -> Outgoing:
        """The queued caption with a new sign-in link below it: the notice to send in the member's direct room."""
        link = await self.sign_in_link(queued, member)
        message = queued.message
        return dataclasses.replace(
            message,
            body=f"{message.body}\n{link}",
            html=f'{message.html}<br><a href="{escape(link)}">{escape(link)}</a>',
            mentions=(),  # it goes to the member's own direct room: nobody to mention
        )

    async def data_copy(self, queued: OutboxMessage, member: str) -> DataCopy:
        """Everything Kring holds about `member` now, introduced in the language of the room that asked, with a
        readable summary of it as the caption (for a member who does not read JSON)."""
        kring = self._kring
        made_at = kring.clock.now()
        texts = await kring.texts_for(queued.message.room_id)
        document = await copy_of(kring.store, member, made_at, texts.t("privacy.copy_about").plain)
        readable = summary(texts, document)
        message = queued.message
        return DataCopy(
            file_name(member, made_at),
            encoded(document),
            MIME_TYPE,
            f"{message.body}\n{readable.plain}",
            f"{message.html}<br>{readable.html}",
            readable.plain,
        )
