"""Benchmark of a batch option appraisal: the York baseline and five options, 100 replications
each, 10 years, with 2 local worker processes; then the same batch on a local Dask cluster, to
show Dask's overhead against local processes.

Run from the repository root:

    python benchmarks/bench_appraisal.py [--replications 100] [--skip-dask]

Goal (issue 4): five options x 100 replications x 10 years for York with 2 jobs in under
2 minutes. Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import pandas as pd

from sufficiency_sim import scenario
from sufficiency_sim.experiment.executors import make_executor
from sufficiency_sim.experiment.runner import run_experiment

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = (
    "a_two_local_homes.yaml",
    "b_recruitment_campaign.yaml",
    "c_better_retention.yaml",
    "d_emergency_carers.yaml",
    "e_homes_and_recruitment.yaml",
)


def _scenarios() -> dict[str, scenario.Scenario]:
    named = {"baseline": scenario.load(ROOT / "scenarios" / "york_baseline.yaml")}
    for name in OPTIONS:
        sc = scenario.load(ROOT / "scenarios" / "options" / name)
        named[sc.name] = sc
    return named


def _time(label: str, scenarios: dict, replications: int, executor) -> pd.DataFrame:
    started = time.perf_counter()
    result = run_experiment(scenarios, replications, seed=2019, executor=executor)
    wall = time.perf_counter() - started
    runs = len(scenarios) * replications
    print(f"{label:<28} {wall:8.1f} s   {runs} replications   {wall / runs * 1000:6.1f} ms each")
    return result.results


def main() -> None:
    """Time the batch with local processes and (unless skipped) on a local Dask cluster."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    scenarios = _scenarios()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores; "
        f"{len(scenarios)} scenarios (baseline + {len(OPTIONS)} options) x "
        f"{args.replications} replications x 10 years (+18 years warm-up)"
    )
    local = _time(
        f"local processes ({args.jobs} jobs)",
        scenarios,
        args.replications,
        make_executor(args.jobs),
    )
    print("goal: five options x 100 replications in under 120 s with 2 jobs")
    if not args.skip_dask:
        dask = _time(
            f"Dask LocalCluster ({args.jobs} workers)",
            scenarios,
            args.replications,
            make_executor(args.jobs, "local"),
        )
        identical = local.equals(dask)
        print(f"Dask results identical to local processes: {identical}")


if __name__ == "__main__":
    main()
