"""The York baseline against York's published 2018-19 position, and free of start-up bias."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import run_experiment

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"

# The acceptance ranges around York's published 2018-19 figures (docs/york_baseline.md):
# CLA 207, starts 69, 40% outside the city, 14-15% with 3+ placements, 57% long-term stability.
TARGETS = {
    "cla_31_march": (190, 240),
    "starts": (55, 85),
    "pct_out_of_area": (35, 50),
    "pct_3plus_placements": (8, 16),
    "pct_long_term_stable": (50, 68),
}


@pytest.fixture(scope="module")
def york_50():
    """50 replications of the York baseline (the published validation run)."""
    sc = scenario.load(BASELINE)
    return run_experiment(sc, replications=50, seed=2019, jobs=2).results


@pytest.mark.slow
@pytest.mark.parametrize("measure", sorted(TARGETS))
def test_first_year_sits_on_york_published_position(york_50, measure):
    low, high = TARGETS[measure]
    first = york_50[york_50["year"] == 2020][measure].astype(float)
    assert low <= first.mean() <= high, f"{measure}: mean {first.mean():.1f} not in {low}-{high}"


@pytest.mark.slow
@pytest.mark.parametrize("measure", sorted(TARGETS))
def test_first_year_not_biased_by_the_start(york_50, measure):
    """Under the stationary baseline, year 1 must look like the later years: the paired
    difference between year 1 and the mean of years 2-10 has a 99% CI that contains zero."""
    table = york_50.pivot(index="replication", columns="year", values=measure).astype(float)
    later = table.drop(columns=2020).mean(axis=1)
    diff = (table[2020] - later).to_numpy()
    half = 2.68 * diff.std(ddof=1) / np.sqrt(len(diff))  # t(0.995, 49)
    assert abs(diff.mean()) <= half, f"{measure}: year-1 bias {diff.mean():.2f} +/- {half:.2f}"
