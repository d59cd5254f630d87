"""Backtest: calibrate on the data up to a date, simulate forward from the census that day, and
compare the simulated indicators (mean and 95% prediction band over replications) with the
observed ones, year by year.

The prediction band is the 2.5% to 97.5% quantiles over replications. Each replication draws
its own entry rate around the calibrated one with the rate's standard error (Poisson, allowing
for over-dispersion), so the band holds the chief uncertainty of the calibration as well as
the system's own chance; other parameters' estimation error is not in it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sufficiency_sim.indicators import compute_indicators

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
    """A plain-text table: one line per indicator and year."""
    lines = [
        f"{'indicator':<22} {'year':>5} {'observed':>9} {'simulated':>9} "
        f"{'95% band':>17} {'in band':>7} {'error':>8}"
    ]
    for row in table.sort_values(["measure", "year"]).itertuples():
        band = f"[{row.lower:.1f}, {row.upper:.1f}]"
        lines.append(
            f"{row.measure:<22} {row.year:>5} {row.observed:>9.1f} {row.mean:>9.1f} "
            f"{band:>17} {'yes' if row.inside else 'NO':>7} {row.error:>+8.1f}"
        )
    lines.append(
        f"observed value in the 95% band in {table['inside'].sum()} of {len(table)} "
        f"year-indicator cells ({100 * coverage(table):.0f}%)"
    )
    return "\n".join(lines)


def entry_rate_cv(entries_by_year: pd.DataFrame) -> float:
    """Relative standard error of the calibrated entry rate: yearly starts are Poisson, allowing
    for over-dispersion (sibling groups, surges) estimated from the years' own spread."""
    per_year = entries_by_year.groupby("year")["starts"].sum().to_numpy(dtype=float)
    total = float(per_year.sum())
    if total <= 0:
        return 0.0
    dispersion = 1.0
    if len(per_year) >= 3 and per_year.mean() > 0:
        dispersion = max(1.0, float(per_year.var(ddof=1) / per_year.mean()))
    return float(np.sqrt(dispersion / total))


def simulate_bands(
    scenario,
    replications: int,
    seed: int,
    jobs: int | None = 1,
    quiet: bool = True,
    file=None,
    rate_cv: float = 0.0,
) -> pd.DataFrame:
    """Run a scenario and return its prediction bands for BACKTEST_MEASURES.

    With `rate_cv` > 0 each replication draws its own entry rate (lognormal around the
    scenario's, with that relative standard error), so the band holds the uncertainty of the
    calibrated rate as well as the system's own chance."""
    from tqdm import tqdm

    from sufficiency_sim.executors import make_executor
    from sufficiency_sim.experiment import Task, run_task

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(903,)))
    factors = np.exp(rng.normal(-(rate_cv**2) / 2, rate_cv, replications)) if rate_cv else None
    tasks = []
    for replication in range(replications):
        sc = scenario
        if factors is not None:
            rate = scenario.entries.rate_per_year * float(factors[replication])
            entries = scenario.entries.model_copy(update={"rate_per_year": rate})
            sc = scenario.model_copy(update={"entries": entries})
        tasks.append(Task("backtest", sc, seed, replication))
    frames = []
    executor = make_executor(jobs or 0)
    with tqdm(total=replications, unit="rep", disable=quiet or None, file=file) as bar:
        for _, result in executor.map_unordered(run_task, tasks):
            frames.append(result.results.assign(replication=result.replication))
            bar.update(1)
    return prediction_bands(pd.concat(frames, ignore_index=True), BACKTEST_MEASURES)


def cleaned_without(episodes, header, uasc, exclude_uasc: bool):
    """The cleaned frames the observed indicators are computed from, without UASC children when
    they are excluded from the calibration."""
    from sufficiency_sim.calibration.prepare import uasc_children
    from sufficiency_sim.ssda903.clean import clean_episodes, clean_header

    clean, _ = clean_episodes(episodes)
    head, _ = clean_header(header)
    if exclude_uasc and uasc is not None:
        children = uasc_children(uasc)
        clean = clean[~clean["CHILD"].isin(children)]
        head = head[~head["CHILD"].isin(children)]
    return clean, head


def run_backtest(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    template,
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
    progress_file=None,
) -> pd.DataFrame:
    """Calibrate up to train_end, simulate to test_end from that day's census, compare."""
    from sufficiency_sim.calibration.pipeline import calibrate

    years = list(range(pd.Timestamp(train_end).year + 1, pd.Timestamp(test_end).year + 1))
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
    cv = entry_rate_cv(calibration.estimates.diagnostics["entries_by_year"])
    bands = simulate_bands(
        calibration.scenario(), replications, seed, jobs, quiet, progress_file, rate_cv=cv
    )
    clean, head = cleaned_without(episodes, header, uasc, exclude_uasc)
    return compare_with_observed(bands, observed_indicators(clean, head, years))
