"""Benchmarks that print figures and write docs/PERFORMANCE.md; they never pass or fail on a time."""
