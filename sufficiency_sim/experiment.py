"""Replications of a scenario: run them (serially or on local processes), measure each with the
indicators module, and summarise with 95% confidence intervals."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sufficiency_sim import atomic
from sufficiency_sim.costs import costs_by_year
from sufficiency_sim.indicators import INDICATOR_COLUMNS, compute_indicators
from sufficiency_sim.model import RunHistory, simulate
from sufficiency_sim.scenario import Scenario
from sufficiency_sim.system_metrics import SYSTEM_COLUMNS, system_metrics

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
    return {
        "episodes": episodes,
        "header": header,
        "placements": placements,
        "provision": provision,
    }


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
    """Write a replication's episodes, header, placements and provision as CSV (atomically)."""
    from sufficiency_sim.ssda903.write import write_episodes, write_header

    directory.mkdir(parents=True, exist_ok=True)
    write_episodes(frames["episodes"], directory / "episodes.csv")
    write_header(frames["header"], directory / "header.csv")
    for name in ("placements", "provision"):
        frame = frames[name].copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        with atomic.atomic_open(directory / f"{name}.csv") as handle:
            frame.to_csv(handle, index=False)


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


def _run_one(args: tuple) -> ReplicationResult:
    return run_replication(*args)


def iter_replications(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int = 1,
    history_dir: str | Path | None = None,
) -> Iterator[ReplicationResult]:
    """Yield each replication's result as it finishes (in any order when jobs > 1)."""
    tasks = [(scenario, seed, rep, history_dir) for rep in range(replications)]
    if jobs <= 1:
        for task in tasks:
            yield _run_one(task)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_run_one, task) for task in tasks]
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            yield future.result()


@dataclass
class ExperimentResult:
    """All replications of one scenario: yearly results and their summary."""

    results: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float
    stats: list[dict[str, float]]


def summarise(results: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-based confidence interval per year and measure (tidy: year, measure, n, mean,
    lower, upper). Measures that are blank in a replication are averaged over the others."""
    long = results.melt(id_vars=["replication", "year"], var_name="measure", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    grouped = long.groupby(["year", "measure"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    n = table["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * table["sd"].to_numpy() / np.sqrt(n), np.nan)
    table["lower"] = table["mean"] - half
    table["upper"] = table["mean"] + half
    order = {name: i for i, name in enumerate(RESULT_COLUMNS)}
    table["_order"] = table["measure"].map(order)
    table = table.sort_values(["year", "_order"]).drop(columns=["_order", "sd"])
    return table.reset_index(drop=True)


def run_experiment(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int = 1,
    history_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExperimentResult:
    """Run `replications` of a scenario and return the yearly results sorted by replication."""
    started = time.perf_counter()
    parts: list[ReplicationResult] = []
    for result in iter_replications(scenario, replications, seed, jobs, history_dir):
        parts.append(result)
        if progress is not None:
            progress(1)
    parts.sort(key=lambda part: part.replication)
    results = pd.concat([part.results for part in parts], ignore_index=True)
    return ExperimentResult(
        results, summarise(results), time.perf_counter() - started, [part.stats for part in parts]
    )
