"""End-to-end encryption chores: key upload/query/claim, and encrypted events kept until their keys arrive."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nio import AsyncClient, Event, MegolmEvent
from nio.exceptions import EncryptionError, LocalProtocolError

from bot.ops.metrics import Metrics
from handlers.events import Say
from handlers.wording.catalog import Texts
from handlers.wording.markup import Rendered, mention
from storage.records import MessageKind
from storage.store import Store

log = logging.getLogger(__name__)

EXPLAIN_AFTER = timedelta(minutes=5)
KEEP_UNDECRYPTED = timedelta(days=7)  # `[matrix] keep_undecrypted_days`


async def keep_keys_flowing(client: AsyncClient) -> None:
    """What nio's sync_forever does around each sync: to-device messages and key upload/query/claim."""
    if client.olm is None:
        return
    await client.send_to_device_messages()
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())


@dataclass(frozen=True)
class Undecrypted:
    room_id: str
    event: MegolmEvent


class EncryptedBacklog:
    """Encrypted events nio could not decrypt yet: parked in the store, retried after every sync, handled once
    when their keys arrive, and dropped (ciphertext and all) once they are older than `keep_for`."""

    def __init__(
        self,
        client: AsyncClient,
        store: Store,
        texts_for: Callable[[str], Awaitable[Texts]],
        *,
        keep_for: timedelta = KEEP_UNDECRYPTED,
        metrics: Metrics | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.texts_for = texts_for
        self.keep_for = keep_for
        self.metrics = metrics

    def split(self, room_id: str, events: Iterable[Event]) -> tuple[list[dict[str, Any]], list[Undecrypted]]:
        """Readable event sources, and the events that stay encrypted for now."""
        readable: list[dict[str, Any]] = []
        parked: list[Undecrypted] = []
        for event in events:
            if isinstance(event, MegolmEvent):
                parked.append(Undecrypted(room_id, event))
            else:
                readable.append(event.source)
        return readable, parked

    async def request_keys(self, undecrypted: Iterable[Undecrypted]) -> None:
        for item in undecrypted:
            log.warning(
                "cannot decrypt %s from %s in %s yet (session %s); kept until its keys arrive",
                item.event.event_id,
                item.event.sender,
                item.room_id,
                item.event.session_id,
            )
            with contextlib.suppress(LocalProtocolError):  # already requested
                await self.client.request_room_key(item.event)

    async def retry(self) -> list[tuple[str, dict[str, Any]]]:
        """Parked events that decrypt now, as (room id, decrypted source), oldest first."""
        readable: list[tuple[str, dict[str, Any]]] = []
        for parked in await self.store.encrypted.parked():
            source = json.loads(parked.source)
            event = MegolmEvent.from_dict(source)
            if not isinstance(event, MegolmEvent):
                continue
            event.room_id = parked.room_id
            try:
                decrypted = self.client.decrypt_event(event)
            except EncryptionError:
                continue
            readable.append((parked.room_id, decrypted.source))
            log.info("decrypted %s now that its keys arrived", parked.event_id)
        return readable

    async def store_changes(
        self, new: list[Undecrypted], decrypted: list[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[Say]:
        """Inside the batch's transaction: park the new, forget the decrypted, explain the long-stuck."""
        forgotten = await self.store.member_data.forgotten_among({item.event.sender for item in new})
        for item in new:
            if item.event.sender in forgotten:
                continue  # a forgotten member's events are neither kept nor explained
            await self.store.encrypted.park(
                item.event.event_id, item.room_id, item.event.sender, json.dumps(item.event.source), now
            )
        for _room, source in decrypted:
            await self.store.encrypted.unpark(str(source.get("event_id")))
        dropped = await self.store.encrypted.drop_parked_before(now - self.keep_for, now)
        if dropped:
            log.warning(
                "dropped %d encrypted events whose keys did not arrive within %s: %s",
                len(dropped),
                self.keep_for,
                ", ".join(dropped),
            )
        if self.metrics is not None:
            self.metrics.undecrypted_decrypted.inc(len(decrypted))
            self.metrics.undecrypted_dropped.inc(len(dropped))
        stuck: dict[str, list[str]] = {}
        senders: dict[str, set[str]] = {}
        for parked in await self.store.encrypted.parked():
            if parked.explained or now - parked.first_seen < EXPLAIN_AFTER:
                continue
            stuck.setdefault(parked.room_id, []).append(parked.event_id)
            senders.setdefault(parked.room_id, set()).add(parked.sender)
        says = []
        for room_id, event_ids in stuck.items():
            await self.store.encrypted.mark_explained(event_ids)
            people = sorted(senders[room_id])
            names = Rendered.join(Rendered(", ", ", "), [mention(user, user) for user in people])
            says.append(
                Say(
                    room_id=room_id,
                    text=(await self.texts_for(room_id)).tn("crypto.undecryptable", len(event_ids), users=names),
                    kind=MessageKind.REPLY,
                    mentions=tuple(people),
                )
            )
        return says
