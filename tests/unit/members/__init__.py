"""Unit tests of members: talents and needs, names, their own data."""
