"""Confidence intervals shared by the experiment summary and the option appraisal."""

from __future__ import annotations

import numpy as np
from scipy import stats


def t_half_width(sd, n, confidence: float = 0.95) -> np.ndarray:
    """t-based half-width of a mean's interval from standard deviations and counts (0 when the
    sd is 0, blank when n < 2)."""
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * sd / np.sqrt(n), np.nan)
    return np.where((n > 1) & (sd == 0), 0.0, half)
