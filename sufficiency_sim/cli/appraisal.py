"""The `compare` and `sweep` commands: options against a baseline, and parameter grids.

Both load and validate every scenario before anything runs, run all scenarios on the same
replication numbers and seed (common random numbers), and write their outputs atomically.
The commands are registered on the `sufficiency-sim` group by `sufficiency_sim.cli.group`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pandas as pd
import yaml

from sufficiency_sim import __version__
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
AUTO = "auto"
CHART_FILES = {
    "timeseries": "indicators_by_year.png",
    "horizon": "differences_whole_horizon.png",
    "final_year": "differences_final_year.png",
}
APPRAISAL_CHART_FILES = (
    "placement_types.png",
    "out_of_area.png",
    "placements_per_child.png",
    "bridging.png",
    "occupancy.png",
    "cost_by_year.png",
)
"""The charts of `charts.appraisal_figures`, also written by `compare` (names checked by the
tests against `charts.APPRAISAL_CHARTS`)."""
_COMPARE_OUTPUTS = (
    "results.csv",
    "appraisal.csv",
    "appraisal.md",
    *CHART_FILES.values(),
    *APPRAISAL_CHART_FILES,
)
"""What `compare` writes besides run.json: removed when a new run starts into the folder, in
case an earlier run there was killed before writing its marker (with the earlier run's
report.html, which `report` writes there by default)."""


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


# ---------------------------------------------------------------------------------------------
# Loading and validating the scenarios of a comparison


@dataclass(frozen=True)
class Loaded:
    """A scenario file and the scenario it resolves to."""

    path: Path
    scenario: Any  # sufficiency_sim.scenario.Scenario (imported lazily)


def load_comparison(
    baseline_file: Path, option_files: Sequence[Path], overrides: Sequence[str] = ()
) -> list[Loaded]:
    """Load the baseline and every option (resolving `extends`, applying overrides) and check
    that they can be compared: the same start date and horizon as the baseline and distinct
    names. Raises InputError naming the file at fault; runs nothing."""
    from sufficiency_sim import scenario

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


# ---------------------------------------------------------------------------------------------
# Running


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


@dataclass
class RunOutcome:
    """The tidy results of a comparison and how many replications produced them."""

    results: pd.DataFrame
    replications: int
    reused: int
    precision: Any = None  # appraisal.AutoResult for --replications auto


def run_comparison(
    named: dict[str, Any],
    baseline: str,
    replications: int | str,
    seed: int,
    executor: Any,
    save: Callable[[str, Any], None] | None,
    done: dict,
    quiet: bool = False,
    maximum: int = 200,
    batch: int = 10,
) -> RunOutcome:
    """Run every scenario on common replications: a fixed number, or batches until the
    precision targets of `appraisal.DEFAULT_TARGETS` are met (at most `maximum`)."""
    from sufficiency_sim.appraisal.statistics import run_until_precise
    from sufficiency_sim.experiment.runner import run_experiment

    count = len(named)
    with _progress_bar(0 if replications == AUTO else replications * count, quiet) as bar:

        def run_batch(numbers: Sequence[int]) -> pd.DataFrame:
            numbers = list(numbers)
            if replications == AUTO:
                bar.total += len(numbers) * count
                bar.refresh()
            wanted = set(numbers)
            mine = {k: v for k, v in done.items() if k[1] in wanted and k[0] in named}
            result = run_experiment(
                named,
                numbers,
                seed,
                executor=executor,
                progress=bar.update,
                done=mine,
                on_result=save,
            )
            return result.results

        if replications != AUTO:
            results = run_batch(range(replications))
            return RunOutcome(results, replications, _reused(done, named, replications))

        def report(check) -> None:
            if not check.met and not quiet:
                bar.write(f"{check.replications} replications: not yet precise ({check.worst()})")

        auto = run_until_precise(run_batch, baseline, batch=batch, maximum=maximum, on_check=report)
    return RunOutcome(
        auto.results, auto.replications, _reused(done, named, auto.replications), auto
    )


def _reused(done: dict, named: dict, replications: int) -> int:
    return sum(1 for key, rep in done if key in named and rep < replications)


# ---------------------------------------------------------------------------------------------
# Writing


def versions() -> dict[str, str]:
    """Versions of Python, this package and the libraries that shape the results."""
    found = {"sufficiency-sim": __version__, "python": platform.python_version()}
    for package in ("simpy", "numpy", "pandas", "scipy", "matplotlib"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _precision_json(auto: Any, maximum: int, batch: int) -> dict:
    from sufficiency_sim.appraisal.statistics import DEFAULT_TARGETS

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


def write_compare_outputs(
    out_dir: Path,
    outcome: RunOutcome,
    appraisal: Any,
    markdown: str,
    meta: dict,
    run_id: str | None = None,
) -> list[str]:
    """Write results.csv, appraisal.csv, appraisal.md, the charts (the key measures and the
    differences, then those of `charts.appraisal_figures`) and run.json, the run's marker with
    each file's hash (last; see `outputs.finish_run`)."""
    from sufficiency_sim.appraisal.statistics import appraisal_table
    from sufficiency_sim.files import atomic, outputs
    from sufficiency_sim.report import charts

    if run_id is None:
        run_id = outputs.start_run(out_dir)
    atomic.write_csv(out_dir / "results.csv", outcome.results)
    atomic.write_csv(out_dir / "appraisal.csv", appraisal_table(appraisal))
    atomic.write_text(out_dir / "appraisal.md", markdown)
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
        "results.csv",
        "appraisal.csv",
        "appraisal.md",
        *CHART_FILES.values(),
        *more_charts,
        "run.json",
    ]
    outputs.finish_run(out_dir, run_id, {**meta, "outputs": written}, written)
    return written


# ---------------------------------------------------------------------------------------------
# compare


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
    from sufficiency_sim import scenario
    from sufficiency_sim.appraisal.statistics import appraisal_markdown, appraise
    from sufficiency_sim.files import outputs
    from sufficiency_sim.report.text import show_comparison

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
    run_id = outputs.start_run(out_dir, also=(*_COMPARE_OUTPUTS, "report.html"))
    with _executor(jobs, dask_address) as executor:
        executor_name = executor.name
        click.echo(
            f"{len(named)} scenarios x {replications} replications x {baseline.horizon_years} "
            f"years from {baseline.start_date:%d %B %Y} (seed {seed}, {executor.name}, "
            f"{jobs} job(s)){f'; {len(done)} runs reused from checkpoints' if done else ''}",
            err=True,
        )
        outcome = run_comparison(
            named,
            baseline.name,
            replications,
            seed,
            executor,
            store.save,
            done,
            quiet,
            max_replications,
            auto_batch,
        )
    appraisal = appraise(outcome.results, baseline.name, seed, discount_rate)
    resolved = {name: scenario.to_jsonable(sc) for name, sc in named.items()}
    markdown = appraisal_markdown(appraisal, scenarios=resolved)
    show_comparison(appraisal, resolved, click.get_text_stream("stdout"))
    meta = {
        "command": "compare",
        "baseline_file": str(baseline_file),
        "option_files": [str(path) for path in option_files],
        "overrides": list(overrides),
        "seed": seed,
        "replications_requested": replications,
        "replications": outcome.replications,
        "resumed_runs": outcome.reused,
        "discount_rate": discount_rate,
        "confidence": 0.95,
        "jobs": jobs,
        "executor": executor_name + (f" {dask_address}" if dask_address else ""),
        "scenarios": [
            {"name": item.scenario.name, "file": str(item.path), **_resolved(item, scenario)}
            for item in loaded
        ],
        "versions": versions(),
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    if outcome.precision is not None:
        meta["precision"] = _precision_json(outcome.precision, max_replications, auto_batch)
    write_compare_outputs(out_dir, outcome, appraisal, markdown, meta, run_id)
    store.clear()  # the outputs are complete: checkpoints are no longer needed
    if outcome.precision is not None:
        state = "met" if outcome.precision.met else "NOT met (stopped at the maximum)"
        click.echo(
            f"--replications auto: used {outcome.replications} replications per scenario; "
            f"precision targets {state}",
            err=True,
        )
    click.echo(
        f"wrote {out_dir}/appraisal.md, appraisal.csv, results.csv, run.json and "
        f"{len(CHART_FILES) + len(APPRAISAL_CHART_FILES)} charts; "
        f"{outcome.replications} replications of {len(named)} "
        f"scenarios in {time.perf_counter() - started:.1f} s",
        err=True,
    )


def _resolved(item: Loaded, scenario_module: Any) -> dict:
    return {"resolved": scenario_module.to_jsonable(item.scenario)}


# ---------------------------------------------------------------------------------------------
# sweep


def split_values(text: str) -> list[str]:
    """Split `v1,v2,...` on commas outside brackets and quotes (so [1,2] stays one value)."""
    values, current, depth, quote = [], [], 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return values


@dataclass(frozen=True)
class GridAxis:
    """One `--grid key=v1,v2,...`: the dotted key, the raw values and their YAML values."""

    key: str
    raw: tuple[str, ...]
    values: tuple[Any, ...]


def parse_grid(text: str) -> GridAxis:
    """Parse `dotted.key=v1,v2,...` (each value read as YAML); InputError if malformed."""
    if "=" not in text:
        raise InputError(f"--grid {text!r}: expected dotted.key=value1,value2,...")
    key, _, rest = text.partition("=")
    key = key.strip()
    if not key or not all(key.split(".")):
        raise InputError(f"--grid {text!r}: the key {key!r} is empty or has an empty part")
    raw = split_values(rest)
    if any(value == "" for value in raw):
        raise InputError(f"--grid {text!r}: a value is empty (two commas, or a trailing comma?)")
    parsed = []
    for value in raw:
        try:
            parsed.append(yaml.safe_load(value))
        except yaml.YAMLError:
            raise InputError(f"--grid {text!r}: {value!r} is not a valid YAML value") from None
    if len({json.dumps(v, sort_keys=True, default=str) for v in parsed}) != len(parsed):
        raise InputError(f"--grid {text!r}: a value is listed twice")
    return GridAxis(key, tuple(raw), tuple(parsed))


def grid_points(axes: Sequence[GridAxis]) -> list[tuple[tuple[str, str], ...]]:
    """Every combination (full factorial) of the axes' raw values, as ((key, raw), ...)."""
    return [
        tuple(zip((axis.key for axis in axes), combo, strict=True))
        for combo in itertools.product(*(axis.raw for axis in axes))
    ]


def point_name(point: Sequence[tuple[str, str]]) -> str:
    """The scenario name of a grid point, e.g. "households=80, campaign=55"."""
    return ", ".join(f"{key}={raw}" for key, raw in point)


def load_sweep(
    scenario_file: Path, axes: Sequence[GridAxis], overrides: Sequence[str] = ()
) -> dict[str, Any]:
    """Every grid point's scenario, validated before anything runs (keyed by point name)."""
    from sufficiency_sim import scenario

    scenario.load(scenario_file, overrides)  # the file itself first, with its own messages
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise InputError("--grid: the same key is given twice; list all its values in one --grid")
    named = {}
    for point in grid_points(axes):
        settings = [f"{key}={raw}" for key, raw in point]
        try:
            named[point_name(point)] = scenario.load(scenario_file, [*overrides, *settings])
        except InputError as exc:
            raise InputError(f"--grid point {point_name(point)}: {exc}") from None
    return named


def sweep_table(results: pd.DataFrame, axes: Sequence[GridAxis]) -> pd.DataFrame:
    """The tidy sweep table: the grid keys as columns, then period, year, measure, horizon_rule,
    n, mean, lower, upper; yearly rows and the whole-horizon summary."""
    from sufficiency_sim.appraisal.statistics import level_summary

    levels = level_summary(results)
    lookup = {}
    for point in grid_points(axes):
        values = []
        for (_, raw), axis in zip(point, axes, strict=True):
            value = axis.values[axis.raw.index(raw)]
            values.append(value if isinstance(value, int | float | str | bool) else str(value))
        lookup[point_name(point)] = values
    grid = pd.DataFrame(
        [lookup[name] for name in levels["scenario"]], columns=[axis.key for axis in axes]
    )
    return pd.concat([grid, levels.drop(columns="scenario")], axis=1)


_SWEEP_OUTPUTS = ("sweep.csv", "results.csv", "sweep.png")


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
    from sufficiency_sim.experiment.runner import run_experiment
    from sufficiency_sim.files import atomic, outputs
    from sufficiency_sim.report import charts

    started = time.perf_counter()
    axes = [parse_grid(text) for text in grids]
    named = load_sweep(scenario_file, axes, overrides)
    jobs = jobs or os.cpu_count() or 1
    run_id = outputs.start_run(out_dir, also=_SWEEP_OUTPUTS)  # before any simulation
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
    table = sweep_table(result.results, axes)
    keys = [axis.key for axis in axes]
    atomic.write_csv(out_dir / "sweep.csv", table)
    atomic.write_csv(out_dir / "results.csv", result.results)
    charts.sweep_chart(table, keys, out_dir / "sweep.png")
    meta = {
        "command": "sweep",
        "scenario_file": str(scenario_file),
        "grid": {axis.key: list(axis.values) for axis in axes},
        "overrides": list(overrides),
        "points": list(named),
        "seed": seed,
        "replications": replications,
        "jobs": jobs,
        "versions": versions(),
        "wall_seconds": round(time.perf_counter() - started, 3),
        "outputs": [*_SWEEP_OUTPUTS, "run.json"],
    }
    outputs.finish_run(out_dir, run_id, meta, _SWEEP_OUTPUTS)
    from sufficiency_sim.report.text import show_table

    header, rows = _sweep_summary(table, keys)
    show_table(header, rows, "Whole horizon: mean [95% CI]", click.get_text_stream("stdout"))
    click.echo(
        f"wrote {out_dir}/sweep.csv, results.csv, sweep.png and run.json in "
        f"{time.perf_counter() - started:.1f} s",
        err=True,
    )


def _sweep_summary(table: pd.DataFrame, keys: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Whole-horizon means [95% CI] of a few key measures per grid point: (header, rows)."""
    from sufficiency_sim.appraisal.statistics import HORIZON

    measures = {
        "pct_out_of_area": ("Out of area (%)", 1.0, 1),
        "pct_3plus_placements": ("3+ placements (%)", 1.0, 1),
        "bridging_31_march": ("In bridging", 1.0, 1),
        "unplanned_endings": ("Unplanned endings", 1.0, 0),
        "cost_gbp": ("Cost (£m)", 1e6, 1),
    }
    rows = table[table["period"].eq(HORIZON) & table["measure"].isin(list(measures))]
    header = [*keys, *(label for label, _, _ in measures.values())]
    body = []
    for values, group in rows.groupby(list(keys), sort=False):
        values = values if isinstance(values, tuple) else (values,)
        by = group.set_index("measure")
        cells = [str(v) for v in values]
        for measure, (_, scale, digits) in measures.items():
            if measure not in by.index:
                cells.append("–")
                continue
            row = by.loc[measure]
            cells.append(
                f"{row['mean'] / scale:.{digits}f} "
                f"[{row['lower'] / scale:.{digits}f}, {row['upper'] / scale:.{digits}f}]"
            )
        body.append(cells)
    return header, body
