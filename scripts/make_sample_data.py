"""Generate the synthetic sample SSDA903 extract shipped with the package.

The sample is the simulated history of one replication of the York-like baseline, run from
1 April 2014 so that it covers the collection years ending 31 March 2015 to 2024, written in the
layout local authorities export (one episodes file and one header file, dates dd/mm/YYYY, with the
derived PL_LOCATION and PL_DISTANCE columns). It contains no real person's data: every child,
date and placement comes from the model's random streams.

Run from the repository root:  python scripts/make_sample_data.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import history_frames
from sufficiency_sim.model import simulate
from sufficiency_sim.ssda903.write import write_episodes, write_header

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sufficiency_sim" / "data" / "sample"


def main() -> None:
    """Simulate and write sufficiency_sim/data/sample/{episodes,header}.csv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sc = scenario.load(
        ROOT / "scenarios" / "york_baseline.yaml",
        ["start_date=2014-04-01", "horizon_years=10", "name=Synthetic sample extract"],
    )
    frames = history_frames(simulate(sc, args.seed, 0))
    args.out.mkdir(parents=True, exist_ok=True)
    write_episodes(frames["episodes"], args.out / "episodes.csv")
    write_header(frames["header"], args.out / "header.csv")
    print(
        f"wrote {len(frames['episodes'])} episodes of {len(frames['header'])} children "
        f"to {args.out}"
    )


if __name__ == "__main__":
    main()
