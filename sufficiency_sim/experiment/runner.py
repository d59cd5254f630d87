"""Replications of scenarios: run them on an executor (serial, local processes, Dask), measure
each with the indicators module, and summarise with 95% confidence intervals.

Every scenario runs on the same replication numbers with the same seed, so options see the
same children with the same luck as the baseline (common random numbers)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sufficiency_sim.experiment.executors import Executor, make_executor
from sufficiency_sim.files import atomic
from sufficiency_sim.measure.costs import costs_by_year
from sufficiency_sim.measure.indicators import INDICATOR_COLUMNS, compute_indicators
from sufficiency_sim.measure.intervals import bounded, t_half_width
from sufficiency_sim.measure.system import SYSTEM_COLUMNS, system_metrics
from sufficiency_sim.model import RunHistory, simulate
from sufficiency_sim.scenario import Scenario
from sufficiency_sim.ssda903.write import write_episodes, write_header, write_uasc

EXTRA_COLUMNS: tuple[str, ...] = ("cost_gbp", *SYSTEM_COLUMNS)
RESULT_COLUMNS: tuple[str, ...] = (*INDICATOR_COLUMNS, *EXTRA_COLUMNS)
"""Columns of a replication's yearly results, after `replication` and `year`."""

_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def _dates(values: list) -> pd.Series:
    """Ordinal day numbers (None for open) to datetime64."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    days = array - _EPOCH_ORDINAL
    out = np.full(len(array), np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(days)
    out[known] = days[known].astype("int64").astype("datetime64[D]")
    return pd.Series(out)


def history_frames(history: RunHistory) -> dict[str, pd.DataFrame]:
    """The replication's 903 episodes and header, placements and provision as pandas frames."""
    episodes = pd.DataFrame(history.episodes)
    for column in ("DECOM", "DEC"):
        episodes[column] = _dates(history.episodes[column])
    text = [c for c in episodes.columns if c not in ("DECOM", "DEC", "PL_DISTANCE")]
    episodes[text] = episodes[text].astype("string")
    episodes["PL_DISTANCE"] = episodes["PL_DISTANCE"].astype(float)
    header = pd.DataFrame(history.header)
    header["DOB"] = _dates(history.header["DOB"])
    header["MC_DOB"] = _dates(history.header["MC_DOB"])
    for column in ("CHILD", "SEX", "ETHNIC", "UPN", "MOTHER"):
        header[column] = header[column].astype("string")
    placements = pd.DataFrame(history.placements)
    placements["start"] = _dates(history.placements["start"])
    placements["end"] = _dates(history.placements["end"])
    provision = pd.DataFrame(history.provision)
    provision["from"] = _dates(history.provision["from"])
    provision["to"] = _dates(history.provision["to"])
    frames = {
        "episodes": episodes,
        "header": header,
        "placements": placements,
        "provision": provision,
    }
    if history.uasc["CHILD"]:  # only a scenario with UASC (`entries.uasc`) has the table
        uasc = pd.DataFrame(history.uasc)
        for column in ("DOB", "DUC"):
            uasc[column] = _dates(history.uasc[column])
        uasc[["CHILD", "SEX"]] = uasc[["CHILD", "SEX"]].astype("string")
        frames["uasc"] = uasc
    return frames


def measure(frames: dict[str, pd.DataFrame], scenario: Scenario) -> pd.DataFrame:
    """One row per reported year: the 903 indicators, cost and the system measures."""
    years = list(scenario.report_years)
    indicators = compute_indicators(frames["episodes"], frames["header"], years)
    costs = costs_by_year(frames["placements"], frames["provision"], scenario, years)
    system = system_metrics(frames["placements"], frames["provision"], years)
    result = indicators.merge(costs[["year", "cost_gbp"]], on="year").merge(system, on="year")
    return result[["year", *RESULT_COLUMNS]]


@dataclass
class ReplicationResult:
    """What one replication produced."""

    replication: int
    results: pd.DataFrame
    stats: dict[str, float] = field(default_factory=dict)


def write_history(frames: dict[str, pd.DataFrame], directory: Path) -> None:
    """Write a replication's episodes, header, placements and provision as CSV (atomically),
    and its 903 UASC table when it has one."""
    directory.mkdir(parents=True, exist_ok=True)
    write_episodes(frames["episodes"], directory / "episodes.csv")
    write_header(frames["header"], directory / "header.csv")
    if "uasc" in frames:
        write_uasc(frames["uasc"], directory / "uasc.csv")
    for name in ("placements", "provision"):
        frame = frames[name].copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        atomic.write_csv(directory / f"{name}.csv", frame)


def run_replication(
    scenario: Scenario, seed: int, replication: int, history_dir: str | Path | None = None
) -> ReplicationResult:
    """Simulate one replication and measure it; optionally write its history files."""
    started = time.perf_counter()
    history = simulate(scenario, seed, replication)
    simulated = time.perf_counter()
    frames = history_frames(history)
    results = measure(frames, scenario)
    results.insert(0, "replication", replication)
    if history_dir is not None:
        write_history(frames, Path(history_dir) / f"{replication:03d}")
    finished = time.perf_counter()
    stats = dict(history.stats)
    stats.update(simulate_seconds=simulated - started, measure_seconds=finished - simulated)
    return ReplicationResult(replication, results, stats)


@dataclass(frozen=True)
class Task:
    """One unit of work: a replication of a named scenario. Small, so cheap to send to workers."""

    key: str
    scenario: Scenario
    seed: int
    replication: int
    history_dir: str | None = None


def run_task(task: Task) -> tuple[str, ReplicationResult]:
    """Run one task (in whichever process the executor chose)."""
    return task.key, run_replication(task.scenario, task.seed, task.replication, task.history_dir)


@dataclass
class ExperimentResult:
    """All replications of the scenarios: tidy yearly results and their summary."""

    results: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float
    stats: list[dict[str, float]]


def summarise(results: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-based confidence interval per (scenario,) year and measure (tidy: [scenario,]
    year, measure, n, mean, lower, upper). Measures blank in a replication are averaged over
    the others."""
    keys = ["scenario", "year"] if "scenario" in results.columns else ["year"]
    long = results.melt(id_vars=["replication", *keys], var_name="measure", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    grouped = long.groupby([*keys, "measure"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    half = t_half_width(table["sd"].to_numpy(), table["n"].to_numpy(), confidence)
    table["lower"], table["upper"] = bounded(
        table["measure"], table["mean"] - half, table["mean"] + half
    )
    order = {name: i for i, name in enumerate(RESULT_COLUMNS)}
    table["_order"] = table["measure"].map(order)
    table = table.sort_values([*keys, "_order"], kind="stable").drop(columns=["_order", "sd"])
    return table.reset_index(drop=True)


def scenario_map(
    scenarios: Scenario | Mapping[str, Scenario] | Sequence[Scenario],
) -> dict[str, Scenario]:
    """Scenarios keyed by name (or by the mapping's keys)."""
    if isinstance(scenarios, Scenario):
        return {scenarios.name: scenarios}
    if isinstance(scenarios, Mapping):
        return dict(scenarios)
    named = {sc.name: sc for sc in scenarios}
    if len(named) != len(scenarios):
        raise ValueError("scenarios must have distinct names (or be given as a mapping)")
    return named


def run_experiment(
    scenarios: Scenario | Mapping[str, Scenario] | Sequence[Scenario],
    replications: int | Sequence[int],
    seed: int,
    jobs: int = 1,
    executor: Executor | None = None,
    history_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    done: Mapping[tuple[str, int], pd.DataFrame] | None = None,
    on_result: Callable[[str, ReplicationResult], None] | None = None,
) -> ExperimentResult:
    """Run every scenario on the same replications (common random numbers) and measure them.

    `replications` is a count (0..N-1) or the replication numbers themselves. Results are tidy:
    one row per scenario, replication and year, in that order whatever order replications
    finish in. `done` holds results already computed (resuming a batch): those are not rerun.
    `on_result` is called in this process with each new result as it arrives.
    """
    started = time.perf_counter()
    named = scenario_map(scenarios)
    numbers = list(range(replications)) if isinstance(replications, int) else list(replications)
    executor = executor or make_executor(jobs)
    parts: dict[tuple[str, int], pd.DataFrame] = dict(done or {})
    tasks = []
    for key, sc in named.items():
        folder = None
        if history_dir is not None:
            folder = str(Path(history_dir) if len(named) == 1 else Path(history_dir) / key)
        tasks.extend(Task(key, sc, seed, rep, folder) for rep in numbers if (key, rep) not in parts)
    stats: list[dict[str, float]] = []
    if progress is not None and parts:
        progress(len(parts))
    for key, result in executor.map_unordered(run_task, tasks):
        parts[(key, result.replication)] = result.results
        stats.append(result.stats)
        if on_result is not None:
            on_result(key, result)
        if progress is not None:
            progress(1)
    frames = []
    for key in named:
        for rep in numbers:
            frame = parts[(key, rep)].copy()
            frame.insert(0, "scenario", key)
            frames.append(frame)
    results = pd.concat(frames, ignore_index=True)
    return ExperimentResult(results, summarise(results), time.perf_counter() - started, stats)
