"""Unit tests of the Matrix side: event conversion and times, rooms and authority, the outbox, sync batches."""
