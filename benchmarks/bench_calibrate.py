"""Benchmark of calibration (`sufficiency_sim.calibration.pipeline.calibrate`) on a large
authority's 10-year extract: cleaning, preparing periods and placements, every estimate
(including the time-in-care maximum likelihood fit and the Kaplan-Meier curves), the census and
the calibrated scenario. The report's in-sample simulation is not included (it is a model run).

Run: ``python benchmarks/bench_calibrate.py [--source model|numpy] [--scale 7] [--children N]``

- ``--source model`` (default): the York baseline scaled up (`--scale` times York's entries and
  in-house households), simulated for 10 years from 1 April 2019 after its warm-up; the
  extract is its 903 episodes and header, calibrated on the window 1 April 2019 to
  31 March 2029.
- ``--source numpy``: the messier synthetic extract of `bench_indicators.py` (X1 chains, RNE L
  episodes, temporary placements, short breaks), `--children` children.

Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.pipeline import calibrate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"


def model_extract(scale: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A scaled York's 903 episodes and header from one model run, and its raw scenario."""
    from sufficiency_sim.experiment.runner import history_frames
    from sufficiency_sim.model import simulate

    raw = scenario_module.load_raw(BASELINE)
    raw = scenario_module.apply_overrides(
        raw,
        [
            f"entries.rate_per_year={64 * scale:g}",
            f"provision.inhouse_foster.households={round(80 * scale)}",
            f"carers.enquiries_per_year={130 * scale:g}",
        ],
    )
    frames = history_frames(simulate(scenario_module.validate(raw), seed, 0))
    return frames["episodes"], frames["header"], raw


def numpy_extract(children: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    from bench_indicators import synthetic_extract

    episodes, header = synthetic_extract(children, seed)
    return episodes, header, scenario_module.load_raw(BASELINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("model", "numpy"), default="model")
    parser.add_argument("--scale", type=float, default=7.0)
    parser.add_argument("--children", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    if args.source == "model":
        episodes, header, template = model_extract(args.scale, args.seed)
        start, end = pd.Timestamp("2019-04-01"), pd.Timestamp("2029-03-31")
    else:
        episodes, header, template = numpy_extract(args.children, args.seed)
        start, end = pd.Timestamp("2015-04-01"), pd.Timestamp("2025-03-31")
    made = time.perf_counter() - started
    in_care_end = episodes["DEC"].isna() | (episodes["DEC"] > end)
    in_care_end &= episodes["DECOM"] <= end
    print(
        f"extract ({args.source}): {len(episodes):,} episode rows, "
        f"{episodes['CHILD'].nunique():,} children, "
        f"{episodes.loc[in_care_end, 'CHILD'].nunique():,} looked after on {end.date()} "
        f"(generated in {made:.1f} s)"
    )
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        calibration = calibrate(
            episodes, header, template, start, end, name="bench", census_file="bench_census.csv"
        )
        times.append(time.perf_counter() - t0)
    print(
        f"calibrate (window {start.date()} to {end.date()}): "
        f"mean {sum(times) / len(times):.2f} s, min {min(times):.2f} s over {len(times)} runs; "
        f"{len(calibration.extract.periods):,} periods, {len(calibration.census):,} in the census"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (maxrss, generation included): {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
