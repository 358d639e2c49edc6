"""Undecryptable events are kept, handled once their keys arrive, and explained in the room if they never do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nio import Event, MegolmEvent, RoomMessageText
from nio.exceptions import EncryptionError

from bot.config import parse_settings
from bot.identity.device_keys import EXPLAIN_AFTER, EncryptedBacklog
from bot.matrix.events import to_kring_event
from bot.ops.metrics import Metrics
from handlers.events import Event as KringEvent
from tests.unit.harness import ROOM, Harness


def _encrypted(event_id: str, sender: str) -> dict[str, Any]:
    return {
        "type": "m.room.encrypted",
        "event_id": event_id,
        "sender": sender,
        "origin_server_ts": 1_772_445_600_000,
        "content": {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEnAC",
            "sender_key": "senderkey",
            "session_id": "session-1",
            "device_id": "DEVICE",
        },
    }


class FakeCryptoClient:
    """Stands in for nio's client: decryption fails until `keys_arrived`, then yields the plaintext."""

    def __init__(self, plaintext: dict[str, dict[str, Any]]) -> None:
        self.plaintext = plaintext
        self.keys_arrived = False
        self.key_requests: list[str] = []

    def decrypt_event(self, event: MegolmEvent) -> Event:
        if not self.keys_arrived:
            raise EncryptionError("no session")
        source = {
            **self.plaintext[event.event_id],
            "event_id": event.event_id,
            "sender": event.sender,
            "origin_server_ts": event.server_timestamp,
        }
        parsed = RoomMessageText.from_dict(source)
        assert isinstance(parsed, RoomMessageText)
        return parsed

    async def request_room_key(self, event: MegolmEvent) -> None:
        self.key_requests.append(event.event_id)


def _convert(room_id: str, source: dict[str, Any]) -> KringEvent | None:
    return to_kring_event(room_id, source, power_of=lambda _user: 0, name_of=lambda user: user)


async def _sync_batch(room: Harness, backlog: EncryptedBacklog, timeline: list[Event]) -> int:
    """What the runner does with one sync: retry parked events, split the new ones, commit all at once."""
    decrypted = await backlog.retry()
    readable, parked = backlog.split(ROOM, timeline)
    events = [e for e in (_convert(r, s) for r, s in decrypted) if e is not None]
    events += [e for e in (_convert(ROOM, s) for s in readable) if e is not None]
    now = room.clock.now()
    handled = await room.kring.handle_batch(events, also=lambda: backlog.store_changes(parked, decrypted, now))
    await backlog.request_keys(parked)
    return handled


async def test_a_command_that_cannot_be_decrypted_yet_is_answered_once_its_keys_arrive(room: Harness) -> None:
    client = FakeCryptoClient({"$enc1": {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "!top"}}})
    backlog = EncryptedBacklog(client, room.store, room.kring.texts_for)
    encrypted = MegolmEvent.from_dict(_encrypted("$enc1", "@ann:test"))
    assert isinstance(encrypted, MegolmEvent)

    assert await _sync_batch(room, backlog, [encrypted]) == 0
    assert await room.deliver() == []  # nothing readable, nothing said, nothing lost
    assert client.key_requests == ["$enc1"]
    assert [p.event_id for p in await room.store.encrypted.parked()] == ["$enc1"]

    client.keys_arrived = True
    assert await _sync_batch(room, backlog, []) == 1
    (answer,) = await room.deliver()
    assert answer.reply_to == "$enc1" and "No credits" in answer.body
    assert await room.store.encrypted.parked() == []

    assert await _sync_batch(room, backlog, []) == 0  # handled exactly once
    assert await room.deliver() == []


async def test_a_message_that_stays_undecryptable_is_explained_once(room: Harness) -> None:
    client = FakeCryptoClient({})
    backlog = EncryptedBacklog(client, room.store, room.kring.texts_for)
    encrypted = MegolmEvent.from_dict(_encrypted("$enc2", "@bob:test"))
    assert isinstance(encrypted, MegolmEvent)
    await _sync_batch(room, backlog, [encrypted])
    assert await room.deliver() == []

    room.clock.advance(EXPLAIN_AFTER + timedelta(seconds=1))
    await _sync_batch(room, backlog, [])
    (explanation,) = await room.deliver()
    assert "could not decrypt 1 encrypted message" in explanation.body
    assert explanation.mentions == ("@bob:test",)

    room.clock.advance(timedelta(hours=1))
    await _sync_batch(room, backlog, [])
    assert await room.deliver() == []  # said once, not on every sync
    assert [p.event_id for p in await room.store.encrypted.parked()] == ["$enc2"]  # still kept


async def test_an_event_whose_keys_never_come_is_kept_a_bounded_time_counted_then_its_ciphertext_dropped(
    room: Harness,
) -> None:
    keep_for = timedelta(days=parse_settings({}).matrix.keep_undecrypted_days)
    assert keep_for == timedelta(days=7)  # the default, as config.example.toml says
    client = FakeCryptoClient(
        {
            "$late": {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "!top"}},
            "$soon": {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "!top"}},
        }
    )
    metrics = Metrics(room.store, 90)
    backlog = EncryptedBacklog(client, room.store, room.kring.texts_for, keep_for=keep_for, metrics=metrics)
    late = MegolmEvent.from_dict(_encrypted("$late", "@ann:test"))
    assert isinstance(late, MegolmEvent)
    await _sync_batch(room, backlog, [late])
    await metrics.refresh()
    assert metrics.registry.get_sample_value("kring_undecrypted_events") == 1

    room.clock.advance(keep_for - timedelta(minutes=1))
    await _sync_batch(room, backlog, [])
    assert [p.event_id for p in await room.store.encrypted.parked()] == ["$late"]  # not yet
    room.clock.advance(timedelta(minutes=2))
    await _sync_batch(room, backlog, [])
    assert await room.store.encrypted.parked() == []
    assert await room.rows("SELECT count(*) FROM encrypted_pending WHERE source LIKE '%AwgAEnAC%'") == [(0,)]
    await metrics.refresh()
    assert metrics.registry.get_sample_value("kring_undecrypted_events") == 0
    assert metrics.registry.get_sample_value("kring_undecrypted_dropped_total") == 1

    soon = MegolmEvent.from_dict(_encrypted("$soon", "@bob:test"))
    assert isinstance(soon, MegolmEvent)
    await _sync_batch(room, backlog, [soon])
    client.keys_arrived = True  # the keys of both arrive now: the dropped one stays dropped
    assert await _sync_batch(room, backlog, []) == 1
    (answer,) = [s for s in await room.deliver() if s.reply_to is not None]
    assert answer.reply_to == "$soon"
    assert metrics.registry.get_sample_value("kring_undecrypted_decrypted_total") == 1
    assert await _sync_batch(room, backlog, []) == 0  # each handled once
    assert metrics.registry.get_sample_value("kring_undecrypted_decrypted_total") == 1
