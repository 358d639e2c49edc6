"""Sentences of the command machinery: generic replies, parse problems, help and usage, who may run what, the command
budget, the room's language.
"""

from __future__ import annotations

from handlers.wording.sentences.kinds import Sentence, _msg, _plural

SENTENCES: tuple[Sentence, ...] = (
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
    _msg(
        "err.support_only_with_amount",
        "“{token}” and an amount don't go together: give the amount, or back it with plain support only.",
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
        "What do you want to change? Write title:, description:, goal:, hours:, backers: or deadline:, each on its "
        "own line (“{token}” is none of them).",
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
    _msg("err.missing_need_number", "Which need? Give its number, like {prefix}solved N#3 @who-helped."),
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
        "change an open proposal's title, description, goals or deadline until its first pledge (proposer or "
        "moderator)",
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
    _msg("arg.edit", "[title: …] [goal: €…] [hours: …] [backers: …] [deadline: …] [description: …]"),
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
    # the room's language
    _msg("language.set", "From now on I speak English in this room."),
    _msg("language.same", "This room already speaks English."),
)
