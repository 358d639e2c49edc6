"""Sentences of the community around the proposals: reputation, standing, members' own data, talents and needs, the
digest, encryption, values, the console.
"""

from __future__ import annotations

from handlers.wording.sentences.kinds import Sentence, _msg, _plural

SENTENCES: tuple[Sentence, ...] = (
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
    _msg("format.deadline", "EEEE d MMMM y, HH:mm"),
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
