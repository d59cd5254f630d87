"""Value for money: discounting, NPV, payback and cost per outcome avoided.

NPV discounts financial year t (t = 0 for the first reported year) by (1 + r)^-t, r = 3.5% a
year by default (HM Treasury Green Book). Payback is discounted: see
`sufficiency_sim.appraisal.statistics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sufficiency_sim.appraisal.paired import horizon_values, scenario_order, year_label
from sufficiency_sim.measure.intervals import t_half_width

GREEN_BOOK_RATE = 0.035
"""HM Treasury Green Book social time preference rate (3.5% a year for the first 30 years)."""
_PAYBACK_TOLERANCE_GBP = 0.5  # cumulative savings within 50p of zero count as zero

NO_EXTRA_COST = "no net extra cost"
NOT_WITHIN_HORIZON = "not within horizon"


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
