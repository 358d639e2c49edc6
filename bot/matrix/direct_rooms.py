"""Direct rooms with members, for what is for their eyes only (the copy of their data): created on first need,
reused while exactly the bot and the member are in it, encrypted when Kring runs with encryption (an unencrypted
one is then replaced)."""

from __future__ import annotations

import logging

from nio import AsyncClient, RoomCreateResponse, RoomPreset

from storage.queries.member_data import DIRECT_ROOM
from storage.store import Store

log = logging.getLogger(__name__)

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class NotReadyYet(Exception):
    """The direct room was just created: the next sync brings it (and its members' keys); send then."""


class DirectRooms:
    def __init__(self, client: AsyncClient, store: Store, *, encrypted: bool) -> None:
        self.client = client
        self.store = store
        self.encrypted = encrypted
        self._just_created: set[str] = set()  # by this process, maybe not synced yet

    def holds_only(self, room_id: str, user_id: str) -> bool:
        """Whether the room's members (joined or invited) are exactly the bot and the member, and, when Kring runs
        with encryption, whether it is encrypted (one made while encryption was off is replaced, or the copy
        would go out in clear)."""
        room = self.client.rooms.get(room_id)
        if room is None or set(room.users) != {self.client.user_id, user_id}:
            return False
        if self.encrypted and not room.encrypted:
            log.info("replacing a member's unencrypted direct room (made while encryption was off)")
            return False
        return True

    async def room_for(self, user_id: str) -> str:
        """The member's direct room, ready to send to; raises NotReadyYet right after creating one."""
        known = await self.store.key_values.get(DIRECT_ROOM + user_id)
        if known is not None and self.holds_only(known, user_id):
            return known
        if known is not None and known in self._just_created and known not in self.client.rooms:
            raise NotReadyYet(known)  # created, not synced yet (a room the bot has left is replaced below)
        created = await self.client.room_create(
            is_direct=True,
            invite=[user_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTION] if self.encrypted else [],
        )
        if not isinstance(created, RoomCreateResponse):
            raise RuntimeError(f"could not create a direct room: {getattr(created, 'message', created)}")
        async with self.store.transaction():
            await self.store.key_values.set(DIRECT_ROOM + user_id, created.room_id)
        self._just_created.add(created.room_id)
        log.info("created a direct room for a member's data copy")
        raise NotReadyYet(created.room_id)
