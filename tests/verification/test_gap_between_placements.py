"""The gap between placements in a mainstream household or a local home
(`gap_between_placements`) against Erlang's loss formula: reduced to c one-place households, or
one home of c beds, and Poisson entries (the loss system of `test_model_theory.py`), a place is
busy for the child's stay and then the gap, so the share of
children finding every household full is B(c, lambda (E[S] + E[G])), whatever the
distributions (Erlang B is insensitive to the busy time's distribution)."""

from __future__ import annotations

import math

import pytest
from model_scenarios import YEAR_DAYS, build, duration, erlang_b, single_carer_type
from test_model_theory import blocked_share, mean_and_se, mean_time_in_care

from sufficiency_sim.model.processes import simulate
from sufficiency_sim.vocabulary import NEEDS

SEED = 20261204
Z = 4.0


def mean_whole_day_gap(mean_days: float) -> float:
    """E[max(1, round(X))] for an exponential X of mean `mean_days` (the model's whole days)."""
    return 1.0 + sum(math.exp(-(k - 0.5) / mean_days) for k in range(2, int(60 * mean_days)))


def loss_system(where: str, c: int, rate: float, mean_days: float, gap_days: float) -> dict:
    """The loss system with c one-place households, or one home of c beds taking every child
    instead, and a gap between placements of mean `gap_days` (exponential)."""
    if where == "household":
        data = single_carer_type(c, rate, mean_days, horizon_years=30, warmup_years=10)
        data["provision"]["inhouse_foster"]["gap_between_placements"] = duration(gap_days)
        return data
    data = single_carer_type(0, rate, mean_days, horizon_years=30, warmup_years=10)
    data["provision"]["local_homes"] = [
        {
            "name": "Home for everyone",
            "beds": c,
            "min_age": 0,
            "max_age": 17,
            "admits": ["standard"],
            "max_high_need": 0,
            "location": "in",
            "weekly_cost_per_bed": 1.0,
            "gap_between_placements": duration(gap_days),
        }
    ]
    data["matching"]["preferences"] = {need: ["local_home", "external_home"] for need in NEEDS}
    return data


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "kind"), [("household", "inhouse_foster"), ("home", "local_home")]
)
def test_blocking_with_a_gap_between_placements_matches_erlang_b(where: str, kind: str) -> None:
    c, rate, mean_days, gap_days, reps = 6, 6.0, YEAR_DAYS, 120.0, 100
    sc = build(loss_system(where, c, rate, mean_days, gap_days))
    shares, entries = [], 0
    for rep in range(reps):
        n, share = blocked_share(simulate(sc, SEED, rep), kind, "external_home")
        entries += n
        shares.append(share)
    share, se = mean_and_se(shares)
    busy = mean_time_in_care(mean_days, "exponential", 0.0) + mean_whole_day_gap(gap_days)
    # Same-day order of leaving, the place's release and arrivals: a day either way in all.
    b_low = erlang_b(c, rate * (busy - 1.0) / YEAR_DAYS)
    b_high = erlang_b(c, rate * (busy + 1.0) / YEAR_DAYS)
    without = erlang_b(c, rate * mean_days / YEAR_DAYS)
    print(
        f"\nGap {gap_days:g} d, c={c}: B={b_low:.4f}-{b_high:.4f} (no gap {without:.4f}), "
        f"simulated {share:.4f} +- {se:.4f} (n={entries} entries, {reps} reps)"
    )
    assert se < 0.01, "too few entries for a meaningful test"
    assert b_low - Z * se <= share <= b_high + Z * se
    assert share > without + 5 * se  # the gap matters: the test can tell it from no gap
