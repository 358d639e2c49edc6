"""The command machinery: declarations, argument kinds, the registry, `!help` and the command budget."""
