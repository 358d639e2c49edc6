"""Members: talents and needs, matching, and a member's own data (copy, forgetting, opting out)."""
