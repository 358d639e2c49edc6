"""Sentences of the work after GO: updates, deliveries, confirmations, nudges and the closing report."""

from __future__ import annotations

from handlers.wording.sentences.kinds import Sentence, _msg, _plural

SENTENCES: tuple[Sentence, ...] = (
    # after GO
    _msg("underway.not_yet", "#{number} is still open until {deadline}: updates and deliveries come after GO."),
    _msg("underway.not_underway", "Proposal #{number} is not underway ({status}): only a GO proposal is carried out."),
    _msg(
        "underway.closed",
        "#{number} {title} is closed ({status}) since {when}; {prefix}status {number} shows its report.",
    ),
    _msg("proposal.closed_on", "Closed {when}: {status}."),
    _msg("underway.update_not_allowed", "Only the proposer or a backer of #{number} can post its updates."),
    _msg("underway.update_posted", "📝 Update on #{number} {title} by {user}"),
    _msg("underway.percent", "({percent}% done)"),
    _msg("underway.quote", "“{text}”"),
    _msg("underway.not_a_backer", "Only a backer of #{number} reports a delivery to it, and only their own."),
    _msg(
        "underway.money_by_bank",
        "Your money for #{number} is confirmed by the bank statement once it arrives, not by a report: report only "
        "your hours here, like {prefix}delivered {number} 2h. Nothing was recorded.",
    ),
    _msg("underway.delivered_both", "📦 {user} paid {money} and worked {hours} for #{number} (not confirmed yet)."),
    _msg("underway.delivered_money", "📦 {user} paid {money} for #{number} (not confirmed yet)."),
    _msg("underway.delivered_hours", "📦 {user} worked {hours} for #{number} (not confirmed yet)."),
    _msg(
        "underway.how_to_confirm",
        "{proposer} or a moderator confirms it with ✅ on this message or with {prefix}confirm {number} {backer}.",
    ),
    _msg(
        "underway.how_to_confirm_own",
        "This is the proposer's own delivery: only a moderator confirms it, with ✅ on this message or with "
        "{prefix}confirm {number} {backer}.",
    ),
    _msg("underway.confirmed", "✅ {user} confirmed {backer}'s delivery of {amount} to #{number}."),
    _msg("underway.earned", "{backer} earns {reward} for it."),
    _msg(
        "underway.effort_capped",
        "{user} has given the {cap} credits a member may give in a day; the rest can be earned with a later "
        "confirmation.",
    ),
    _msg(
        "underway.effort_not_counted",
        "No credits for it: {member}'s votes do not count here yet, and effort credits follow the rules of votes.",
    ),
    _msg("underway.self_confirm", "You cannot confirm your own delivery: the proposer or another moderator does."),
    _msg("underway.self_confirm_proposer", "You cannot confirm your own delivery: a moderator does."),
    _msg(
        "underway.none_waiting",
        "“{token}” is not a Matrix user id, and no delivery to #{number} waits for confirmation.",
    ),
    _msg("underway.who_waits", "I don't know who “{token}” is. Deliveries to #{number} wait from: {backers}."),
    _msg("underway.nothing_to_confirm", "{backer} has no unconfirmed delivery to #{number}."),
    _msg(
        "underway.nothing_to_unconfirm",
        "You confirmed no delivery of {backer} to #{number} today: only today's own confirmations can be taken back.",
    ),
    _msg(
        "underway.unconfirmed",
        "↩️ The confirmation of {backer}'s {amount} to #{number} is taken back; the credits for it lapse.",
    ),
    _msg("underway.done_percent", "{percent}% done"),
    _msg("underway.money_confirmed", "{done} of {pledged} confirmed"),
    _msg("underway.hours_confirmed", "{hours} confirmed"),
    _msg("underway.updates_title", "Latest updates:"),
    _msg("underway.update_line", "{when} {user}: “{text}”"),
    _msg("underway.update_erased", "{when} {user}: (erased)"),
    _plural("underway.more_updates", "… and {count} more update.", "… and {count} more updates."),
    _msg("report.done", "🏁 #{number} {title} is done — closed by {user}."),
    _msg("report.dropped", "🛑 #{number} {title} was stopped by {user}."),
    _msg("report.dates", "GO {go}, closed {closed}; {updates}."),
    _plural("report.updates", "{count} update", "{count} updates"),
    _msg("report.backers_title", "Pledged · reported · confirmed:"),
    _msg("report.backer", "{user}: {pledged} · {delivered} · {confirmed}"),
    _msg("report.by_bank", "confirmed by the bank statement"),
    _msg("report.part_by_bank", "{amount} of it confirmed by the bank statement"),
    _msg("report.none", "nothing"),
    _msg("mine.open_title", "Your pledges to open proposals:"),
    _msg("mine.pledge", "#{number} {title}: {pledge}"),
    _msg("mine.underway_title", "Still to deliver for proposals that went GO:"),
    _msg("mine.underway", "#{number} {title}: {left}"),
    _msg("mine.all_delivered", "all delivered"),
    _msg("mine.confirm_title", "Deliveries waiting for your confirmation:"),
    _msg("mine.to_confirm", "#{number} {title}: {backer} {amount} ({prefix}confirm {number} {user_id})"),
    _msg("mine.own_title", "Your proposals:"),
    _msg("mine.nothing", "You have no pledges or proposals in this room yet."),
    _plural(
        "nudge.update",
        "👋 No update on #{number} {title} for {days} day. {proposer}, how is it going? Tell us with {prefix}update "
        "{number} <news>.",
        "👋 No update on #{number} {title} for {days} days. {proposer}, how is it going? Tell us with {prefix}update "
        "{number} <news>.",
    ),
    _plural(
        "nudge.deliver",
        "👋 A reminder for #{number} {title}: {backers}, nothing of your pledge is reported yet. When you have paid or "
        "worked, say so with {prefix}delivered {number} [€amount] [hours].",
        "👋 A reminder for #{number} {title}: {backers}: nothing of your pledges is reported yet. When you have paid "
        "or worked, say so with {prefix}delivered {number} [€amount] [hours].",
    ),
    _msg("list.and", " and "),
    _plural(
        "nudge.confirm",
        "👋 {proposer}, a delivery to #{number} {title} waits for your confirmation: {deliveries}. Confirm it with ✅ "
        "on its message or with {prefix}confirm {number} {backer}.",
        "👋 {proposer}, deliveries to #{number} {title} wait for your confirmation: {deliveries}. Confirm each with "
        "✅ on its message or with {prefix}confirm {number} @member.",
    ),
    _msg("nudge.late", "(Posted late: it was due {due}.)"),
)
