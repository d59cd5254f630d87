"""Options appraisal: paired differences from a baseline, costs, NPV, payback and precision.

Pure pandas/NumPy/SciPy on a tidy results frame (columns `scenario`, `replication`, `year`,
then one column per measure); nothing here knows about the model.

Every scenario is run on the same replication numbers with the same seed (common random
numbers), so an option and the baseline see the same children with the same luck and the
difference is estimated from the per-replication differences (a paired t interval). The
unpaired (Welch) interval, which ignores the pairing, is given beside it for comparison.

Conventions
-----------
- A *year* is a financial (collection) year labelled by the year in which it ends on 31 March.
- *Whole horizon*: flows (starts, endings, moves, cost, out-of-area child-years) are summed
  over the reported years; stocks on 31 March, percentages and mean lengths are averaged over
  the years (a sum of 31 March counts means nothing). The `horizon_rule` column says which.
- Differences are option minus baseline: a negative cost difference is a saving.
- Net present value (NPV) of the cost difference discounts financial year t (t = 0 for the first
  reported year) by (1 + r)^-t, r = 3.5% a year by default (HM Treasury Green Book). One-off
  and recurring option costs are already inside `cost_gbp` in the year they fall.
- Payback is *discounted*: the first financial year from which the cumulative discounted saving
  against the baseline (baseline cost minus option cost) is non-negative and stays so to the end
  of the horizon. An option that never costs more, cumulatively, has "no net extra cost"; one
  whose cumulative saving is still negative in the final year has "not within horizon".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sufficiency_sim.measure.intervals import bounded, t_half_width

KEYS: tuple[str, ...] = ("scenario", "replication", "year")
GREEN_BOOK_RATE = 0.035
"""HM Treasury Green Book social time preference rate (3.5% a year for the first 30 years)."""

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
_PAYBACK_TOLERANCE_GBP = 0.5  # cumulative savings within 50p of zero count as zero

NO_EXTRA_COST = "no net extra cost"
NOT_WITHIN_HORIZON = "not within horizon"


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


# ---------------------------------------------------------------------------------------------
# Costs


def discount_factors(years: Sequence[int], rate: float = GREEN_BOOK_RATE) -> np.ndarray:
    """(1 + rate)^-t for each year, t = years since the first (year 0 is the first year)."""
    years = np.asarray(sorted(years), dtype=float)
    return (1.0 + rate) ** -(years - years[0])


def npv(values_by_year: Sequence[float], rate: float = GREEN_BOOK_RATE) -> float:
    """Net present value of consecutive yearly values, the first year undiscounted."""
    values = np.asarray(values_by_year, dtype=float)
    return float(values @ ((1.0 + rate) ** -np.arange(len(values))))


def payback(cumulative_saving: Sequence[float], years: Sequence[int]) -> tuple[int | None, str]:
    """The payback year from a cumulative saving path (one value per year, in order).

    Returns (year, label): the first year from which the cumulative saving is non-negative
    and stays so to the end; (None, "no net extra cost") if it is never negative; (None,
    "not within horizon") if it is still negative in the final year.
    """
    saving = np.asarray(cumulative_saving, dtype=float)
    negative = np.flatnonzero(saving < -_PAYBACK_TOLERANCE_GBP)
    if negative.size == 0:
        return None, NO_EXTRA_COST
    last = int(negative[-1])
    if last == len(saving) - 1:
        return None, NOT_WITHIN_HORIZON
    year = int(years[last + 1])
    return year, year_label(year)


def _per_replication(results: pd.DataFrame, measure: str) -> pd.DataFrame:
    """A measure as a (scenario, replication) x year table."""
    table = results.pivot_table(
        index=["scenario", "replication"], columns="year", values=measure, aggfunc="first"
    )
    return table.sort_index(axis=1).astype(float)


def cost_appraisal(
    results: pd.DataFrame,
    baseline: str,
    discount_rate: float = GREEN_BOOK_RATE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per option against the baseline: total cost, cost difference, NPV of the cost difference
    (with its paired CI), discounted payback year, the share of replications that pay back
    within the horizon, and the cost per out-of-area child-year avoided and per unplanned
    placement ending avoided (undiscounted horizon cost difference divided by the number avoided,
    with a percentile bootstrap interval; blank unless the number avoided is measurably above
    zero; negative when the option saves money as well).
    """
    scenarios = scenario_order(results)
    cost = _per_replication(results, "cost_gbp")
    years = [int(y) for y in cost.columns]
    factors = discount_factors(years, discount_rate)
    horizon = horizon_values(results).set_index(["scenario", "replication"])
    base_cost = cost.loc[baseline]
    rows = []
    for option in scenarios:
        if option == baseline:
            continue
        diff = (cost.loc[option] - base_cost).dropna()
        per_rep_npv = diff.to_numpy() @ factors
        n = len(per_rep_npv)
        half = float(t_half_width(np.std(per_rep_npv, ddof=1) if n > 1 else 0.0, n, confidence))
        mean_path = diff.mean(axis=0).to_numpy()
        year, label = payback(-np.cumsum(mean_path * factors), years)
        per_rep = [payback(-np.cumsum(row * factors), years)[1] for row in diff.to_numpy()]
        paid = sum(p != NOT_WITHIN_HORIZON for p in per_rep) / n if n else math.nan
        total_diff = float(diff.sum(axis=1).mean())
        rows.append(
            {
                "option": option,
                "n": n,
                "total_cost_gbp": float(cost.loc[option].sum(axis=1).mean()),
                "baseline_total_cost_gbp": float(base_cost.sum(axis=1).mean()),
                "cost_difference_gbp": total_diff,
                "npv_cost_difference_gbp": float(per_rep_npv.mean()) if n else math.nan,
                "npv_lower": float(per_rep_npv.mean() - half) if n else math.nan,
                "npv_upper": float(per_rep_npv.mean() + half) if n else math.nan,
                "discount_rate": discount_rate,
                "payback_year": year,
                "payback": label,
                "payback_share": paid,
                **_per_avoided(horizon, option, baseline, total_diff, diff.sum(axis=1), confidence),
            }
        )
    table = pd.DataFrame(rows)
    if not table.empty:
        table["payback_year"] = table["payback_year"].astype("Int64")
    return table


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20190401


def ratio_interval(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(numerator) / mean(denominator), resampling the
    replications in pairs (a fixed seed, so the same results give the same interval)."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    n = len(numerator)
    if n < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = numerator[picks].mean(axis=1) / denominator[picks].mean(axis=1)
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size == 0:
        return math.nan, math.nan
    tail = (1 - confidence) / 2
    return float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail))


def _per_avoided(
    horizon: pd.DataFrame,
    option: str,
    baseline: str,
    cost_difference: float,
    cost_by_rep: pd.Series | None = None,
    confidence: float = 0.95,
) -> dict[str, float]:
    """Out-of-area child-years and unplanned endings avoided, and the cost of each avoided
    with its bootstrap interval. The cost per outcome avoided is given only when the number
    avoided is measurably above zero (its paired interval excludes zero); otherwise the ratio
    has no meaning (its denominator may be zero or negative) and is left blank."""
    out = {}
    for measure, stem in (
        ("out_of_area_child_years", "out_of_area_year"),
        ("unplanned_endings", "unplanned_ending"),
    ):
        ratio = lower = upper = math.nan
        if measure not in horizon.columns:
            avoided = math.nan
        else:
            paired = (horizon.loc[baseline, measure] - horizon.loc[option, measure]).dropna()
            avoided = float(paired.mean()) if len(paired) else math.nan
            sd = float(paired.std(ddof=1)) if len(paired) > 1 else 0.0
            half = float(t_half_width(sd, len(paired), confidence)) if len(paired) else math.nan
            if avoided > 0 and (pd.isna(half) or avoided - half > 0):
                ratio = cost_difference / avoided
                if cost_by_rep is not None:
                    both = pd.concat([cost_by_rep.rename("c"), paired.rename("a")], axis=1)
                    both = both.dropna()
                    lower, upper = ratio_interval(both["c"].to_numpy(), both["a"].to_numpy())
        out[f"{stem}s_avoided"] = avoided
        out[f"cost_per_{stem}_avoided_gbp"] = ratio
        out[f"cost_per_{stem}_avoided_lower_gbp"] = lower
        out[f"cost_per_{stem}_avoided_upper_gbp"] = upper
    return out


# ---------------------------------------------------------------------------------------------
# The appraisal as a whole


@dataclass
class Appraisal:
    """Everything the appraisal outputs need: levels, paired differences and costs."""

    baseline: str
    scenarios: list[str]
    years: list[int]
    replications: int
    seed: int | None
    discount_rate: float
    confidence: float
    levels: pd.DataFrame
    differences: pd.DataFrame
    costs: pd.DataFrame


def appraise(
    results: pd.DataFrame,
    baseline: str,
    seed: int | None = None,
    discount_rate: float = GREEN_BOOK_RATE,
    confidence: float = 0.95,
) -> Appraisal:
    """Levels, paired differences and cost appraisal of every option against `baseline`."""
    return Appraisal(
        baseline=baseline,
        scenarios=scenario_order(results),
        years=sorted(int(y) for y in results["year"].unique()),
        replications=int(results.groupby("scenario")["replication"].nunique().min()),
        seed=seed,
        discount_rate=discount_rate,
        confidence=confidence,
        levels=level_summary(results, confidence),
        differences=paired_differences(results, baseline, confidence),
        costs=cost_appraisal(results, baseline, discount_rate, confidence),
    )


_COST_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # measure, value column, lower column, upper column
    ("npv_cost_difference_gbp", "npv_cost_difference_gbp", "npv_lower", "npv_upper"),
    ("payback_year", "payback_year", "", ""),
    ("payback_share", "payback_share", "", ""),
    (
        "cost_per_out_of_area_year_avoided_gbp",
        "cost_per_out_of_area_year_avoided_gbp",
        "cost_per_out_of_area_year_avoided_lower_gbp",
        "cost_per_out_of_area_year_avoided_upper_gbp",
    ),
    (
        "cost_per_unplanned_ending_avoided_gbp",
        "cost_per_unplanned_ending_avoided_gbp",
        "cost_per_unplanned_ending_avoided_lower_gbp",
        "cost_per_unplanned_ending_avoided_upper_gbp",
    ),
)


def appraisal_table(appraisal: Appraisal) -> pd.DataFrame:
    """The tidy long table of `appraisal.csv`: one row per option, period, year and measure
    (the paired differences), then the whole-horizon cost rows (NPV of the cost difference at
    `discount_rate` with its paired CI, payback year with its label in `note`, share of
    replications paying back, cost per out-of-area child-year and per unplanned ending avoided).
    """
    table = appraisal.differences.copy()
    table.insert(1, "baseline", appraisal.baseline)
    table["note"] = ""
    rows = []
    for cost in appraisal.costs.to_dict("records"):
        for measure, value, lower, upper in _COST_ROWS:
            note = ""
            if measure == "payback_year":
                note = f"{cost['payback']} (discounted at {appraisal.discount_rate:g})"
            elif measure == "npv_cost_difference_gbp":
                note = f"discount rate {appraisal.discount_rate:g}; year 0 = first year"
            rows.append(
                {
                    "option": cost["option"],
                    "baseline": appraisal.baseline,
                    "period": HORIZON,
                    "measure": measure,
                    "horizon_rule": "",
                    "n": cost["n"],
                    "difference": cost[value],
                    "paired_lower": cost.get(lower, math.nan) if lower else math.nan,
                    "paired_upper": cost.get(upper, math.nan) if upper else math.nan,
                    "note": note,
                }
            )
    extra = pd.DataFrame(rows, columns=table.columns)
    if extra.empty:
        return table
    extra["year"] = extra["year"].astype("Int64")
    out = pd.concat([table, extra], ignore_index=True)
    rank = {name: i for i, name in enumerate(appraisal.scenarios)}
    out = out.sort_values("option", key=lambda s: s.map(rank), kind="stable")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Committee-paper markdown


@dataclass(frozen=True)
class Column:
    """A column of the committee table: a measure, its heading, scale and decimals."""

    measure: str
    heading: str
    scale: float = 1.0
    digits: int = 1


HORIZON_COLUMNS: tuple[Column, ...] = (
    Column("pct_out_of_area", "Placed out of area (%, mean)"),
    Column("pct_3plus_placements", "3+ placements (%, mean)"),
    Column("pct_long_term_stable", "Long-term stability (%, mean)"),
    Column("bridging_31_march", "In bridging at 31 March (mean)"),
    Column("unplanned_endings", "Unplanned endings (total)", digits=0),
    Column("cost_gbp", "Cost (£m, total)", scale=1e6, digits=1),
)
FINAL_YEAR_COLUMNS: tuple[Column, ...] = (
    Column("pct_out_of_area", "Placed out of area (%)"),
    Column("pct_3plus_placements", "3+ placements (%)"),
    Column("pct_long_term_stable", "Long-term stability (%)"),
    Column("bridging_31_march", "In bridging at 31 March"),
    Column("unplanned_endings", "Unplanned endings", digits=0),
    Column("cost_gbp", "Cost (£m)", scale=1e6, digits=2),
)


def format_number(value: float, digits: int, sign: bool = False) -> str:
    """A number to `digits` decimals (with its sign when `sign`), "–" when missing."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace("-", "−")


def level_cell(row: pd.Series | None, column: Column) -> str:
    """A table cell 'mean [lower, upper]' of a level row, scaled as the column says."""
    if row is None or pd.isna(row["mean"]):
        return "–"
    s, d = column.scale, column.digits
    mean = format_number(row["mean"] / s, d)
    if pd.isna(row["lower"]):
        return mean
    return f"{mean} [{format_number(row['lower'] / s, d)}, {format_number(row['upper'] / s, d)}]"


def difference_cell(row: pd.Series | None, column: Column) -> str:
    """A table cell 'option mean; difference [paired interval]' of a difference row."""
    if row is None or pd.isna(row["option_mean"]):
        return "–"
    s, d = column.scale, column.digits
    dd = d + 1 if column.scale != 1 else d
    level = format_number(row["option_mean"] / s, d)
    diff = format_number(row["difference"] / s, dd, sign=True)
    if pd.isna(row["paired_lower"]):
        return f"{level}; {diff}"
    lo, hi = row["paired_lower"], row["paired_upper"]
    star = "*" if lo > 0 or hi < 0 else ""
    interval = f"[{format_number(lo / s, dd, True)}, {format_number(hi / s, dd, True)}]"
    return f"{level}; {diff} {interval}{star}"


def rows_by_name(table: pd.DataFrame, name_column: str, year: int | None) -> dict:
    """The rows of one period (a year, or the whole horizon when None) keyed by name."""
    if year is None:
        rows = table[table["period"].eq(HORIZON)]
    else:
        rows = table[table["period"].eq(YEAR) & table["year"].eq(year)]
    return {(r[name_column], r["measure"]): r for _, r in rows.iterrows()}


def _markdown_rows(rows: list[list[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in body)
    return "\n".join(lines)


def _indicator_table(
    appraisal: Appraisal, columns: Sequence[Column], year: int | None, costs: bool
) -> str:
    levels = rows_by_name(appraisal.levels, "scenario", year)
    diffs = rows_by_name(appraisal.differences, "option", year)
    header = ["Scenario", *(c.heading for c in columns)]
    if costs:
        header += [
            "NPV of cost difference (£m)",
            "Payback (discounted)",
            "Cost per out-of-area child-year avoided (£k)",
        ]
    cost_rows = {r["option"]: r for r in appraisal.costs.to_dict("records")}
    rows = [header]
    for name in appraisal.scenarios:
        if name == appraisal.baseline:
            cells = [f"**{name}** (baseline)"]
            cells += [level_cell(levels.get((name, c.measure)), c) for c in columns]
            cells += ["–", "–", "–"] if costs else []
        else:
            cells = [name]
            cells += [difference_cell(diffs.get((name, c.measure)), c) for c in columns]
            if costs:
                cells += cost_cells(cost_rows.get(name))
        rows.append(cells)
    return _markdown_rows(rows)


def ratio_cell(cost: dict, stem: str, scale: float = 1e3, digits: int = 1) -> str:
    """A cost-per-outcome-avoided cell "x [lo, hi]" (in £k), or "–" when not measurable."""
    value = cost.get(f"cost_per_{stem}_avoided_gbp", math.nan)
    if value is None or pd.isna(value):
        return "–"
    text = format_number(value / scale, digits, sign=True)
    lo = cost.get(f"cost_per_{stem}_avoided_lower_gbp", math.nan)
    hi = cost.get(f"cost_per_{stem}_avoided_upper_gbp", math.nan)
    if lo is None or pd.isna(lo):
        return text
    lo_text, hi_text = (
        format_number(lo / scale, digits, True),
        format_number(hi / scale, digits, True),
    )
    return f"{text} [{lo_text}, {hi_text}]"


def cost_cells(cost: dict | None) -> list[str]:
    """The NPV, payback and cost-per-avoided cells of an option (dashes when missing)."""
    if cost is None:
        return ["–", "–", "–"]
    npv_cell = format_number(cost["npv_cost_difference_gbp"] / 1e6, 2, sign=True)
    if not pd.isna(cost["npv_lower"]):
        lo, hi = cost["npv_lower"] / 1e6, cost["npv_upper"] / 1e6
        star = "*" if lo > 0 or hi < 0 else ""
        npv_cell += f" [{format_number(lo, 2, True)}, {format_number(hi, 2, True)}]{star}"
    share = cost["payback_share"]
    payback_cell = cost["payback"]
    if not pd.isna(share):
        payback_cell += f" ({share:.0%} of runs pay back)"
    return [npv_cell, payback_cell, ratio_cell(cost, "out_of_area_year")]


def appraisal_markdown(
    appraisal: Appraisal, title: str | None = None, scenarios: dict | None = None
) -> str:
    """A committee-paper summary: options as rows, key indicators over the whole horizon and in
    the final year, each option's level with its difference from the baseline and the 95% CI
    of the paired difference; cost, NPV, payback and cost per out-of-area child-year avoided;
    with the replications, seed and discount rate stated. It opens with the headline in plain
    words (`headline.headline_markdown`; `scenarios` maps names to resolved scenario data so
    that each option's changes are described)."""
    from sufficiency_sim.report.headline import headline_markdown

    first, last = appraisal.years[0], appraisal.years[-1]
    pct = f"{appraisal.confidence:.0%}"
    seed = "not stated" if appraisal.seed is None else str(appraisal.seed)
    parts = [
        f"## {title or 'Options appraisal against ' + appraisal.baseline}",
        "",
        headline_markdown(appraisal, scenarios).replace("## In plain words", "### In plain words"),
        f"{appraisal.replications} replications of each scenario on common random numbers "
        f"(seed {seed}); differences are option minus baseline with the {pct} confidence "
        f"interval of the paired difference in [brackets]; * marks an interval that excludes "
        f"zero. Costs are at the scenario files' prices; the NPV discounts each financial year "
        f"to {year_label(first)} at {appraisal.discount_rate:.1%} a year (HM Treasury Green Book).",
        "",
        f"### Whole horizon, {year_label(first)} to {year_label(last)}",
        "",
        _indicator_table(appraisal, HORIZON_COLUMNS, None, costs=True),
        "",
        f"### Final year, {year_label(last)}",
        "",
        _indicator_table(appraisal, FINAL_YEAR_COLUMNS, last, costs=False),
        "",
        "Notes. Baseline cells: mean [95% CI]. Option cells: mean; difference [95% CI]. "
        "Over the whole horizon percentages and children in bridging are means of the yearly "
        "values (31 March), unplanned endings and cost are totals. A negative cost difference "
        "or NPV is a saving. Payback is the first financial year from which the cumulative "
        "discounted saving against the baseline stays non-negative (shown for the mean "
        "path, with the share of replications that pay back within the horizon). Cost per "
        "out-of-area child-year avoided = total cost difference / out-of-area child-years "
        "avoided, with a 95% bootstrap interval; shown only when the child-years avoided are "
        "measurably above zero, negative when the option also saves money. Level intervals are "
        "t intervals truncated to what is possible (0-100% for percentages, at least 0 "
        "otherwise).",
    ]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------
# How many replications: run until the key intervals are narrow enough


@dataclass(frozen=True)
class PrecisionTarget:
    """The widest acceptable CI half-width of one measure over the whole horizon.

    `absolute` is in the measure's units (e.g. 1.0 percentage point); `relative` is a share of
    the mean (the scenario's own mean for levels, the baseline mean for differences). Give one.
    `applies_to` says whether the target is for each scenario's level, for each option's paired
    difference from the baseline, or both.
    """

    measure: str
    absolute: float | None = None
    relative: float | None = None
    applies_to: Literal["level", "difference", "both"] = "both"

    def threshold(self, reference_mean: float) -> float:
        """The half-width allowed given the reference mean."""
        if self.absolute is not None:
            return self.absolute
        if self.relative is not None:
            return self.relative * abs(reference_mean)
        raise ValueError(f"precision target for {self.measure} needs absolute or relative")

    def describe(self) -> str:
        """E.g. "pct_out_of_area ±1 (level, difference)" for reports."""
        size = f"±{self.absolute:g}" if self.absolute is not None else f"±{self.relative:.0%}"
        kinds = "level, difference" if self.applies_to == "both" else self.applies_to
        return f"{self.measure} {size} ({kinds})"


DEFAULT_TARGETS: tuple[PrecisionTarget, ...] = (
    PrecisionTarget("pct_out_of_area", absolute=1.0),
    PrecisionTarget("pct_3plus_placements", absolute=1.0),
    PrecisionTarget("pct_long_term_stable", absolute=1.5),
    PrecisionTarget("cla_31_march", relative=0.02),
    PrecisionTarget("unplanned_endings", relative=0.05),
    PrecisionTarget("cost_gbp", relative=0.05, applies_to="level"),
    PrecisionTarget("cost_gbp", relative=0.02, applies_to="difference"),
)
"""Whole-horizon targets: out-of-area and 3+ placements within ±1 percentage point, long-term
stability ±1.5 points, children looked after ±2% of the mean, unplanned endings ±5%, total cost
±5% (level) and the cost difference ±2% of the baseline's total cost."""


@dataclass
class PrecisionCheck:
    """Whether every target is met, with one row per scenario/option and target."""

    met: bool
    replications: int
    detail: pd.DataFrame

    def worst(self) -> str:
        """The target furthest from being met, for progress messages."""
        if self.detail.empty:
            return ""
        ratio = self.detail["half_width"] / self.detail["threshold"]
        row = self.detail.loc[ratio.fillna(np.inf).idxmax()]
        return (
            f"{row['measure']} {row['kind']} of {row['scenario']}: ±{row['half_width']:.3g} "
            f"(target ±{row['threshold']:.3g})"
        )


def precision_check(
    results: pd.DataFrame,
    baseline: str,
    targets: Sequence[PrecisionTarget] = DEFAULT_TARGETS,
    confidence: float = 0.95,
) -> PrecisionCheck:
    """Whether the whole-horizon CI half-widths of the key measures are within their targets,
    for every scenario's level and every option's paired difference from the baseline.
    A blank half-width (fewer than two replications) is not met; targets for measures that
    are not in the results are skipped."""
    levels = level_summary(results, confidence)
    levels = levels[levels["period"].eq(HORIZON)].set_index(["scenario", "measure"])
    diffs = paired_differences(results, baseline, confidence)
    diffs = diffs[diffs["period"].eq(HORIZON)].set_index(["option", "measure"])
    rows = []
    for target in targets:
        if target.measure not in results.columns:
            continue
        base_mean = levels.loc[(baseline, target.measure), "mean"]
        for name in scenario_order(results):
            if target.applies_to in ("level", "both"):
                level = levels.loc[(name, target.measure)]
                half = level["half_width"]
                rows.append(_check_row(name, target, "level", half, level["mean"]))
            if target.applies_to in ("difference", "both") and name != baseline:
                half = diffs.loc[(name, target.measure), "paired_half_width"]
                rows.append(_check_row(name, target, "difference", half, base_mean))
    detail = pd.DataFrame(
        rows, columns=["scenario", "measure", "kind", "half_width", "threshold", "met"]
    )
    replications = int(results.groupby("scenario")["replication"].nunique().min())
    return PrecisionCheck(bool(detail["met"].all()), replications, detail)


def _check_row(
    name: str, target: PrecisionTarget, kind: str, half: float, reference: float
) -> dict:
    threshold = target.threshold(reference)
    met = bool(not pd.isna(half) and half <= threshold)
    return {
        "scenario": name,
        "measure": target.measure,
        "kind": kind,
        "half_width": float(half),
        "threshold": float(threshold),
        "met": met,
    }


@dataclass
class AutoResult:
    """The results of a `--replications auto` run and how it stopped."""

    results: pd.DataFrame
    replications: int
    check: PrecisionCheck
    history: list[tuple[int, bool]] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """Whether the precision targets were met (False: stopped at the maximum)."""
        return self.check.met


def run_until_precise(
    run_batch: Callable[[Sequence[int]], pd.DataFrame],
    baseline: str,
    targets: Sequence[PrecisionTarget] = DEFAULT_TARGETS,
    batch: int = 10,
    maximum: int = 200,
    confidence: float = 0.95,
    on_check: Callable[[PrecisionCheck], None] | None = None,
) -> AutoResult:
    """Add batches of replications until every precision target is met, or `maximum` is reached.

    `run_batch(numbers)` returns the tidy results of all scenarios for those replication
    numbers (0..batch-1 first, then batch..2*batch-1, ...), so the same seed always stops at the
    same count. The first check is after the first batch (at least two replications).
    """
    if batch < 1 or maximum < 2:
        raise ValueError("batch must be at least 1 and maximum at least 2")
    parts: list[pd.DataFrame] = []
    done = 0
    history: list[tuple[int, bool]] = []
    while True:
        size = min(max(batch, 2 - done), maximum - done)
        parts.append(run_batch(range(done, done + size)))
        done += size
        results = _sorted(pd.concat(parts, ignore_index=True))
        check = precision_check(results, baseline, targets, confidence)
        history.append((done, check.met))
        if on_check is not None:
            on_check(check)
        if check.met or done >= maximum:
            return AutoResult(results, done, check, history)


def _sorted(results: pd.DataFrame) -> pd.DataFrame:
    """Results in scenario (first-seen), replication, year order."""
    rank = {name: i for i, name in enumerate(scenario_order(results))}
    order = results.assign(_s=results["scenario"].map(rank))
    order = order.sort_values(["_s", "replication", "year"], kind="stable")
    return order.drop(columns="_s").reset_index(drop=True)
