"""Unit tests of Kring's identity: signed JSON and cross-signing keys."""
