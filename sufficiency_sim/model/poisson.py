"""A Poisson arrival process on the SimPy clock, shared by the regular entries, the surges and
the unaccompanied children's arrivals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from sufficiency_sim.vocabulary import YEAR_DAYS


def poisson_arrivals(
    env: Any,
    rng: np.random.Generator,
    rate_per_year: float,
    start: float,
    end: float,
    arrive: Callable[[], None],
    keep: Callable[[float], bool] | None = None,
) -> Iterator:
    """A SimPy process: arrivals at `rate_per_year` between days `start` and `end`, the gaps
    exponential draws from `rng`. Each arrival that `keep(t)` keeps (thinning; `keep` may draw
    from `rng` too) calls `arrive()` on its whole day."""
    if start >= end:
        return
    if start > env.now:
        yield env.timeout(start - env.now)
    t = start
    while True:
        t += rng.exponential(YEAR_DAYS / rate_per_year)
        if t >= end:
            return
        if keep is not None and not keep(t):
            continue
        day = int(t)
        if day > env.now:
            yield env.timeout(day - env.now)
        arrive()
