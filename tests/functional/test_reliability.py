"""Reliability of every command on bad input (issue 16): one `error:` line, exit status 2 and
no traceback, whatever the input; nothing half-written or stale left in an output folder after
a refused or killed run; worker processes end with their parent; and the census of an extract
keeps no real date of entering care.

The property-based test drives each command's argument parsing and input loading, in process
(CliRunner), with generated bad values: numbers out of range, missing paths, files where
folders are expected, unwritable folders, empty, binary and wrongly encoded files, malformed
YAML and CSV, duplicated columns and short rows. Every case the issue lists is also a named
regression test below.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sufficiency_sim import scenario
from sufficiency_sim.cli.group import _register, cli
from sufficiency_sim.cli.options import MAX_SEED
from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment import runner as experiment
from sufficiency_sim.files import outputs
from sufficiency_sim.scenario.schema import expected_children
from sufficiency_sim.scenario.types import MAX_CHILDREN_PER_REPLICATION

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
OPTION = ROOT / "scenarios" / "options" / "b_recruitment_campaign.yaml"
SAMPLE = ROOT / "sufficiency_sim" / "data" / "sample"
EPISODES = SAMPLE / "episodes.csv"
HEADER = SAMPLE / "header.csv"
LAST_YEAR = 2024  # the bundled sample's last 31 March
TINY = ("--set", "horizon_years=2", "--set", "warmup_years=2")
TEMPLATE = ("--template", str(BASELINE))

_register()


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_refused(result: Result, *words: str) -> None:
    """Exit 2, exactly one `error:` line on stderr, no traceback, and `words` in the message."""
    detail = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.exit_code == 2, detail
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{detail}\n{result.exception!r}"
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, detail
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, detail
    for word in words:
        assert word in result.stderr, f"{word!r} not in: {result.stderr}"


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny comparison (2 replications, 2 years after a 2-year warm-up)."""
    out = tmp_path_factory.mktemp("reliability") / "compare"
    result = invoke("compare", BASELINE, OPTION, "-n", 2, "--seed", 5, *TINY, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    return out


# ---------------------------------------------------------------------------------------------
# Property: generated bad input to every command


def _text_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


_BROKEN_YAML = (
    "a: [1, 2\n",
    "name: x\n  horizon_years: 3\n",
    "{\n",
    "name: one\nname: two\n",
    "entries:\n  rate_per_year: 5\n  rate_per_year: 6\n",
    "- just\n- a list\n",
    "\tname: tab\n",
    "extends: no_such_base.yaml\n",
)


@st.composite
def bad_bytes(draw: st.DrawFn, kind: str) -> bytes:
    """Content that no reader may accept as a `kind` ("yaml" or "csv") file."""
    choice = draw(st.sampled_from(["empty", "binary", "encoding", "text", "malformed"]))
    if choice == "empty":
        return draw(st.sampled_from([b"", b"\n", b"   \n\n"]))
    if choice == "binary":
        return b"\x00\xff" + draw(st.binary(max_size=64))
    if choice == "encoding":
        text = draw(st.text(min_size=1, max_size=40))
        return ("CHILD,DECOM\né," + text).encode("utf-16")
    if choice == "text":
        return draw(st.text(max_size=80)).encode("utf-8", "surrogatepass")
    if kind == "yaml":
        return draw(st.sampled_from(_BROKEN_YAML)).encode()
    return draw(bad_csv(EPISODES))


@st.composite
def bad_csv(draw: st.DrawFn, source: Path) -> bytes:
    """`source` (a valid CSV) with a duplicated column or a short row."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    if draw(st.booleans()):
        i, j = draw(st.lists(st.integers(0, len(header) - 1), min_size=2, max_size=2, unique=True))
        header[j] = header[i] if draw(st.booleans()) else header[i].lower()
        lines[0] = ",".join(header)
    else:
        row = draw(st.integers(1, min(len(lines) - 1, 200)))
        fields = lines[row].split(",")
        drop = draw(st.integers(1, len(fields) - 1))
        lines[row] = ",".join(fields[:-drop])
    return ("\n".join(lines) + "\n").encode()


def _bad_out(folder: Path, kind: str, name: str) -> Path:
    blocker = folder / "a_file"
    blocker.write_text("x")
    return {
        "existing file": blocker,
        "under a file": blocker / name,
        "in /proc": Path("/proc") / "sufficiency-sim-test" / name,
    }[kind]


OUT_KINDS = ("existing file", "under a file", "in /proc")
SEED_COMMANDS = ("run", "compare", "sweep", "calibrate", "backtest")


def _command(name: str, *extra: object, out: object | None = None) -> list[object]:
    """A valid invocation of `name` (with `extra` arguments) that refuses only what is bad."""
    base: dict[str, list[object]] = {
        "run": ["run", BASELINE, "-n", 1, *TINY, "-q"],
        "compare": ["compare", BASELINE, OPTION, "-n", 1, *TINY, "-q"],
        "sweep": [
            "sweep",
            BASELINE,
            "--grid",
            "carers.enquiries_per_year=100,200",
            "-n",
            1,
            *TINY,
            "-q",
        ],
        "calibrate": [
            "calibrate",
            "--episodes",
            EPISODES,
            "--header",
            HEADER,
            *TEMPLATE,
            "--report-replications",
            0,
            "-q",
        ],
        "backtest": [
            "backtest",
            "--episodes",
            EPISODES,
            "--header",
            HEADER,
            *TEMPLATE,
            "--train-to",
            "2022-03-31",
            "-n",
            2,
            "-q",
        ],
        "indicators": ["indicators", "--episodes", EPISODES, "--header", HEADER],
        "validate-903": ["validate-903", "--episodes", EPISODES, "--header", HEADER],
    }
    args = [*base[name], *extra]
    if out is not None:
        args += ["--out", out]
    elif name == "calibrate":
        args += ["--out", Path(tempfile.gettempdir()) / "never_written" / "x.yaml"]
    return args


@st.composite
def bad_invocation(draw: st.DrawFn, folder: Path, compare_dir: Path) -> list[object]:
    """One command line with one bad value, its files written under `folder`."""
    family = draw(
        st.sampled_from(["number", "missing", "out", "scenario", "extract", "report", "census"])
    )
    if family == "number":
        command = draw(st.sampled_from([*SEED_COMMANDS, "indicators"]))
        if command == "indicators":
            year = draw(st.integers(max_value=1949) | st.integers(LAST_YEAR + 1, 10**6))
            return _command(command, "--year", year)
        option = draw(st.sampled_from(["--seed", "--jobs", "--replications", "--set"]))
        if option == "--seed":
            seed = draw(st.integers(max_value=-1) | st.integers(min_value=MAX_SEED + 1))
            return _command(command, "--seed", seed)
        if option == "--jobs":
            return _command(command, "--jobs", draw(st.integers(max_value=-1)))
        if option == "--replications" and command != "calibrate":
            lowest = 2 if command == "backtest" else 1
            return _command(command, "-n", draw(st.integers(max_value=lowest - 1)))
        if command in ("run", "compare", "sweep"):
            key = draw(
                st.sampled_from(
                    ["entries.rate_per_year", "carers.enquiries_per_year", "horizon_years"]
                )
            )
            value = draw(st.floats(min_value=1e6, max_value=1e300) | st.floats(max_value=-1e-3))
            return _command(command, "--set", f"{key}={value!r}")
        return _command("calibrate", "--report-replications", draw(st.integers(max_value=-1)))
    if family == "missing":
        command = draw(st.sampled_from(["run", "indicators", "validate-903", "calibrate"]))
        gone = folder / "no_such_file.csv"
        if command == "run":
            return ["run", gone]
        return [*_command(command)[:2], gone, *_command(command)[3:]]
    if family == "out":
        command = draw(st.sampled_from([*SEED_COMMANDS, "indicators"]))
        # an existing file is a bad folder, but a fine file to replace for indicators --out
        kind = draw(st.sampled_from(OUT_KINDS if command != "indicators" else OUT_KINDS[1:]))
        if command == "calibrate":
            bad = _bad_out(folder, kind, "x.yaml") if kind != "existing file" else folder
            return _command(command, out=bad)
        if command == "indicators":
            return _command(command, out=_bad_out(folder, kind, "i.csv"))
        return _command(command, out=_bad_out(folder, kind, "results"))
    if family == "scenario":
        path = _text_file(folder, "bad.yaml", draw(bad_bytes("yaml")))
        command = draw(st.sampled_from(["run", "compare", "sweep", "calibrate"]))
        if command == "compare":
            return ["compare", BASELINE, path, "-n", 1]
        if command == "calibrate":
            return [*_command("calibrate")[:-2], "--template", path, "--out", folder / "c.yaml"]
        return [command, path, *(["--grid", "seed_x=1,2"] if command == "sweep" else [])]
    if family == "extract":
        which = draw(st.sampled_from(["--episodes", "--header", "--uasc"]))
        source = HEADER if which == "--header" else EPISODES
        data = draw(bad_bytes("csv") | bad_csv(source))
        path = _text_file(folder, "bad.csv", data)
        command = draw(st.sampled_from(["indicators", "validate-903", "calibrate", "backtest"]))
        args = _command(command)
        if which == "--uasc":
            if command in ("indicators", "validate-903"):
                command, args = "calibrate", _command("calibrate")
            return [*args, "--uasc", path]
        args[args.index(which) + 1] = path
        return args
    if family == "report":
        copy = folder / "compare"
        shutil.copytree(compare_dir, copy)
        if draw(st.booleans()):
            (copy / "results.csv").write_bytes(
                draw(bad_bytes("csv") | bad_csv(copy / "results.csv"))
            )
            return ["report", copy, "--out", folder / "r.html"]
        kind = draw(st.sampled_from(OUT_KINDS[1:]))
        target = copy / "run.json" if draw(st.booleans()) else _bad_out(folder, kind, "r.html")
        return (
            ["report", target] if target.name == "run.json" else ["report", copy, "--out", target]
        )
    # a census the scenario names
    census = _text_file(folder, "census.csv", draw(bad_bytes("csv")))
    text = BASELINE.read_text(encoding="utf-8") + f"\ncensus: {census}\n"
    path = _text_file(folder, "with_census.yaml", text.encode())
    return ["run", path, "-n", 1, "-q"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_bad_input_gives_one_error_line_exit_2_and_no_traceback(
    data: st.DataObject, compare_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing may be simulated: every bad value must be refused while loading the input.
    def no_simulation(*args, **kwargs):
        raise AssertionError("a simulation started before the bad input was refused")

    monkeypatch.setattr(experiment, "run_experiment", no_simulation)
    folder = Path(tempfile.mkdtemp(prefix="reliability-"))
    try:
        args = data.draw(bad_invocation(folder, compare_dir))
        before = sorted(p.name for p in folder.iterdir())
        result = invoke(*args)
        assert_refused(result)
        after = sorted(p.name for p in folder.iterdir())
        assert after == before, "a refused command left files behind"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Named regressions: every case of the issue


@pytest.mark.parametrize("command", SEED_COMMANDS)
def test_negative_seed_refused_by_the_shared_option(command: str, tmp_path: Path) -> None:
    out = tmp_path / ("x.yaml" if command == "calibrate" else "out")
    result = invoke(*_command(command, "--seed", -1, out=out))
    assert_refused(result, "--seed", "-1")
    assert not out.exists()


@pytest.mark.parametrize("command", [*SEED_COMMANDS, "report", "indicators"])
def test_unwritable_out_refused_before_any_simulation(
    command: str, tmp_path: Path, compare_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before refusing --out")

    monkeypatch.setattr(experiment, "run_experiment", no_simulation)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    under = blocker / ("x.yaml" if command == "calibrate" else "out")
    if command == "report":
        result = invoke("report", compare_dir, "--out", blocker / "r.html")
    else:
        result = invoke(*_command(command, out=under))
    assert_refused(result, "a_file")
    assert blocker.read_text() == "x"


def test_sweep_refuses_out_before_simulating(tmp_path: Path) -> None:
    """sweep used to fail only after all its simulation was done."""
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    started = time.perf_counter()
    result = invoke(*_command("sweep", out=blocker / "sweep"))
    assert_refused(result, "cannot write")
    assert time.perf_counter() - started < 10


def test_backtest_out_naming_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "backtest.txt"
    existing.write_text("keep me")
    assert_refused(invoke(*_command("backtest", out=existing)), "is a file", str(existing))
    assert existing.read_text() == "keep me"


def test_schema_to_a_full_device() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sufficiency_sim.cli", "schema"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: standard output: cannot write"), done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_refused_compare_leaves_no_checkpoints(tmp_path: Path) -> None:
    """A refused `compare --seed -1` used to leave checkpoints/manifest.json, so the corrected
    command into the same folder was refused."""
    out = tmp_path / "cmp"
    assert_refused(invoke(*_command("compare", "--seed", -1, out=out)))
    assert not out.exists()


def test_refused_calibrate_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A calibrate refused while writing its report used to leave the scenario, census and
    charts but no report."""
    from sufficiency_sim.report import calibration as report

    real = report.write_report

    def fail_after_charts(calibration, directory, **kwargs):
        real(calibration, directory, **{**kwargs, "replications": 0})
        raise InputError("refused while writing the report (test)")

    monkeypatch.setattr(report, "write_report", fail_after_charts)
    out = tmp_path / "mine.yaml"
    result = invoke(*_command("calibrate", out=out))
    assert_refused(result, "refused while writing the report")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_indicators_refuses_years_after_the_extract() -> None:
    """--year 2040 on an extract ending in 2024 printed 205 children in care (open episodes
    carried forward) with exit 0."""
    result = invoke(*_command("indicators", "--year", 2040))
    assert_refused(result, "--year 2040", "last 31 March (2024)")
    assert invoke(*_command("indicators", "--year", LAST_YEAR)).exit_code == 0


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["indicators", "validate-903"])
def test_duplicated_column_refused(command: str, tmp_path: Path) -> None:
    """A duplicated column (even with other values) gave "no problems found"."""
    lines = EPISODES.read_text(encoding="utf-8").splitlines()
    lines[0] += ",PLACE"
    lines[1:] = [line + ",R1" for line in lines[1:]]
    bad = _write(tmp_path / "episodes.csv", lines)
    args = _command(command)
    args[args.index("--episodes") + 1] = bad
    assert_refused(invoke(*args), f"{bad}:1", "PLACE appears twice")


@pytest.mark.parametrize("command", ["indicators", "validate-903"])
def test_short_row_refused_by_line(command: str, tmp_path: Path) -> None:
    """A row with a missing field had its values shifted and was reported only as an
    unreadable date."""
    lines = EPISODES.read_text(encoding="utf-8").splitlines()
    fields = lines[9].split(",")
    lines[9] = ",".join(fields[:3] + fields[4:])
    bad = _write(tmp_path / "episodes.csv", lines)
    args = _command(command)
    args[args.index("--episodes") + 1] = bad
    assert_refused(invoke(*args), f"{bad}:10", "value or comma is missing")


def test_validate_903_refuses_episodes_without_rows(tmp_path: Path) -> None:
    header_only = _write(tmp_path / "episodes.csv", [EPISODES.read_text().splitlines()[0]])
    args = ["--episodes", header_only, "--header", HEADER]
    assert_refused(invoke("validate-903", *args), "no episode rows")
    assert_refused(invoke("indicators", *args), "no episode rows")


def test_duplicate_yaml_key_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.yaml", [f"extends: {BASELINE}", "name: one", "name: two"])
    assert_refused(invoke("run", path), "line 3", "'name' is given twice")
    with pytest.raises(InputError, match="given twice"):
        scenario.load(BASELINE, ["entries={rate_per_year: 5, rate_per_year: 6}"])


def test_header_given_as_uasc_refused(tmp_path: Path) -> None:
    """A header file given as --uasc gave a misleading window message."""
    result = invoke(*_command("calibrate", "--uasc", HEADER, out=tmp_path / "x.yaml"))
    assert_refused(result, str(HEADER), "DUC", "looks like a header file")


def _remark(folder: Path) -> None:
    """Re-hash the files of a run after a test changed one, as if the run had written it."""
    marker = json.loads((folder / "run.json").read_text())
    outputs.finish_run(folder, marker["run_id"], marker, marker["files"])


def test_report_refuses_missing_replications(compare_dir: Path, tmp_path: Path) -> None:
    """report accepted results with replications missing for one option and reported the
    wrong count."""
    folder = tmp_path / "copy"
    shutil.copytree(compare_dir, folder)
    results = pd.read_csv(folder / "results.csv")
    option = results["scenario"].unique()[1]
    results = results[~(results["scenario"].eq(option) & results["replication"].eq(1))]
    results.to_csv(folder / "results.csv", index=False)
    _remark(folder)
    assert_refused(invoke("report", folder), "lacks replication(s) 1", repr(option))


def test_huge_entry_rate_refused_before_running() -> None:
    """entries.rate_per_year: 1e12 was accepted and hung, its memory growing past 2 GB."""
    started = time.perf_counter()
    assert_refused(
        invoke("run", BASELINE, "--set", "entries.rate_per_year=1e12"),
        "entries.rate_per_year",
        "less than or equal to 35000",
    )
    assert_refused(
        invoke(
            "run", BASELINE, "--set", "entries.rate_per_year=30000", "--set", "horizon_years=30"
        ),
        "would admit about 1,440,000 children",
        "1,000,000",
    )
    assert time.perf_counter() - started < 20
    described = scenario.json_schema()["$defs"]["Entries"]["properties"]["rate_per_year"]
    assert described["maximum"] == 35000 and "33,050" in described["description"]


def test_every_bundled_scenario_is_within_the_bounds() -> None:
    for path in [BASELINE, *sorted((ROOT / "scenarios" / "options").glob("*.yaml"))]:
        loaded = scenario.load(path)
        assert expected_children(loaded) < MAX_CHILDREN_PER_REPLICATION


def test_killed_compare_never_looks_complete(
    compare_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compare killed while writing into a folder that held a finished comparison left the
    new results.csv beside the old run.json and charts, and report accepted the folder."""
    from sufficiency_sim.report import charts

    folder = tmp_path / "cmp"
    shutil.copytree(compare_dir, folder)
    old_charts = {p.name for p in folder.glob("*.png")}
    assert old_charts and (folder / "run.json").is_file()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if killed after results.csv was written

    monkeypatch.setattr(charts, "timeseries_chart", killed)
    result = invoke("compare", BASELINE, OPTION, "-n", 2, "--seed", 6, *TINY, "--out", folder)
    assert result.exit_code == 130, result.output
    left = {p.name for p in folder.iterdir()}
    assert "run.json" not in left and not (old_charts & left), left
    assert_refused(invoke("report", folder), "run.json", "not found")


def test_report_refuses_files_of_two_runs(compare_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(compare_dir, folder)
    chart = next(folder.glob("*.png"))
    chart.write_bytes(chart.read_bytes() + b"\0")
    assert_refused(invoke("report", folder), chart.name, "two runs")


def test_new_run_removes_the_old_runs_files(compare_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cmp"
    shutil.copytree(compare_dir, folder)
    (folder / "checkpoints").mkdir(exist_ok=True)
    listed = set(json.loads((folder / "run.json").read_text())["files"])
    outputs.start_run(folder)
    left = {p.name for p in folder.iterdir()}
    assert not (listed & left) and "run.json" not in left and "checkpoints" in left


def _children(parent: psutil.Process) -> list[psutil.Process]:
    try:
        return parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_sigkill_of_compare_ends_its_workers(tmp_path: Path) -> None:
    """After SIGKILL of `compare --jobs 2` the two worker processes used to live on."""
    command = [
        sys.executable,
        "-m",
        "sufficiency_sim.cli",
        "compare",
        BASELINE,
        OPTION,
        "-n",
        40,
        "--jobs",
        2,
        "--out",
        tmp_path / "cmp",
        "-q",
    ]
    proc = subprocess.Popen(
        [str(a) for a in command],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[psutil.Process] = []
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = [p for p in _children(parent) if p.is_running()]
            assert proc.poll() is None, "compare ended before its workers started"
        assert len(workers) >= 2, "the workers never started"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _gone, alive = psutil.wait_procs(workers, timeout=5)
        assert not alive, f"workers still alive 5 s after their parent was killed: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for worker in workers:  # never leave orphans behind when the test fails
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()


# ---------------------------------------------------------------------------------------------
# Data protection: no real date of entering care in the census


def _rebuilt_matches(days: pd.Series, real: pd.Series, day: pd.Timestamp) -> int:
    """How many census rows give, as `day - days + 1`, a real start date (as a multiset)."""
    rebuilt = (day.normalize() - pd.to_timedelta(days - 1, unit="D")).value_counts()
    truth = real.dt.normalize().value_counts()
    return int(sum(min(n, truth.get(date, 0)) for date, n in rebuilt.items()))


def test_no_real_date_of_entering_care_in_the_census(
    sf_combined: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`31 March - days_in_care + 1` gave each child's real date of entering care (55 of 55 on
    the third-party sample). To the month, it matches a real date only by chance (about 1 in
    30), and every value is the middle of a month of care."""
    from sufficiency_sim.calibration import census as census_module
    from sufficiency_sim.calibration.prepare import prepare
    from sufficiency_sim.calibration.reading import default_window
    from sufficiency_sim.ssda903.read import read_episodes, read_header

    episodes, header = read_episodes(sf_combined), read_header(sf_combined)
    first, last = default_window(episodes)
    extract = prepare(episodes, header, first, last)
    open_periods = extract.periods[extract.periods["end"].isna()]
    real = pd.to_datetime(open_periods["start"])

    census, _ = census_module.census_from_extract(extract)
    n = len(census)
    assert n == len(open_periods) > 30
    matched = _rebuilt_matches(census["days_in_care"], real, last)
    assert matched <= max(3, n // 10), f"{matched} of {n} real entry dates rebuilt"
    for column in ("days_in_care", "placement_days"):
        values = census[column]
        assert values.equals(census_module.to_month(values)), column  # one value per month

    monkeypatch.setattr(census_module, "ROUND_DAYS_TO_MONTH", False)
    exact, _ = census_module.census_from_extract(extract)
    assert _rebuilt_matches(exact["days_in_care"], real, last) == n  # the attack works on days


def test_written_census_keeps_days_to_the_month(tmp_path: Path) -> None:
    out = tmp_path / "sample.yaml"
    result = invoke(*_command("calibrate", out=out))
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "sample_census.csv")
    from sufficiency_sim.calibration.census import to_month

    assert len(written) > 100
    for column in ("days_in_care", "placement_days"):
        assert written[column].equals(to_month(written[column])), column
