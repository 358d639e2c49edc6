"""Unit tests of the store: its lock, savepoints, the SQLite thread, file modes, messages and member columns."""
