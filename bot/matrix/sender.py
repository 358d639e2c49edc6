"""Sending the outbox to Matrix: in order, each message with a transaction id so a resend after a crash is one event."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import secrets
import time

import aiohttp
from nio import AsyncClient, RoomSendResponse, UploadResponse

from bot.engine import Kring, MessageRefused
from bot.matrix.direct_rooms import DirectRooms, NotReadyYet
from bot.matrix.events import direct_content, file_content, notice_content
from bot.matrix.homeserver import Backoff
from bot.ops.metrics import Metrics
from bot.payments.qr import MIME_TYPE as QR_MIME_TYPE
from bot.payments.qr import file_name as qr_file_name
from bot.payments.qr import qr_png, request_qr
from storage.records import MessageKind, OutboxMessage

log = logging.getLogger(__name__)

TXN_PREFIX_KEY = "outbox.txn_prefix"
UNSENDABLE = frozenset({"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON"})  # a message the homeserver never takes
HELD_BACK_DEFAULT_S = 5.0  # when a 429 names no retry_after_ms
DIRECT_ROOM_WAIT_S = 1.0  # a new direct room arrives with the next sync
DIRECT_ROOM_TRIES = 30  # then the copy is given up (the member can ask again), rather than hold up the outbox


class HeldBack(Exception):
    """The homeserver rate-limits the bot (429): wait this long, then send whatever is most urgent by then."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate-limited for {seconds:.1f} s")
        self.seconds = seconds


class NoAnswer(Exception):
    """The homeserver gave no Matrix answer (a proxy's 502 or 413, an empty body). It may be this message's fault
    (an upload a proxy finds too big), so it counts like any refusal: tried again later, less and less often, then
    parked, while the other messages go out. Only a homeserver that cannot be reached at all holds up the outbox."""


class OutboxSender:
    def __init__(
        self,
        kring: Kring,
        client: AsyncClient,
        stopping: asyncio.Event,
        *,
        encrypted: bool = False,
        metrics: Metrics | None = None,
    ) -> None:
        self.kring = kring
        self.metrics = metrics
        self.client = client
        self.stopping = stopping
        self.txn_prefix = ""
        self.direct_rooms = DirectRooms(client, kring.store, encrypted=encrypted)
        self._waited_for_room: dict[int, int] = {}  # outbox id -> tries while its direct room was not synced
        self._uploaded: dict[int, dict[str, object]] = {}  # outbox id -> its file message, uploaded, not yet posted

    async def load_txn_prefix(self) -> None:
        """This database's own prefix for transaction ids, made once and kept: ids stay unique across restarts."""
        store = self.kring.store
        prefix = await store.key_values.get(TXN_PREFIX_KEY)
        if prefix is None:
            prefix = secrets.token_hex(4)
            async with store.transaction():
                await store.key_values.set(TXN_PREFIX_KEY, prefix)
        self.txn_prefix = prefix

    async def run(self) -> None:
        """Send whenever the outbox has something, until the bot stops; back off while sending fails."""
        backoff = Backoff(start=1.0, cap=60.0)
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):  # a message refused a moment ago is tried again at its time
                await asyncio.wait_for(self.kring.outbox_ready.wait(), timeout=await self._until_next_retry())
            self.kring.outbox_ready.clear()
            try:
                await self.kring.deliver(self.send)
                backoff.reset()
            except NotReadyYet:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), timeout=DIRECT_ROOM_WAIT_S)
                self.kring.outbox_ready.set()
            except HeldBack as held:
                log.info("rate-limited: sending again in %.1f s, most urgent first", held.seconds)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), timeout=held.seconds)
                self.kring.outbox_ready.set()
            except Exception as error:
                delay = backoff.next_delay()
                log.warning("sending failed (%r); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                self.kring.outbox_ready.set()

    async def _until_next_retry(self) -> float | None:
        """Seconds until a refused message may be tried again; None (wait for new messages) if none waits."""
        retry = await self.kring.store.outbox.next_retry()
        if retry is None:
            return None
        return max(0.0, (retry - self.kring.clock.now()).total_seconds())

    async def send(self, queued: OutboxMessage) -> str | None:
        """The event id it went out as; None when it can never go out (dropped); raises to be retried.

        A 429 raises HeldBack at once (KringClient does not wait it out): after the wait, `deliver` picks the
        next message again, so a decision that fell due meanwhile goes before this one.
        """
        if self.metrics is None:
            return await self._send_one(queued)
        started = time.monotonic()
        result = "failed"
        try:
            event_id = await self._send_one(queued)
            result = "sent" if event_id is not None else "dropped"
            return event_id
        except MessageRefused:
            result = "refused"
            raise
        finally:
            self.metrics.send_latency.observe(time.monotonic() - started)
            self.metrics.sends.labels(result).inc()

    async def _send_one(self, queued: OutboxMessage) -> str | None:
        """`_send`, where a failure of this one message (anything but the homeserver being away or holding the
        bot back) makes it wait, and then be parked, while the others go out."""
        try:
            return await self._send(queued)
        except NoAnswer as error:
            raise MessageRefused(str(error)) from error
        except (MessageRefused, HeldBack, NotReadyYet, aiohttp.ClientError, OSError, TimeoutError):
            raise
        except Exception as error:
            log.exception("outbox message %d could not be sent", queued.id)
            raise MessageRefused(f"{type(error).__name__}: {error}") from error

    async def _send(self, queued: OutboxMessage) -> str | None:
        message = queued.message
        if message.kind is MessageKind.DATA_COPY:
            return await self._send_copy(queued)
        if message.kind is MessageKind.BOARD_LINK:
            return await self._send_board_link(queued)
        if message.kind is MessageKind.PAYMENT_REQUEST:
            return await self._send_direct_text(queued)
        if message.kind is MessageKind.PAYMENT_QR:
            return await self._send_payment_qr(queued)
        latest = None
        if message.thread_root is not None and message.reply_to is None:
            latest = await self.kring.store.proposals.thread_latest(message.thread_root)
        return await self._post(queued, message.room_id, notice_content(message, latest))

    async def _direct_room(self, queued: OutboxMessage) -> tuple[str, str] | None:
        """The member a private message is for and their direct room with the bot; None when it cannot go out
        (the member was forgotten, or the room never came). Raises NotReadyYet while a new room is on its way."""
        if not queued.message.mentions:
            return None  # its member was forgotten before it went out
        member = queued.message.mentions[0]
        try:
            room_id = await self.direct_rooms.room_for(member)
        except NotReadyYet:
            tries = self._waited_for_room.get(queued.id, 0) + 1
            self._waited_for_room[queued.id] = tries
            if tries > DIRECT_ROOM_TRIES:
                log.warning("the direct room for outbox message %d never arrived; dropping it", queued.id)
                return None
            raise
        except RuntimeError as error:
            log.warning("%s; dropping outbox message %d (the member can ask again)", error, queued.id)
            return None
        self._waited_for_room.pop(queued.id, None)
        return member, room_id

    async def _send_copy(self, queued: OutboxMessage) -> str | None:
        """A member's copy of their data, as a file in their direct room with the bot (made now: it is current)."""
        found = await self._direct_room(queued)
        if found is None:
            return None
        member, room_id = found
        content = self._uploaded.get(queued.id)
        if content is None:  # uploaded once: a retry after a 429 or a failed send posts the same file
            content = await self._upload_copy(queued, member, bool(self.client.rooms[room_id].encrypted))
            self._uploaded[queued.id] = content
        event_id = await self._post(queued, room_id, content)
        self._uploaded.pop(queued.id, None)
        return event_id

    async def _send_board_link(self, queued: OutboxMessage) -> str | None:
        """A one-time sign-in link to the board of the room it was asked in, in the member's direct room."""
        found = await self._direct_room(queued)
        if found is None:
            return None
        member, room_id = found
        return await self._post(
            queued, room_id, notice_content(await self.kring.made_when_sent.board_link(queued, member))
        )

    async def _send_direct_text(self, queued: OutboxMessage) -> str | None:
        """A message for one member's eyes that is meant to reach them (a payment request), in their direct room."""
        found = await self._direct_room(queued)
        if found is None:
            return None
        member, room_id = found
        return await self._post(queued, room_id, direct_content(queued.message, member))

    async def _send_payment_qr(self, queued: OutboxMessage) -> str | None:
        """A payment request's EPC QR code, made now from the request, as an image in the member's direct room."""
        found = await self._direct_room(queued)
        if found is None:
            return None
        member, room_id = found
        payment = await request_qr(self.kring.store, self.kring.settings.money, queued.message.proposal_id, member)
        if payment is None:
            return None  # [money] was taken out of the config, or the request is gone
        content = self._uploaded.get(queued.id)
        if content is None:
            image, width = qr_png(payment)
            encrypt = bool(self.client.rooms[room_id].encrypted)
            url, keys = await self._upload(image, qr_file_name(payment), QR_MIME_TYPE, encrypt=encrypt)
            content = {
                "msgtype": "m.image",
                "body": queued.message.body,
                "filename": qr_file_name(payment),
                "info": {"mimetype": QR_MIME_TYPE, "size": len(image), "w": width, "h": width},
            }
            if keys is not None:
                content["file"] = {**keys, "url": url}
            else:
                content["url"] = url
            self._uploaded[queued.id] = content
        event_id = await self._post(queued, room_id, content)
        self._uploaded.pop(queued.id, None)
        return event_id

    async def _upload(
        self, payload: bytes, name: str, mime_type: str, *, encrypt: bool
    ) -> tuple[str, dict[str, object] | None]:
        """The content URI of an uploaded file, and its keys when it was encrypted."""
        upload, keys = await self.client.upload(
            lambda _got_429, _timeouts: io.BytesIO(payload),
            content_type="application/octet-stream" if encrypt else mime_type,
            filename=name,
            encrypt=encrypt,
            filesize=len(payload),
        )
        if not isinstance(upload, UploadResponse):
            code = getattr(upload, "status_code", None)
            if isinstance(code, str) and code:  # the media repository read it and said no: this one waits
                raise MessageRefused(f"upload refused, {code}: {getattr(upload, 'message', '')}")
            raise NoAnswer(f"upload failed: {getattr(upload, 'message', upload)}")
        return str(upload.content_uri), (dict(keys) if encrypt and keys else None)

    async def _upload_copy(self, queued: OutboxMessage, member: str, encrypt: bool) -> dict[str, object]:
        copy = await self.kring.made_when_sent.data_copy(queued, member)
        url, keys = await self._upload(copy.payload, copy.name, copy.mime_type, encrypt=encrypt)
        size = len(copy.payload)
        if encrypt:
            encrypted = {**(keys or {}), "url": url}
            return file_content(
                copy.name, copy.caption, copy.mime_type, size, encrypted=encrypted, caption_html=copy.caption_html
            )
        return file_content(copy.name, copy.caption, copy.mime_type, size, url=url, caption_html=copy.caption_html)

    async def _post(self, queued: OutboxMessage, room_id: str, content: dict[str, object]) -> str | None:
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            content,
            tx_id=f"kring-{self.txn_prefix}-{queued.id}",  # a resend after a crash is de-duplicated
            ignore_unverified_devices=True,
        )
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        code = getattr(response, "status_code", None)
        if code == "M_LIMIT_EXCEEDED":
            retry_after_ms = getattr(response, "retry_after_ms", None)
            raise HeldBack(retry_after_ms / 1000 if retry_after_ms else HELD_BACK_DEFAULT_S)
        if code == "M_FORBIDDEN":
            log.warning("not allowed to post in %s; dropping outbox message %d", room_id, queued.id)
            return None
        if code in UNSENDABLE:
            # Retrying cannot help, and every later message would wait behind this one for good.
            log.error("the homeserver refuses outbox message %d for good (%s); dropping it", queued.id, code)
            return None
        if isinstance(code, str) and code:
            # The homeserver read this message and refused it: tried again later, and the others meanwhile.
            raise MessageRefused(f"{code}: {getattr(response, 'message', '')}")
        raise NoAnswer(f"room_send failed: {getattr(response, 'message', response)}")
