"""Operator tools: `kring check`, backups, exports, metrics, members' data copies and secrets kept out of logs."""
