"""Sentences of proposals: proposing, pledges, objections, edits, cancelling, extending, reminders and decisions."""

from __future__ import annotations

from handlers.wording.sentences.kinds import Sentence, _msg, _plural

SENTENCES: tuple[Sentence, ...] = (
    # proposals
    _msg(
        "proposal.not_found", "There is no proposal #{number} in this room. Send {prefix}proposals for the open ones."
    ),
    _msg("proposal.closed", "Proposal #{number} is already closed ({status})."),
    _msg("proposal.deadline_passed", "The deadline of #{number} has passed; the decision is being announced."),
    _plural(
        "proposal.reputation_low",
        "You need at least {needed} credit to make a proposal; you have {credits}.",
        "You need at least {needed} credits to make a proposal; you have {credits}.",
    ),
    _msg("proposal.announce", "📣 New proposal #{number}: {title}\nProposed by {proposer}."),
    _msg("proposal.idea_link", "From the idea by {author}: “{excerpt}”"),
    _msg("proposal.goals", "Goals: {goals}"),
    _msg(
        "proposal.goals_announce",
        "Goals: {goals} (the proposer is not counted as a backer; their own pledge counts toward money and hours)",
    ),
    _msg("proposal.deadline", "Deadline: {deadline} ({left})"),
    _msg(
        "proposal.how_to_back",
        "Back it: {prefix}backme {number} [€amount] [hours] [note]. A pledge binds you only if #{number} goes GO. "
        "A 👍 on this message gives {proposer} a credit; it is no pledge.",
    ),
    _msg(
        "proposal.duplicate",
        "#{number} {title} is already open with that title; back it with {prefix}backme {number}, or choose "
        "another title.",
    ),
    _plural(
        "proposal.too_many_open",
        "You already have {limit} open proposal: {open}. Wait for its decision, or cancel it with {prefix}cancel.",
        "You already have {limit} open proposals: {open}. Wait for one to be decided, or cancel one with "
        "{prefix}cancel.",
    ),
    # pledges
    _msg("pledge.placed", "Thank you {user}: you back #{number} {title} with {pledge}."),
    _msg("pledge.placed_support", "Thank you {user}: you back #{number} {title}, without money or hours."),
    _msg("pledge.changed", "{user}, your pledge to #{number} is now {pledge} (was {old})."),
    _msg("pledge.now_support", "{user}, you now back #{number} without money or hours (was {old})."),
    _msg("pledge.unchanged", "{user}, your pledge to #{number} was already {pledge}."),
    _msg(
        "pledge.no_amount_read",
        "I read no amount or hours in “{text}”; your pledge to #{number} stays {pledge}. Give the amount or the "
        "hours (like €50 or 4h), or send {prefix}backme {number} support only to back it without them.",
    ),
    _msg(
        "pledge.kept",
        "Your pledge to #{number} stays {pledge}. To change it, give the amount or the hours (like €50 or 4h), or "
        "send {prefix}backme {number} support only to back it without them.",
    ),
    _msg("pledge.note_kept", "Your note stays: “{note}”."),
    _msg("pledge.note_changed", "Your note is now: “{note}”."),
    _msg("pledge.withdrawn", "{user}, your pledge to #{number} ({pledge}) is withdrawn."),
    _msg("pledge.none", "You have no pledge on #{number}, so there is nothing to withdraw."),
    _msg(
        "pledge.locked",
        "Until the deadline ({until}) you can't take back so much that #{number} misses a goal it has reached "
        "({goals}) again: the others count on it. Your pledge stays as it was.",
    ),
    _msg("pledge.closed", "Proposal #{number} is closed ({status}); pledges can no longer change."),
    _msg("goal_name.backers", "backers"),
    _msg("goal_name.money", "money"),
    _msg("goal_name.hours", "hours"),
    # objections
    # edit
    _msg("edit.done", "✏️ {user} changed #{number} {title}:"),
    _msg("edit.title", "Title: “{old}” → “{new}”"),
    _msg("edit.money", "Money: {old} → {new}"),
    _msg("edit.hours", "Hours: {old} → {new}"),
    _msg("edit.backers", "Backers: {old} → {new}"),
    _msg("edit.deadline", "Deadline: {old} → {new} ({left})"),
    _msg("edit.description", "New description: “{text}”"),
    _msg("edit.none", "none"),
    _msg(
        "edit.pledged",
        "#{number} has pledges already: its terms stay as its backers took them. If something must change, cancel "
        "it and make a new proposal.",
    ),
    _msg("object.recorded", "Your objection to #{number} is recorded; it will be shown with its status and decision."),
    _msg("object.closed", "Proposal #{number} is closed ({status}); objections can no longer be added."),
    _msg(
        "object.replaced", "Your objection to #{number} now reads “{reason}”; it replaces your earlier one (“{old}”)."
    ),
    _msg("object.withdrawn", "Your objection to #{number} is withdrawn."),
    _msg("object.none", "You have no objection to #{number} to withdraw."),
    _msg(
        "help.object", "One objection per member: a new one replaces yours; {prefix}object <id> withdraw takes it back."
    ),
    # cancel / extend
    _msg("cancel.announce", "🚫 Proposal #{number} {title} was cancelled by {user}."),
    _msg("cancel.reason", "Reason: {reason}"),
    _plural(
        "cancel.lapse",
        "{backers}: your pledge lapses, nothing is owed.",
        "{backers}: your pledges lapse, nobody owes anything.",
    ),
    _msg("extend.not_later", "The new deadline must be later than the current one ({deadline})."),
    _msg("extend.done", "The deadline of #{number} {title} is now {deadline} ({left})."),
    # announcements
    _msg("reminder.announce", "⏰ Reminder: #{number} {title} closes {deadline} ({left})."),
    _msg("reminder.gap", "Still needed: {gap}."),
    _msg("reminder.met", "Every goal is met; backing stays open until the deadline."),
    _msg("fully_backed.announce", "🎯 #{number} {title} is fully backed! Pledges stay open until {deadline}."),
    # The first words of a decision stay "GO #<n>" / "NO-GO #<n>" in every language: people and scripts look
    # for them (a test checks every catalog).
    _msg("decision.go", "✅ GO #{number} {title}"),
    _msg("decision.no_go", "❌ NO-GO #{number} {title}"),
    _msg("decision.late", "(Announced late: the deadline was {deadline}, while I was offline.)"),
    _msg("decision.go_reason", "Every goal was met: {totals}."),
    _msg("decision.no_go_reason", "Short of: {gap}."),
    _msg("decision.no_go_owes", "Nobody owes anything: the pledges lapse."),
    _msg(
        "decision.go_next",
        "Backers: pay or work as you pledged, and report it with {prefix}delivered {number} [€amount] [hours]. "
        "News follows in the thread of the announcement ({prefix}update {number} <news>).",
    ),
    _msg(
        "decision.go_next_money",
        "Backers: pay with the payment request in your direct messages (the bank statement confirms it, so you do "
        "not report it), and report hours worked with {prefix}delivered {number} [hours]. News follows in the thread "
        "of the announcement ({prefix}update {number} <news>).",
    ),
    _msg("decision.rewards", "Rewards: {proposer} {proposer_reward}, each backer {backer_reward}."),
    _msg("decision.proposer", "Proposed by {proposer}."),
    _msg("decision.rewards_backers", "Rewards: each backer {backer_reward}."),
    _plural("credits.reward", "+{count} credit", "+{count} credits"),
    _plural("gap.backers", "{count} more backer", "{count} more backers"),
)
