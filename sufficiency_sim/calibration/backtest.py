"""Backtest: calibrate on the data up to a date, simulate forward from the census that day, and
compare the simulated indicators (mean and 95% prediction band over replications) with the
observed ones, year by year.

The prediction band is the 2.5% to 97.5% quantiles over replications. Each replication draws
its own parameters (entry rate, trend, time in care: `uncertainty.py`) from their sampling
distributions, so the band holds the calibration's uncertainty as well as the system's own
chance. Beside the model, each cell has the naive forecasts (the last value carried forward,
the mean of the last three years) and their errors, so the analyst sees whether the model
earns its complexity; several cut dates (rolling origin) are pooled by `error_summary`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import numpy as np
import pandas as pd
from tqdm import tqdm

from sufficiency_sim.calibration.pipeline import Calibration, calibrate
from sufficiency_sim.calibration.reading import cleaned_without
from sufficiency_sim.calibration.uncertainty import ParameterUncertainty
from sufficiency_sim.experiment.executors import make_executor
from sufficiency_sim.experiment.runner import Task, run_task
from sufficiency_sim.measure.indicators import compute_indicators
from sufficiency_sim.scenario import Scenario
from sufficiency_sim.tables import text_table

BACKTEST_MEASURES: tuple[str, ...] = (
    "cla_31_march",
    "starts",
    "ceased",
    "placements_started",
    "unplanned_endings",
    "pct_3plus_placements",
    "pct_long_term_stable",
    "pct_out_of_area",
    "pct_over_20_miles",
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "supported",
)
"""The indicators compared (secure and other placements are left out: the model has none)."""


def prediction_bands(results: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """Per year and measure: mean, 2.5% and 97.5% quantiles over replications (tidy)."""
    rows = []
    for year, group in results.groupby("year"):
        for measure in measures:
            values = group[measure].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            if values.size == 0:
                continue
            rows.append(
                {
                    "year": int(year),
                    "measure": measure,
                    "mean": float(values.mean()),
                    "lower": float(np.quantile(values, 0.025)),
                    "upper": float(np.quantile(values, 0.975)),
                    "replications": int(values.size),
                }
            )
    return pd.DataFrame(rows)


def observed_indicators(
    episodes: pd.DataFrame, header: pd.DataFrame, years: Sequence[int]
) -> pd.DataFrame:
    """The extract's own indicators for `years` (cleaned frames), tidy: year, measure, observed."""
    table = compute_indicators(episodes, header, list(years))
    tidy = table.melt(id_vars="year", var_name="measure", value_name="observed")
    tidy["year"] = tidy["year"].astype(int)
    return tidy


def compare_with_observed(bands: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Bands beside the observed values: whether each lies in its band, and the error."""
    table = bands.merge(observed, on=["year", "measure"], how="inner")
    table = table[table["observed"].notna()].copy()
    table["inside"] = (table["observed"] >= table["lower"]) & (table["observed"] <= table["upper"])
    table["error"] = table["mean"] - table["observed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["pct_error"] = np.where(
            table["observed"] != 0, 100 * table["error"] / table["observed"], np.nan
        )
    return table.reset_index(drop=True)[
        ["year", "measure", "observed", "mean", "lower", "upper", "inside", "error", "pct_error"]
    ]


def coverage(table: pd.DataFrame) -> float:
    """Share of year-indicator cells whose observed value lies in the band."""
    return float(table["inside"].mean()) if len(table) else float("nan")


def format_backtest(table: pd.DataFrame) -> str:
    """A plain-text table: one line per indicator and year (and origin, when several), with
    the naive forecasts beside the model when the table has them, then, for those, the mean
    absolute percentage errors pooled by horizon."""
    naive = "carry_forward" in table.columns
    several = "origin" in table.columns and table["origin"].nunique() > 1
    header = ["indicator", "year", "observed", "simulated", "95% band", "in band", "error"]
    header = (["cut"] if several else []) + header + (["carried", "mean 3"] if naive else [])
    order = ["origin", "measure", "year"] if several else ["measure", "year"]
    rows = [_backtest_cells(row, several, naive) for row in table.sort_values(order).itertuples()]
    align = ["<" if name == "indicator" else ">" for name in header]  # the cut too is right
    lines = [
        text_table(header, rows, align=align),
        f"observed value in the 95% band in {table['inside'].sum()} of {len(table)} "
        f"year-indicator cells ({100 * coverage(table):.0f}%)",
    ]
    if naive and "horizon" in table.columns:
        lines += [
            "",
            "Mean absolute percentage error by years ahead"
            + (f", pooled over {table['origin'].nunique()} cut dates" if several else "")
            + ": the model against the last value carried forward and the mean of the last "
            f"{NAIVE_YEARS} years",
            format_errors(error_summary(table)),
        ]
    return "\n".join(lines)


def _backtest_cells(row: Any, several: bool, naive: bool) -> list[str]:
    """The cells of one line of `format_backtest` (a row of `itertuples`)."""
    cells = [str(row.origin)] if several else []
    cells += [
        str(row.measure),
        str(row.year),
        f"{row.observed:.1f}",
        f"{row.mean:.1f}",
        f"[{row.lower:.1f}, {row.upper:.1f}]",
        "yes" if row.inside else "NO",
        f"{row.error:+.1f}",
    ]
    if naive:
        cells += [f"{row.carry_forward:.1f}", f"{row.recent_mean:.1f}"]
    return cells


def simulate_bands(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int | None = 1,
    quiet: bool = True,
    file: TextIO | None = None,
    rate_cv: float = 0.0,
    uncertainty: ParameterUncertainty | None = None,
) -> pd.DataFrame:
    """Run a scenario and return its prediction bands for BACKTEST_MEASURES.

    With `uncertainty` (a `ParameterUncertainty`; `rate_cv` > 0 is short for one holding only
    the entry rate's) each replication draws its own parameters from their sampling
    distributions, so the band holds the calibration's uncertainty as well as the system's
    own chance."""
    if uncertainty is None and rate_cv:
        uncertainty = ParameterUncertainty(rate_cv=rate_cv)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(903,)))
    tasks = []
    for replication in range(replications):
        sc = scenario
        if uncertainty is not None and not uncertainty.is_zero():
            sc = uncertainty.draw(scenario, rng)
        tasks.append(Task("backtest", sc, seed, replication))
    frames = []
    executor = make_executor(jobs or 0)
    with tqdm(total=replications, unit="rep", disable=quiet or None, file=file) as bar:
        for _, result in executor.map_unordered(run_task, tasks):
            frames.append(result.results.assign(replication=result.replication))
            bar.update(1)
    return prediction_bands(pd.concat(frames, ignore_index=True), BACKTEST_MEASURES)


NAIVE_YEARS = 3
"""Years averaged by the "mean of the last years" naive forecast."""


def naive_forecasts(
    observed: pd.DataFrame, origin_year: int, years: Sequence[int], mean_years: int = NAIVE_YEARS
) -> pd.DataFrame:
    """The two naive forecasts of each measure for `years` after the collection year
    `origin_year` (the training data's last): the last value carried forward
    (``carry_forward``) and the mean of the last `mean_years` values (``recent_mean``).

    `observed` is tidy (year, measure, observed) and must hold the training years; the
    forecasts are the same for every later year."""
    train = observed[(observed["year"] <= origin_year) & observed["observed"].notna()]
    rows = []
    for measure, group in train.groupby("measure"):
        group = group.sort_values("year")
        if group.empty or int(group["year"].iloc[-1]) != origin_year:
            continue
        last = float(group["observed"].iloc[-1])
        recent = float(group["observed"].iloc[-mean_years:].mean())
        rows += [
            {"year": int(y), "measure": measure, "carry_forward": last, "recent_mean": recent}
            for y in years
        ]
    return pd.DataFrame(rows, columns=["year", "measure", "carry_forward", "recent_mean"])


def with_naive(table: pd.DataFrame, naive: pd.DataFrame) -> pd.DataFrame:
    """The comparison table with the naive forecasts and their errors beside the model's:
    ``carry_forward``, ``recent_mean`` and ``*_pct_error`` (forecast - observed, % of observed)."""
    merged = table.merge(naive, on=["year", "measure"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in ("carry_forward", "recent_mean"):
            merged[f"{column}_pct_error"] = np.where(
                merged["observed"] != 0,
                100 * (merged[column] - merged["observed"]) / merged["observed"],
                np.nan,
            )
    return merged


def error_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error by measure and horizon (years after the origin) of the
    model and of the naive forecasts, pooled over the origins (and authorities) in `table`,
    with the model's band coverage. `table` needs ``horizon``."""
    rows = []
    for (measure, horizon), group in table.groupby(["measure", "horizon"]):
        row = {"measure": measure, "horizon": int(horizon), "cells": len(group)}
        row["model_mape"] = float(group["pct_error"].abs().mean())
        for column in ("carry_forward", "recent_mean"):
            if f"{column}_pct_error" in group:
                row[f"{column}_mape"] = float(group[f"{column}_pct_error"].abs().mean())
        row["in_band"] = float(group["inside"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def format_errors(summary: pd.DataFrame) -> str:
    """Plain text of `error_summary`: one line per measure and horizon."""
    header = ["indicator", "years on", "cells", "model", "carried", "mean", "in band"]
    rows = [["", "", "", "MAPE %", "forward", "last 3", ""]]  # the header's second line
    for row in summary.sort_values(["measure", "horizon"]).itertuples():
        rows.append(
            [
                str(row.measure),
                str(row.horizon),
                str(row.cells),
                f"{row.model_mape:.1f}",
                f"{row.carry_forward_mape:.1f}",
                f"{row.recent_mean_mape:.1f}",
                f"{100 * row.in_band:.0f}%",
            ]
        )
    return text_table(header, rows)


def backtest_origin(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    template: Mapping[str, Any],
    start: pd.Timestamp,
    train_end: pd.Timestamp,
    test_end: pd.Timestamp,
    *,
    replications: int,
    seed: int,
    jobs: int | None = 1,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
    quiet: bool = True,
    progress_file: TextIO | None = None,
) -> tuple[pd.DataFrame, Calibration]:
    """One origin of the backtest: (comparison table with the naive forecasts, calibration)."""
    origin = pd.Timestamp(train_end).year
    years = list(range(origin + 1, pd.Timestamp(test_end).year + 1))
    calibration = calibrate(
        episodes,
        header,
        template,
        start,
        train_end,
        name="backtest",
        census_file="<in memory>",
        uasc=uasc,
        exclude_uasc=exclude_uasc,
        horizon_years=len(years),
    )
    bands = simulate_bands(
        calibration.scenario(),
        replications,
        seed,
        jobs,
        quiet,
        progress_file,
        uncertainty=calibration.uncertainty,
    )
    clean, head = cleaned_without(episodes, header, uasc, exclude_uasc)
    first = pd.Timestamp(start).year + (1 if pd.Timestamp(start).month >= 4 else 0)
    observed = observed_indicators(clean, head, list(range(first, years[-1] + 1)))
    table = compare_with_observed(bands, observed[observed["year"].isin(years)])
    table = with_naive(table, naive_forecasts(observed, origin, years))
    table.insert(0, "origin", origin)
    table.insert(2, "horizon", table["year"] - origin)
    return table, calibration


def run_backtest(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    template: Mapping[str, Any],
    start: pd.Timestamp,
    train_end: pd.Timestamp | Sequence[pd.Timestamp],
    test_end: pd.Timestamp | Sequence[pd.Timestamp],
    *,
    replications: int,
    seed: int,
    jobs: int | None = 1,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
    quiet: bool = True,
    progress_file: TextIO | None = None,
) -> pd.DataFrame:
    """Calibrate up to train_end, simulate to test_end from that day's census, compare (with
    the naive forecasts beside the model). Several `train_end` dates (rolling origin) give
    one table with an ``origin`` column per cut (with as many `test_end` dates, or one)."""
    ends = [train_end] if isinstance(train_end, (pd.Timestamp, str)) else list(train_end)
    tests = [test_end] if isinstance(test_end, (pd.Timestamp, str)) else list(test_end)
    if len(tests) == 1:
        tests = tests * len(ends)
    tables = [
        backtest_origin(
            episodes,
            header,
            template,
            start,
            end,
            test,
            replications=replications,
            seed=seed,
            jobs=jobs,
            uasc=uasc,
            exclude_uasc=exclude_uasc,
            quiet=quiet,
            progress_file=progress_file,
        )[0]
        for end, test in zip(ends, tests, strict=True)
    ]
    return pd.concat(tables, ignore_index=True)
