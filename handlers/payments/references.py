"""Structured creditor references (ISO 11649 `RF…`): one per payment request, and finding them in a payer's text."""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

PREFIX = "KR"  # Kring's references: RFxx KR<proposal>B<backer>, so another payer's RF reference is told apart
SEPARATORS = re.compile(r"[\s.\-_/]+")
CANDIDATE = re.compile(r"RF\d\d[0-9A-Z]{1,21}")


def reference_for(proposal_id: int, index: int) -> str:
    """The reference of the `index`-th money backer (from 1) of a proposal: unique per pledge, check digits right."""
    body = f"{PREFIX}{proposal_id}B{index}"
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def compact(reference: str) -> str:
    """Upper case, without spaces, dots or dashes: how references are compared."""
    return SEPARATORS.sub("", reference).upper()


def formatted(reference: str) -> str:
    """In groups of four, as a member copies it into a banking app."""
    return str(iso11649.format(reference))


def is_ours(reference: str) -> bool:
    """A valid RF reference of Kring's own form (another creditor's reference is not a payment Kring asked for)."""
    reference = compact(reference)
    return reference[4:].startswith(PREFIX) and iso11649.is_valid(reference)


def references_in(text: str) -> list[str]:
    """Valid RF references of Kring's form typed in free text, in any case, spaced or dotted or dashed: every valid
    reading of each, longest first (the text after a reference may run on into it once the spaces are gone)."""
    return [
        candidate[:end]
        for candidate in CANDIDATE.findall(compact(text))
        for end in range(len(candidate), 4, -1)
        if is_ours(candidate[:end])
    ]
