"""Hazards: when a placement breaks down or ends in a planned move, when a household leaves,
and how fast children enter care on a given day. Pure functions of the scenario's settings and
the uniforms they are given; days are the model's whole days from its day 0."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from sufficiency_sim.model.draws import LN2
from sufficiency_sim.vocabulary import YEAR_DAYS


class PlacementDraws(NamedTuple):
    """The two uniforms a new placement takes from the child's stream."""

    breakdown: float
    planned_move: float


def days_after(now: int, days: float) -> float:
    """The whole day at least one day after `now` that is `days` later, or never (infinity)
    when the delay is too long to matter (or overflows)."""
    if not days < 1e7:  # also catches inf and nan: beyond any horizon (27,000 years)
        return math.inf
    return now + max(1, math.ceil(days))


def breakdown_multiplier(
    endings: Any,
    band: str,
    need: str,
    location: str,
    bridging: bool,
    mismatch: bool,
    high_need_peers: int,
) -> float:
    """The breakdown hazard multiplier of a placement: the child's age band at its start, needs
    and the placement's location; bridging and mismatched placements; and, for a child with
    complex or specialist needs in a home, each other such child living there (at most
    `high_need_peer_cap` of them)."""
    multiplier = (
        endings.age_multiplier[band]
        * endings.needs_multiplier[need]
        * endings.location_multiplier[location]
    )
    if bridging:
        multiplier *= endings.bridging_multiplier
    if mismatch:
        multiplier *= endings.mismatch_multiplier
    if need != "standard" and high_need_peers:
        cap = endings.high_need_peer_cap
        peers = high_need_peers if cap is None else min(high_need_peers, cap)
        multiplier *= endings.high_need_peer_multiplier**peers
    return multiplier


def breakdown_day(
    endings: Any, kind: str, multiplier: float, u: float, start: int, elapsed: int
) -> float:
    """The day a placement of `kind` that began on `start` breaks down (Weibull hazard scaled by
    `multiplier`), drawn from the uniform `u`. `elapsed` > 0 continues a placement that has
    lasted that many days without breaking down: the cumulative hazard so far is added to a fresh
    exponential's worth. Always after `start + elapsed`."""
    shape = endings.weibull_shape
    scale = endings.median_days[kind] / LN2 ** (1.0 / shape)
    hazard = -math.log1p(-u) / multiplier
    if elapsed:
        hazard += (elapsed / scale) ** shape
    day = days_after(start, scale * hazard ** (1.0 / shape))
    if day <= start + elapsed:
        day = start + elapsed + 1
    return day


def planned_move_day(endings: Any, kind: str, today: int, u: float) -> float:
    """The day of a planned move out of a placement of `kind` (a Poisson hazard from `today`),
    or never when the kind has no planned moves."""
    move_rate = endings.planned_move_rate_per_year.get(kind, 0.0)
    if move_rate > 0:
        return days_after(today, -math.log1p(-u) * YEAR_DAYS / move_rate)
    return math.inf


def retention_multiplier(changes: Sequence[tuple[int, float]], day: float) -> tuple[float, float]:
    """The deregistration multiplier in force on `day` (from the sorted (day, multiplier)
    `changes`), and the day it next changes (infinity when it never does)."""
    multiplier, next_change = 1.0, math.inf
    for change_day, value in changes:
        if change_day <= day:
            multiplier = value
        else:
            next_change = change_day
            break
    return multiplier, next_change


def entry_rate(entries: Any, t: float, start_day: int, ord0: int) -> float:
    """Children entering care per year on day `t`: the base rate, its trend from the start date
    and its seasonal swing (peaking mid-month of `seasonality_peak_month`)."""
    rate = entries.rate_per_year
    if t > start_day and entries.trend_pct_per_year:
        rate *= (1 + entries.trend_pct_per_year / 100.0) ** ((t - start_day) / YEAR_DAYS)
    if entries.seasonality_amplitude:
        date = dt.date.fromordinal(ord0 + int(t))
        peak = dt.date(date.year, entries.seasonality_peak_month, 15)
        phase = 2 * math.pi * (date - peak).days / YEAR_DAYS
        rate *= 1 + entries.seasonality_amplitude * math.cos(phase)
    return rate
