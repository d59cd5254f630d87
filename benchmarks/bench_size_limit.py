"""Time and peak memory of one replication of York with ten times its entries, the figure
behind `scenario.MAX_CHILDREN_PER_REPLICATION`.

    python benchmarks/bench_size_limit.py
"""

from __future__ import annotations

import resource
import time

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.scenario.schema import expected_children


def main() -> None:
    """Print the expected children, the wall time and the peak memory of one replication."""
    sc = scenario.load("scenarios/york_baseline.yaml", ["entries.rate_per_year=640"])
    started = time.perf_counter()
    run_experiment(sc, 1, 1)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"expected children: {expected_children(sc):,.0f}")
    print(f"one replication: {seconds:.1f} s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
