"""Capacity keeps the level the scenario sets unless a lever changes it.

Counted from the provision audit table (not the model's own counters): on every 31 March of the
York baseline's ten years, the mean over 30 replications of the mainstream households, the
dedicated emergency carers and the local home beds in service is within 5% of the scenario's
level. Before, emergency carers were never replaced (3.0 fell to 0.3 over a run).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sufficiency_sim.model.processes import simulate
from sufficiency_sim.scenario import load

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "york_baseline.yaml"


def in_service(provision: dict[str, list], kind: str, weight: str | None, day: int) -> float:
    """Resources of `kind` in service on `day` (ordinal), counted once or by `weight`."""
    total = 0.0
    for rtype, places, start, end in zip(
        provision["provision_type"],
        provision["places"],
        provision["from"],
        provision["to"],
        strict=True,
    ):
        if rtype == kind and start <= day and (end is None or end > day):
            total += places if weight == "places" else 1
    return total


@pytest.mark.slow
def test_york_capacity_of_every_kind_stays_at_its_level() -> None:
    sc = load(BASELINE)
    cfg = sc.provision.inhouse_foster
    levels = {
        ("inhouse_foster", None): cfg.households,
        ("emergency_foster", None): cfg.emergency_households,
        ("local_home", "places"): sum(home.beds for home in sc.provision.local_homes),
    }
    days = [dt.date(year, 3, 31).toordinal() for year in sc.report_years]
    counts = {key: np.zeros((30, len(days))) for key in levels}
    for replication in range(30):
        history = simulate(sc, 2019, replication)
        for key in levels:
            for j, day in enumerate(days):
                counts[key][replication, j] = in_service(history.provision, *key, day)
    for key, level in levels.items():
        means = counts[key].mean(axis=0)
        print(key[0], np.round(means, 1))
        assert np.all(np.abs(means - level) <= 0.05 * level), (key, level, means)
