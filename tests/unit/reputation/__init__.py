"""Unit tests of reputation: reactions, standing, trust and vote targets."""
