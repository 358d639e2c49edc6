"""The input language: amounts, dates, proposals and pledges as members write them. Pure: no store, no texts.

The words it reads live in `words` (one declaration per meaning, English and Dutch); numbers and quantities in
words (`twee uur`, `een dagdeel`) are read in `quantities`; what can be wrong with input in `problems`. Other
packages import from here, not from the modules inside.
"""

from handlers.parsing.amounts import MAX_MINUTES, MAX_MONEY_CENTS, parse_hours, parse_money
from handlers.parsing.cleaning import clean_text, parse_small_count, talent_list, title_key
from handlers.parsing.dates import MAX_DURATION_DAYS, parse_deadline, parse_duration
from handlers.parsing.joining import without_joining_words
from handlers.parsing.numbers import MAX_MIN_BACKERS, MAX_PROPOSAL_NUMBER, parse_proposal_number
from handlers.parsing.pledges import (
    NOTE_MAX,
    PledgeDraft,
    parse_amounts,
    parse_pledge,
    pledge_in_order,
    starts_with_amount,
)
from handlers.parsing.problems import ParseError, Problem, shown
from handlers.parsing.proposals import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    TITLE_MIN,
    ProposalDraft,
    ProposalEdit,
    parse_edit,
    parse_propose,
)
from handlers.parsing.quantities import DEFAULT_DAY_PARTS, DayParts
from handlers.parsing.words import (
    ADD_WORDS,
    ALL_WORDS,
    ASK_WORDS,
    CONFIRM_WORDS,
    FOR_LABELS,
    OFF_WORDS,
    ON_WORDS,
    REMOVE_WORDS,
    WITHDRAW_WORDS,
    Words,
)

__all__ = [
    "ADD_WORDS",
    "ALL_WORDS",
    "ASK_WORDS",
    "CONFIRM_WORDS",
    "DEFAULT_DAY_PARTS",
    "DESCRIPTION_MAX",
    "FOR_LABELS",
    "MAX_DURATION_DAYS",
    "MAX_MINUTES",
    "MAX_MIN_BACKERS",
    "MAX_MONEY_CENTS",
    "MAX_PROPOSAL_NUMBER",
    "NOTE_MAX",
    "OFF_WORDS",
    "ON_WORDS",
    "REMOVE_WORDS",
    "TITLE_MAX",
    "TITLE_MIN",
    "WITHDRAW_WORDS",
    "DayParts",
    "ParseError",
    "PledgeDraft",
    "Problem",
    "ProposalDraft",
    "ProposalEdit",
    "Words",
    "clean_text",
    "parse_amounts",
    "parse_deadline",
    "parse_duration",
    "parse_edit",
    "parse_hours",
    "parse_money",
    "parse_pledge",
    "parse_proposal_number",
    "parse_propose",
    "parse_small_count",
    "pledge_in_order",
    "shown",
    "starts_with_amount",
    "talent_list",
    "title_key",
    "without_joining_words",
]
