"""The room's board: `!board` (a one-time sign-in link, sent privately), and what the board shows: what every
member of the room sees alike, read at once from the store (what only the viewer sees: `storage.queries.board.Own`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.commands.context import Context
from handlers.commands.declaration import command
from handlers.events import Say
from handlers.settings import CommunitySettings
from handlers.wording.fragments import ProposalFacts
from storage.records import Delivery, MessageKind, Need, Priority, Proposal, Standing, Talent, Update
from storage.store import Store

ARCHIVE_PAGE = 20  # decided and closed proposals per page
UNDERWAY_SHOWN = 10  # the proposals underway decided last (as `!proposals` lists them)
LEADERBOARD_SHOWN = 20


@command("board", nl=("bord",), order=260)
async def board_link(ctx: Context) -> list[Say]:
    """The link goes out through the outbox, made when it is sent: no usable token waits in the outbox."""
    board = ctx.settings.board
    if not board.enabled:
        return [ctx.reply(ctx.texts.t("board.off"))]
    minutes = board.link_minutes
    link = Say(
        ctx.room_id,
        ctx.texts.tn("board.link_caption", minutes, minutes=minutes),
        kind=MessageKind.BOARD_LINK,
        mentions=(ctx.sender,),  # for whom; the room is the one asked in
        priority=Priority.PRIVATE,
    )
    return [link, ctx.reply(ctx.texts.tn("board.link_sent", minutes, minutes=minutes))]


@dataclass(frozen=True)
class Carried:
    """A decided proposal with how it was carried out: its updates and deliveries."""

    facts: ProposalFacts
    updates: list[Update]
    deliveries: list[Delivery]


@dataclass(frozen=True)
class RoomBoard:
    """What every member of a room sees alike on its board (one page of the archive)."""

    room_id: str
    now: datetime
    open: list[ProposalFacts]
    underway: list[Carried]
    underway_total: int
    decided: list[ProposalFacts]  # a page of the archive: what each gathered is all it shows
    decided_total: int
    page: int
    needs: list[Need]
    talents: list[Talent]
    leaderboard: list[Standing]
    names: dict[str, str]

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    @property
    def pages(self) -> int:
        return max(1, -(-self.decided_total // ARCHIVE_PAGE))


async def read_room_board(
    store: Store, settings: CommunitySettings, room_id: str, now: datetime, page: int = 0
) -> RoomBoard:
    """Everything the board shows every member alike: open proposals, the work underway decided last, a page of
    the archive, open needs, talents and the leaderboard (opt-outs and `show_negative` respected). A fixed number
    of round trips, however big the room's history."""
    open_ones = await store.proposals.open_in_room(room_id)
    going, going_total = await store.proposals.underway_in_room(room_id, UNDERWAY_SHOWN)
    decided_page, decided_total = await store.proposals.finished_in_room(room_id, ARCHIVE_PAGE, page * ARCHIVE_PAGE)
    needs = await store.talents.open_needs(room_id, now - timedelta(days=settings.talents.needs_days))
    talents = await store.talents.in_room(room_id)
    leaderboard = await store.credits.leaderboard(
        room_id, LEADERBOARD_SHOWN, show_negative=settings.reputation.show_negative
    )
    shown = {p.id: p for p in (*open_ones, *going, *decided_page)}  # one read for all of them
    people = {*(n.user_id for n in needs), *(t.user_id for t in talents), *(s.user_id for s in leaderboard)}
    people |= {p.proposer for p in shown.values()}
    involved = await store.board.involvement(room_id, list(shown), people)

    def facts(proposal: Proposal) -> ProposalFacts:
        pledges, objections = involved.pledges[proposal.id], involved.objections[proposal.id]
        return ProposalFacts(proposal, pledges, objections, involved.names)

    def carried(proposal: Proposal) -> Carried:
        return Carried(facts(proposal), involved.updates[proposal.id], involved.deliveries[proposal.id])

    return RoomBoard(
        room_id=room_id,
        now=now,
        open=[facts(p) for p in open_ones],
        underway=[carried(p) for p in reversed(going)],  # newest decision first
        underway_total=going_total,
        decided=[facts(p) for p in decided_page],
        decided_total=decided_total,
        page=page,
        needs=needs,
        talents=talents,
        leaderboard=leaderboard,
        names=involved.names,
    )
