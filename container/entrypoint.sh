#!/bin/sh
# Start Kring in its container: say clearly what is missing in /data before running the command.
set -eu

if [ "${1:-}" = "kring" ] && [ ! -f /data/config.toml ]; then
    echo "kring: /data/config.toml is missing. Copy config.example.toml there, set [matrix] and keep" >&2
    echo "kring: [storage] database = \"/data/kring.db\" so the database lives in the volume." >&2
    exit 2
fi
umask 077
exec "$@"
