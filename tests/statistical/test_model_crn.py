"""Common random numbers: scenarios that differ only in capacity see the same children, an
unchanged scenario gives identical results replication by replication, and paired replications
show the responses that capacity and demand must have (monotone, and linear where theory says
so). Paired differences use the t distribution over replications (CRN makes them precise).
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from model_scenarios import baseline, build
from scipy import stats

from sufficiency_sim.experiment.runner import run_experiment, run_replication
from sufficiency_sim.model.history import RunHistory
from sufficiency_sim.model.processes import simulate
from sufficiency_sim.scenario import Scenario

SEED = 11
PAIRED_REPS = 20


def short(data: dict[str, Any] | None = None, *, warmup: int = 10, horizon: int = 5) -> dict:
    """The baseline (or `data`) with a shorter warm-up and horizon, for quick paired runs."""
    data = baseline() if data is None else data
    data["warmup_years"] = warmup
    data["horizon_years"] = horizon
    return data


def variant(change: Callable[[dict[str, Any]], None], **kwargs: int) -> Scenario:
    """The short baseline with `change` applied to its raw data."""
    data = short(**kwargs)
    change(data)
    return build(data)


def extra_home(data: dict[str, Any], beds: int = 8) -> None:
    """Add a second local home like the council's, for ages 9-17, with `beds` beds."""
    home = copy.deepcopy(data["provision"]["local_homes"][0])
    home.update(name="Extra local home", beds=beds, min_age=9, max_high_need=4)
    data["provision"]["local_homes"].append(home)


# ---------------------------------------------------------------------------------------------
# The same children


def children(history: RunHistory) -> pd.DataFrame:
    """One row per child: DOB and SEX from the header; entry day, first legal status and CIN
    from the child's first (RNE S) episode; the day it left care (None while in care)."""
    header = pd.DataFrame(history.header)[["CHILD", "DOB", "SEX"]].set_index("CHILD")
    episodes = pd.DataFrame(history.episodes)
    first = episodes[episodes["RNE"] == "S"].set_index("CHILD")[["DECOM", "LS", "CIN"]]
    left = episodes.groupby("CHILD")["DEC"].agg(lambda s: None if s.isna().any() else s.max())
    out = header.join(first, how="outer").join(left.rename("LEFT"), how="outer")
    return out.sort_index()


CAPACITY_CHANGES = {
    "households 40 vs 120": (
        lambda d: d["provision"]["inhouse_foster"].update(households=40),
        lambda d: d["provision"]["inhouse_foster"].update(households=120),
    ),
    "an extra local home": (lambda d: None, extra_home),
    "no emergency carers vs 10": (
        lambda d: d["provision"]["inhouse_foster"].update(emergency_households=0),
        lambda d: d["provision"]["inhouse_foster"].update(emergency_households=10),
    ),
}


@pytest.mark.parametrize("change", list(CAPACITY_CHANGES))
@pytest.mark.parametrize("replication", [0, 3])
def test_capacity_changes_do_not_change_the_children(change: str, replication: int) -> None:
    """Two scenarios that differ only in capacity see the same children: same CHILD ids, entry
    days, DOB, SEX, first legal status and category of need, and (as the way out of care is
    drawn at entry) the same day of leaving care. Only the placements differ."""
    first, second = CAPACITY_CHANGES[change]
    a = simulate(variant(first, warmup=8, horizon=4), SEED, replication)
    b = simulate(variant(second, warmup=8, horizon=4), SEED, replication)
    assert len(a.header["CHILD"]) > 200
    pd.testing.assert_frame_equal(children(a), children(b))
    assert a.placements != b.placements, "the capacity change made no difference at all"


def test_a_surge_keeps_the_other_children() -> None:
    """Adding a surge of entries (a new random process) does not change the children who enter
    by the main process: each main-stream child of the first run is in the second with the
    same entry day, DOB, SEX and first legal status (CHILD ids may shift)."""
    plain = simulate(build(short(horizon=3)), SEED, 0)
    data = short(horizon=3)
    data["entries"]["surges"] = [
        {"name": "babies", "start": "2020-01-01", "rate_per_year": 30.0, "age_band": "0"}
    ]
    surged = simulate(build(data), SEED, 0)
    key = ["DOB", "SEX", "DECOM", "LS", "CIN", "LEFT"]
    before = children(plain).reset_index(drop=True)[key]
    after = children(surged).reset_index(drop=True)[key]
    assert len(after) > len(before)
    merged = before.merge(after, how="left", on=key, indicator=True)
    assert (merged["_merge"] == "both").all(), "children of the main stream changed"


# ---------------------------------------------------------------------------------------------
# An unchanged scenario


def test_renamed_scenario_gives_identical_results() -> None:
    """A scenario identical to the baseline apart from its name and description gives identical
    indicators, costs and system measures, replication by replication."""
    base = build(short(horizon=3))
    data = short(horizon=3)
    data.update(name="Same as baseline", description="only the name differs")
    renamed = build(data)
    for replication in (0, 1, 7):
        first = run_replication(base, SEED, replication)
        second = run_replication(renamed, SEED, replication)
        pd.testing.assert_frame_equal(first.results, second.results)
        assert first.stats["events"] == second.stats["events"]


# ---------------------------------------------------------------------------------------------
# Paired responses


@cache
def _results(scenario_json: str) -> pd.DataFrame:
    scenario = Scenario.model_validate_json(scenario_json)
    return run_experiment(scenario, PAIRED_REPS, SEED, jobs=2).results


def yearly_means(scenario: Scenario, column: str) -> np.ndarray:
    """Per replication, the mean over reported years of `column` (PAIRED_REPS replications,
    run once per scenario and kept for the other tests)."""
    results = _results(scenario.model_dump_json())
    return results.groupby("replication")[column].mean().sort_index().to_numpy(dtype=float)


def paired(diff: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its two-sided t confidence interval."""
    mean = float(diff.mean())
    half = (
        stats.t.ppf(0.5 + confidence / 2, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    )
    return mean, mean - half, mean + half


def households(n: int) -> Scenario:
    """The short baseline with `n` in-house households."""
    return variant(lambda d: d["provision"]["inhouse_foster"].update(households=n))


@pytest.mark.slow
def test_more_inhouse_households_lower_out_of_area() -> None:
    """40 -> 80 -> 120 in-house households: each step lowers pct_out_of_area (the 95% CI of the
    paired mean difference lies below 0)."""
    shares = [yearly_means(households(n), "pct_out_of_area") for n in (40, 80, 120)]
    for low, high in itertools.pairwise(shares):
        mean, lower, upper = paired(high - low)
        print(
            f"\nout of area {low.mean():.2f} -> {high.mean():.2f}: "
            f"{mean:.2f} [{lower:.2f}, {upper:.2f}]"
        )
        assert upper < 0


@pytest.mark.slow
def test_more_local_beds_do_not_raise_out_of_area() -> None:
    """An extra 8-bed local home lowers pct_out_of_area (95% CI below 0); 9 more beds in the
    council home do not raise it (the paired mean is not above 0 by 3 standard errors)."""
    base = yearly_means(build(short()), "pct_out_of_area")
    extra = yearly_means(variant(extra_home), "pct_out_of_area")
    mean, lower, upper = paired(extra - base)
    print(f"\nextra home: {mean:.2f} [{lower:.2f}, {upper:.2f}]")
    assert upper < 0
    bigger = yearly_means(
        variant(lambda d: d["provision"]["local_homes"][0].update(beds=12)), "pct_out_of_area"
    )
    diff = bigger - base
    se = diff.std(ddof=1) / math.sqrt(len(diff))
    print(f"3 -> 12 beds: {diff.mean():.2f} (se {se:.2f})")
    assert diff.mean() <= 3 * se


@pytest.mark.slow
def test_higher_entry_rate_raises_children_in_care_in_proportion() -> None:
    """64 -> 90 entries a year raises cla_31_march; and, as the time in care is drawn at entry
    whatever the capacity, the expected stock is proportional to the entry rate (E[L(t)] =
    lambda * integral of P(S > u) du, at any time t): the mean of 90 cla - (90/64) 64 cla over
    paired replications is 0 within its 99.9% CI."""
    base = yearly_means(build(short()), "cla_31_march")
    more = yearly_means(variant(lambda d: d["entries"].update(rate_per_year=90.0)), "cla_31_march")
    mean, lower, _ = paired(more - base)
    print(
        f"\ncla_31_march {base.mean():.1f} -> {more.mean():.1f}: +{mean:.1f} (CI low {lower:.1f})"
    )
    assert lower > 0
    mean, lower, upper = paired(more - (90.0 / 64.0) * base, confidence=0.999)
    print(f"90 cla - 90/64 x 64 cla: {mean:.2f} [{lower:.2f}, {upper:.2f}]")
    assert lower <= 0 <= upper


def test_parallel_replications_equal_serial_ones() -> None:
    """Running replications on two processes gives the same results as running them in turn."""
    sc = build(short(horizon=2))
    serial = run_experiment(sc, 3, SEED, jobs=1).results
    parallel = run_experiment(sc, 3, SEED, jobs=2).results
    pd.testing.assert_frame_equal(serial, parallel)
