"""Unit tests of proposals: proposing, pledges, decisions, work underway."""
