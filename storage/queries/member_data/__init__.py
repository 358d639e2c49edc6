"""Members' own data: opting out of reputation, a copy of everything held about a member, being forgotten
(a pseudonym in place of the user id, free text erased, amounts kept), and how long message text is kept.

A forgotten member is recognised later only by a keyed hash of their user id (the key is this database's own),
so Kring can ignore their events without keeping the id itself.

Declared per table in `tables.py`; the copy in `copies.py`, the forgetting in `forgetting.py`, the store's queries
in `queries.py`.
"""

from __future__ import annotations

from storage.queries.member_data.forgetting import Forgetting, KeyMismatchError, forgetting_in
from storage.queries.member_data.queries import MemberDataQueries
from storage.queries.member_data.tables import DIRECT_ROOM, TABLES, unclassified_columns

__all__ = [
    "DIRECT_ROOM",
    "TABLES",
    "Forgetting",
    "KeyMismatchError",
    "MemberDataQueries",
    "forgetting_in",
    "unclassified_columns",
]
