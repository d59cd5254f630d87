"""UASC entries against their truth: over many replications the yearly number of spontaneous
arrivals and of NTS transfers has the Poisson mean and variance of its rate, the age and sex
mix is the scenario's, and adding UASC leaves every other child's draws and first placement
as they were (common random numbers, with room everywhere so that no place is contested)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from model_scenarios import baseline, build, room_everywhere

from sufficiency_sim.model.processes import Simulation

SEED = 23
REPLICATIONS = 300
SPONTANEOUS = 20.0
REFERRALS = 15.0
Z = 4.0  # tolerance in standard errors: a correct model fails about 1 time in 16,000 per check


def _data(uasc: dict | None, *, warmup: int = 0, horizon: int = 1) -> dict:
    data = baseline()
    data["warmup_years"], data["horizon_years"] = warmup, horizon
    if uasc is not None:
        data["entries"]["uasc"] = uasc
    return data


@cache
def _one_year_runs() -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
    """Spontaneous arrivals and NTS referrals (a quota too large to bind) counted over one year
    in each replication, and every UASC's (age band, sex) at entry."""
    nts = {"start": "2019-04-01", "child_population": 12_500_000, "referrals_per_year": REFERRALS}
    scenario = build(_data({"rate_per_year": SPONTANEOUS, "nts": nts}))
    spontaneous, transfers, traits = [], [], []
    for replication in range(REPLICATIONS):
        sim = Simulation(scenario, SEED, replication)
        sim.run()
        part = sim.arrivals.uasc
        spontaneous.append(part._index.get("uasc", 0))
        transfers.append(part._index.get("uasc:nts", 0))
        assert len(part.children) == spontaneous[-1] + transfers[-1]  # every referral accepted
        traits += [(child.age_band, child.sex) for child in part.children]
    return np.array(spontaneous), np.array(transfers), traits


@pytest.mark.slow
@pytest.mark.parametrize(("which", "rate"), [(0, SPONTANEOUS), (1, REFERRALS)])
def test_yearly_counts_are_poisson(which: int, rate: float) -> None:
    """Mean within Z standard errors of the rate (SE sqrt(rate / n)); variance within Z
    standard errors of the rate (the sample variance of a Poisson(rate) has variance about
    (mu4 - sigma^4) / n with mu4 = rate (1 + 3 rate))."""
    counts = _one_year_runs()[which].astype(float)
    n = len(counts)
    mean, variance = counts.mean(), counts.var(ddof=1)
    print(f"\nrate {rate}: mean {mean:.2f}, variance {variance:.2f} over {n} replications")
    assert abs(mean - rate) < Z * math.sqrt(rate / n)
    se_variance = math.sqrt((rate * (1 + 3 * rate) - rate**2) / n)
    assert abs(variance - rate) < Z * se_variance


@pytest.mark.slow
def test_age_and_sex_mix_is_the_scenario_s() -> None:
    """Default mix: 80% aged 16-17 at entry (the rest 10-15) and 8% girls, within Z binomial
    standard errors."""
    traits = _one_year_runs()[2]
    n = len(traits)
    older = sum(band == "16-17" for band, _ in traits) / n
    girls = sum(sex == 2 for _, sex in traits) / n
    print(f"\n{n} UASC: {older:.3f} aged 16-17, {girls:.3f} girls")
    assert {band for band, _ in traits} <= {"10-15", "16-17"}
    assert abs(older - 0.8) < Z * math.sqrt(0.8 * 0.2 / n)
    assert abs(girls - 0.08) < Z * math.sqrt(0.08 * 0.92 / n)


def _others(uasc: dict | None) -> list[tuple]:
    """Each non-UASC child's traits, pathway and first placement, in arrival order."""
    sim = Simulation(build(room_everywhere(_data(uasc, warmup=2, horizon=3))), SEED, 0)
    sim.run()
    rows = []
    for child in sim.children:
        if child.uasc:
            continue
        first = child.placements[0]
        rows.append(
            (
                child.entry, child.dob, child.sex, child.need, child.route, child.exit_day,
                tuple(child.legal), first.kind, first.location, first.start, first.bridging,
            )
        )  # fmt: skip
    return rows


def test_uasc_leave_the_other_children_unchanged() -> None:
    """With room everywhere, adding UASC (spontaneous and NTS transfers, from the warm-up on)
    leaves the other children, in arrival order, with the same entry day, traits, route, exit
    day, legal statuses and first placement (kind, location band, day, bridging or not). Not
    compared: the household itself and so its distance (a UASC may hold the nearest one), and
    the code at 18, which depends on the placement then."""
    nts = {"start": "2017-04-01", "child_population": 34_600, "referrals_per_year": 24.0}
    plain = _others(None)
    with_uasc = _others({"rate_per_year": 10.0, "nts": nts})
    assert len(plain) > 200
    assert with_uasc == plain
