"""Unit tests of the operator tools: config, backups, exports, metrics, log secrets, the container."""
