"""Every sentence Kring says, in English: the source of the gettext catalogs under handlers/wording/locale.

Each sentence has a key (its gettext context, which tells translators where it is used) and its English text
(the msgid); `_plural` ones have a singular and a plural form and are chosen by a count. Babel extracts them
(`_msg:1c,2`, `_plural:1c,2,3`; see README, "Languages"); the translations live in
handlers/wording/locale/<language>/LC_MESSAGES/kring.po. Placeholders in braces are filled in by `Texts.t`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str
    plural: str | None = None


def _msg(key: str, text: str) -> Sentence:
    return Sentence(key, text)


def _plural(key: str, singular: str, plural: str) -> Sentence:
    return Sentence(key, singular, plural)


_ALL = (
    # generic
    _msg("internal_error", "Something went wrong on my side; nothing was changed. Please try again later."),
    _msg("unknown_command", "I don't know the command {command}. Send {prefix}help for the list of commands."),
    _msg("unknown_command.suggest", "I don't know the command {command}. Did you mean {suggestion}?"),
    _msg("did_you_mean", "Did you mean {suggestion}?"),
    _msg("usage", "Usage: {usage}\nExample: {example}"),
    _msg(
        "usage.propose_multiline",
        "Over several lines, like this:\n{prefix}propose <title>\ngoal: €2.500\nhours: 40\n"
        "deadline: 2026-12-15 17:00\nbackers: 5\nOther lines are the description.",
    ),
    # parse problems (handlers.parsing.Problem), and other usage errors
    _msg("err.bad_money", "I can't read the amount “{token}”. Write money like €2.500, €2,500.50 or 2500 euro."),
    _msg("err.money_too_large", "“{token}” is more than the maximum of €10,000,000."),
    _msg("err.money_not_positive", "The amount “{token}” must be more than zero."),
    _msg("err.bad_hours", "I can't read the hours “{token}”. Write hours like 40h, 40 hours or 1.5h."),
    _msg("err.hours_too_large", "“{token}” is more than the maximum of 100,000 hours."),
    _msg("err.hours_not_positive", "The hours “{token}” must be more than zero."),
    _msg(
        "err.bad_date",
        "I can't read the deadline “{token}”. Write it like 2026-12-15, 2026-12-15 17:00, 15 December, friday, "
        "next week friday, end of the month, tomorrow, in 3 days or in 36h.",
    ),
    _msg("err.missing_deadline", "Which deadline? Give the new one, like 2026-12-31 or in 7 days."),
    _msg("err.deadline_past", "The deadline “{token}” has already passed; choose a moment in the future."),
    _plural(
        "err.deadline_too_far",
        "The deadline “{token}” is more than {max_days} day away.",
        "The deadline “{token}” is more than {max_days} days away.",
    ),
    _msg("err.bad_duration", "I can't read the duration “{token}”. Write it like 3d, 2w, 36h or 90m."),
    _msg("err.bad_proposal_number", "“{token}” is not a proposal number. Write it like #3 or 3."),
    _msg("err.missing_proposal_number", "Which proposal? Give its number, like #3, or reply to my announcement of it."),
    _msg("err.title_missing", "Your proposal has no title yet."),
    _plural(
        "err.title_length",
        "A title has {min} to {max} characters; yours has {count} character.",
        "A title has {min} to {max} characters; yours has {count} characters.",
    ),
    _msg("err.unknown_token", "I don't understand “{token}”."),
    _msg("err.duplicate_money", "You gave an amount of money twice (“{token}”)."),
    _msg("err.duplicate_hours", "You gave hours twice (“{token}”)."),
    _msg("err.duplicate_deadline", "You gave a deadline twice (“{token}”)."),
    _msg("err.duplicate_min", "You gave the minimum number of backers twice (“{token}”)."),
    _msg("err.bad_min_backers", "“{token}” is not a valid minimum number of backers (1 to 100,000)."),
    _msg("err.ambiguous_number", "“{token}” alone is unclear: write €{token} for money or {token}h for hours."),
    _msg(
        "err.title_number",
        "“{token}” at the end of the title is unclear: write €{token} for money or {token}h for hours, or put "
        'the title in quotes if the number belongs to it ("Courier 2027").',
    ),
    _msg(
        "err.unknown_field",
        "I don't know the line “{token}:”. Use goal:, hours:, deadline: or backers: (or their Dutch names).",
    ),
    _msg("err.note_too_long", "The note is too long (at most {max} characters)."),
    _msg("err.description_too_long", "The description is too long ({length} characters; at most {max})."),
    _msg("err.bad_count", "“{token}” is not a number from 1 to {max}."),
    _msg("err.bad_user", "“{token}” is not a Matrix user id. Write it like @name:server.org, or type @ and pick them."),
    _msg("err.missing_reason", "Please give a reason."),
    _msg("err.reason_too_long", "The reason is too long (at most {max} characters)."),
    _msg(
        "err.missing_language", "This room speaks English. Which language should it speak? Choose one of: {languages}."
    ),
    _msg("err.missing_member", "Whose? Name the member, like @bob:example.org, or type @ and pick them."),
    _msg(
        "err.unknown_edit",
        "What do you want to change? Write title:, description:, goal:, hours: or backers:, each on its own line "
        "(“{token}” is none of them).",
    ),
    _msg(
        "err.missing_edit",
        "What do you want to change? Write title:, description:, goal:, hours: or backers: after the number, each "
        "on its own line.",
    ),
    _msg("err.bad_page", "“{token}” is no page number: write 1, 2, …"),
    _msg(
        "err.bad_scope", "“{token}” is unclear: write {prefix}proposals, or {prefix}proposals all for the archive too."
    ),
    _msg("err.bad_percent", "“{token}” is no percentage from 0 to 100."),
    _msg("err.missing_update", "What is the news? Write it after the number, like: !update 3 the van is ordered 40%."),
    _msg("err.update_too_long", "The update is too long (at most {max} characters)."),
    _msg("err.missing_talent", "Which talent? Write it after the word, like: !skills add driver, first aid."),
    _msg("err.talent_length", "“{token}” is no talent: a talent has {min} to {max} characters."),
    _msg("err.bad_ask", "“{token}” is neither on nor off: !skills ask on lets matches mention you, off stops it."),
    _msg("err.bad_digest", "“{token}” is neither on nor off: {prefix}digest on|off switches the weekly digest."),
    _msg("err.bad_skills", "“{token}” is not something !skills does: add, remove or ask."),
    _msg("err.missing_query", "Who can do what? Give a talent, like: !who driver."),
    _msg("err.missing_need", "What do you need? Write it, like: !need someone to drive on Saturday for: driver."),
    _msg("err.need_too_long", "The need is too long (at most {max} characters)."),
    _msg("err.bad_need_id", "“{token}” is not a need number. Write it like N#3 or 3."),
    _msg("err.missing_delivery", "What did you deliver? Give money, hours or both, like €50 or 4h."),
    _msg("err.bad_language", "“{token}” is not a language I speak. Choose one of: {languages}."),
    _msg(
        "err.bad_confirm", "“{token}” is not a confirmation: send {prefix}forgetme confirm, or {prefix}forgetme alone."
    ),
    # help: the overview, and each command's summary, arguments and example
    _msg("help.title", "Kring commands:"),
    _msg("help.dash", " — "),
    _msg("help.footer", "Send {prefix}help <command> for what it does, who may use it, its syntax and an example."),
    _msg("help.language", "This room speaks English; a moderator can change that with {prefix}language nl."),
    _msg("help.unknown", "There is no command “{command}”. Send {prefix}help for the list."),
    _msg("help.unknown_suggest", "There is no command “{command}”. Did you mean {suggestion}?"),
    _msg("help.command", "{prefix}{command}"),
    _msg("help.aliases", "Also: {names}"),
    _msg(
        "help.confirm",
        "The proposer or a moderator confirms a backer's delivery, never the backer who delivered it; the "
        "proposer's own delivery only a moderator confirms. Effort credits count like votes: what your "
        "confirmations grant in a day, and GO rewards you receive, count toward your daily vote limit; a backer "
        "earns at most {ceiling} from one proposal's deliveries, and accounts whose votes do not count yet earn "
        "and grant none.",
    ),
    _msg(
        "help.backme",
        "A new pledge replaces your old one. It binds you only if the proposal goes GO; until the deadline you can "
        "change or withdraw it (close to the deadline, not below a goal it has reached). After GO you pay or work "
        "as pledged and report it with {prefix}delivered.",
    ),
    _msg(
        "help.confirm_treasurer",
        "A treasurer confirms a payment that Kring suggested from a bank statement (or rejects it with "
        "{prefix}reject).",
    ),
    _msg(
        "help.reject",
        "A bank line that only looks like a backer's payment (the amount they owe, the proposal's number in its "
        "text) waits as a suggestion: {prefix}confirm takes it as their payment, {prefix}reject says it is not, and "
        "the line goes back to those for the treasurer. A treasurer, the proposer or a moderator decides.",
    ),
    _msg(
        "help.propose_multiline",
        "Or over several lines: {prefix}propose <title>, then goal: €2.500, hours: 40, "
        "deadline: 2026-12-15 17:00, backers: 5; other lines are the description. "
        "Reply to an idea with {prefix}propose to link it. You may back your own proposal: your own pledge counts "
        "toward the money and hours, but you are not one of the backers (a proposal only you back is no GO).",
    ),
    _msg("summary.help", "this overview, or what one command does and how to write it"),
    _msg("summary.propose", "turn an idea into a proposal with goals and a deadline"),
    _msg("summary.backme", "back a proposal with money, hours or plain support"),
    _msg("summary.withdraw", "withdraw your pledge before the deadline"),
    _msg(
        "summary.edit",
        "change an open proposal's title, description or goals until its first pledge (proposer or moderator)",
    ),
    _msg("summary.object", "record an objection (shown, never blocking)"),
    _msg("summary.proposals", "open proposals with their progress (with all: the archive)"),
    _msg("summary.archive", "decided and closed proposals, newest first"),
    _msg("summary.proposal", "full status of one proposal"),
    _msg("summary.rep", "a member's credits and rank"),
    _msg("summary.top", "the leaderboard"),
    _msg("summary.ideas", "the most credited recent ideas not yet proposed"),
    _msg("summary.cancel", "cancel an open proposal (proposer or moderator)"),
    _msg("summary.extend", "move a deadline later (moderator)"),
    _msg("summary.language", "the language this room speaks (moderator)"),
    _msg("summary.digest", "this week in the circle; on|off switches the weekly digest (moderator)"),
    _msg("summary.mydata", "a copy of everything Kring holds about you, as a file in a direct message"),
    _msg("summary.forgetme", "make Kring forget you: your name becomes a pseudonym, your texts are erased"),
    _msg("summary.optout", "take no part in reputation: reactions by and to you count nothing"),
    _msg("summary.optin", "take part in reputation again"),
    _msg("summary.need", "ask the room for help (or, without text, the open needs)"),
    _msg("summary.solved", "close your need, crediting who helped"),
    _msg("summary.who", "who offers a talent"),
    _msg("summary.skills", "your talents, and whether matches may mention you"),
    _msg("summary.profile", "a member's talents, credits, proposals and hours delivered"),
    _msg("summary.update", "tell how a GO proposal is going (proposer or backer)"),
    _msg("summary.delivered", "report money paid or hours worked for a GO proposal (backer)"),
    _msg("summary.mine", "your pledges, what you still have to deliver or confirm, your proposals"),
    _msg("summary.confirm", "confirm a backer's delivery (proposer or moderator)"),
    _msg("summary.unconfirm", "take back your confirmation of today (proposer or moderator)"),
    _msg("summary.reject", "reject a payment Kring suggested from a bank statement (treasurer, proposer or moderator)"),
    _msg("summary.done", "close a GO proposal as done, with a report (proposer or moderator)"),
    _msg("summary.drop", "stop a GO proposal, with the reason and a report (proposer or moderator)"),
    _msg("arg.id", "<id>"),
    _msg("arg.pledge", "<id> [€<money>] [<n>h] [note]"),
    _msg("arg.propose", "<title> [€<money>] [<n>h] [by <date> | in <n> days] [min <n>]"),
    _msg("arg.date", "<date>"),
    _msg("arg.edit", "[title: …] [goal: €…] [hours: …] [backers: …] [description: …]"),
    _msg("arg.reason", "<reason>"),
    _msg("arg.reason_optional", "[reason]"),
    _msg("arg.summary_optional", "[summary]"),
    _msg("arg.user", "[@user]"),
    _msg("arg.count", "[n]"),
    _msg("arg.page", "[page]"),
    _msg("arg.command", "[command]"),
    _msg("arg.language", "nl|en"),
    _msg("arg.digest", "[on|off]"),
    _msg("arg.member", "<@member>"),
    _msg("arg.talents", "<talent>, …"),
    _msg("arg.talent", "<talent>"),
    _msg("arg.on_off", "on|off"),
    _msg("arg.query", "<talent>"),
    _msg("arg.need", "[<text>] [for: <talent>, …]"),
    _msg("arg.need_id", "<N#number>"),
    _msg("arg.helper", "[@helper]"),
    _msg("arg.update", "<text> [NN%]"),
    _msg("arg.delivery", "[€<money>] [<n>h] [note]"),
    _msg("example.help", "{prefix}help backme"),
    _msg("example.propose", "{prefix}propose Shared courier for the district €2.500 40h by 2026-12-15 min 5"),
    _msg("example.backme", "{prefix}backme #3 €250 4h happy to drive on Tuesdays"),
    _msg("example.withdraw", "{prefix}withdraw #3"),
    _msg("example.edit", "{prefix}edit #3 goal: €3000"),
    _msg("example.object", "{prefix}object #3 the insurer already offers this"),
    _msg("example.proposals", "{prefix}proposals"),
    _msg("example.archive", "{prefix}archive 2"),
    _msg("example.proposal", "{prefix}proposal #3"),
    _msg("example.rep", "{prefix}rep @anna:example.org"),
    _msg("example.top", "{prefix}top 5"),
    _msg("example.ideas", "{prefix}ideas"),
    _msg("example.cancel", "{prefix}cancel #3 merged with #4"),
    _msg("example.extend", "{prefix}extend #3 2026-12-31"),
    _msg("example.language", "{prefix}language nl"),
    _msg("example.digest", "{prefix}digest"),
    _msg("example.mydata", "{prefix}mydata"),
    _msg("example.forgetme", "{prefix}forgetme"),
    _msg("example.optout", "{prefix}optout"),
    _msg("example.optin", "{prefix}optin"),
    _msg("example.need", "{prefix}need who can deliver to a patient in Oost on Saturday? for: driver"),
    _msg("example.solved", "{prefix}solved N#3 @bob:example.org"),
    _msg("example.who", "{prefix}who driver"),
    _msg("example.skills", "{prefix}skills add driver, first aid"),
    _msg("example.profile", "{prefix}profile @anna:example.org"),
    _msg("example.update", "{prefix}update #3 the van is ordered, first rides next week 40%"),
    _msg("example.delivered", "{prefix}delivered #3 €250 4h drove the Tuesday round"),
    _msg("example.mine", "{prefix}mine"),
    _msg("example.confirm", "{prefix}confirm #3 @bob:example.org"),
    _msg("example.unconfirm", "{prefix}unconfirm #3 @bob:example.org"),
    _msg("example.reject", "{prefix}reject #3 @bob:example.org"),
    _msg("example.done", "{prefix}done #3 the courier runs twice a day now"),
    _msg("example.drop", "{prefix}drop #3 the insurer took it over"),
    # who may run what
    _msg("denied.cancel", "Only the proposer ({proposer}) or a moderator can cancel #{number}."),
    _msg("denied.extend", "Only a moderator (power level {level} or more) can move a deadline."),
    _msg("denied.confirm", "Only the proposer ({proposer}) or a moderator can confirm deliveries to #{number}."),
    _msg(
        "denied.unconfirm", "Only the proposer ({proposer}) or a moderator can take back a confirmation on #{number}."
    ),
    _msg(
        "denied.reject",
        "Only a treasurer, the proposer ({proposer}) or a moderator can reject a payment suggested for #{number}.",
    ),
    _msg("denied.done", "Only the proposer ({proposer}) or a moderator can close #{number}."),
    _msg("denied.drop", "Only the proposer ({proposer}) or a moderator can stop #{number}."),
    _msg("denied.edit", "Only the proposer ({proposer}) or a moderator can change #{number}."),
    _msg(
        "denied.language", "This room speaks English; only a moderator (power level {level} or more) can change that."
    ),
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
    # abuse by volume
    _plural(
        "volume.slow_down",
        "Slow down, please: at most {budget} command a minute (help and look-ups count half).",
        "Slow down, please: at most {budget} commands a minute (help and look-ups count half).",
    ),
    _plural(
        "volume.not_run",
        "I did not run {command}, nor anything else you send in the next {seconds} second: send it again after that.",
        "I did not run {command}, nor anything else you send in the next {seconds} seconds: send it again after that.",
    ),
    _msg("volume.too_long", "That message is too long to read as a command (over {kb} KB). Send a shorter one."),
    _msg("misplaced.hint", "Did you mean a command? I did not run it. Put it at the start of your message: {command}"),
    # fresh and guest accounts
    _msg(
        "standing.guest_votes",
        "{member}, your reactions give no credits here: only members on {servers} give and receive credits.",
    ),
    _plural(
        "standing.newcomer_votes",
        "{member}, welcome! Your reactions give credits from {moment}: here a member's votes count after their "
        "first day in the room. Reactions before then are not counted later.",
        "{member}, welcome! Your reactions give credits from {moment}: here a member's votes count after their "
        "first {count} days in the room. Reactions before then are not counted later.",
    ),
    _plural(
        "standing.daily_cap",
        "{member}, your vote did not count: you gave the {cap} vote a day that counts here already. Your votes "
        "count again from {moment}.",
        "{member}, your vote did not count: you gave the {cap} votes a day that count here already. Your votes "
        "count again from {moment}.",
    ),
    _msg("standing.guest_pledge", "Only members on {servers} can back proposals here; your account is on {server}."),
    # members' own data
    _msg("privacy.copy_about", "Everything Kring holds about this member, in every room it serves."),
    _msg("privacy.copy_caption", "Everything Kring holds about you, in every room it serves (JSON)."),
    _msg("privacy.summary_title", "In short, the file holds:"),
    _msg("privacy.summary_line", "{section}: {count}"),
    _msg("privacy.summary_nothing", "nothing but your user id"),
    _msg("privacy.summary_file", "The file itself is JSON, with every row in full."),
    _msg("privacy.section.names", "your name as each room shows it"),
    _msg("privacy.section.joined", "when you came into a room"),
    _msg("privacy.section.reputation", "your credits per room"),
    _msg("privacy.section.messages", "messages of yours that Kring read"),
    _msg("privacy.section.reactions", "your reactions"),
    _msg("privacy.section.credits", "credits given or received"),
    _msg("privacy.section.proposals", "your proposals"),
    _msg("privacy.section.pledges", "your pledges"),
    _msg("privacy.section.pledge_history", "changes to your pledges"),
    _msg("privacy.section.objections", "your objections"),
    _msg("privacy.section.updates", "your progress updates"),
    _msg("privacy.section.deliveries", "your deliveries"),
    _msg("privacy.section.talents", "your talents"),
    _msg("privacy.section.askable", "whether matches may mention you"),
    _msg("privacy.section.needs", "your needs (requests for help)"),
    _msg("privacy.section.opted_out", "your opt-out of reputation"),
    _msg("privacy.section.told", "notices Kring gave you once"),
    _msg("privacy.section.encrypted_pending", "encrypted messages of yours Kring could not read yet"),
    _msg("privacy.section.board_links", "sign-in links to the board"),
    _msg("privacy.section.board_sessions", "sessions on the board"),
    _msg("privacy.section.bot_messages_naming_you", "Kring's messages that name you"),
    _msg("privacy.section.requests", "your requests (a copy, being forgotten)"),
    _msg("privacy.copy_sent", "Kring is sending you a copy of everything it holds about you, in a direct message."),
    _plural(
        "privacy.forget_ask",
        "This makes Kring forget you in every room it serves: your name and user id become a pseudonym, and the "
        "messages, notes, objections, updates and talents you wrote are erased. Your credits, pledges and "
        "deliveries stay under the pseudonym, so totals and past decisions still add up; your proposals "
        "keep their titles and descriptions. Kring will not remember or name you again. To go ahead, send "
        "{prefix}forgetme confirm within {minutes} minute.",
        "This makes Kring forget you in every room it serves: your name and user id become a pseudonym, and the "
        "messages, notes, objections, updates and talents you wrote are erased. Your credits, pledges and "
        "deliveries stay under the pseudonym, so totals and past decisions still add up; your proposals "
        "keep their titles and descriptions. Kring will not remember or name you again. To go ahead, send "
        "{prefix}forgetme confirm within {minutes} minutes.",
    ),
    _msg(
        "privacy.forget_nothing_to_confirm",
        "There is nothing to confirm: send {prefix}forgetme first, then {prefix}forgetme confirm.",
    ),
    _msg(
        "privacy.forget_expired",
        "Your request to be forgotten has lapsed (confirm within 10 minutes). Send {prefix}forgetme to start again.",
    ),
    _msg(
        "privacy.forgotten",
        "Done: Kring has forgotten you. In its books you are now “{pseudonym}”; it no longer remembers or names you.",
    ),
    _msg("privacy.already_forgotten", "Kring has already forgotten you: it does not remember or name you."),
    _msg("privacy.former_member", "former member {number}"),
    _msg("privacy.member_forgotten", "Kring has forgotten that member at their request: it does not name them."),
    _msg(
        "privacy.opted_out",
        "You have opted out of reputation: from now on reactions by and to you count nothing, and you are left "
        "out of {prefix}top and {prefix}ideas. Your credits so far stay. {prefix}optin undoes it.",
    ),
    _msg("privacy.already_opted_out", "You have already opted out of reputation. {prefix}optin undoes it."),
    _msg("privacy.opted_in", "Welcome back: reactions by and to you count again from now on."),
    _msg("privacy.not_opted_out", "You take part in reputation already; {prefix}optout ends that."),
    _msg("proposal.no_open", "There are no open proposals. Start one with {prefix}propose."),
    _plural(
        "proposal.underway_more",
        "…and {count} more underway, decided earlier: {prefix}proposal <id> shows one.",
        "…and {count} more underway, decided earlier: {prefix}proposal <id> shows one.",
    ),
    _msg("proposal.open_title", "Open proposals:"),
    _plural("archive.title", "Archive ({count} proposal, newest first):", "Archive ({count} proposals, newest first):"),
    _msg("archive.line", "#{number} {title} · {status} · {when}"),
    _msg("archive.more", "Page {page} of {pages}: {prefix}archive {next} shows the next."),
    _plural("archive.no_page", "The archive has {count} page.", "The archive has {count} pages."),
    _msg("archive.none", "Nothing is decided or closed here yet."),
    _msg("proposal.list_item", "#{number} {title}"),
    _msg("proposal.status_title", "#{number} {title} — {status}"),
    _msg("proposal.proposer", "Proposed by {proposer} on {created}."),
    _msg("proposal.backers_title", "Backers ({count}):"),
    _msg("proposal.no_backers", "No backers yet."),
    _plural("proposal.backers_more", "…and {count} more", "…and {count} more"),
    _msg("proposal.objections_title", "Objections ({count}):"),
    _msg("proposal.objection", "{user}: {reason}"),
    _msg("proposal.cancelled_reason", "Cancelled: {reason}"),
    _msg("proposal.decided", "Decided {when}."),
    _msg("proposal.cancelled_on", "Cancelled {when}."),
    _msg("status.open", "open"),
    _msg("status.go", "GO"),
    _msg("status.no-go", "NO-GO"),
    _msg("status.cancelled", "cancelled"),
    _msg("status.done", "done"),
    _msg("status.dropped", "dropped"),
    _msg("proposal.underway_title", "Underway (GO):"),
    _plural("goal.backers", "{count} backer", "{count} backers"),
    _msg("pledge.support", "support"),
    _msg("pledge.line", "{user}: {pledge}"),
    _msg("pledge.line_note", "{user}: {pledge} — “{note}”"),
    _msg("proposal.own_pledge", "The proposer's own pledge (not a backer): {user}: {pledge}"),
    _msg("proposal.own_pledge_note", "The proposer's own pledge (not a backer): {user}: {pledge} — “{note}”"),
    _msg("pledge.own_note", "As the proposer, your pledge counts toward the money and hours, but not as a backer."),
    # pledges
    _msg("pledge.placed", "Thank you {user}: you back #{number} {title} with {pledge}."),
    _msg("pledge.placed_support", "Thank you {user}: you back #{number} {title}, without money or hours."),
    _msg("pledge.changed", "{user}, your pledge to #{number} is now {pledge} (was {old})."),
    _msg("pledge.now_support", "{user}, you now back #{number} without money or hours (was {old})."),
    _msg("pledge.unchanged", "{user}, your pledge to #{number} was already {pledge}."),
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
    # reputation
    _plural(
        "rep.line",
        "{user} has {credits} credit in this room (rank {rank}).",
        "{user} has {credits} credits in this room (rank {rank}).",
    ),
    _plural(
        "rep.self",
        "You have {credits} credit in this room (rank {rank}).",
        "You have {credits} credits in this room (rank {rank}).",
    ),
    _msg("rep.none", "{user} has no credits in this room yet."),
    _msg("rep.self_none", "You have no credits in this room yet."),
    _msg("top.title", "Most credited members:"),
    _msg("top.line", "{rank}. {user} — {credits}"),
    _msg("top.none", "No credits have been given in this room yet. React with 👍 to a good message!"),
    _plural(
        "ideas.title", "Most credited ideas of the last {days} day:", "Most credited ideas of the last {days} days:"
    ),
    _msg("ideas.line", "+{score} {author}: “{excerpt}”"),
    _msg("ideas.footer", "To make one a proposal, reply to the original message with {prefix}propose <title>."),
    _plural(
        "ideas.none",
        "No credited ideas in the last {days} day. React with 👍 to the ideas you like.",
        "No credited ideas in the last {days} days. React with 👍 to the ideas you like.",
    ),
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
    # talents and needs
    _msg("talents.too_many", "You can list at most {max} talents in a room; remove one first."),
    _msg("talents.not_yours", "“{talent}” is not one of your talents here."),
    _msg("talents.ask_on", "Matching needs and proposals will mention you from now on."),
    _msg("talents.ask_off", "Matches will no longer mention you; your name is still shown."),
    _msg("talents.none", "You list no talents here yet. Add them with {prefix}skills add driver, first aid."),
    _msg("talents.yours", "Your talents: {talents}"),
    _msg("talents.asked", "Matches mention you ({prefix}skills ask off stops that)."),
    _msg("talents.not_asked", "Matches name you without a mention ({prefix}skills ask on to be asked)."),
    _msg("talents.person", "{user}: {talents}"),
    _msg("talents.nobody", "Nobody here lists a talent like “{query}” yet."),
    _msg("talents.who_title", "Who can help with “{query}”:"),
    _msg("talents.needed_title", "Talents needed:"),
    _msg("talents.needed", "{talent}: {people}"),
    _msg("talents.needed_nobody", "{talent}: nobody lists it yet"),
    _msg("profile.title", "Profile of {user}"),
    _msg("profile.talents", "Talents: {talents}"),
    _plural("profile.credits", "{credits} credit (rank {rank})", "{credits} credits (rank {rank})"),
    _plural("profile.proposals", "{count} proposal made, {go} went GO", "{count} proposals made, {go} went GO"),
    _plural("profile.backed", "has backed {count} proposal", "has backed {count} proposals"),
    _msg("profile.hours", "{hours} delivered and confirmed"),
    _msg("profile.first_seen", "First seen {when}"),
    _plural("needs.none", "No open needs of the last {days} day.", "No open needs of the last {days} days."),
    _plural("needs.title", "Open needs of the last {days} day:", "Open needs of the last {days} days:"),
    _msg("needs.line", "N#{number} {user}: “{text}”"),
    _msg("needs.posted", "🙋 N#{number} {user} asks: “{text}”"),
    _msg("needs.matches", "Who may help:"),
    _msg("needs.no_match", "Nobody lists a matching talent yet."),
    _msg("needs.how_to_solve", "Solved? Send {prefix}solved N#{number} @who-helped."),
    _msg("needs.not_found", "There is no need N#{number} in this room."),
    _msg("needs.not_allowed", "Only who asked, or a moderator, closes N#{number}."),
    _msg("needs.already_solved", "N#{number} is solved already."),
    _msg("needs.self_help", "You cannot credit yourself for your own need."),
    _msg("needs.solved", "N#{number} is solved."),
    _msg("needs.solved_by", "N#{number} is solved — thanks to {helper}, who earns {reward}."),
    _msg("needs.solved_no_credit", "N#{number} is solved. {helper} gets no credit for it: {why}"),
    # the weekly digest
    _msg("digest.title", "📰 This week in the circle"),
    _msg("digest.late", "(Late: it was due {due}, while I was offline.)"),
    _msg(
        "digest.nothing", "Nothing to tell this week: no new proposals or ideas, deadlines, decisions, work or needs."
    ),
    _msg("digest.new", "New proposals:"),
    _msg("digest.new_line", "#{number} {title} by {proposer}"),
    _msg("digest.ideas", "Ideas that rose:"),
    _msg("digest.closing", "Deadlines in the coming week:"),
    _msg("digest.closing_line", "#{number} {title}, closes {deadline}: {still}"),
    _msg("digest.needs", "still needs {gap}"),
    _msg("digest.met", "every goal is met"),
    _msg("digest.decided", "Decided last week:"),
    _msg("digest.decided_go", "✅ #{number} {title}: GO, backed by {backers}"),
    _msg("digest.decided_no_go", "❌ #{number} {title}: NO-GO, backed by {backers}"),
    _msg("digest.no_backers", "nobody"),
    _msg("digest.underway", "Work underway:"),
    _msg("digest.underway_line", "#{number} {title}: {activity}; {still}"),
    _plural("digest.updates", "{count} update", "{count} updates"),
    _plural("digest.reported", "{count} delivery reported", "{count} deliveries reported"),
    _plural("digest.confirmed", "{count} delivery confirmed", "{count} deliveries confirmed"),
    _msg("digest.still_open", "still to deliver: {amount}"),
    _msg("digest.all_reported", "everything pledged is reported"),
    _msg("digest.unanswered", "Needs nobody answered yet:"),
    _plural("digest.more", "… and {count} more", "… and {count} more"),
    _msg("digest.not_allowed", "Only a moderator switches the weekly digest on or off."),
    _msg("digest.switched_on", "The weekly digest is on in this room."),
    _msg("digest.switched_off", "The weekly digest is off in this room; {prefix}digest still shows it on demand."),
    _msg("no_credit.not_a_member", "{helper} is not a member of this room."),
    _msg("no_credit.opted_out", "{member} takes no part in reputation."),
    _msg("no_credit.guest", "only members on {servers} give and receive credits, and {member} is not one."),
    _msg("no_credit.newcomer", "{member}'s credits count from {moment}, as their votes do."),
    _plural(
        "no_credit.daily_cap",
        "{member} has given the {count} credit a member may give in a day.",
        "{member} has given the {count} credits a member may give in a day.",
    ),
    # the room's language
    _msg("language.set", "From now on I speak English in this room."),
    _msg("language.same", "This room already speaks English."),
    # encryption
    _plural(
        "crypto.undecryptable",
        "I could not decrypt {count} encrypted message from {users}: the keys never reached me, so it "
        "counted for nothing. If it was a command, please send it again. To avoid this, let your client share "
        "keys with unverified sessions (Element: Settings → Security & Privacy), or verify Kring's device.",
        "I could not decrypt {count} encrypted messages from {users}: the keys never reached me, so they "
        "counted for nothing. If one was a command, please send it again. To avoid this, let your client share "
        "keys with unverified sessions (Element: Settings → Security & Privacy), or verify Kring's device.",
    ),
    # values: amounts, time, progress
    _msg("value.hours", "{hours}h"),
    _msg("value.hours_of", "{done} of {goal}h"),
    _msg("value.money_of", "{done} of {goal}"),
    _msg("progress.over", "{amount} more than the goal"),
    _msg("format.datetime", "d MMMM y, HH:mm"),
    _msg("format.date", "d MMMM y"),
    _plural("left.days", "{count} day left", "{count} days left"),
    _plural("left.hours", "{count} hour left", "{count} hours left"),
    _plural("left.minutes", "{count} minute left", "{count} minutes left"),
    _msg("left.closing", "closing now"),
    _plural("progress.backers", "{count} of {needed} backer", "{count} of {needed} backers"),
    _plural("progress.backers_met", "{count} backer (at least {needed})", "{count} backers (at least {needed})"),
    # kring console (the terminal stand-in for a room)
    _msg(
        "console.welcome",
        "Kring console — you are {user} in a simulated room. Type /help for console verbs, {prefix}help for Kring.",
    ),
    _msg(
        "console.help",
        "Console verbs (everything else is sent to the room as the current member):\n"
        "  /as @bob              speak as another member (default @you, a moderator)\n"
        "  /reply <n> <text>     send text as a reply to message [n] (e.g. !propose on an idea)\n"
        "  /thread <n> <text>    send text in the thread of message [n] (a proposal's announcement)\n"
        "  /react <n> <emoji>    react to message [n], e.g. /react 3 👍\n"
        "  /unreact <n> <emoji>  take that reaction back\n"
        "  /delete <n>           delete (redact) message [n]\n"
        "  /power @bob <level>   set a member's power level (50 = moderator)\n"
        "  /wait <duration>      move the clock forward: 90m, 36h, 3d, 2w\n"
        "  /time                 show the simulated time\n"
        "  /help                 this list;   /quit   leave\n"
        "End a line with a backslash to continue a message on the next line (multi-line !propose).",
    ),
    _msg("console.unknown_verb", "Unknown console verb /{verb}. Type /help."),
    _msg("console.usage_as", "Usage: /as @bob"),
    _msg("console.now_as", "You are now {user}."),
    _msg("console.no_message", "There is no message [{token}]; messages are numbered from 1."),
    _msg("console.usage_reply", "Usage: /reply <n> <text>"),
    _msg("console.usage_thread", "Usage: /thread <n> <text>, where [n] is a proposal's announcement"),
    _msg("console.usage_react", "Usage: /react <n> <emoji>, e.g. /react 3 👍"),
    _msg("console.already_reacted", "{user} already reacted {emoji} to [{number}]."),
    _msg("console.reacted", "    {user} reacted {emoji} to [{number}]"),
    _msg("console.usage_unreact", "Usage: /unreact <n> <emoji>"),
    _msg("console.no_reaction", "{user} has no {emoji} reaction on [{number}]."),
    _msg("console.unreacted", "    {user} removed {emoji} from [{number}]"),
    _msg("console.deleted", "    {user} deleted [{number}]"),
    _msg("console.usage_power", "Usage: /power @bob 50"),
    _msg("console.power_set", "{user} now has power level {level}."),
    _msg("console.usage_wait", "Usage: /wait <duration>, e.g. /wait 90m, /wait 36h, /wait 3d, /wait 2w"),
    _msg("console.clock_moved", "    … the clock is now {moment}"),
    _msg("console.file_written", "    … {user} receives a file in a direct message; the console wrote it to {file}"),
    _msg("console.time", "It is {moment}."),
    _msg("console.bot", "kring"),
)

# The room's board (`!board`, the web page and the Element widget)
_BOARD = (
    _msg("summary.board", "the room's board in your browser: a sign-in link in a direct message"),
    _msg("example.board", "{prefix}board"),
    _msg("board.off", "The board is not switched on for this room; Kring's operator can switch it on."),
    _plural(
        "board.link_sent",
        "I'm sending you a sign-in link to the board in a direct message; it works once, for {minutes} minute.",
        "I'm sending you a sign-in link to the board in a direct message; it works once, for {minutes} minutes.",
    ),
    _plural(
        "board.link_caption",
        "Your sign-in link for the room's board. It works once, for {minutes} minute; keep it to yourself.",
        "Your sign-in link for the room's board. It works once, for {minutes} minutes; keep it to yourself.",
    ),
    _msg("console.board_link", "    … {user} receives a sign-in link in a direct message: {link}"),
    _msg("board.title", "Kring board"),
    _msg("board.as_of", "Signed in as {user} · {moment}. Read-only: changes are made in the room."),
    _msg("board.sign_out", "Sign out"),
    _msg("board.open_title", "Open proposals"),
    _msg("board.no_open", "No open proposals. Start one with {prefix}propose in the room."),
    _msg("board.underway_title", "Underway"),
    _msg("board.no_underway", "Nothing is being carried out right now."),
    _msg("board.archive_title", "Decided and closed"),
    _msg("board.no_archive", "Nothing has been decided yet."),
    _msg("board.needs_title", "Needs"),
    _msg("board.no_needs", "No open needs. Ask the room with {prefix}need."),
    _msg("board.talents_title", "Talents"),
    _msg("board.no_talents", "Nobody has listed a talent yet: {prefix}skills add …"),
    _msg("board.leaderboard_title", "Credits"),
    _msg("board.no_credits", "Nobody has credits yet."),
    _msg("board.yours_title", "Yours"),
    _msg("board.no_pledges", "You back no proposal here."),
    _msg("board.money", "Money"),
    _msg("board.hours", "Hours"),
    _msg("board.backers", "Backers"),
    _msg("board.of", "{done} of {goal}"),
    _msg("board.pledged", "pledged"),
    _msg("board.reported", "reported"),
    _msg("board.confirmed", "confirmed"),
    _msg("board.updates_title", "Updates"),
    _msg("board.no_updates", "No updates yet."),
    _msg("board.left", "Still to deliver: {amount}"),
    _msg("board.nothing_left", "Everything pledged has been delivered and confirmed."),
    _msg("board.report", "Closing report: {text}"),
    _msg("board.my_pledge", "#{number} {title}: {pledge}"),
    _msg("board.my_underway", "#{number} {title}: pledged {pledged} · reported {reported} · confirmed {confirmed}"),
    _msg("board.yours_open", "Open proposals you back"),
    _msg("board.yours_underway", "Underway: what you pledged, reported and had confirmed"),
    _msg("board.figure", "{label}: {amount}"),
    _msg("board.done_on", "Done {when}."),
    _msg("board.dropped_on", "Stopped {when}."),
    _msg("board.need_line", "N#{number} {user}: {text}"),
    _msg("board.talent_line", "{talent}: {users}"),
    _msg("board.leader_line", "{rank}. {user}: {credits}"),
    _msg("board.page", "Page {page} of {pages}"),
    _msg("board.older", "Older"),
    _msg("board.newer", "Newer"),
    _msg("board.signed_out", "You are not signed in. Send {prefix}board in your room: Kring sends you a sign-in link."),
    _msg(
        "board.link_spent",
        "This sign-in link was used already, or it has expired. Send {prefix}board in your room for a new one.",
    ),
    _msg("board.not_member", "Only members of this room can see its board."),
    _msg("board.sign_in_intro", "This link signs you in to your room's board, once."),
    _msg("board.sign_in", "Sign in"),
    _msg(
        "board.sign_in_again",
        "That did not come from the board's own page, so nothing changed. Open your sign-in link again.",
    ),
    _msg("board.widget_waiting", "Asking your Matrix client who you are…"),
    _msg(
        "board.widget_refused",
        "Your Matrix client did not say who you are, so the board stays closed. Send {prefix}board in the room "
        "for a sign-in link instead.",
    ),
)

# money that arrives ([money]): payment requests after GO, bank statements matched to them
_MONEY = (
    _msg("money.paid_after_go", "💶 A money pledge is paid only after GO, to {account_name} ({iban})."),
    _plural(
        "money.go_requests",
        "💶 A payment request went out in a direct message to the backer who pledged money; treasurer: {treasurers}.",
        "💶 Payment requests went out in direct messages to the {count} backers who pledged money; "
        "treasurer: {treasurers}.",
    ),
    _msg("money.treasurers_moderators", "the room's moderators"),
    _msg("money.request", "💶 Payment request for #{number} {title} (it went GO):"),
    _msg("money.request_amount", "Amount: {amount}"),
    _msg("money.request_iban", "IBAN: {iban}"),
    _msg("money.request_name", "In the name of: {account_name}"),
    _msg("money.request_reference", "Payment reference: {reference}"),
    _msg(
        "money.request_how",
        "Put the reference in your bank's payment reference field (or at the start of the description), or scan "
        "the QR code below with your banking app.",
    ),
    _msg("money.qr_caption", "QR code for the transfer, reference {reference}"),
    _msg("money.reminder", "Reminder: Kring has not yet seen your payment for #{number} {title}."),
    _msg(
        "money.reminder_rest",
        "Reminder: of your payment for #{number} {title} Kring has seen {arrived}; {left} is still open.",
    ),
    _msg("board.my_payment", "#{number} {title}: payment request {amount}, {arrived} arrived · reference {reference}"),
    _msg("board.my_payment_part", "payment request {amount}, {arrived} arrived · reference {reference}"),
    _msg("money.mine_title", "Payment requests (pledged · arrived):"),
    _msg("money.mine_row", "#{number} {title}: {amount} · {arrived} · reference {reference}"),
    _msg(
        "money.arrived", "🏦 {backer}'s payment of {amount} for #{number} has arrived: confirmed by the bank statement."
    ),
    _msg("money.arrived_total", "💶 Money arrived at the bank: {arrived} of {pledged} asked for."),
    _msg("money.missing", "{user} {amount}"),
    _msg("money.not_arrived", "Not arrived yet: {missing}."),
    _msg("money.never_arrived", "Never arrived: {missing}."),
    _msg("money.part_left", "{left} of it is still open."),
    _msg("money.surplus", "{surplus} more than pledged: the treasurer is told."),
    _plural("payments.summary", "Statement of {iban}: {count} line read.", "Statement of {iban}: {count} lines read."),
    _msg("payments.matched_title", "Matched ({count}):"),
    _msg("payments.matched", "{date} · {amount} · {name} → #{number} {backer}"),
    _msg("payments.left", "{left} still open"),
    _msg("payments.surplus", "{surplus} more than pledged"),
    _msg(
        "payments.suggested_title",
        "Suggestions ({count}): in the proposal's room, confirm each with {prefix}confirm <number> <backer> or "
        "reject it with {prefix}reject <number> <backer>:",
    ),
    _msg("payments.suggested", "{date} · {amount} · {name} · “{text}” → #{number} {backer}?"),
    _msg(
        "payments.nothing_suggested",
        "No payment of {backer} to #{number} that Kring suggested from a bank statement waits for a decision.",
    ),
    _msg(
        "payments.rejected",
        "The bank line of {date} ({amount}) is not {backer}'s payment to #{number}: it is back with the lines for "
        "the treasurer.",
    ),
    _msg("payments.unmatched_title", "Not matched, for the treasurer ({count}):"),
    _msg("payments.unmatched", "{date} · {amount} · {name} · “{text}”"),
    _msg("payments.double_title", "Paid again after being paid in full, not counted ({count}):"),
    _msg("payments.double", "{date} · {amount} · {name} → #{number} {backer}"),
    _msg("payments.already", "Imported before: {count}."),
    _msg("payments.ignored", "Ignored (debits, other currencies): {count}."),
    _msg("payments.no_money", "Kring has no [money] settings, so it reads no bank statements."),
    _msg("payments.not_treasurer", "Only a treasurer can hand Kring a bank statement; the file was not read."),
    _msg("payments.too_big", "The file is larger than {limit}: not a statement Kring reads. Nothing was imported."),
    _msg(
        "payments.not_a_statement",
        "This is not a bank statement Kring reads (CAMT.053 or MT940). Nothing was imported.",
    ),
    _msg("payments.malformed", "The statement cannot be read ({reason}). Nothing was imported."),
    _msg(
        "payments.unsafe_xml",
        "The statement declares XML entities or a document type, which Kring never reads. Nothing was imported.",
    ),
    _msg(
        "payments.other_account",
        "This statement is of account {found}, not of the association's account {expected}. Nothing was imported.",
    ),
    _msg(
        "payments.unknown_reference",
        "The line of {date} ({amount}) names reference {reference}, which no payment request has. "
        "Nothing was imported.",
    ),
    _msg("payments.download_failed", "Kring could not fetch the file from the homeserver. Nothing was imported."),
    _msg("console.direct_message", "    … {user} receives in a direct message:"),
    _msg("console.qr_written", "    … and a QR code image; the console wrote it to {file}"),
)

SENTENCES: dict[str, Sentence] = {sentence.key: sentence for sentence in (*_ALL, *_BOARD, *_MONEY)}
if len(SENTENCES) != len(_ALL) + len(_BOARD) + len(_MONEY):
    raise RuntimeError("a sentence key is declared twice")
