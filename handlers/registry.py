"""Every command Kring answers, in the order `!help` lists them: what members do most, first."""

from __future__ import annotations

from handlers import board, help, language, pledges, privacy, proposals, reputation, talents, underway
from handlers.commands import CommandSet

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
