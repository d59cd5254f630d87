"""A bounded external market against theory and its own bounds.

With no local places and an external market of c places, every entering child whose search
finds the market full goes to emergency (overflow) provision; if it never looks again, the
market is a loss system and the overflow share is Erlang's B(c, lambda E[S]) whatever the
distribution of the stay. On the York baseline the places taken never exceed the supply, a
supply that falls over time is never exceeded, more places never mean more overflow, and
prices by need change the cost and nothing else.
"""

from __future__ import annotations

import numpy as np
import pytest
from model_scenarios import (
    NEVER_DAYS,
    YEAR_DAYS,
    baseline,
    build,
    busy_day_counts,
    erlang_b,
    single_carer_type,
)
from test_model_theory import blocked_share, mean_and_se, mean_time_in_care

from sufficiency_sim.experiment.runner import history_frames, measure
from sufficiency_sim.model.markets import capacity, supply_factor
from sufficiency_sim.model.processes import Simulation, simulate
from sufficiency_sim.vocabulary import NEEDS

SEED = 20261204
Z = 4.0


def bounded_external_homes(data: dict, places: dict[str, dict[str, int]], **supply: float) -> dict:
    """`data` with its external homes bounded to `places` (by need, then location)."""
    data["provision"]["external_homes"]["supply"] = {"places": places, **supply}
    return data


@pytest.mark.slow
def test_overflow_share_matches_erlang_b_on_the_external_market() -> None:
    """No in-house carers, external homes with c places and same-day offers, and a child who
    finds them full stays in emergency provision for good (its next look, a median search
    later, falls after the end): the share of entering children placed in emergency
    residential care equals B(c, lambda E[S])."""
    c, rate, mean_days, reps = 6, 6.0, YEAR_DAYS, 120
    data = single_carer_type(0, rate, mean_days, horizon_years=30, warmup_years=10)
    data["provision"]["external_homes"]["search"] = {"median_days": NEVER_DAYS}
    data["matching"]["preferences"] = {need: ["external_home"] for need in NEEDS}
    cells = {"standard": {"far": c}, "complex": {}, "specialist": {}}
    sc = build(bounded_external_homes(data, cells))
    shares, entries = [], 0
    for rep in range(reps):
        n, share = blocked_share(simulate(sc, SEED, rep), "external_home", "emergency_residential")
        entries += n
        shares.append(share)
    share, se = mean_and_se(shares)
    served = mean_time_in_care(mean_days, "exponential", 0.0)
    b_low = erlang_b(c, rate * (served - 0.5) / YEAR_DAYS)
    b_high = erlang_b(c, rate * (served + 0.5) / YEAR_DAYS)
    print(
        f"\nExternal market c={c} a={rate * mean_days / YEAR_DAYS:g}: B={b_low:.4f}-"
        f"{b_high:.4f}, overflow {share:.4f} +- {se:.4f} (n={entries} entries, {reps} reps)"
    )
    assert se < 0.01, "too few entries for a meaningful test"
    assert b_low - Z * se <= share <= b_high + Z * se


def external_home_peak(history, start_ordinal: int, end_ordinal: int) -> np.ndarray:
    """Children in external homes, day by day from `start_ordinal` (from the audit table)."""
    p = history.placements
    rows = [i for i, kind in enumerate(p["provision_type"]) if kind == "external_home"]
    days, counts = busy_day_counts(
        [p["start"][i] for i in rows], [p["end"][i] for i in rows], end_ordinal
    )
    daily = np.zeros(end_ordinal - start_ordinal, dtype=np.int64)
    for day, count, nxt in zip(days, counts, [*days[1:], end_ordinal], strict=True):
        lo, hi = max(day, start_ordinal), min(nxt, end_ordinal)
        if hi > lo:
            daily[lo - start_ordinal : hi - start_ordinal] = count
    return daily


def york_bounded(places: int, **supply: float):
    """The York baseline with external homes bounded to `places` far away for every need."""
    cells = {need: {"far": places} for need in NEEDS}
    data = bounded_external_homes(baseline(), cells, **supply)
    data["horizon_years"] = 6
    return build(data)


@pytest.mark.parametrize("change", [0.0, -25.0])
def test_york_never_takes_a_place_beyond_the_supply(change: float) -> None:
    """Invariants checked at every event (the places taken equal the children placed there or
    holding a place), and after every event a cell (need level and location) whose places
    taken grew is within that day's supply, constant or falling by a quarter a year (a fall
    moves no child out: the cell stays over until children leave). With a constant supply the
    audit table never shows more children in external homes than all cells' places."""
    sc = york_bounded(3, change_pct_per_year=change)
    supply = sc.provision.external_homes.supply
    seen: dict[tuple, int] = {}
    grew_at_capacity = []

    def check(sim: Simulation) -> None:
        factor = supply_factor(supply, sim.env.now, sim.start_day)
        for key, taken in sim.markets.taken.items():
            market, need, location = key
            if market == "external_homes" and taken > seen.get(key, 0):
                grew_at_capacity.append(taken == capacity(3, factor))
                assert taken <= capacity(supply.places[need].get(location, 0), factor), key
            seen[key] = taken

    sim = Simulation(sc, SEED, 0, check_invariants=True, on_event=check)
    history = sim.run()
    assert any(grew_at_capacity), "the supply never bound: the test shows nothing"
    start, end = history.start_ordinal, history.end_ordinal
    daily = external_home_peak(history, start, end)
    if change == 0.0:
        assert 0 < daily.max() <= 3 * 3
    else:  # the supply did fall within the horizon (to 1 place a cell by its end)
        assert capacity(3, supply_factor(supply, sim.end_day, sim.start_day)) == 1


def test_more_external_places_never_mean_more_emergency_placements() -> None:
    """Paired replications (the same children): emergency residential placements started
    after the start date fall, or stay equal on average, as the external supply grows; the
    unlimited market has the fewest."""
    reps = 6

    def emergency(sc) -> float:
        counts = []
        for rep in range(reps):
            history = simulate(sc, SEED, rep)
            p = history.placements
            counts.append(
                sum(
                    1
                    for kind, start in zip(p["provision_type"], p["start"], strict=True)
                    if kind == "emergency_residential" and start >= history.start_ordinal
                )
            )
        return float(np.mean(counts))

    tight, loose = emergency(york_bounded(1)), emergency(york_bounded(6))
    unlimited = emergency(build(baseline() | {"horizon_years": 6}))
    print(f"\nemergency residential starts: 1 place {tight}, 6 {loose}, unlimited {unlimited}")
    assert tight > loose >= unlimited


def test_market_prices_by_need_raise_cost_and_keep_the_children() -> None:
    """Prices by need on the external homes: the same children and placements (the price is
    keyed by the child's placement and shifts no stream), external home placements priced at
    their need's multiple or more, every other placement at 1; multipliers of 1 and no spread
    cost exactly what no price costs; higher multipliers cost more."""

    def run(price: dict | None):
        data = baseline() | {"horizon_years": 4}
        if price is not None:
            data["provision"]["external_homes"]["price"] = price
        sc = build(data)
        history = simulate(sc, SEED, 1)
        return history, float(measure(history_frames(history), sc)["cost_gbp"].sum())

    flat, flat_cost = run(None)
    ones, ones_cost = run({"need_multiplier": dict.fromkeys(NEEDS, 1.0), "sigma": 0.0})
    dear, dear_cost = run({"need_multiplier": {"standard": 1.5, "complex": 2.0,
                                               "specialist": 3.0}, "sigma": 0.5})  # fmt: skip
    for history in (ones, dear):
        for column in ("child", "start", "end", "provision_type", "location"):
            assert history.placements[column] == flat.placements[column]
    assert ones_cost == flat_cost
    factors = np.array(dear.placements["price_factor"])
    external = np.array(dear.placements["provision_type"]) == "external_home"
    assert external.any() and (factors[~external] == 1.0).all()
    assert len(set(factors[external])) == external.sum()  # a price of its own each
    assert dear_cost > flat_cost
