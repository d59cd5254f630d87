"""Confidence intervals shared by the experiment summary and the option appraisal.

Levels are given a t interval for the mean over replications, truncated to what the measure
can be (`bounds`): a percentage lies in [0, 100] and every other measure (counts, child-years,
days, pounds) is at least 0. With few replications or a mean near a bound, the t interval can
pass the bound (a home 92.8% full, +- 8.5 points, is not 101.3% full); the truncated interval
keeps the values the t interval allows that are possible, so it covers the true mean at least
as often as the t interval does. Charts and tables use the same truncated bounds.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

PERCENT_BOUNDS = (0.0, 100.0)
NON_NEGATIVE = (0.0, np.inf)


def t_half_width(sd, n, confidence: float = 0.95) -> np.ndarray:
    """t-based half-width of a mean's interval from standard deviations and counts (0 when the
    sd is 0, blank when n < 2)."""
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * sd / np.sqrt(n), np.nan)
    return np.where((n > 1) & (sd == 0), 0.0, half)


def bounds(measure: str) -> tuple[float, float]:
    """The possible range of a measure: [0, 100] for percentages (`pct_*`, `*_pct`), else
    [0, infinity)."""
    if measure.startswith("pct_") or measure.endswith("_pct"):
        return PERCENT_BOUNDS
    return NON_NEGATIVE


def bounded(measures, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper interval ends truncated to each measure's `bounds` (blanks stay blank)."""
    measures = np.asarray(measures, dtype=object)
    lo = np.array([bounds(str(m))[0] for m in measures], dtype=float)
    hi = np.array([bounds(str(m))[1] for m in measures], dtype=float)
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.clip(lower, lo, hi), np.clip(upper, lo, hi)
