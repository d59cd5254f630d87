"""Reduced scenarios for the model's verification tests, built from the York baseline.

Every builder returns a plain dict (the raw scenario data) so that tests can change it further;
`build` validates it into a Scenario. The reductions turn the placement model into systems with
known answers: a loss system (Erlang B) with one kind of carer, an infinite-server system
(Little's law), a system with room everywhere (no bridging) and one where nothing ever moves.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from sufficiency_sim import scenario as scenario_mod
from sufficiency_sim.model.history import RunHistory
from sufficiency_sim.scenario import Scenario
from sufficiency_sim.vocabulary import AGE_BANDS, BREAKDOWN_KINDS, NEEDS

BASELINE_PATH = Path(__file__).resolve().parents[1] / "scenarios" / "york_baseline.yaml"
YEAR_DAYS = 365.25
NEVER_DAYS = 1e12
"""A median time to breakdown so long that, with Weibull shape 3, no placement in a 70-year run
breaks down (probability of about ln 2 * (25000 / 1e12) ** 3, i.e. 1e-23 per placement)."""


@cache
def _baseline_raw() -> dict[str, Any]:
    return scenario_mod.load_raw(BASELINE_PATH)


def baseline() -> dict[str, Any]:
    """A fresh copy of the York baseline as raw scenario data."""
    return copy.deepcopy(_baseline_raw())


def build(data: dict[str, Any]) -> Scenario:
    """Validate raw scenario data (raises InputError naming the bad key)."""
    return scenario_mod.validate(data, "<test scenario>")


def set_key(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set `a.b.c` in nested raw scenario data (in place) and return the data."""
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[last] = value
    return data


def duration(mean_days: float, distribution: str = "exponential", sigma: float = 0.0) -> dict:
    """A Duration with the given mean: exponential (median = mean ln 2) or lognormal
    (median = mean / exp(sigma^2 / 2))."""
    if distribution == "exponential":
        return {"distribution": "exponential", "median_days": mean_days * math.log(2.0)}
    median = mean_days / math.exp(sigma * sigma / 2.0)
    return {"distribution": "lognormal", "median_days": median, "sigma": sigma}


def no_moves(data: dict[str, Any]) -> dict[str, Any]:
    """Remove every cause of a placement change apart from leaving care: no breakdowns, no planned
    moves, no step-back, no placed-with-parents / adoption / supported transitions, no carers
    leaving and no home closing. Changes `data` in place and returns it."""
    endings = data["endings"]
    endings["weibull_shape"] = 3.0
    endings["median_days"] = dict.fromkeys(BREAKDOWN_KINDS, NEVER_DAYS)
    endings["planned_move_rate_per_year"] = {}
    data["matching"]["step_back"] = {"enabled": False}
    pathways = data["pathways"]
    pathways["placed_with_parents_share"] = 0.0
    pathways["supported_move_share"] = 0.0
    for band, mix in pathways["route_mix_by_age"].items():
        adoption = mix.pop("adoption", 0.0)
        mix["other"] = mix.get("other", 0.0) + adoption
        pathways["route_mix_by_age"][band] = mix
    data["carers"]["deregistration_rate_per_year"] = 0.0
    data["carers"]["retention"] = []
    for home in data["provision"].get("local_homes", []):
        home.pop("closes", None)
    return data


def single_carer_type(
    households: int,
    rate_per_year: float,
    mean_days: float,
    *,
    distribution: str = "exponential",
    sigma: float = 0.0,
    horizon_years: int = 50,
    warmup_years: int = 5,
) -> dict[str, Any]:
    """The model reduced to a loss system: `households` in-house foster households with one place
    each (any age, any need, inside the boundary), Poisson entries of single babies at
    `rate_per_year`, all leaving by route "other" after a stay of mean `mean_days`, and every
    child who finds no household free going at once (and for good) to an external home far
    away. No kinship, no emergency carers, no recruitment or attrition, no moves at all.

    The share of entering children whose first placement is external is then the Erlang B
    blocking probability B(households, rate * mean / 365.25); with `households` large the number in
    care is an M/G/infinity queue (mean rate * mean / 365.25, Little's law)."""
    data = no_moves(baseline())
    data["name"] = f"loss system c={households}"
    data["horizon_years"] = horizon_years
    data["warmup_years"] = warmup_years
    entries = data["entries"]
    entries.update(
        rate_per_year=rate_per_year,
        trend_pct_per_year=0.0,
        seasonality_amplitude=0.0,
        age_mix={"0": 1.0},
        needs_by_age={band: {"standard": 1.0} for band in AGE_BANDS},
        sibling_group_mix={1: 1.0},
        surges=[],
    )
    pathways = data["pathways"]
    pathways["route_mix_by_age"] = {band: {"other": 1.0} for band in AGE_BANDS}
    stay = duration(mean_days, distribution, sigma)
    pathways["durations"] = dict.fromkeys(pathways["durations"], stay)
    provision = data["provision"]
    provision["kinship"]["available_by_age"] = dict.fromkeys(AGE_BANDS, 0.0)
    provision["inhouse_foster"].update(
        households=households,
        places_mix={1: 1.0},
        age_ranges=[{"min_age": 0, "max_age": 17, "share": 1.0}],
        location_mix={"in": 1.0},
        max_needs="complex",
        complex_share=1.0,
        unavailable_place_share=0.0,
        emergency_households=0,
    )
    provision["local_homes"] = []
    provision["external_homes"].update(
        offer_probability=dict.fromkeys(NEEDS, 1.0),
        same_day_probability=1.0,
        location_mix={"far": 1.0},
    )
    data["matching"]["preferences"] = {need: ["inhouse_foster", "external_home"] for need in NEEDS}
    data["carers"].update(enquiries_per_year=0.0, campaigns=[], retention=[])
    return data


def room_everywhere(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The baseline (or `data`) with more room than it can ever use: thousands of in-house
    households of any age and need up to complex, a huge local home admitting every need and
    age, and agencies, external homes and supported accommodation that always offer a place the
    same day. No child should ever need a bridging placement."""
    data = baseline() if data is None else data
    provision = data["provision"]
    provision["inhouse_foster"].update(
        households=3000,
        places_mix={3: 1.0},
        age_ranges=[{"min_age": 0, "max_age": 17, "share": 1.0}],
        complex_share=1.0,
        unavailable_place_share=0.0,
    )
    provision["local_homes"] = [
        {
            "name": "Huge local home",
            "beds": 3000,
            "min_age": 0,
            "max_age": 17,
            "admits": ["standard", "complex", "specialist"],
            "max_high_need": 3000,
            "provider": "PR1",
            "location": "in",
            "weekly_cost_per_bed": 1.0,
        }
    ]
    for market in ("ifa", "external_homes", "supported"):
        provision[market]["offer_probability"] = dict.fromkeys(NEEDS, 1.0)
        provision[market]["same_day_probability"] = 1.0
    return data


def busy_day_counts(
    starts: Iterable[int], ends: Iterable[int | None], end_default: int
) -> tuple[np.ndarray, np.ndarray]:
    """Occupancy of intervals [start, end) as a step function: (days, count from that day).

    Ends are applied before starts on the same day (a place freed in the morning can be used
    the same day). Open ends (None) run to `end_default`."""
    deltas: dict[int, int] = {}
    for start, end in zip(starts, ends, strict=True):
        stop = end_default if end is None else end
        if stop <= start:
            continue
        deltas[start] = deltas.get(start, 0) + 1
        deltas[stop] = deltas.get(stop, 0) - 1
    days = np.array(sorted(deltas), dtype=np.int64)
    counts = np.cumsum([deltas[d] for d in days]) if len(days) else np.zeros(0, dtype=np.int64)
    return days, np.asarray(counts, dtype=np.int64)


def periods_of_care(history: RunHistory) -> dict[str, tuple[int, int | None]]:
    """Each child's period of care (first DECOM, last DEC or None when still in care) from the
    903 episodes, as date ordinals."""
    out: dict[str, tuple[int, int | None]] = {}
    episodes = history.episodes
    for child, decom, dec in zip(
        episodes["CHILD"], episodes["DECOM"], episodes["DEC"], strict=True
    ):
        first, last = out.get(child, (decom, dec))
        first = min(first, decom)
        if last is not None and (dec is None or dec > last):
            last = dec
        out[child] = (first, last)
    return out


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula B(c, a) by the standard recursion B(0) = 1,
    B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b
