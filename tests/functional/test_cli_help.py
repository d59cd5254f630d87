"""The command line's presentation: `-h` and an example on every command, one interval format,
plain tables when piped, and the default calibration template installed with the package (so
`calibrate` works from any folder)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sufficiency_sim.cli.group import _register, cli
from sufficiency_sim.report import text as report_text
from sufficiency_sim.scenario.load import packaged_york_baseline

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sufficiency_sim" / "data" / "sample"

_register()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_takes_dash_h_and_shows_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "-h, --help" in result.output
    assert "Example" in result.output, f"{command} -h shows no example"


def test_group_help_has_first_steps() -> None:
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0 and "sufficiency-sim app" in result.output


def test_one_interval_format() -> None:
    assert report_text._cell(205.5, 195.2, 215.8, 1) == "205.5 [195.2, 215.8]"
    assert report_text._cell(-1.0, -156.6, 567.6, 1) == "-1.0 [-156.6, 567.6]"


def test_plain_table_when_piped_and_fits_100_columns() -> None:
    import io

    summary = pd.DataFrame(
        [
            {"year": y, "measure": m, "n": 3, "mean": 40.0, "lower": 38.0, "upper": 42.0}
            for y in range(2020, 2030)
            for m in ("cla_31_march", "pct_out_of_area")
        ]
    )
    stream = io.StringIO()  # not a terminal: plain text, no box-drawing characters
    os.environ["COLUMNS"] = "100"
    try:
        report_text.show_summary(summary, None, stream)
    finally:
        del os.environ["COLUMNS"]
    text = stream.getvalue()
    assert "40.0 [38.0, 42.0]" in text and "│" not in text and "━" not in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_packaged_template_is_the_york_baseline() -> None:
    template = packaged_york_baseline()
    assert template.is_file()
    assert template.read_bytes() == (ROOT / "scenarios" / "york_baseline.yaml").read_bytes()


@pytest.mark.slow
def test_calibrate_works_from_another_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sufficiency_sim.cli import main; main()",
            "calibrate",
            "--episodes",
            str(SAMPLE / "episodes.csv"),
            "--header",
            str(SAMPLE / "header.csv"),
            "--out",
            "mine.yaml",
            "--report-replications",
            "2",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "mine.yaml").is_file()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_table_on_a_terminal() -> None:
    stream = _Terminal()
    report_text.show_table(
        ["Measure", "Value"], [["Out of area (%)", "40.0 [38.0, 42.0]"]], "Title", stream
    )
    text = stream.getvalue()
    assert "Out of area (%)" in text and "40.0 [38.0, 42.0]" in text
    assert any(ch in text for ch in "│┃━─")  # drawn by rich, not plain


def test_forest_plot_says_which_side_is_better() -> None:
    import numpy as np

    from sufficiency_sim.appraisal import statistics as ap
    from sufficiency_sim.report import charts
    from tests.verification.test_appraisal import frame

    rng = np.random.default_rng(3)
    base = {
        "pct_out_of_area": 40 + rng.normal(0, 1, (4, 3)),
        "pct_long_term_stable": 60 + rng.normal(0, 1, (4, 3)),
        "cost_gbp": np.full((4, 3), 1e7),
    }
    option = {k: v - 1 for k, v in base.items()}
    results = frame({"Base": base, "Option": option})
    figure = charts.differences_figure(
        ap.paired_differences(results, "Base"),
        None,
        "Base",
        measures=("pct_out_of_area", "pct_long_term_stable"),
    )
    texts = [[t.get_text() for t in ax.texts] for ax in figure.axes]
    assert texts == [["← better"], ["better →"]]
