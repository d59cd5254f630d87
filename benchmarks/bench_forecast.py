"""Forecast benchmark: does the calibrated model forecast an authority's own 903 better than
carrying today's number forward?

Builds synthetic authorities from `synthetic_authorities.py` (a generator of its own, not the
model: constant and trended entry rates, 50 to 2,000 children in care, three duration mixes),
cuts each at 31 March 2023, calibrates on 1 April 2016 to the cut (`calibrate`, the default
template), simulates 2023-24 to 2025-26 from the census on the cut (`--replications`), and
prints, pooled over the authorities:

- the mean absolute percentage error of children in care, starts, ceased and the placement
  mix at one, two and three years, beside the naive forecasts (last value carried forward;
  mean of the last three years);
- the 95% band's coverage of children in care (authority-horizon cells) and of all cells;
- the calibrated entry trend against the truth, for constant and trended authorities;
- with ``--in-sample``, the in-sample check of each calibration (cells in band).

Run: ``python benchmarks/bench_forecast.py [--authorities 20] [--replications 20]
[--in-sample] [--csv out.csv]``. The figures are quoted in docs/calibration.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_authorities as synth

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.backtest import (
    backtest_origin,
    error_summary,
    format_errors,
)
from sufficiency_sim.calibration.in_sample import in_sample_check

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "scenarios" / "york_baseline.yaml"
START = pd.Timestamp("2016-04-01")
CUT = pd.Timestamp("2023-03-31")
TEST_END = pd.Timestamp("2026-03-31")
MEASURES = (
    "cla_31_march",
    "starts",
    "ceased",
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "supported",
    "pct_out_of_area",
    "pct_over_20_miles",
)


def _in_sample(calibration, episodes, header, replications, seed) -> pd.DataFrame:
    return in_sample_check(
        calibration, episodes, header, None, False, 3,
        replications=replications, seed=seed, jobs=1, quiet=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorities", type=int, default=20)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12, help="generator seed")
    parser.add_argument("--only", type=str, default="", help="comma-separated indices")
    parser.add_argument("--in-sample", action="store_true", help="also run the in-sample check")
    parser.add_argument("--csv", type=Path, help="write every cell to this CSV")
    args = parser.parse_args()

    template = scenario_module.load_raw(TEMPLATE)
    indices = [int(i) for i in args.only.split(",")] if args.only else list(range(args.authorities))
    tables, trends, checks = [], [], []
    started = time.perf_counter()
    for index in indices:
        authority = synth.with_rate(synth.make_authority(index, args.authorities, args.seed))
        episodes, header = synth.generate(authority)
        t0 = time.perf_counter()
        table, calibration = backtest_origin(
            episodes, header, template, START, CUT, TEST_END,
            replications=args.replications, seed=2023 + index,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        table.insert(0, "authority", authority.name)
        tables.append(table)
        entries = calibration.data["entries"]
        trend = float(entries.get("trend_pct_per_year", 0.0))
        truth = 100 * authority.trend
        trends.append({"authority": authority.name, "true": truth, "calibrated": trend})
        cla = table[table["measure"] == "cla_31_march"].set_index("horizon")
        line = (
            f"{authority.name} size {authority.target_in_care:>5} {authority.duration_mix:<5} "
            f"trend true {truth:+5.1f}% calibrated {trend:+5.1f}%  rate "
            f"{entries['rate_per_year']:7.1f}  CLA error % (model / carried) "
            + " ".join(
                f"{cla.loc[h, 'pct_error']:+5.1f}/{cla.loc[h, 'carry_forward_pct_error']:+5.1f}"
                + ("" if cla.loc[h, "inside"] else "!")
                for h in cla.index
            )
            + f"  all cells in band {100 * table['inside'].mean():3.0f}%  ({seconds:.0f} s)"
        )
        if args.in_sample:
            check = _in_sample(calibration, episodes, header, args.replications, 99 + index)
            check.insert(0, "authority", authority.name)
            checks.append(check)
            line += f"  in-sample {100 * check['inside'].mean():3.0f}%"
        print(line, flush=True)

    cells = pd.concat(tables, ignore_index=True)
    if args.csv:
        cells.to_csv(args.csv, index=False)
    summary = error_summary(cells[cells["measure"].isin(MEASURES)])
    print(f"\n{len(indices)} authorities, {args.replications} replications, "
          f"cut {CUT.date()}, {time.perf_counter() - started:.0f} s in all")  # fmt: skip
    print("\nMean absolute percentage error (over authorities) and 95% band coverage:")
    print(format_errors(summary))
    cla = cells[cells["measure"] == "cla_31_march"]
    print(
        f"\nchildren in care, 95% band covers the truth in {int(cla['inside'].sum())} of "
        f"{len(cla)} authority-horizon cells ({100 * cla['inside'].mean():.0f}%)"
    )
    print(
        f"all {cells['measure'].nunique()} backtest indicators: {int(cells['inside'].sum())} of "
        f"{len(cells)} cells in band ({100 * cells['inside'].mean():.0f}%)"
    )
    t = pd.DataFrame(trends)
    t["error"] = t["calibrated"] - t["true"]
    for label, group in (("constant", t[t["true"] == 0]), ("trended", t[t["true"] != 0])):
        if group.empty:
            continue
        print(
            f"{label} authorities ({len(group)}): calibrated trend minus truth, mean "
            f"{group['error'].mean():+.2f}% a year, mean absolute {group['error'].abs().mean():.2f}"
            f"% a year; trend used in {int((group['calibrated'] != 0).sum())}"
        )
    if checks:
        check = pd.concat(checks, ignore_index=True)
        print(
            f"in-sample check: {int(check['inside'].sum())} of {len(check)} cells in band "
            f"({100 * check['inside'].mean():.0f}%)"
        )
        worst = check.groupby("measure")["inside"].mean().sort_values().head(6)
        print("  least covered: " + ", ".join(f"{m} {100 * v:.0f}%" for m, v in worst.items()))
    worst = cells.groupby("measure")["inside"].mean().sort_values().head(6)
    print("backtest least covered: " + ", ".join(f"{m} {100 * v:.0f}%" for m, v in worst.items()))
    _ = np  # numpy is the generator's


if __name__ == "__main__":
    main()
