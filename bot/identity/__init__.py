"""Kring's identity in encrypted rooms: device keys, signed JSON, secret storage and cross-signing."""
