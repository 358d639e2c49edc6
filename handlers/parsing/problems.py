"""Why a command's text cannot be understood: the closed set of parse problems and the error that carries one."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

__all__ = ["ParseError", "Problem", "shown"]

_TOKEN_SHOWN_MAX = 80  # an error echoes the offending text back to the room; keep that short


class Problem(StrEnum):
    """What is wrong with the input; each has a sentence `err.<value>` in every catalog (a test checks).

    The comment beside a member names the parameters its errors carry beside the token.
    """

    BAD_MONEY = "bad_money"
    MONEY_NOT_POSITIVE = "money_not_positive"
    MONEY_TOO_LARGE = "money_too_large"  # max_cents
    BAD_HOURS = "bad_hours"
    HOURS_NOT_POSITIVE = "hours_not_positive"
    HOURS_TOO_LARGE = "hours_too_large"  # max_minutes
    BAD_DURATION = "bad_duration"  # max_days
    BAD_DATE = "bad_date"
    DEADLINE_PAST = "deadline_past"
    DEADLINE_TOO_FAR = "deadline_too_far"  # max_days
    BAD_PROPOSAL_NUMBER = "bad_proposal_number"
    MISSING_PROPOSAL_NUMBER = "missing_proposal_number"
    BAD_NEED_ID = "bad_need_id"
    TITLE_MISSING = "title_missing"
    TITLE_LENGTH = "title_length"  # length, min, max
    TITLE_NUMBER = "title_number"
    BAD_MIN_BACKERS = "bad_min_backers"  # min, max
    UNKNOWN_TOKEN = "unknown_token"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_EDIT = "unknown_edit"
    DUPLICATE_MONEY = "duplicate_money"
    DUPLICATE_HOURS = "duplicate_hours"
    DUPLICATE_DEADLINE = "duplicate_deadline"
    DUPLICATE_MIN = "duplicate_min"
    SUPPORT_ONLY_WITH_AMOUNT = "support_only_with_amount"
    NOTE_TOO_LONG = "note_too_long"  # max, length
    DESCRIPTION_TOO_LONG = "description_too_long"  # max, length


class ParseError(ValueError):
    """Input that cannot be understood: ``code`` says what is wrong, ``token`` is the offending text.

    ``token`` is clipped to 80 characters. A known field of the multi-line form with a bad value reports the
    specific problem (``bad_money`` …).
    """

    def __init__(self, code: Problem, token: str = "", **params: object) -> None:
        code = Problem(code)  # a code outside the closed set fails here, not when the reply is worded
        token = shown(token)
        super().__init__(code, token)
        self.code = code
        self.token = token
        self.params: dict[str, object] = params

    def __str__(self) -> str:
        extra = "".join(f" {key}={value!r}" for key, value in self.params.items())
        return f"{self.code}: {self.token!r}{extra}"

    def __reduce__(self) -> tuple[Callable[[Problem, str, dict[str, object]], ParseError], tuple[object, ...]]:
        return (_rebuild_parse_error, (self.code, self.token, self.params))


def _rebuild_parse_error(code: Problem, token: str, params: dict[str, object]) -> ParseError:
    return ParseError(code, token, **params)


def shown(text: str) -> str:
    """User text echoed back in a reply, clipped: a 64 KiB message must not make a reply too big to send."""
    return text if len(text) <= _TOKEN_SHOWN_MAX else text[: _TOKEN_SHOWN_MAX - 1] + "…"
