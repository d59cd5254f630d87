"""Small helpers shared by the notebooks in `notebooks/`: how many replications to run (from the
environment, so the tests can run every notebook quickly), and where the scenario files are.

Nothing here simulates or measures anything; the notebooks use the package API for that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sufficiency_sim.errors import InputError

REPLICATIONS_ENV = "SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS"
JOBS_ENV = "SUFFICIENCY_SIM_NOTEBOOK_JOBS"
QUICK_BELOW = 10
"""With fewer replications than this a notebook is in quick mode (a smoke run, e.g. by the
tests) and may shorten its horizons; its numbers are then not for reading."""

_MARKER = Path("scenarios") / "york_baseline.yaml"


@dataclass(frozen=True)
class NotebookSettings:
    """How much work a notebook does."""

    replications: int
    jobs: int

    @property
    def quick(self) -> bool:
        """True when the replication count is too small for a real reading (a smoke run)."""
        return self.replications < QUICK_BELOW


def _whole_number(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name}={text!r}: expected a whole number") from None
    if value < minimum:
        raise InputError(f"{name}={value}: expected at least {minimum}")
    return value


def settings(default_replications: int = 20) -> NotebookSettings:
    """Replications from $SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS (default `default_replications`,
    at least 2 so that there is a confidence interval) and worker processes from
    $SUFFICIENCY_SIM_NOTEBOOK_JOBS (default 1)."""
    return NotebookSettings(
        replications=_whole_number(REPLICATIONS_ENV, default_replications, 2),
        jobs=_whole_number(JOBS_ENV, 1, 1),
    )


def repo_root(start: str | Path | None = None) -> Path:
    """The sufficiency-sim folder (the one holding scenarios/york_baseline.yaml): the current
    folder or one above it (Jupyter runs a notebook in notebooks/), else the folder the package
    was installed from in editable mode."""
    here = Path(start or Path.cwd()).resolve()
    package_parent = Path(__file__).resolve().parents[2]
    for folder in (here, *here.parents, package_parent):
        if (folder / _MARKER).is_file():
            return folder
    raise InputError(
        f"cannot find {_MARKER.as_posix()} in {here} or any folder above it: open the notebooks "
        "from inside a copy of the sufficiency-sim repository"
    )
