"""Small statistics for timings: percentiles, best of several runs, rounding for the report."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile, e.g. `percentile(latencies, 0.99)`."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def rounded(value: float, digits: int = 3) -> float:
    """Round to `digits` significant digits, so the JSON shows what the measurement can tell."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
