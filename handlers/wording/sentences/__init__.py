"""Every sentence Kring says, in English: the source of the gettext catalogs under handlers/wording/locale.

One module per concern holds its sentences (commands, proposals, underway, community, board, money); a key is
unique across them all (a test checks). Each sentence has a key (its gettext context, which tells translators
where it is used) and its English text (the msgid); `_plural` ones have a singular and a plural form and are
chosen by a count. Babel extracts them (`_msg:1c,2`, `_plural:1c,2,3`; see README, "Languages"); the translations
live in handlers/wording/locale/<language>/LC_MESSAGES/kring.po. Placeholders in braces are filled in by
`Texts.t`.
"""

from __future__ import annotations

from handlers.wording.sentences import board, commands, community, money, proposals, underway
from handlers.wording.sentences.kinds import Sentence

MODULES = (commands, proposals, underway, community, board, money)
SENTENCES: dict[str, Sentence] = {sentence.key: sentence for part in MODULES for sentence in part.SENTENCES}

__all__ = ["MODULES", "SENTENCES", "Sentence"]
