"""Random draws shared by the model's parts: choices from shares, durations in days, durations
conditional on having already lasted some days (for children already in care at the start), and
named blocks of draws. Pure functions of the uniforms and normals they are given, except `named`
and `named_normals`, which take one block from a generator and name its members."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, NamedTuple, TypeVar

import numpy as np

LN2 = math.log(2.0)

_NORMAL = NormalDist()
_ALMOST_ONE = 1.0 - 1e-12


Draws = TypeVar("Draws", bound=NamedTuple)


def named(rng: np.random.Generator, schema: type[Draws]) -> Draws:
    """One block of uniforms from `rng`, one per field of the NamedTuple `schema`, in field
    order: the fields name the draws, and their number is the block's size (so the stream is
    used exactly as by `rng.random(len(fields))`)."""
    return schema._make(rng.random(len(schema._fields)).tolist())


def named_normals(rng: np.random.Generator, schema: type[Draws]) -> Draws:
    """As `named`, with standard normals (`rng.standard_normal(len(fields))`)."""
    return schema._make(rng.standard_normal(len(schema._fields)).tolist())


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


def duration_days(duration: Any, z: float) -> int:
    """A whole number of days (at least 1) drawn from a Duration, given a standard normal `z`.

    Lognormal: median * exp(sigma * z). Exponential: the same normal turned into a uniform, so
    that either distribution uses the same random numbers."""
    if duration.distribution == "exponential":
        u = 0.5 * math.erfc(-z / math.sqrt(2.0))
        days = -duration.median_days / LN2 * math.log1p(-min(u, 1.0 - 1e-16))
    else:
        days = duration.median_days * math.exp(duration.sigma * z)
    return max(1, round(days))


def duration_survival(duration: Any, days: float) -> float:
    """P(a Duration lasts longer than `days`)."""
    if days <= 0:
        return 1.0
    if duration.distribution == "exponential":
        return math.exp(-days * LN2 / duration.median_days)
    if duration.sigma == 0:
        return 1.0 if duration.median_days > days else 0.0
    z = math.log(days / duration.median_days) / duration.sigma
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def duration_beyond(duration: Any, days: float, u: float) -> int:
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


def distance_miles(location: str, rng: np.random.Generator) -> float:
    """A placement's distance from home in miles (one decimal) for its location band: uniform
    inside the boundary (0.3-6) or within 20 miles (5-20), lognormal beyond 20 miles."""
    if location == "in":
        return round(float(rng.uniform(0.3, 6.0)), 1)
    if location == "near":
        return round(float(rng.uniform(5.0, 20.0)), 1)
    return round(20.1 + float(rng.lognormal(math.log(25.0), 0.7)), 1)


_MASK64 = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    """One step of Steele, Lea and Flood's SplitMix64 finaliser (a 64-bit bijective mix)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def keyed_uniform(*words: int) -> float:
    """A uniform in (0, 1) that is a pure function of its integer key (counter-based): the same
    key gives the same number in every scenario, and drawing it shifts no stream."""
    h = 0
    for word in words:
        h = _splitmix64(h ^ (word & _MASK64))
    return ((h >> 11) + 0.5) / (1 << 53)


def price_factor(price: Any, need: str, u: float) -> float:
    """One placement's weekly price as a multiple of its market's `weekly_cost`: the need
    level's multiplier times a mean-one lognormal of log-scale `sigma` (from the uniform `u`)."""
    factor = price.need_multiplier[need]
    if price.sigma:
        factor *= math.exp(price.sigma * _NORMAL.inv_cdf(u) - price.sigma**2 / 2.0)
    return factor
