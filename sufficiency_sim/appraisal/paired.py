"""Levels and paired differences of a tidy results frame.

The results frame has columns `scenario`, `replication`, `year`, then one column per measure.
Every scenario is run on the same replications with the same seed (common random numbers), so
the difference of an option from the baseline is estimated from per-replication differences
(a paired t interval); the unpaired (Welch) interval is given beside it for comparison. See
`sufficiency_sim.appraisal.statistics` for the conventions (years, whole horizon).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sufficiency_sim.measure.intervals import bounded, t_half_width

KEYS: tuple[str, ...] = ("scenario", "replication", "year")
FLOW_MEASURES: frozenset[str] = frozenset(
    {
        "starts",
        "ceased",
        "placements_started",
        "placement_moves",
        "unplanned_endings",
        "cost_gbp",
        "out_of_area_child_years",
    }
)
"""Measures summed over the horizon; every other measure is averaged over the years."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "pct_out_of_area",
        "pct_over_20_miles",
        "pct_3plus_placements",
        "placement_moves",
        "unplanned_endings",
        "bridging_31_march",
        "mean_days_bridging",
        "out_of_area_child_years",
        "cost_gbp",
    }
)
HIGHER_IS_BETTER: frozenset[str] = frozenset({"pct_long_term_stable", "pct_1_placement"})
"""Measures with a better direction; the rest (counts by placement type, occupancy, children
in care) are neither better nor worse in themselves."""


def better_direction(measure: str) -> str | None:
    """ "lower" or "higher" when that is better for the measure, else None."""
    if measure in LOWER_IS_BETTER:
        return "lower"
    if measure in HIGHER_IS_BETTER:
        return "higher"
    return None


YEAR = "year"
HORIZON = "horizon"
_HORIZON_SENTINEL = 0  # internal year number of the whole-horizon rows


def year_label(year: int) -> str:
    """The financial year ending 31 March `year`, e.g. 2020 -> "2019-20"."""
    return f"{year - 1}-{str(year)[-2:]}"


def horizon_rule(measure: str) -> str:
    """How a measure is combined over the horizon: "sum" (flows, cost) or "mean" (the rest)."""
    return "sum" if measure in FLOW_MEASURES else "mean"


def measure_columns(results: pd.DataFrame) -> list[str]:
    """The measure columns of a results frame (everything but scenario, replication, year)."""
    return [column for column in results.columns if column not in KEYS]


def scenario_order(results: pd.DataFrame) -> list[str]:
    """Scenario names in the order they first appear."""
    return list(dict.fromkeys(results["scenario"]))


def horizon_values(results: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and replication: each measure combined over all reported years
    (summed for flows and cost, averaged for the rest; blanks are skipped)."""
    measures = measure_columns(results)
    numeric = results[measures].apply(pd.to_numeric, errors="coerce")
    frame = pd.concat([results[["scenario", "replication"]], numeric], axis=1)
    grouped = frame.groupby(["scenario", "replication"], sort=False)
    sums = [m for m in measures if horizon_rule(m) == "sum"]
    means = [m for m in measures if horizon_rule(m) == "mean"]
    combined = pd.concat([grouped[sums].sum(min_count=1), grouped[means].mean()], axis=1)
    return combined[measures].reset_index()


def _long(results: pd.DataFrame) -> pd.DataFrame:
    """Tidy long values, yearly and whole-horizon: scenario, replication, year (0 for the
    horizon), measure, value."""
    measures = measure_columns(results)
    yearly = results[["scenario", "replication", "year", *measures]].copy()
    yearly[measures] = yearly[measures].apply(pd.to_numeric, errors="coerce")
    horizon = horizon_values(results)
    horizon.insert(2, "year", _HORIZON_SENTINEL)
    both = pd.concat([yearly, horizon], ignore_index=True)
    both["year"] = both["year"].astype("int64")
    long = both.melt(
        id_vars=["scenario", "replication", "year"], var_name="measure", value_name="value"
    )
    long["value"] = long["value"].astype(float)
    return long


def welch_half_width(
    var_a: np.ndarray,
    n_a: np.ndarray,
    var_b: np.ndarray,
    n_b: np.ndarray,
    confidence: float = 0.95,
) -> np.ndarray:
    """Half-width of the Welch (unpaired, unequal variances) interval of mean(a) - mean(b)."""
    var_a, var_b = np.asarray(var_a, dtype=float), np.asarray(var_b, dtype=float)
    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        va, vb = var_a / n_a, var_b / n_b
        se = np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
        half = stats.t.ppf(0.5 + confidence / 2, df) * se
    enough = (n_a > 1) & (n_b > 1)
    return np.where(enough & (se == 0), 0.0, np.where(enough, half, np.nan))


def _finish(table: pd.DataFrame, order: dict[str, int], scenarios: Sequence[str]) -> pd.DataFrame:
    """Turn the internal year into period/year columns and sort rows sensibly."""
    table = table.copy()
    is_horizon = table["year"].eq(_HORIZON_SENTINEL)
    table.insert(1, "period", np.where(is_horizon, HORIZON, YEAR))
    table["year"] = table["year"].astype("Int64").mask(is_horizon)
    table.insert(4, "horizon_rule", table["measure"].map(horizon_rule))
    rank = {name: i for i, name in enumerate(scenarios)}
    first = "option" if "option" in table.columns else "scenario"
    table["_s"] = table[first].map(rank)
    table["_p"] = is_horizon.astype(int)
    table["_m"] = table["measure"].map(order)
    table = table.sort_values(["_s", "_p", "year", "_m"], kind="stable")
    return table.drop(columns=["_s", "_p", "_m"]).reset_index(drop=True)


def level_summary(results: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Each scenario's mean and t-based CI truncated to the measure's possible range
    (`intervals.bounds`), by year and over the whole horizon (tidy: scenario, period, year,
    measure, horizon_rule, n, mean, lower, upper, half_width of the untruncated t interval)."""
    long = _long(results)
    grouped = long.groupby(["scenario", "year", "measure"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    half = t_half_width(table["sd"].to_numpy(), table["n"].to_numpy(), confidence)
    table["lower"], table["upper"] = bounded(
        table["measure"], table["mean"] - half, table["mean"] + half
    )
    table["half_width"] = half  # of the t interval before truncation (for precision targets)
    table = table.drop(columns="sd")
    order = {m: i for i, m in enumerate(measure_columns(results))}
    return _finish(table, order, scenario_order(results))


def paired_differences(
    results: pd.DataFrame, baseline: str, confidence: float = 0.95
) -> pd.DataFrame:
    """For every option (each scenario but `baseline`), year and measure, and over the whole
    horizon: the option and baseline means, the mean paired difference (option - baseline)
    with its t interval from the per-replication differences, and the Welch (unpaired)
    interval of the difference of means for comparison.

    Columns: option, period ("year" or "horizon"), year (blank for the horizon), measure,
    horizon_rule ("sum" or "mean"), n (replications with both values), option_mean,
    baseline_mean, difference, paired_lower, paired_upper, paired_half_width, unpaired_lower,
    unpaired_upper, unpaired_half_width.
    """
    scenarios = scenario_order(results)
    if baseline not in scenarios:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios {scenarios}")
    long = _long(results)
    keys = ["replication", "year", "measure"]
    base = long[long["scenario"].eq(baseline)].drop(columns="scenario")
    base = base.rename(columns={"value": "base"})
    options = long[~long["scenario"].eq(baseline)].rename(columns={"scenario": "option"})
    merged = options.merge(base, on=keys, how="left")
    merged["diff"] = merged["value"] - merged["base"]
    grouped = merged.groupby(["option", "year", "measure"], sort=False)
    table = grouped.agg(
        n=("diff", "count"),
        option_mean=("value", "mean"),
        option_var=("value", "var"),
        option_n=("value", "count"),
        baseline_mean=("base", "mean"),
        baseline_var=("base", "var"),
        baseline_n=("base", "count"),
        difference=("diff", "mean"),
        diff_sd=("diff", "std"),
    ).reset_index()
    paired = t_half_width(table["diff_sd"].to_numpy(), table["n"].to_numpy(), confidence)
    welch = welch_half_width(
        table["option_var"].to_numpy(),
        table["option_n"].to_numpy(),
        table["baseline_var"].to_numpy(),
        table["baseline_n"].to_numpy(),
        confidence,
    )
    unpaired_centre = table["option_mean"] - table["baseline_mean"]
    table["paired_lower"] = table["difference"] - paired
    table["paired_upper"] = table["difference"] + paired
    table["paired_half_width"] = paired
    table["unpaired_lower"] = unpaired_centre - welch
    table["unpaired_upper"] = unpaired_centre + welch
    table["unpaired_half_width"] = welch
    table = table.drop(columns=["option_var", "option_n", "baseline_var", "baseline_n", "diff_sd"])
    order = {m: i for i, m in enumerate(measure_columns(results))}
    return _finish(table, order, scenarios)
