#!/bin/sh
# Start Kring in its container: say clearly when the config it is given is missing, then run the command.
set -eu

config=""
previous=""
for argument in "$@"; do
    if [ "$previous" = "-c" ] || [ "$previous" = "--config" ]; then
        config="$argument"
    fi
    previous="$argument"
done
if [ "${1:-}" = "kring" ] && [ -n "$config" ] && [ ! -f "$config" ]; then
    echo "kring: $config is missing. Copy config.example.toml there and set [matrix]; keep" >&2
    echo "kring: [storage] database = \"/data/kring.db\" so that the database lives in the /data volume." >&2
    exit 2
fi
umask 077
exec "$@"
