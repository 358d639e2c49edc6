"""Reputation: reactions as votes, who counts, `!rep`, `!top` and `!ideas`."""
