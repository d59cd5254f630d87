"""More local children's home beds, suited to the children waiting, never raise unplanned
endings or out-of-area placements on average (issue 11's lever check), under the residential
rules of the pathway: no move from a family to a home for a closer location alone, the peer
effect bounded at two peers, step-down to fostering. Paired replications (common random
numbers), 40 each, beds 3 -> 6 -> 12 from the start date, ten years.

Under York's own rules the same lever raises unplanned endings (a 12-bed home multiplies a
high-need child's breakdown hazard by 1.2^11 = 7.4 and pulls settled children out of foster
families): that contrast is printed, not asserted, as it is the artefact the rules remove."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.scenario import load

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"
RULES = (
    "matching.step_back.to_residential=false",
    "endings.high_need_peer_cap=2",
    "matching.step_down.enabled=true",
)
REPS = 40


def per_replication(beds: int, rules: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Unplanned endings over the ten years and the mean share out of area, per replication."""
    home = "provision.local_homes.0"
    sc = load(BASELINE, [f"{home}.beds={beds}", f"{home}.max_high_need={beds // 3}", *rules])
    results = run_experiment(sc, replications=REPS, seed=2019, jobs=2).results
    by_rep = results.groupby("replication")
    return {
        "unplanned_endings": by_rep["unplanned_endings"].sum().to_numpy(dtype=float),
        "pct_out_of_area": by_rep["pct_out_of_area"].mean().to_numpy(dtype=float),
    }


def paired(fewer: dict, more: dict, measure: str) -> tuple[float, float]:
    """Mean paired difference (more beds minus fewer) and its standard error."""
    d = more[measure] - fewer[measure]
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


@pytest.mark.slow
def test_more_suited_beds_never_raise_unplanned_endings_or_out_of_area() -> None:
    runs = {beds: per_replication(beds, RULES) for beds in (3, 6, 12)}
    for fewer, more in ((3, 6), (6, 12), (3, 12)):
        for measure in ("unplanned_endings", "pct_out_of_area"):
            diff, se = paired(runs[fewer], runs[more], measure)
            print(f"\n{fewer} -> {more} beds, {measure}: {diff:+.2f} +- {1.96 * se:.2f}")
            # Not raised: an increase would show as a paired mean above 2.58 standard errors.
            assert diff <= 2.58 * se, f"{measure} rose from {fewer} to {more} beds"
    diff, se = paired(runs[3], runs[12], "pct_out_of_area")
    assert diff + 2.58 * se < 0, "12 beds do not lower the share out of area"
    york = {beds: per_replication(beds, ()) for beds in (3, 12)}
    diff, se = paired(york[3], york[12], "unplanned_endings")
    print(f"\nYork's rules, 3 -> 12 beds, unplanned endings: {diff:+.1f} +- {1.96 * se:.1f}")
