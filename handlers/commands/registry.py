"""Every command Kring answers, in the order `!help` lists them: what members do most, first."""

from __future__ import annotations

from handlers import board, digest
from handlers.commands import help
from handlers.commands.declaration import CommandSet
from handlers.members import own_data as privacy
from handlers.members import talents
from handlers.proposals import pledges, underway
from handlers.proposals import proposing as proposals
from handlers.reputation import ranking as reputation
from handlers.wording import room_language as language

COMMANDS = CommandSet(
    (
        proposals.list_proposals,
        proposals.archive,
        proposals.show_proposal,
        proposals.propose,
        pledges.back_me,
        pledges.withdraw,
        proposals.object_to,
        proposals.edit_proposal,
        underway.post_update,
        underway.report_delivery,
        underway.mine,
        reputation.ideas,
        digest.show_digest,
        talents.need,
        talents.solved,
        talents.who,
        talents.skills,
        talents.profile,
        reputation.rep,
        reputation.top,
        proposals.cancel,
        proposals.extend,
        underway.confirm,
        underway.unconfirm,
        underway.done,
        underway.drop,
        board.board_link,
        privacy.my_data,
        privacy.opt_out,
        privacy.opt_in,
        privacy.forget_me,
        language.set_language,
        help.show_help,
    )
)
