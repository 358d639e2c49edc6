"""Kring's Matrix transport: the client, the sync loop, sending, rooms and their state, event conversion and times."""
