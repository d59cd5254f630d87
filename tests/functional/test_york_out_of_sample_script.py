"""scripts/york_out_of_sample.py end to end: 2 replications into a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "york_out_of_sample.py"
SERIES = ROOT.parent / "shared" / "reference" / "york_series.csv"


def test_script_writes_every_year_and_series_cell(tmp_path):
    if not SERIES.is_file():
        pytest.skip(f"{SERIES} not found")
    out = tmp_path / "oos" / "cells.csv"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--replications", "2", "--jobs", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    cells = pd.read_csv(out)
    measures = [
        "cla_31_march", "starts", "ceased", "pct_out_of_area", "pct_3plus_placements",
        "pct_long_term_stable", "placements_started", "pct_new_placements_far", "all_foster",
    ]  # fmt: skip
    years = [2020, 2021, 2022, 2023, 2024]
    assert sorted(cells["measure"].unique()) == sorted(measures)
    assert set(zip(cells["measure"], cells["year"], strict=True)) == {
        (m, y) for m in measures for y in years
    }
    assert (cells["replications"] == 2).all()
    assert (cells["lower"] <= cells["mean"]).all() and (cells["mean"] <= cells["upper"]).all()
    published = cells[cells["observed"].notna()]
    assert len(published) == 8 * 5 + 1  # the foster count is published for 2021 only
    assert published["inside"].isin([True, False]).all()
    assert "| Children in care at 31 March |" in done.stdout
    assert "Years inside the band" in done.stdout and "Goal series" in done.stdout
    assert (out.parent / "york_census_2019.csv").is_file()
    assert not list(out.parent.glob(".*.part"))  # written atomically, nothing left behind
