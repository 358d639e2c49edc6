"""The rooms Kring serves: configured ones and those joined on an allowed invite or a real upgrade, and their state.

Membership changes (a new room served, a room left, a room upgraded) are noted here as they are seen and
written by the sync loop inside the batch's own transaction (`write_changes`), with the sync token.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinError,
    RoomGetStateEventResponse,
    RoomResolveAliasResponse,
    SyncResponse,
)

from bot.config import ConfigError, MatrixSettings
from bot.matrix.homeserver import Patience
from bot.matrix.room_state import RoomState, RoomStates, creators_of
from storage.store import Store

log = logging.getLogger(__name__)

EXTRA_ROOMS_KEY = "matrix.extra_rooms"


@dataclass
class RoomCreators:
    """Room creators per room: in room version 12 they outrank every power level."""

    by_room: dict[str, frozenset[str]] = field(default_factory=dict)

    def learn(self, room_id: str, source: Mapping[str, Any]) -> None:
        if source.get("type") != "m.room.create":
            return
        creators = creators_of(source)
        if creators:
            self.by_room[room_id] = creators

    def is_creator(self, room_id: str, user_id: str) -> bool:
        return user_id in self.by_room.get(room_id, frozenset())


def allowed_inviter(user_id: str, allowed: tuple[str, ...]) -> bool:
    """Whether `user_id` is listed in `allowed_inviters`, by id or by server (`:example.org`)."""
    for entry in allowed:
        if entry.startswith(":") and user_id.endswith(entry):
            return True
        if user_id == entry:
            return True
    return False


@dataclass
class MembershipChanges:
    """What changed since the last batch was stored; written with the next one."""

    served: bool = False  # the set of rooms joined beyond the configured ones changed
    left: list[str] = field(default_factory=list)
    upgraded: list[tuple[str, str]] = field(default_factory=list)  # (old room, new room)

    def __bool__(self) -> bool:
        return self.served or bool(self.left or self.upgraded)


class Rooms:
    def __init__(self, settings: MatrixSettings, store: Store, client: AsyncClient, patience: Patience) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.patience = patience
        self.served: set[str] = set()
        self.configured: set[str] = set()  # matrix.rooms, aliases resolved
        self.states = RoomStates()  # what each room's state says, at the event the sync loop is at
        self.changes = MembershipChanges()

    # start-up
    async def resolve(self) -> None:
        """The configured rooms (aliases resolved) and those joined earlier on an invite or an upgrade."""
        for room in self.settings.rooms:
            if room.startswith("#"):
                resolved = await self.patience.until_answered(
                    f"resolving {room}", functools.partial(self.client.room_resolve_alias, room)
                )
                if not isinstance(resolved, RoomResolveAliasResponse):
                    raise ConfigError(f"config error at matrix.rooms: cannot resolve alias {room}")
                self.configured.add(resolved.room_id)
            else:
                self.configured.add(room)
        self.served.update(self.configured)
        extra = await self.store.key_values.get(EXTRA_ROOMS_KEY)
        if extra:
            self.served.update(json.loads(extra))
        log.info("serving %d rooms", len(self.served))

    async def join_served(self) -> None:
        for room_id in sorted(self.served):
            if room_id in self.client.rooms:
                continue
            response = await self.client.join(room_id)
            if isinstance(response, JoinError):
                log.warning("could not join %s: %s", room_id, response.message)

    # what a sync says
    async def answer_invites(
        self, response: SyncResponse, *, direct_from: Callable[[str], bool] = lambda inviter: False
    ) -> None:
        """Join configured rooms and rooms an allowed inviter invites to; join, without serving it, a direct room
        that someone `direct_from` accepts (a treasurer) invites to; decline the rest."""
        for room_id, invited in response.rooms.invite.items():
            ours = next(
                (
                    e
                    for e in invited.invite_state
                    if isinstance(e, InviteMemberEvent) and e.state_key == self.settings.user_id
                ),
                None,
            )
            inviter = None if ours is None else ours.sender
            if room_id in self.served or (inviter and allowed_inviter(inviter, self.settings.allowed_inviters)):
                joined = await self.client.join(room_id)
                if isinstance(joined, JoinError):
                    log.warning("could not join %s after invite: %s", room_id, joined.message)
                    continue
                self._serve(room_id)
                log.info("accepted invite to %s from %s", room_id, inviter)
            elif ours is not None and ours.content.get("is_direct") is True and inviter and direct_from(inviter):
                # Only to be handed files in (a treasurer's bank statements): no command there is answered.
                joined = await self.client.join(room_id)
                if isinstance(joined, JoinError):
                    log.warning("could not join the direct room %s after invite: %s", room_id, joined.message)
                    continue
                log.info("accepted a direct-message invite to %s from %s, a treasurer", room_id, inviter)
            else:
                await self.client.room_leave(room_id)
                log.info("declined invite to %s from %s (not a configured room or inviter)", room_id, inviter)

    def note_leaves(self, response: SyncResponse) -> None:
        """Rooms we were removed from (kicked, banned, left) are served no more."""
        for room_id in response.rooms.leave:
            if room_id in self.served:
                self.served.discard(room_id)
                self.changes.served = True
                self.changes.left.append(room_id)

    async def follow_upgrade(self, room_id: str, source: Mapping[str, Any], state: RoomState) -> None:
        """A tombstone: join the replacement room and serve it instead, with everything Kring knew.

        Only a real upgrade moves the proposals: the room's own tombstone state event, sent by someone with the
        level the room's power levels ask for it, naming a room whose create event names this one as its
        predecessor. Anything else is an event a member could send to carry the community off.
        """
        sender = source.get("sender")
        replacement = (source.get("content") or {}).get("replacement_room")
        if not isinstance(replacement, str) or replacement in self.served or not isinstance(sender, str):
            return
        if source.get("state_key") != "":
            log.warning("ignored a tombstone in %s from %s: not the room's state", room_id, sender)
            return
        if not state.known or state.power(sender) < state.needed_for_state("m.room.tombstone"):
            log.warning("ignored a tombstone in %s from %s: not theirs to send", room_id, sender)
            return
        joined = await self.client.join(replacement)
        if isinstance(joined, JoinError):
            log.warning("room %s was upgraded to %s but joining failed: %s", room_id, replacement, joined.message)
            return
        create = await self.client.room_get_state_event(replacement, "m.room.create", "")
        successor = RoomState()
        if isinstance(create, RoomGetStateEventResponse):
            successor.learn({"type": "m.room.create", "state_key": "", "content": create.content})
        if successor.predecessor != room_id:
            log.warning("ignored a tombstone in %s: %s does not name it as its predecessor", room_id, replacement)
            await self.client.room_leave(replacement)
            return
        self._serve(replacement)
        self.changes.upgraded.append((room_id, replacement))
        log.info("room %s was upgraded; now serving %s", room_id, replacement)

    def _serve(self, room_id: str) -> None:
        if room_id not in self.served:
            self.served.add(room_id)
            self.changes.served = True

    # stored with the batch
    async def write_changes(self, room_ids: Iterable[str] = ()) -> None:
        """Inside the batch's transaction: the state of its rooms `room_ids`, the served rooms, and what leaving or
        an upgrade changes. What the batch changed in memory holds once it commits; a failed one is noted again
        with the next batch (the room states are worked out again)."""
        await self.store.key_values.set_many(self.states.changes(room_ids))
        self.store.db.on_commit(self.states.committed)
        self.store.db.on_rollback(self.states.discard)
        changes = self.changes
        if changes.served:
            # The served rooms that are not configured (joined on an invite or an upgrade), kept for restarts;
            # a room we left is not rejoined at restart.
            await self.store.key_values.set(EXTRA_ROOMS_KEY, json.dumps(sorted(self.served - self.configured)))
        for room_id in changes.left:
            stopped = await self.store.schedule.cancel_pending_in_room(room_id)
            dropped = await self.store.outbox.drop_pending_in_room(room_id)
            log.warning(
                "removed from %s (kicked, banned or left): %d scheduled announcements stopped, %d unsent dropped",
                room_id,
                stopped,
                dropped,
            )
        for old_room, new_room in changes.upgraded:
            await self.store.proposals.move_room(old_room, new_room)
            await self.store.room_settings.move_room(old_room, new_room)
        self.store.db.on_commit(functools.partial(self._stored, changes))

    def _stored(self, changes: MembershipChanges) -> None:
        if self.changes is changes:
            self.changes = MembershipChanges()
