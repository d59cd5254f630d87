"""Comparing options with a baseline as library functions: load and check the scenarios, run
them on common random numbers (a fixed number of replications, or batches until precise), and
describe the run for its run.json. The command line (`sufficiency-sim compare`), notebooks and
the app call these; the outputs are written by `sufficiency_sim.report.folder`."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sufficiency_sim import __version__, scenario
from sufficiency_sim.appraisal.precision import DEFAULT_TARGETS, AutoResult, run_until_precise
from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.scenario.schema import Scenario

AUTO = "auto"
"""`replications` that means: batches until the precision targets are met."""


@dataclass(frozen=True)
class Loaded:
    """A scenario file and the scenario it resolves to."""

    path: Path
    scenario: Scenario


def load_comparison(
    baseline_file: Path, option_files: Sequence[Path], overrides: Sequence[str] = ()
) -> list[Loaded]:
    """Load the baseline and every option (resolving `extends`, applying overrides) and check
    that they can be compared: the same start date and horizon as the baseline and distinct
    names. Raises InputError naming the file at fault; runs nothing."""
    base = Loaded(baseline_file, scenario.load(baseline_file, overrides))
    loaded = [base]
    names = {base.scenario.name: baseline_file}
    for path in option_files:
        option = scenario.load(path, overrides)
        for field in ("start_date", "horizon_years"):
            mine, theirs = getattr(option, field), getattr(base.scenario, field)
            if mine != theirs:
                raise InputError(
                    f"{path}: {field} is {mine}, but the baseline {baseline_file} has {theirs}; "
                    "options must cover the same years as the baseline to be compared"
                )
        if option.name in names:
            raise InputError(
                f"{path}: scenario name {option.name!r} is also the name of {names[option.name]}; "
                "every scenario in a comparison needs its own name"
            )
        names[option.name] = path
        loaded.append(Loaded(path, option))
    return loaded


@dataclass
class RunOutcome:
    """The tidy results of a comparison and how many replications produced them."""

    results: pd.DataFrame
    replications: int
    reused: int
    precision: AutoResult | None = None  # for replications="auto"


@dataclass(frozen=True)
class Progress:
    """Callbacks a caller may give to follow a comparison: `done(n)` after n more runs,
    `planned(n)` when n more runs are added (replications="auto" only), `note(text)` for a
    precision check that is not yet met."""

    done: Callable[[int], Any] | None = None
    planned: Callable[[int], Any] | None = None
    note: Callable[[str], Any] | None = None


def run_comparison(
    named: dict[str, Scenario],
    baseline: str,
    replications: int | str,
    seed: int,
    executor: Any,
    save: Callable[[str, Any], None] | None = None,
    done: dict | None = None,
    maximum: int = 200,
    batch: int = 10,
    progress: Progress | None = None,
) -> RunOutcome:
    """Run every scenario on common replications: a fixed number, or batches until the
    precision targets of `precision.DEFAULT_TARGETS` are met (at most `maximum`). `done` holds
    finished runs to reuse (from checkpoints) and `save` is called with each new one."""
    done = done or {}
    progress = progress or Progress()
    count = len(named)

    def run_batch(numbers: Sequence[int]) -> pd.DataFrame:
        numbers = list(numbers)
        if replications == AUTO and progress.planned:
            progress.planned(len(numbers) * count)
        wanted = set(numbers)
        mine = {k: v for k, v in done.items() if k[1] in wanted and k[0] in named}
        result = run_experiment(
            named,
            numbers,
            seed,
            executor=executor,
            progress=progress.done,
            done=mine,
            on_result=save,
        )
        return result.results

    if replications != AUTO:
        results = run_batch(range(replications))
        return RunOutcome(results, replications, reused_runs(done, named, replications))

    def report(check) -> None:
        if not check.met and progress.note:
            progress.note(f"{check.replications} replications: not yet precise ({check.worst()})")

    auto = run_until_precise(run_batch, baseline, batch=batch, maximum=maximum, on_check=report)
    reused = reused_runs(done, named, auto.replications)
    return RunOutcome(auto.results, auto.replications, reused, auto)


def reused_runs(done: dict, named: dict, replications: int) -> int:
    """How many of the finished runs `done` a comparison of `replications` reused."""
    return sum(1 for key, rep in done if key in named and rep < replications)


def versions() -> dict[str, str]:
    """Versions of Python, this package and the libraries that shape the results."""
    found = {"sufficiency-sim": __version__, "python": platform.python_version()}
    for package in ("simpy", "numpy", "pandas", "scipy", "matplotlib"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def precision_json(auto: AutoResult, maximum: int, batch: int) -> dict:
    """The `precision` entry of run.json for replications="auto": the rule, the targets, each
    check and the final detail."""
    detail = auto.check.detail.to_dict("records")
    return {
        "met": auto.met,
        "rule": "whole-horizon 95% CI half-widths of levels and paired differences",
        "targets": [target.describe() for target in DEFAULT_TARGETS],
        "batch": batch,
        "maximum": maximum,
        "checks": [{"replications": n, "met": met} for n, met in auto.history],
        "detail": detail,
    }
