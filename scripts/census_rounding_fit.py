"""The calibration's in-sample fit on the bundled sample with the census's days kept exact and
kept to the month (the default), for README's data-protection section.

    python scripts/census_rounding_fit.py [--replications 20]

Calibrates `sufficiency_sim/data/sample` twice into a temporary folder, once per setting of
`calibration.census.ROUND_DAYS_TO_MONTH`, and prints for each the in-sample check's coverage
(observed inside the simulated 95% band) and mean absolute % error.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sufficiency_sim.calibration import census as census_module
from sufficiency_sim.cli.group import _register, cli

SAMPLE = Path(__file__).resolve().parents[1] / "sufficiency_sim" / "data" / "sample"


def fit(to_month: bool, folder: Path, replications: int) -> pd.DataFrame:
    """Calibrate the sample with the given census setting; return its in-sample check."""
    census_module.ROUND_DAYS_TO_MONTH = to_month
    out = folder / ("month" if to_month else "day") / "sample.yaml"
    args = ["calibrate", "--episodes", SAMPLE / "episodes.csv", "--header", SAMPLE / "header.csv"]
    args += ["--out", out, "--report-replications", replications, "-q"]
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return pd.read_csv(out.parent / "sample_calibration" / "in_sample_check.csv")


def main() -> None:
    """Print the fit with exact days and with days to the month."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    args = parser.parse_args()
    _register()
    with tempfile.TemporaryDirectory() as tmp:
        for to_month in (False, True):
            check = fit(to_month, Path(tmp), args.replications)
            print(
                f"days {'to the month' if to_month else 'exact':>12}: in-sample check "
                f"{int(check['inside'].sum())}/{len(check)} cells inside the 95% band "
                f"({check['inside'].mean():.0%}), mean |error| "
                f"{check['pct_error'].abs().mean():.1f}%"
            )


if __name__ == "__main__":
    main()
