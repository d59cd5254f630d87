"""The Data to Insight SSDA903 validator accepts a simulated return.

The validator that local authorities run before they submit (PyPI ``csc-validator-be-903``)
needs pandas<2 and numpy<1.25, so it cannot share the project's environment: this test builds
its own virtual environment once (pinned by tests/e2e/d2i-requirements.txt, kept in
``~/.cache/sufficiency-sim``, or $XDG_CACHE_HOME) with a Python 3.9-3.11 it finds, and runs the
validator there on a simulated York history cut into the 2023/24 return and into the return of
the latest year the validator has rules for, each with last year's return beside it (the rules
that compare with last year's header and episodes then run too).

No rule may fail except those that need real postcodes (and the project's own
``validate-903`` must find no error in the same return): the model has no geography, so
HOME_POST and PL_POST are blank and the validator cannot derive the placement's authority.
Never skipped in CI (``CI`` set); elsewhere it skips only when the environment cannot be built
(no network or no suitable Python).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import history_frames
from sufficiency_sim.model import simulate
from sufficiency_sim.ssda903 import write_episodes, write_header
from sufficiency_sim.ssda903.returns import year_return
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, HEADER_COLUMNS
from sufficiency_sim.ssda903.validate import validate_903

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
BASELINE = HERE.parents[1] / "scenarios" / "york_baseline.yaml"
REQUIREMENTS = HERE / "d2i-requirements.txt"
RUNNER = HERE / "d2i_validate.py"
YORK = "E06000014"
FIRST_YEAR = 2024  # 2023/24, the year issue 10 names

POSTCODE_RULES = frozenset({"169", "179", "392b", "392c", "1015", "241"})
"""Rules that need real postcodes: 169/179 (placement authority and distance from PL_POST),
392b/392c (postcodes recorded), 1015 (placed out of area but recorded as in), and 241
(2025/26 on: a K3 placement's authority, PL_LA, derived from PL_POST, must be the responsible
authority, so any K3 with its required URN fails without a postcode)."""

KNOWN_CRASHES = frozenset({"231", "233"})
"""Rules that raise on every CSV return in validator 0.1.17: 231 reads UASC_STATUS and 233
DATE_EPISODE_CEASED, columns its own CSV reader never makes (config.column_names)."""


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sufficiency-sim"


def _run(args: list[str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def _pythons() -> list[str]:
    """Interpreters that can run the validator (3.9-3.11), the project's own first."""
    found = [sys.executable] + [
        path for name in ("python3.11", "python3.10", "python3.9") if (path := shutil.which(name))
    ]
    usable = []
    for python in dict.fromkeys(found):
        result = _run([python, "-c", "import sys; print(sys.version_info[:2] < (3, 12))"], 60)
        if result.returncode == 0 and result.stdout.strip() == "True":
            usable.append(python)
    return usable


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _ready(venv: Path, pins: str) -> bool:
    marker = venv / "sufficiency-sim-ok"
    if not marker.is_file() or marker.read_text() != pins:
        return False
    result = _run([str(_venv_python(venv)), "-c", "import lac_validator.lac_validator"], 300)
    return result.returncode == 0


def _build(venv: Path, pins: str) -> str | None:
    """Build the environment at `venv` (in a temporary folder, renamed when complete); returns
    None on success, else what went wrong."""
    pythons = _pythons()
    if not pythons:
        return "no Python 3.9-3.11 found (the validator needs numpy<1.25)"
    work = venv.with_name(f"{venv.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    made = _run([pythons[0], "-m", "venv", str(work)], 300)
    if made.returncode != 0:
        return f"{pythons[0]} -m venv failed: {made.stderr[-2000:]}"
    pip = [str(_venv_python(work)), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    installed = _run([*pip, "-r", str(REQUIREMENTS)])
    if installed.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        return f"pip install -r {REQUIREMENTS.name} failed: {installed.stderr[-2000:]}"
    (work / "sufficiency-sim-ok").write_text(pins)
    shutil.rmtree(venv, ignore_errors=True)
    try:
        work.rename(venv)
    except OSError:  # another run finished first: use its environment
        shutil.rmtree(work, ignore_errors=True)
    return None


@pytest.fixture(scope="module")
def d2i_python() -> str:
    """The Python of a virtual environment with the pinned validator (built when missing)."""
    pins = REQUIREMENTS.read_text()
    digest = hashlib.sha256(pins.encode()).hexdigest()[:12]
    venv = _cache() / f"d2i-venv-{digest}"
    if not _ready(venv, pins):
        venv.parent.mkdir(parents=True, exist_ok=True)
        problem = _build(venv, pins)
        if problem is not None or not _ready(venv, pins):
            message = f"cannot build the validator's environment at {venv}: {problem}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return str(_venv_python(venv))


@pytest.fixture(scope="module")
def history():
    sc = scenario.load(BASELINE)
    return sc, history_frames(simulate(sc, 2019, 0))


def _write_return(frames: dict, year: int, folder: Path) -> Path:
    episodes, header = year_return(frames["episodes"], frames["header"], year)
    out = folder / str(year)
    out.mkdir(parents=True, exist_ok=True)
    write_episodes(episodes[list(EPISODE_COLUMNS)], out / "episodes.csv")
    write_header(header[list(HEADER_COLUMNS)], out / "header.csv")
    return out


def _validate(python: str, year: int, this: Path, previous: Path) -> dict:
    ruleset = f"lac{year - 1}_{year % 100:02d}"
    args = [python, str(RUNNER), ruleset, str(year), YORK, str(this), str(previous)]
    result = _run(args, 600)
    assert result.returncode == 0, f"the validator did not run:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def _latest_year(python: str) -> int:
    result = _run([python, str(RUNNER), "rulesets"], 300)
    assert result.returncode == 0, result.stderr[-3000:]
    latest = json.loads(result.stdout.strip().splitlines()[-1])[-1]  # e.g. "lac2026_27"
    return int(latest[3:7]) + 1


def test_the_validator_accepts_a_simulated_return(d2i_python, history, tmp_path) -> None:
    sc, frames = history
    latest = _latest_year(d2i_python)
    assert latest in sc.report_years, (
        f"the validator has rules for {latest - 1}/{latest % 100:02d}, after the York run ends: "
        "lengthen the run in this test"
    )
    problems = []
    for year in sorted({FIRST_YEAR, latest}):
        this = _write_return(frames, year, tmp_path)
        previous = _write_return(frames, year - 1, tmp_path)
        result = _validate(d2i_python, year, this, previous)
        label = f"{year - 1}/{year % 100:02d}"
        print(f"{label}: {result['ran']} rules ran; failing (rows) {result['failing']}")
        failing = {c: n for c, n in result["failing"].items() if c not in POSTCODE_RULES}
        for code, rows in failing.items():
            problems.append(f"{label} rule {code}: {rows} row(s): {result['messages'].get(code)}")
        ours = validate_903(this / "episodes.csv", this / "header.csv")
        errors = [str(p) for p in ours if p.severity == "error"]
        problems.extend(f"{label} validate-903: {e}" for e in errors[:10])
        crashed = set(result["crashed"]) - KNOWN_CRASHES
        if crashed:
            problems.append(f"{label}: rules raised: {sorted(crashed)}")
        assert result["ran"] >= 100, f"only {result['ran']} rules ran in {year}: {result}"
    assert not problems, "the validator rejects the simulated return:\n" + "\n".join(problems)
