"""The `compare` and `sweep` commands: options against a baseline, and parameter grids.

Click only: parse the options, call the library (`appraisal.compare`, `appraisal.sweep`),
print (`report.text`) and write (`report.folder`). Both load and validate every scenario
before anything runs, run all scenarios on the same replication numbers and seed (common
random numbers), and write their outputs atomically. The commands are registered on the
`sufficiency-sim` group by `sufficiency_sim.cli.group`; imports that pull in the model or
pandas are deferred so that `sufficiency-sim -h` starts fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from sufficiency_sim.cli.options import (
    dask_option,
    jobs_option,
    quiet_option,
    seed_option,
    set_option,
)
from sufficiency_sim.errors import InputError

DEFAULT_COMPARE_OUT = Path("results/compare")
DEFAULT_SWEEP_OUT = Path("results/sweep")
AUTO = "auto"  # appraisal.compare.AUTO, restated so that parsing needs no library import


class ReplicationsType(click.ParamType):
    """`--replications`: a whole number of at least 1, or "auto"."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int) or value == AUTO:
            return value
        text = str(value).strip().lower()
        if text == AUTO:
            return AUTO
        try:
            number = int(text)
        except ValueError:
            self.fail(f"{value!r} is neither a whole number nor 'auto'", param, ctx)
        if number < 1:
            self.fail(f"{number} is below 1", param, ctx)
        return number


def _progress_bar(total: int, quiet: bool, unit: str = "run"):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, disable=quiet or None, file=sys.stderr)


@contextlib.contextmanager
def _executor(jobs: int, dask: str | None) -> Iterator[Any]:
    """The executor for --jobs/--dask, kept open (one Dask cluster) for the whole command."""
    from sufficiency_sim.experiment.executors import make_executor

    executor = make_executor(jobs, dask)
    if hasattr(executor, "__enter__"):
        with executor as opened:
            yield opened
    else:
        yield executor


def _checkpoints(
    out_dir: Path,
    named: dict[str, Any],
    seed: int,
    numbers: Sequence[int],
    resume: bool,
    fresh: bool = False,
) -> tuple[Any, dict]:
    """(checkpoint store, finished results) for out_dir/checkpoints.

    Every finished replication is checkpointed as it arrives and the checkpoints are cleared
    once the outputs are written. --resume reuses those of an interrupted comparison (after
    checking seed and scenarios match); --fresh discards them; with neither, they are refused
    rather than silently lost."""
    from sufficiency_sim.experiment.batch import BatchStore, resume_or_start

    if fresh:
        BatchStore(out_dir).clear()
    try:
        return resume_or_start(out_dir, named, seed, list(numbers), resume)
    except InputError as exc:
        if resume:
            raise
        raise InputError(f"{exc}; or use --fresh to discard them") from None


def _run(
    named: dict,
    baseline: str,
    replications: int | str,
    seed: int,
    executor: Any,
    store: Any,
    done: dict,
    quiet: bool,
    maximum: int,
    batch: int,
) -> Any:
    """Run the comparison with a progress bar on standard error."""
    from sufficiency_sim.appraisal.compare import Progress, run_comparison

    total = 0 if replications == AUTO else replications * len(named)
    with _progress_bar(total, quiet) as bar:

        def planned(count: int) -> None:
            bar.total += count
            bar.refresh()

        progress = Progress(bar.update, planned, None if quiet else bar.write)
        return run_comparison(
            named,
            baseline,
            replications,
            seed,
            executor,
            store.save,
            done,
            maximum,
            batch,
            progress,
        )


@click.command("compare")
@click.argument("baseline_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument(
    "option_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--replications",
    "-n",
    default="20",
    show_default=True,
    type=ReplicationsType(),
    help="Replications per scenario, or 'auto': batches until the key intervals are narrow.",
)
@seed_option
@jobs_option
@dask_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_COMPARE_OUT,
    show_default=True,
    help="Folder for the appraisal, results, charts, run.json and checkpoints.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted comparison in --out from its checkpoints.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Discard checkpoints of an earlier comparison in --out and start again.",
)
@click.option(
    "--discount-rate",
    default=0.035,
    show_default=True,
    type=click.FloatRange(0.0, 1.0, max_open=True),
    help="Discount rate a year for the NPV (HM Treasury Green Book: 0.035).",
)
@click.option(
    "--max-replications",
    default=200,
    show_default=True,
    type=click.IntRange(2),
    help="With --replications auto: stop here even if not yet precise.",
)
@click.option(
    "--batch",
    "auto_batch",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="With --replications auto: replications added at a time.",
)
@set_option
@quiet_option
def compare_command(
    baseline_file: Path,
    option_files: tuple[Path, ...],
    replications: int | str,
    seed: int,
    jobs: int,
    dask_address: str | None,
    out_dir: Path,
    resume: bool,
    fresh: bool,
    discount_rate: float,
    max_replications: int,
    auto_batch: int,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Compare OPTION_FILES with BASELINE_FILE on common random numbers.

    Prints a committee-paper table (differences from the baseline with paired 95% CIs, cost,
    NPV, payback) and writes appraisal.csv, appraisal.md, results.csv, run.json and charts to
    --out. Every file is loaded and checked before anything runs.

    \b
    Example:
      sufficiency-sim compare scenarios/york_baseline.yaml scenarios/options/*.yaml \\
          -n 30 --jobs 2 --out results/york_options
    """
    from sufficiency_sim.appraisal.compare import load_comparison
    from sufficiency_sim.files import outputs
    from sufficiency_sim.report import folder

    started = time.perf_counter()
    if resume and fresh:
        raise InputError("--resume and --fresh contradict each other: choose one")
    loaded = load_comparison(baseline_file, option_files, overrides)
    named = {item.scenario.name: item.scenario for item in loaded}
    baseline = loaded[0].scenario
    jobs = jobs or os.cpu_count() or 1
    outputs.writable_folder(out_dir)
    numbers = range(max_replications if replications == AUTO else replications)
    store, done = _checkpoints(out_dir, named, seed, numbers, resume, fresh)
    run_id = outputs.start_run(out_dir, also=(*folder.COMPARE_OUTPUTS, folder.REPORT_FILE))
    with _executor(jobs, dask_address) as executor:
        executor_name = executor.name
        _announce(len(named), replications, baseline, seed, executor.name, jobs, len(done))
        auto = (max_replications, auto_batch)
        outcome = _run(
            named, baseline.name, replications, seed, executor, store, done, quiet, *auto
        )
    meta = {
        **_inputs_meta(baseline_file, option_files, overrides, seed, replications),
        **_outcome_meta(outcome, discount_rate, jobs, executor_name, dask_address),
        **_scenarios_meta(loaded, outcome, max_replications, auto_batch),
    }
    _appraise_and_write(
        out_dir, named, baseline.name, outcome, discount_rate, meta, run_id, started
    )
    store.clear()  # the outputs are complete: checkpoints are no longer needed
    _say_done(out_dir, outcome, len(named), started)


def _appraise_and_write(
    out_dir: Path,
    named: dict,
    baseline: str,
    outcome: Any,
    discount_rate: float,
    meta: dict,
    run_id: str,
    started: float,
) -> None:
    """Appraise a comparison's results, print the committee table and write the outputs (with
    the wall time so far in run.json)."""
    from sufficiency_sim import scenario
    from sufficiency_sim.appraisal.statistics import appraise
    from sufficiency_sim.report import folder
    from sufficiency_sim.report.markdown import appraisal_markdown
    from sufficiency_sim.report.text import show_comparison

    appraisal = appraise(outcome.results, baseline, meta["seed"], discount_rate)
    resolved = {name: scenario.to_jsonable(sc) for name, sc in named.items()}
    markdown = appraisal_markdown(appraisal, scenarios=resolved)
    show_comparison(appraisal, resolved, click.get_text_stream("stdout"))
    meta = {**meta, "wall_seconds": round(time.perf_counter() - started, 3)}
    folder.write_compare_outputs(out_dir, outcome, appraisal, markdown, meta, run_id)


def _announce(
    scenarios: int, replications, baseline, seed: int, executor: str, jobs: int, reused: int
) -> None:
    """Say on stderr what is about to run."""
    click.echo(
        f"{scenarios} scenarios x {replications} replications x {baseline.horizon_years} "
        f"years from {baseline.start_date:%d %B %Y} (seed {seed}, {executor}, "
        f"{jobs} job(s)){f'; {reused} runs reused from checkpoints' if reused else ''}",
        err=True,
    )


def _inputs_meta(
    baseline_file: Path, option_files: Sequence[Path], overrides: Sequence[str], seed: int, n
) -> dict:
    """The start of a comparison's run.json: what was asked for."""
    return {
        "command": "compare",
        "baseline_file": str(baseline_file),
        "option_files": [str(path) for path in option_files],
        "overrides": list(overrides),
        "seed": seed,
        "replications_requested": n,
    }


def _outcome_meta(outcome, discount_rate: float, jobs: int, executor: str, address) -> dict:
    """What run.json records of how a comparison ran."""
    return {
        "replications": outcome.replications,
        "resumed_runs": outcome.reused,
        "discount_rate": discount_rate,
        "confidence": 0.95,
        "jobs": jobs,
        "executor": executor + (f" {address}" if address else ""),
    }


def _scenarios_meta(loaded: Sequence[Any], outcome: Any, maximum: int, batch: int) -> dict:
    """The end of a comparison's run.json: the scenarios, versions and precision."""
    from sufficiency_sim import scenario
    from sufficiency_sim.appraisal.compare import precision_json, versions

    meta: dict = {
        "scenarios": [
            {
                "name": item.scenario.name,
                "file": str(item.path),
                "resolved": scenario.to_jsonable(item.scenario),
            }
            for item in loaded
        ],
        "versions": versions(),
    }
    if outcome.precision is not None:
        meta["precision"] = precision_json(outcome.precision, maximum, batch)
    return meta


def _say_done(out_dir: Path, outcome: Any, scenarios: int, started: float) -> None:
    from sufficiency_sim.report import folder

    if outcome.precision is not None:
        state = "met" if outcome.precision.met else "NOT met (stopped at the maximum)"
        click.echo(
            f"--replications auto: used {outcome.replications} replications per scenario; "
            f"precision targets {state}",
            err=True,
        )
    click.echo(
        f"wrote {out_dir}/appraisal.md, appraisal.csv, results.csv, run.json and "
        f"{len(folder.CHART_FILES) + len(folder.APPRAISAL_CHART_FILES)} charts; "
        f"{outcome.replications} replications of {scenarios} "
        f"scenarios in {time.perf_counter() - started:.1f} s",
        err=True,
    )


@click.command("sweep")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--grid",
    "grids",
    multiple=True,
    required=True,
    metavar="KEY=V1,V2,...",
    help="A scenario key and the values to try (YAML); several --grid make a full factorial.",
)
@click.option("--replications", "-n", default=20, show_default=True, type=click.IntRange(1))
@seed_option
@jobs_option
@dask_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SWEEP_OUT,
    show_default=True,
    help="Folder for sweep.csv, results.csv, run.json and sweep.png.",
)
@set_option
@quiet_option
def sweep_command(
    scenario_file: Path,
    grids: tuple[str, ...],
    replications: int,
    seed: int,
    jobs: int,
    dask_address: str | None,
    out_dir: Path,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Run SCENARIO_FILE at every point of a grid of settings, on common random numbers.

    Writes sweep.csv (mean and 95% CI per grid point, year and measure, and over the whole
    horizon), results.csv, run.json and sweep.png to --out.

    \b
    Example:
      sufficiency-sim sweep scenarios/york_baseline.yaml \\
          --grid provision.inhouse_foster.households=70,80,90 -n 10
    """
    from sufficiency_sim.appraisal.sweep import load_sweep, parse_grid
    from sufficiency_sim.experiment.runner import run_experiment
    from sufficiency_sim.files import outputs
    from sufficiency_sim.report import folder

    started = time.perf_counter()
    axes = [parse_grid(text) for text in grids]
    named = load_sweep(scenario_file, axes, overrides)
    jobs = jobs or os.cpu_count() or 1
    run_id = outputs.start_run(out_dir, also=folder.SWEEP_OUTPUTS)  # before any simulation
    click.echo(
        f"sweep of {len(named)} grid points x {replications} replications (seed {seed}, "
        f"{jobs} job(s))",
        err=True,
    )
    with (
        _executor(jobs, dask_address) as executor,
        _progress_bar(replications * len(named), quiet) as bar,
    ):
        result = run_experiment(named, replications, seed, executor=executor, progress=bar.update)
    meta = {
        "command": "sweep",
        "scenario_file": str(scenario_file),
        "grid": {axis.key: list(axis.values) for axis in axes},
        "overrides": list(overrides),
        "points": list(named),
        "seed": seed,
        "replications": replications,
        "jobs": jobs,
    }
    _write_sweep(out_dir, result.results, axes, meta, run_id, started)


def _write_sweep(
    out_dir: Path, results: Any, axes: Sequence[Any], meta: dict, run_id: str, started: float
) -> None:
    """Summarise a sweep's results, write its outputs (run.json with the versions and wall
    time) and print the whole-horizon table."""
    from sufficiency_sim.appraisal.compare import versions
    from sufficiency_sim.appraisal.sweep import sweep_table
    from sufficiency_sim.report import folder
    from sufficiency_sim.report.text import show_table, sweep_summary

    table = sweep_table(results, axes)
    keys = [axis.key for axis in axes]
    meta = {**meta, "versions": versions(), "wall_seconds": round(time.perf_counter() - started, 3)}
    folder.write_sweep_outputs(out_dir, table, results, keys, meta, run_id)
    header, rows = sweep_summary(table, keys)
    show_table(header, rows, "Whole horizon: mean [95% CI]", click.get_text_stream("stdout"))
    click.echo(
        f"wrote {out_dir}/sweep.csv, results.csv, sweep.png and run.json in "
        f"{time.perf_counter() - started:.1f} s",
        err=True,
    )
