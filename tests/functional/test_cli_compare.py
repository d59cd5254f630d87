"""The `compare` and `sweep` commands, end to end on a short York baseline (4-year horizon after
a 4-year warm-up) so that they stay fast: common random numbers give exactly zero differences
for an option identical to the baseline; the local homes option (a) lowers out-of-area
placements and the recruitment campaign (b) raises in-house foster care, with paired intervals
narrower than unpaired ones; bad input fails before anything runs; outputs, charts, resume,
`--replications auto` and sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from sufficiency_sim.cli.appraisal import compare_command, sweep_command
from sufficiency_sim.cli.group import _register, cli
from sufficiency_sim.experiment import runner as experiment

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
OPTIONS = ROOT / "scenarios" / "options"
SHORT = "horizon_years: 4\nwarmup_years: 4\n"
SHORT_SET = ("--set", "horizon_years=3", "--set", "warmup_years=4")
SEED = 2024
REPLICATIONS = 20
PNG = b"\x89PNG\r\n\x1a\n"
REAL_RUN_TASK = experiment.run_task
CHARTS = ("indicators_by_year.png", "differences_whole_horizon.png", "differences_final_year.png")


def _commands() -> None:
    """Make sure `compare` and `sweep` are on the group (cli._register may add them too)."""
    _register()
    for command in (compare_command, sweep_command):
        if command.name not in cli.commands:
            cli.add_command(command)


_commands()


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A short baseline, an option identical to it but for its name, and short copies of the
    real options (a) and (b)."""
    folder = tmp_path_factory.mktemp("scenarios")
    base = write(folder, "base.yaml", f"extends: {BASELINE}\nname: Short baseline\n{SHORT}")
    same = write(folder, "same.yaml", "extends: base.yaml\nname: Same as baseline\n")
    homes = write(folder, "a.yaml", f"extends: {OPTIONS / 'a_two_local_homes.yaml'}\n{SHORT}")
    campaign = write(
        folder, "b.yaml", f"extends: {OPTIONS / 'b_recruitment_campaign.yaml'}\n{SHORT}"
    )
    return {"folder": folder, "base": base, "same": same, "a": homes, "b": campaign}


def compare(out: Path, *paths: Path, n: int | str = REPLICATIONS, extra=()) -> Result:
    """`compare` in this process (`--jobs 1`, so that a patched `run_task` is the one called),
    unless `extra` says otherwise."""
    jobs = () if "--jobs" in extra else ("--jobs", "1")
    result = invoke("compare", *paths, "-n", n, "--seed", SEED, "--out", out, "-q", *jobs, *extra)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def main_run(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("compare") / "out"
    result = compare(out, files["base"], files["same"], files["a"], files["b"])
    appraisal = pd.read_csv(out / "appraisal.csv")
    return {"out": out, "result": result, "appraisal": appraisal}


def pick(table: pd.DataFrame, option: str, measure: str, year: int | None = None) -> pd.Series:
    rows = table[table["option"].str.startswith(option) & table["measure"].eq(measure)]
    if year is None:
        rows = rows[rows["period"].eq("horizon")]
    else:
        rows = rows[rows["period"].eq("year") & rows["year"].eq(year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# ---------------------------------------------------------------------------------------------
# What the comparison finds


def test_identical_option_differs_by_exactly_zero(main_run: dict) -> None:
    results = pd.read_csv(main_run["out"] / "results.csv")
    base = results[results["scenario"].eq("Short baseline")].drop(columns="scenario")
    same = results[results["scenario"].eq("Same as baseline")].drop(columns="scenario")
    assert len(base) == REPLICATIONS * 4
    pd.testing.assert_frame_equal(base.reset_index(drop=True), same.reset_index(drop=True))
    table = main_run["appraisal"]
    mine = table[table["option"].eq("Same as baseline")].set_index("measure")
    measures = mine.loc[list(experiment.RESULT_COLUMNS)]
    assert len(measures) == len(experiment.RESULT_COLUMNS) * 5  # 4 years and the horizon
    assert (measures["difference"].fillna(0) == 0).all()
    assert (measures["paired_half_width"].dropna() == 0).all()
    assert mine.loc["npv_cost_difference_gbp", "difference"] == 0
    assert mine.loc["payback_year", "note"].startswith("no net extra cost")
    assert pd.isna(mine.loc["cost_per_out_of_area_year_avoided_gbp", "difference"])


def test_local_homes_lower_out_of_area_with_a_narrower_paired_interval(main_run: dict) -> None:
    row = pick(main_run["appraisal"], "Option A", "pct_out_of_area")
    assert row["paired_upper"] < 0, row
    ratio = row["paired_half_width"] / row["unpaired_half_width"]
    print(
        f"\nout-of-area % over the horizon, option (a) - baseline: {row['difference']:.2f}; "
        f"paired 95% CI half-width {row['paired_half_width']:.3f}, unpaired (Welch) "
        f"{row['unpaired_half_width']:.3f}: ratio {ratio:.2f}"
    )
    assert ratio < 1
    years = pick(main_run["appraisal"], "Option A", "out_of_area_child_years")
    assert years["paired_upper"] < 0


def test_recruitment_raises_inhouse_foster_care(main_run: dict) -> None:
    final = pick(main_run["appraisal"], "Option B", "inhouse_foster", 2023)
    assert final["paired_lower"] > 0, final
    assert final["paired_half_width"] < final["unpaired_half_width"]


def test_costs_npv_and_payback_are_reported(main_run: dict) -> None:
    table = main_run["appraisal"]
    homes = pick(table, "Option A", "cost_gbp")
    assert homes["paired_lower"] > 0  # two homes paid for every bed cost more
    npv = pick(table, "Option A", "npv_cost_difference_gbp")
    assert 0 < npv["difference"] < homes["difference"]  # later years discounted
    assert "discount rate 0.035" in npv["note"]
    assert pick(table, "Option A", "payback_year")["note"].startswith("not within horizon")
    per_year = pick(table, "Option A", "cost_per_out_of_area_year_avoided_gbp")
    assert per_year["difference"] > 0


def test_headline_and_tables_are_printed_and_markdown_written(main_run: dict) -> None:
    printed = main_run["result"].stdout
    written = (main_run["out"] / "appraisal.md").read_text(encoding="utf-8")
    # the headline in plain words first, then one narrow table per option (piped: plain text)
    assert printed.startswith("In plain words")
    words = " ".join(printed.split())
    assert "Same as baseline: no measurable difference from the baseline" in words
    assert "Option A - two local homes (adds Therapeutic home 1" in words
    assert "Option A - two local homes against Short baseline" in words
    assert max(len(line) for line in printed.splitlines()) <= 110
    assert "│" not in printed  # no rich box drawing when piped
    assert written.startswith("## Options appraisal") and "### In plain words" in written
    assert f"{REPLICATIONS} replications" in written and f"seed {SEED}" in written
    assert "3.5% a year" in written
    for name in ("Short baseline", "Same as baseline", "Option A", "Option B"):
        assert name in written
    assert "Whole horizon, 2019-20 to 2022-23" in written and "Final year, 2022-23" in written


def test_outputs_and_run_json(main_run: dict) -> None:
    out = main_run["out"]
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns[:3]) == ["scenario", "replication", "year"]
    assert list(results.columns[3:]) == list(experiment.RESULT_COLUMNS)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["seed"] == SEED and meta["replications"] == REPLICATIONS
    assert [s["name"] for s in meta["scenarios"]][:2] == ["Short baseline", "Same as baseline"]
    assert meta["scenarios"][0]["resolved"]["horizon_years"] == 4
    assert {"sufficiency-sim", "python", "numpy", "pandas", "simpy"} <= set(meta["versions"])
    assert meta["wall_seconds"] > 0 and meta["discount_rate"] == 0.035
    assert "Traceback" not in main_run["result"].output


def test_charts_are_non_empty_pngs(main_run: dict) -> None:
    for name in CHARTS:
        data = (main_run["out"] / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 20_000, name
    assert not list(main_run["out"].glob(".*.part"))


# ---------------------------------------------------------------------------------------------
# Bad input: a clear error, exit status 2, nothing run and nothing written


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task):
        raise AssertionError("a simulation ran although the input was bad")

    monkeypatch.setattr(experiment, "run_task", refuse)


def bad(files: dict[str, Path], name: str, text: str) -> Path:
    return write(files["folder"], name, text)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing_parent.yaml", "extends: nowhere.yaml\nname: Lost\n", "not found"),
        ("cycle_1.yaml", "extends: cycle_2.yaml\nname: One\n", "cycle"),
        (
            "other_start.yaml",
            "extends: base.yaml\nname: Late\nstart_date: 2020-04-01\n",
            "start_date",
        ),
        (
            "other_horizon.yaml",
            "extends: base.yaml\nname: Long\nhorizon_years: 5\n",
            "horizon_years",
        ),
        (
            "typo.yaml",
            "extends: base.yaml\nname: Typo\ncarers:\n  campaigns:\n    - name: c\n"
            "      start: 2020-04-01\n      extra_enquires_per_year: 55\n",
            "unknown key",
        ),
        ("same_name.yaml", "extends: base.yaml\n", "needs its own name"),
    ],
)
def test_bad_input_fails_before_anything_runs(
    files: dict[str, Path], tmp_path: Path, no_simulation, name: str, text: str, message: str
) -> None:
    bad(files, "cycle_2.yaml", "extends: cycle_1.yaml\nname: Two\n")
    option = bad(files, name, text)
    out = tmp_path / "out"
    result = invoke("compare", files["base"], files["a"], option, "-n", "2", "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert message in result.stderr and name in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_option_file_and_contradictory_flags(
    files: dict[str, Path], tmp_path: Path, no_simulation
) -> None:
    out = tmp_path / "out"
    result = invoke("compare", files["base"], tmp_path / "absent.yaml", "--out", out, "-q")
    assert result.exit_code == 2 and "absent.yaml: scenario file not found" in result.stderr
    result = invoke("compare", files["base"], files["a"], "--resume", "--fresh", "--out", out)
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    result = invoke("compare", files["base"], files["a"], "-n", "lots", "--out", out)
    assert result.exit_code == 2 and "neither a whole number nor 'auto'" in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# Resume, parallel and Dask: identical outputs


class Interrupt:
    """Counts simulated runs and raises KeyboardInterrupt after `stop_after` of them."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.calls = 0
        self.stop_after = stop_after

    def __call__(self, task):
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        return REAL_RUN_TASK(task)


OUTPUTS = ("results.csv", "appraisal.csv", "appraisal.md", *CHARTS)


def test_interrupted_compare_resumes_without_recomputing(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = (files["base"], files["b"])
    n = 5
    whole = tmp_path / "whole"
    compare(whole, *args, n=n)

    out = tmp_path / "interrupted"
    first = Interrupt(stop_after=4)
    monkeypatch.setattr(experiment, "run_task", first)
    result = invoke("compare", *args, "-n", n, "--seed", SEED, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 130, result.output
    assert not (out / "results.csv").exists()

    result = invoke("compare", *args, "-n", n, "--seed", SEED, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 2 and "--resume" in result.stderr  # not silently discarded

    second = Interrupt()
    monkeypatch.setattr(experiment, "run_task", second)
    compare(out, *args, n=n, extra=("--resume",))
    assert second.calls == 2 * n - 4
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name

    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["resumed_runs"] == 4
    assert not (out / "checkpoints").exists()  # cleared once the outputs were written
    compare(out, *args, n=n)  # so the same command can run again


def test_fresh_discards_an_interrupted_comparison(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = (files["base"], files["b"])
    out = tmp_path / "interrupted"
    monkeypatch.setattr(experiment, "run_task", Interrupt(stop_after=3))
    assert invoke("compare", *args, "-n", 3, "--out", out, "-q", "-j", "1").exit_code == 130
    counting = Interrupt()
    monkeypatch.setattr(experiment, "run_task", counting)
    result = invoke("compare", *args, "-n", 3, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 2 and "--fresh" in result.stderr
    assert counting.calls == 0
    compare(out, *args, n=3, extra=("--fresh",))
    assert counting.calls == 6


def test_two_jobs_give_identical_outputs(files: dict[str, Path], tmp_path: Path) -> None:
    args = (files["base"], files["b"])
    compare(tmp_path / "serial", *args, n=4)
    compare(tmp_path / "parallel", *args, n=4, extra=("--jobs", "2"))
    for name in ("results.csv", "appraisal.csv", "appraisal.md"):
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "parallel" / name
        ).read_bytes()


def test_dask_local_gives_identical_results(files: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    pytest.importorskip("sufficiency_sim.experiment.dask_executor")
    args = (files["base"], files["b"])
    compare(tmp_path / "serial", *args, n=3)
    compare(tmp_path / "dask", *args, n=3, extra=("--dask", "local", "--jobs", "2"))
    serial = (tmp_path / "serial" / "results.csv").read_bytes()
    assert (tmp_path / "dask" / "results.csv").read_bytes() == serial
    meta = json.loads((tmp_path / "dask" / "run.json").read_text(encoding="utf-8"))
    assert meta["executor"].startswith("dask")


# ---------------------------------------------------------------------------------------------
# --replications auto


def test_auto_replications_report_how_many(tmp_path: Path) -> None:
    out = tmp_path / "auto"
    result = invoke(
        "compare",
        BASELINE,
        OPTIONS / "a_two_local_homes.yaml",
        *SHORT_SET,
        "-n",
        "auto",
        "--batch",
        "5",
        "--max-replications",
        "10",
        "--seed",
        SEED,
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    used = meta["replications"]
    assert used in (5, 10)
    assert meta["replications_requested"] == "auto"
    assert f"used {used} replications per scenario" in result.stderr
    assert [c["replications"] for c in meta["precision"]["checks"]][-1] == used
    assert meta["precision"]["targets"]
    results = pd.read_csv(out / "results.csv")
    assert results.groupby("scenario")["replication"].nunique().tolist() == [used, used]
    assert f"from {used} replications on common random" in result.stdout


# ---------------------------------------------------------------------------------------------
# sweep


def test_sweep_writes_a_tidy_table_and_a_chart(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = invoke(
        "sweep",
        files["base"],
        "--grid",
        "provision.inhouse_foster.households=60,100",
        "--grid",
        "carers.enquiries_per_year=100,160",
        "-n",
        "3",
        "--seed",
        SEED,
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    keys = ["provision.inhouse_foster.households", "carers.enquiries_per_year"]
    assert list(table.columns[:2]) == keys
    assert {"year", "measure", "mean", "lower", "upper", "period"} <= set(table.columns)
    points = table[keys].drop_duplicates()
    assert len(points) == 4
    horizon = table[table["period"].eq("horizon") & table["measure"].eq("inhouse_foster")]
    by_households = horizon.groupby(keys[0])["mean"].mean()
    assert by_households[100] > by_households[60]
    assert (out / "sweep.png").read_bytes().startswith(PNG)
    results = pd.read_csv(out / "results.csv")
    assert results["scenario"].nunique() == 4
    assert "provision.inhouse_foster.households=60, carers.enquiries_per_year=100" in set(
        results["scenario"]
    )


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("provision.inhouse_foster.househlds=60,100", "unknown key"),
        ("provision.inhouse_fostr.households=60", "not a section"),
        ("entries.rate_per_year=60,,70", "empty"),
        ("entries.rate_per_year", "expected dotted.key="),
        ("entries.rate_per_year=60,60", "listed twice"),
        ("entries.rate_per_year=-5", "rate_per_year"),
    ],
)
def test_sweep_bad_keys_fail_before_anything_runs(
    files: dict[str, Path], tmp_path: Path, no_simulation, grid: str, message: str
) -> None:
    out = tmp_path / "sweep"
    result = invoke("sweep", files["base"], "--grid", grid, "-n", "2", "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_grid_values_split_outside_brackets() -> None:
    from sufficiency_sim.appraisal.sweep import parse_grid

    axis = parse_grid("matching.step_back.from_locations=[far],[near, far]")
    assert axis.values == (["far"], ["near", "far"])
    assert parse_grid("entries.rate_per_year=60, 70.5").values == (60, 70.5)
