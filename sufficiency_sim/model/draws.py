"""Random draws shared by the model's processes: choices from shares, durations in days, and
durations conditional on having already lasted some days (for children already in care at the
start). Pure functions of the uniforms and normals they are given: no random state here."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

YEAR = 365.25
LN2 = math.log(2.0)
AGE_BAND_RANGES = {"0": (0, 0), "1-4": (1, 4), "5-9": (5, 9), "10-15": (10, 15), "16-17": (16, 17)}
"""Completed years in each age band (the scenario's bands; restated: the model does not import
the scenario module)."""
BAND_OF_AGE = ["0"] + ["1-4"] * 4 + ["5-9"] * 5 + ["10-15"] * 6 + ["16-17"] * 3

_NORMAL = NormalDist()
_ALMOST_ONE = 1.0 - 1e-12


def pick(shares: dict, u: float) -> Any:
    """Inverse-CDF choice from a mapping of shares (in the mapping's order)."""
    total = 0.0
    last = None
    for key, share in shares.items():
        total += share
        last = key
        if u < total:
            return key
    return last


def duration_days(duration, z: float) -> int:
    """A whole number of days (at least 1) drawn from a Duration, given a standard normal `z`.

    Lognormal: median * exp(sigma * z). Exponential: the same normal turned into a uniform, so
    that either distribution uses the same random numbers."""
    if duration.distribution == "exponential":
        u = 0.5 * math.erfc(-z / math.sqrt(2.0))
        days = -duration.median_days / LN2 * math.log1p(-min(u, 1.0 - 1e-16))
    else:
        days = duration.median_days * math.exp(duration.sigma * z)
    return max(1, round(days))


def duration_survival(duration, days: float) -> float:
    """P(a Duration lasts longer than `days`)."""
    if days <= 0:
        return 1.0
    if duration.distribution == "exponential":
        return math.exp(-days * LN2 / duration.median_days)
    if duration.sigma == 0:
        return 1.0 if duration.median_days > days else 0.0
    z = math.log(days / duration.median_days) / duration.sigma
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def duration_beyond(duration, days: float, u: float) -> int:
    """A whole number of days drawn from a Duration given that it has lasted `days` already
    (inverse CDF of the truncated distribution, from a uniform `u`); at least `days` + 1."""
    if duration.distribution == "exponential":
        extra = -duration.median_days / LN2 * math.log1p(-min(u, _ALMOST_ONE))
        return max(1, round(days + extra), math.floor(days) + 1)
    if duration.sigma == 0:
        return max(1, round(duration.median_days), math.floor(days) + 1)
    below = 1.0 - duration_survival(duration, days)
    p = min(_ALMOST_ONE, max(1e-12, below + u * (1.0 - below)))
    total = duration.median_days * math.exp(duration.sigma * _NORMAL.inv_cdf(p))
    return max(1, round(total), math.floor(days) + 1)
