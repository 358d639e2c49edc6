"""Kring's SQLite store: connection, migrations, and one module of queries per table family."""
