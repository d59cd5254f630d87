"""The output folders of `compare` and `sweep` in one place: their file names, and writing
them (atomically, run.json last as the run's marker with each file's hash; see
`files.outputs.finish_run`). The HTML report reads a compare folder by the same names.

The columns are those of `experiment.runner.RESULT_COLUMNS` (results.csv),
`appraisal.appraise.appraisal_table` (appraisal.csv) and `appraisal.sweep.sweep_table`
(sweep.csv)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sufficiency_sim.appraisal.appraise import Appraisal, appraisal_table
from sufficiency_sim.appraisal.compare import RunOutcome
from sufficiency_sim.files import atomic, outputs
from sufficiency_sim.report import charts

RUN_FILE = "run.json"
RESULTS_FILE = "results.csv"
APPRAISAL_FILE = "appraisal.csv"
MARKDOWN_FILE = "appraisal.md"
REPORT_FILE = "report.html"
SWEEP_FILE = "sweep.csv"
SWEEP_CHART_FILE = "sweep.png"

CHART_FILES = {
    "timeseries": "indicators_by_year.png",
    "horizon": "differences_whole_horizon.png",
    "final_year": "differences_final_year.png",
}
"""The key-measure and difference charts of a compare folder."""
APPRAISAL_CHART_FILES: tuple[str, ...] = tuple(chart.file for chart in charts.APPRAISAL_CHARTS)
"""The charts of `charts.appraisal_figures`, also written by `compare`."""

COMPARE_OUTPUTS: tuple[str, ...] = (
    RESULTS_FILE,
    APPRAISAL_FILE,
    MARKDOWN_FILE,
    *CHART_FILES.values(),
    *APPRAISAL_CHART_FILES,
)
"""What `compare` writes besides run.json: removed when a new run starts into the folder, in
case an earlier run there was killed before writing its marker (with the earlier run's
report.html, which `report` writes there by default)."""

SWEEP_OUTPUTS: tuple[str, ...] = (SWEEP_FILE, RESULTS_FILE, SWEEP_CHART_FILE)
"""What `sweep` writes besides run.json."""


def write_compare_outputs(
    out_dir: Path,
    outcome: RunOutcome,
    appraisal: Appraisal,
    markdown: str,
    meta: dict,
    run_id: str | None = None,
) -> list[str]:
    """Write results.csv, appraisal.csv, appraisal.md, the charts (the key measures and the
    differences, then those of `charts.appraisal_figures`) and run.json, the run's marker with
    each file's hash (last; see `outputs.finish_run`)."""
    if run_id is None:
        run_id = outputs.start_run(out_dir)
    atomic.write_csv(out_dir / RESULTS_FILE, outcome.results)
    atomic.write_csv(out_dir / APPRAISAL_FILE, appraisal_table(appraisal))
    atomic.write_text(out_dir / MARKDOWN_FILE, markdown)
    charts.timeseries_chart(
        appraisal.levels, out_dir / CHART_FILES["timeseries"], baseline=appraisal.baseline
    )
    charts.differences_chart(
        appraisal.differences,
        out_dir / CHART_FILES["horizon"],
        baseline=appraisal.baseline,
        all_names=appraisal.scenarios,
    )
    charts.differences_chart(
        appraisal.differences,
        out_dir / CHART_FILES["final_year"],
        year=appraisal.years[-1],
        baseline=appraisal.baseline,
        all_names=appraisal.scenarios,
    )
    more_charts = charts.appraisal_figures(outcome.results, appraisal.baseline)
    for name, figure in more_charts.items():
        charts.save_png(figure, out_dir / name)
    written = [
        RESULTS_FILE,
        APPRAISAL_FILE,
        MARKDOWN_FILE,
        *CHART_FILES.values(),
        *more_charts,
        RUN_FILE,
    ]
    outputs.finish_run(out_dir, run_id, {**meta, "outputs": written}, written)
    return written


def write_sweep_outputs(
    out_dir: Path,
    table: pd.DataFrame,
    results: pd.DataFrame,
    keys: Sequence[str],
    meta: dict,
    run_id: str,
) -> None:
    """Write sweep.csv, results.csv, sweep.png and run.json (last) of a sweep."""
    atomic.write_csv(out_dir / SWEEP_FILE, table)
    atomic.write_csv(out_dir / RESULTS_FILE, results)
    charts.sweep_chart(table, keys, out_dir / SWEEP_CHART_FILE)
    outputs.finish_run(
        out_dir, run_id, {**meta, "outputs": [*SWEEP_OUTPUTS, RUN_FILE]}, SWEEP_OUTPUTS
    )
