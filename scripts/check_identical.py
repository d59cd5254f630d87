"""Check that a change leaves the seeded outputs byte-identical to another commit's.

A layout change (moving code, splitting modules, renaming) must not change a single number.
This script runs the same jobs with the code of a base commit (checked out into a temporary
git worktree) and with the working tree, then compares the files byte by byte:

- `run` of the York baseline: indicators.csv, summary.csv and the first replication's 903
  episodes and header, and its placement and provision audit tables;
- `compare` of the York baseline with every option of scenarios/options/: appraisal.csv,
  results.csv and appraisal.md;
- `calibrate` of the bundled sample extract: the scenario, the census and report.md;
- `indicators` of the bundled sample extract;
- `report` of one compare folder: the base's `compare` output is copied once, and both sides
  render report.html from that same copy, so any difference is the report code's.

run.json is left out: it holds the run's time and id by design. The calibration report names
the template's path inside the package, so it is compared with each side's folder masked. In
report.html the date the report was made ("Report of 4 December 2026", "sufficiency-sim 0.1.0
on 4 December 2026") is masked, so that a run across midnight still compares.

    python scripts/check_identical.py --base main            # compare with main
    python scripts/check_identical.py --base 9cb9e93 -r 4    # fewer replications, faster

Exit status 0 when every file is identical, 1 when any differs (each is named), 2 when a job
fails.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "sufficiency_sim/data/sample"

#: The files each job writes that must not change, relative to its output folder.
COMPARED = {
    "run": ["indicators.csv", "summary.csv"]
    + [
        f"replications/000/{table}.csv"
        for table in ("episodes", "header", "placements", "provision")
    ],
    "compare": ["appraisal.csv", "results.csv", "appraisal.md"],
    "calibrate": ["sample.yaml", "sample_census.csv", "sample_calibration/report.md"],
    "indicators": ["indicators.csv"],
    "report": ["report.html"],
}


def jobs(replications: int) -> dict[str, list[str]]:
    """The command line of each job (arguments after `sufficiency-sim`); OUT is its folder and
    IN the copied compare folder the report reads (see `run_jobs`)."""
    options = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios/options").glob("*.yaml"))
    reps = str(replications)
    return {
        "run": [
            "run",
            "scenarios/york_baseline.yaml",
            "--replications",
            reps,
            "--quiet",
            "--histories",
            "--out",
            "OUT",
        ],
        "compare": [
            "compare",
            "scenarios/york_baseline.yaml",
            *options,
            "--replications",
            reps,
            "--quiet",
            "--out",
            "OUT",
        ],
        "calibrate": [
            "calibrate",
            "--episodes",
            f"{SAMPLE}/episodes.csv",
            "--header",
            f"{SAMPLE}/header.csv",
            "--report-replications",
            reps,
            "--quiet",
            "--out",
            "OUT/sample.yaml",
        ],
        "indicators": [
            "indicators",
            "--episodes",
            f"{SAMPLE}/episodes.csv",
            "--header",
            f"{SAMPLE}/header.csv",
            "--out",
            "OUT/indicators.csv",
        ],
        "report": ["report", "IN", "--out", "OUT/report.html"],
    }


def fail(message: str) -> NoReturn:
    """Stop with exit status 2: a job could not run, so nothing was compared."""
    print(message, file=sys.stderr)
    sys.exit(2)


def python_with(code: Path) -> tuple[list[str], dict[str, str]]:
    """The interpreter command and environment that import the package from `code`.

    `-P` keeps Python from putting the current folder first on the path: without it
    `python -c` run from the project folder imports the working tree's package whatever
    PYTHONPATH says, and both sides would run the same code.
    """
    env = dict(os.environ, PYTHONPATH=str(code), PYTHONHASHSEED="0")
    command = [sys.executable, "-P"]
    probe = subprocess.run(
        [*command, "-c", "import sufficiency_sim; print(sufficiency_sim.__file__)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    imported = Path(probe.stdout.strip() or ".").resolve()
    if probe.returncode != 0 or not imported.is_relative_to(code.resolve()):
        fail(f"the package at {code} is not the one imported ({imported}):\n{probe.stderr}")
    return command, env


def run_jobs(code: Path, out: Path, replications: int, report_input: Path) -> None:
    """Run every job with the package at `code`, writing into `out`/<job>.

    The report job reads `report_input`: the first side to get there (the base) copies its
    own compare output there, and the other side reads the same copy.
    """
    python, env = python_with(code)
    for name, args in jobs(replications).items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        if name == "report" and not report_input.exists():
            shutil.copytree(out / "compare", report_input)
        argv = [str(report_input) if a == "IN" else a.replace("OUT", str(folder)) for a in args]
        command = [*python, "-c", "from sufficiency_sim.cli import main; main()", *argv]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            fail(f"{name} failed with the code at {code}:\n{done.stderr[-3000:]}")
        print(f"  {name}: done", flush=True)


MASKED = {"calibrate/sample_calibration/report.md"}
"""Files that name the template's path inside the package, which differs between the sides:
compared with each side's package folder replaced by `CODE`."""

DATED = {
    "report/report.html": re.compile(
        rb"(Report of |sufficiency-sim \S+ on )\d{1,2} [A-Za-z]+ \d{4}"
    ),
}
"""Files that say the date they were made: compared with that date (the pattern after group 1)
replaced by `DATE`."""


def _text(file: Path, code: Path, dated: re.Pattern[bytes] | None = None) -> bytes:
    """A file's bytes with the package folder `code` (and its resolved form) written as CODE,
    and the date matched by `dated`, if given, as DATE."""
    data = file.read_bytes()
    for folder in {str(code), str(code.resolve())}:
        data = data.replace(folder.encode(), b"CODE")
    return dated.sub(rb"\1DATE", data) if dated is not None else data


def compare(base: Path, head: Path, base_code: Path, head_code: Path) -> list[str]:
    """Names of the compared files that differ or are missing on either side."""
    differing = []
    for name, files in COMPARED.items():
        for file in files:
            a, b = base / name / file, head / name / file
            if not (a.exists() and b.exists()):
                differing.append(f"{name}/{file}")
            elif f"{name}/{file}" in MASKED | DATED.keys():
                dated = DATED.get(f"{name}/{file}")
                if _text(a, base_code, dated) != _text(b, head_code, dated):
                    differing.append(f"{name}/{file}")
            elif not filecmp.cmp(a, b, shallow=False):
                differing.append(f"{name}/{file}")
    return differing


def main() -> int:
    """Run both sides and report; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="commit to compare with [main]")
    parser.add_argument("-r", "--replications", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="keep both sides' outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        tree = Path(tmp) / "base-code"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), args.base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            print(f"base ({args.base}):")
            report_input = work / "report-input" / "compare"
            shutil.rmtree(report_input, ignore_errors=True)  # a copy left in --keep
            run_jobs(tree, work / "base", args.replications, report_input)
            print("working tree:")
            run_jobs(ROOT, work / "head", args.replications, report_input)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=ROOT,
                check=False,
                capture_output=True,
            )
        differing = compare(work / "base", work / "head", tree, ROOT)
    total = sum(len(f) for f in COMPARED.values())
    if differing:
        print(f"{len(differing)} of {total} files differ: " + ", ".join(differing))
        return 1
    print(f"all {total} files byte-identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
