"""The `run` and `schema` commands: outputs, reproducibility, bad input, data protection.

Runs use the York baseline cut down to a 3-year warm-up and a 2-year horizon so they stay fast.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import sufficiency_sim
from sufficiency_sim import scenario
from sufficiency_sim.cli.group import cli

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"
SHORT = ("--set", "horizon_years=2", "--set", "warmup_years=3")
YEARS = [2020, 2021]
REPLICATIONS = 3

# The indicators of shared/reference/indicators.md, in its order, then the extra measures.
INDICATORS = [
    "cla_31_march",
    "starts",
    "ceased",
    "placements_started",
    "placement_moves",
    "unplanned_endings",
    "pct_3plus_placements",
    "pct_long_term_stable",
    "pct_out_of_area",
    "pct_over_20_miles",
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "secure",
    "supported",
    "with_parents",
    "adoption",
    "other",
]
EXTRAS = [
    "cost_gbp",
    "bridging_31_march",
    "mean_days_bridging",
    "inhouse_occupancy_pct",
    "out_of_area_child_years",
    "local_home_occupancy_pct",
    "pct_1_placement",
    "pct_2_placements",
]
COLUMNS = ["replication", "year", *INDICATORS, *EXTRAS]
EPISODE_COLUMNS_903 = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
SIM_ID = re.compile(r"SIM\d{7}")
DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})\b")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def run(out: Path | None, *extra: str, seed: int = 11, jobs: int = 1) -> Result:
    args = ["run", str(BASELINE), *SHORT, "-n", str(REPLICATIONS), "--seed", str(seed)]
    args += ["--jobs", str(jobs), "-q", *extra]
    if out is not None:
        args += ["--out", str(out)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four short runs shared by the tests: serial, two jobs, another seed, with histories
    (each an (out folder, result) pair), and the resolved scenario they ran."""
    root = tmp_path_factory.mktemp("runs")
    done: dict = {"resolved": scenario.to_jsonable(scenario.load(BASELINE, SHORT[1::2]))}
    for name, kwargs, extra in [
        ("serial", {"seed": 11, "jobs": 1}, ()),
        ("parallel", {"seed": 11, "jobs": 2}, ()),
        ("other_seed", {"seed": 12, "jobs": 1}, ()),
        ("histories", {"seed": 11, "jobs": 1}, ("--histories",)),
    ]:
        out = root / name
        done[name] = (out, run(out, *extra, **kwargs))
    return done


# ---------------------------------------------------------------------------------------------
# What `run` writes


def test_run_prints_the_table(runs) -> None:
    _, result = runs["serial"]
    table = result.stdout
    assert "York baseline: financial years ending 31 March" in table
    assert "2019-20" in table and "2020-21" in table
    for label in (
        "Children looked after at 31 March",
        "Placed outside the boundary (%)",
        "Long-term stability (%)",
        "Cost (GBP million)",
        "In bridging at 31 March",
        "Mean days in bridging",
        "In-house foster occupancy (%)",
    ):
        assert label in table
    assert "Traceback" not in result.output
    assert f"{REPLICATIONS} replications in" in result.stderr


def test_run_without_out_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", str(BASELINE), *SHORT, "-n", "1", "-q")
    assert result.exit_code == 0, result.output
    assert "Children looked after at 31 March" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_indicators_csv(runs) -> None:
    out, _ = runs["serial"]
    with open(out / "indicators.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == COLUMNS
    frame = pd.read_csv(out / "indicators.csv")
    assert len(frame) == REPLICATIONS * len(YEARS)
    pairs = list(zip(frame["replication"], frame["year"], strict=True))
    assert pairs == [(r, y) for r in range(REPLICATIONS) for y in YEARS]
    assert (frame["cla_31_march"] > 50).all()
    assert (frame["cost_gbp"] > 0).all()
    mix = frame[INDICATORS[10:]].sum(axis=1)
    assert (mix == frame["cla_31_march"]).all()
    assert frame["inhouse_occupancy_pct"].between(0, 100).all()


def test_summary_csv(runs) -> None:
    out, _ = runs["serial"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["year", "measure", "n", "mean", "lower", "upper"]
    assert set(summary["year"]) == set(YEARS)
    assert set(summary["measure"]) == set(INDICATORS + EXTRAS)
    assert len(summary) == len(YEARS) * len(INDICATORS + EXTRAS)
    assert (summary["n"] <= REPLICATIONS).all()
    indicators = pd.read_csv(out / "indicators.csv")
    means = indicators.groupby("year").mean()
    for row in summary.itertuples(index=False):
        if row.n == 0:
            continue
        assert math.isclose(row.mean, means.loc[row.year, row.measure], rel_tol=1e-9)
        if row.n >= 2:
            assert row.lower <= row.mean + 1e-9
            assert row.mean <= row.upper + 1e-9


def test_run_json(runs) -> None:
    out, _ = runs["serial"]
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    expected = runs["resolved"]
    assert meta["scenario"] == expected
    assert meta["scenario"]["horizon_years"] == 2
    assert meta["seed"] == 11
    assert meta["replications"] == REPLICATIONS
    assert meta["package_version"] == sufficiency_sim.__version__
    assert isinstance(meta["wall_seconds"], int | float) and meta["wall_seconds"] >= 0
    assert meta["overrides"] == ["horizon_years=2", "warmup_years=3"]
    assert scenario.validate(meta["scenario"]) == scenario.validate(expected)


def test_no_temporary_files_left(runs) -> None:
    for name in ("serial", "parallel", "other_seed", "histories"):
        out = runs[name][0]
        leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]
        assert leftovers == []


# ---------------------------------------------------------------------------------------------
# Reproducibility


def test_same_seed_same_bytes_serial_and_parallel(runs) -> None:
    serial = (runs["serial"][0] / "indicators.csv").read_bytes()
    parallel = (runs["parallel"][0] / "indicators.csv").read_bytes()
    assert serial == parallel
    assert (runs["serial"][0] / "summary.csv").read_bytes() == (
        runs["parallel"][0] / "summary.csv"
    ).read_bytes()
    # Writing histories does not change the results either.
    assert (runs["histories"][0] / "indicators.csv").read_bytes() == serial


def test_different_seed_different_file(runs) -> None:
    serial = (runs["serial"][0] / "indicators.csv").read_bytes()
    other = (runs["other_seed"][0] / "indicators.csv").read_bytes()
    assert serial != other


# ---------------------------------------------------------------------------------------------
# Histories


def test_histories_written(runs) -> None:
    out, _ = runs["histories"]
    folders = sorted(p.name for p in (out / "replications").iterdir())
    assert folders == [f"{r:03d}" for r in range(REPLICATIONS)]
    first = out / "replications" / "000"
    assert sorted(p.name for p in first.iterdir()) == [
        "episodes.csv",
        "header.csv",
        "placements.csv",
        "provision.csv",
    ]
    with open(first / "episodes.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:13] == EPISODE_COLUMNS_903
    episodes = pd.read_csv(first / "episodes.csv", dtype=str)
    assert len(episodes) > 0
    assert episodes["CHILD"].str.fullmatch(r"SIM\d{7}").all()
    children = pd.read_csv(first / "header.csv", dtype=str)
    assert list(children.columns[:3]) == ["CHILD", "SEX", "DOB"]
    assert set(episodes["CHILD"]) == set(children["CHILD"])
    placements = pd.read_csv(first / "placements.csv")
    assert list(placements.columns) == [
        "child",
        "start",
        "end",
        "provision_type",
        "resource_id",
        "location",
        "distance",
        "ending_reason",
        "planned",
        "bridging",
        "place",
        "provider",
        "price_factor",
    ]
    assert (placements["price_factor"] == 1.0).all()  # the baseline's markets have no price
    provision = pd.read_csv(first / "provision.csv")
    assert list(provision.columns) == [
        "resource_id",
        "provision_type",
        "name",
        "places",
        "from",
        "to",
    ]


def test_histories_without_out_is_an_error() -> None:
    result = invoke("run", str(BASELINE), *SHORT, "-n", "1", "-q", "--histories")
    assert result.exit_code == 2
    assert "error: --histories needs --out" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------------------------------------
# Bad input


def assert_input_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an uncaught exception
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


def test_missing_scenario_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_input_error(invoke("run", str(missing), "-q"), str(missing), "not found")


def test_unknown_key_in_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "option.yaml"
    path.write_text(
        f"extends: {BASELINE}\nprovision:\n  inhouse_foster:\n    housholds: 90\n",
        encoding="utf-8",
    )
    result = invoke("run", str(path), *SHORT, "-n", "1", "-q")
    assert_input_error(result, str(path), "provision.inhouse_foster.housholds", "unknown key")


def test_invalid_yaml_scenario(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nhorizon_years: 2\n  bad: 3\n", encoding="utf-8")
    assert_input_error(invoke("run", str(path), "-q"), str(path), "line 3")


@pytest.mark.parametrize(
    "override, fragment",
    [
        ("provision.inhouse_foster.households=many", "provision.inhouse_foster.households"),
        ("provision.inhouse_foster.housholds=3", "unknown key"),
        ("nosuch.key=1", "not a section"),
        ("provision.local_homes.3.beds=1", "out of range"),
        ("horizon_years", "expected dotted.key=value"),
        ("start_date=2019-05-01", "1 April"),
    ],
)
def test_bad_set(override: str, fragment: str) -> None:
    result = invoke("run", str(BASELINE), *SHORT, "-n", "1", "-q", "--set", override)
    assert_input_error(result, fragment)


def test_subprocess_bad_input_has_no_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "sufficiency_sim.cli", "run", str(missing), "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert str(missing) in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


# ---------------------------------------------------------------------------------------------
# schema and the installed command


def test_schema_prints_json() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert {"name", "start_date", "horizon_years", "provision", "extends"} <= set(
        schema["properties"]
    )


def test_module_help_lists_commands() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sufficiency_sim.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "schema", "indicators"):
        assert re.search(rf"^\s+{command}\b", proc.stdout, re.MULTILINE), command


# ---------------------------------------------------------------------------------------------
# Data protection


def test_default_outputs_hold_no_child_ids_or_birth_dates(runs) -> None:
    """Without --histories nothing written or printed carries a child's identifier or date of
    birth: the only dates allowed are the scenario's own parameters (start date and the like)."""
    out, result = runs["serial"]
    history = runs["histories"][0] / "replications"
    dobs: set[str] = set()
    for folder in history.iterdir():
        dobs |= set(pd.read_csv(folder / "header.csv", dtype=str)["DOB"].dropna())
    assert dobs  # dd/mm/YYYY in the 903 header
    iso_dobs = {f"{d[6:10]}-{d[3:5]}-{d[0:2]}" for d in dobs}
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    scenario_dates = set(DATE.findall(json.dumps(meta["scenario"])))
    written = sorted(p.name for p in out.iterdir())
    assert written == ["indicators.csv", "run.json", "summary.csv"]
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    texts["stdout+stderr"] = result.output
    for name, text in texts.items():
        assert not SIM_ID.search(text), name
        assert "DOB" not in text, name
        dates = set(DATE.findall(text))
        assert dates <= scenario_dates, (name, sorted(dates - scenario_dates)[:5])
        assert not (dates - scenario_dates) & (dobs | iso_dobs), name


def test_the_default_runs_on_every_core_with_the_same_results(tmp_path: Path) -> None:
    """No --jobs: one worker process per core (issue 14), and the same indicators as in this
    process (--jobs 1)."""
    args = ["run", str(BASELINE), *SHORT, "-n", str(REPLICATIONS), "--seed", "11", "-q"]
    assert invoke(*args, "--out", str(tmp_path / "default")).exit_code == 0
    assert invoke(*args, "--jobs", "1", "--out", str(tmp_path / "serial")).exit_code == 0
    meta = json.loads((tmp_path / "default" / "run.json").read_text(encoding="utf-8"))
    cores = os.cpu_count() or 1
    assert meta["executor"] == ("processes" if cores > 1 else "serial")
    default = (tmp_path / "default" / "indicators.csv").read_bytes()
    assert default == (tmp_path / "serial" / "indicators.csv").read_bytes()
