"""A bank statement a treasurer sends Kring as a file in their direct room with it: a non-treasurer's file is
refused unread; a treasurer's is fetched (decrypted in an encrypted room), imported, and answered with the summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from nio import AsyncClient, DownloadError, SyncResponse
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.engine import Kring
from bot.matrix.rooms import Rooms
from bot.payments.importer import Refused, take_in
from bot.payments.statements import MAX_STATEMENT_BYTES, too_big
from handlers.events import Say
from handlers.wording.markup import Rendered
from storage.records import Priority

log = logging.getLogger(__name__)


class StatementInbox:
    def __init__(self, kring: Kring, client: AsyncClient, rooms: Rooms) -> None:
        self.kring = kring
        self.client = client
        self.rooms = rooms

    def is_treasurer(self, user_id: str) -> bool:
        """Named in `[money] treasurers`, or, when none is named, a moderator of a room Kring serves."""
        money = self.kring.settings.money
        if money is None:
            return False
        if money.treasurers:
            return user_id in money.treasurers
        level = self.kring.settings.proposals.moderator_power_level
        return any(self.rooms.states.of(room_id).power(user_id) >= level for room_id in self.rooms.served)

    def _is_direct(self, room_id: str, sender: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and set(room.users) == {self.client.user_id, sender}

    async def look(self, response: SyncResponse, *, history: bool) -> None:
        """Files sent to Kring in direct rooms during this sync (none on the very first: that is history)."""
        if history or self.kring.settings.money is None:
            return
        for room_id, joined in response.rooms.join.items():
            if room_id in self.rooms.served:
                continue
            for event in joined.timeline.events:
                source: Mapping[str, Any] = event.source
                content = source.get("content") or {}
                sender = source.get("sender")
                if not isinstance(sender, str) or sender == self.client.user_id:
                    continue
                if not isinstance(content, Mapping) or content.get("msgtype") != "m.file":
                    continue
                if not self._is_direct(room_id, sender):
                    continue
                try:
                    text = await self.answer(room_id, sender, content)
                except Exception:  # the sync batch is stored already: answer, never make it handled again
                    log.exception("reading a statement sent in a direct room failed")
                    text = (await self.kring.texts_for(next(iter(sorted(self.rooms.served)), ""))).t("internal_error")
                reply = Say(room_id, text, reply_to=str(source.get("event_id")), priority=Priority.PRIVATE)
                await self.kring.say_now([reply])

    async def answer(self, room_id: str, sender: str, content: Mapping[str, Any]) -> Rendered:
        """What Kring replies to a file in a direct room: a refusal (the file unread unless from a treasurer), or
        the import's summary."""
        language_room = next(iter(sorted(self.rooms.served)), "")
        texts = await self.kring.texts_for(language_room)
        if not self.is_treasurer(sender):
            log.info("a file in a direct room from someone who is no treasurer: not read")
            return texts.t("payments.not_treasurer")
        size = (content.get("info") or {}).get("size") if isinstance(content.get("info"), Mapping) else None
        if isinstance(size, int) and size > MAX_STATEMENT_BYTES:
            refused = too_big()
            return texts.t(refused.key, **refused.params)
        data = await self._fetch(content)
        if data is None:
            return texts.t("payments.download_failed")
        try:
            return await take_in(self.kring, data, language_room)
        except Refused as refused:
            return refused.text

    async def _fetch(self, content: Mapping[str, Any]) -> bytes | None:
        """The file's bytes: downloaded, and decrypted with the keys its event carries in an encrypted room."""
        encrypted = content.get("file")
        url = encrypted.get("url") if isinstance(encrypted, Mapping) else content.get("url")
        if not isinstance(url, str) or not url.startswith("mxc://"):
            return None
        response = await self.client.download(mxc=url)
        if isinstance(response, DownloadError) or not isinstance(getattr(response, "body", None), bytes):
            log.warning("could not download a statement file: %s", getattr(response, "message", response))
            return None
        body: bytes = response.body
        if not isinstance(encrypted, Mapping):
            return body
        try:
            return bytes(
                decrypt_attachment(body, encrypted["key"]["k"], encrypted["hashes"]["sha256"], encrypted["iv"])
            )
        except (EncryptionError, KeyError, TypeError) as error:
            log.warning("could not decrypt a statement file: %r", error)
            return None
