"""The appraisal as a whole: levels, paired differences and costs of every option, and the
tidy long table of `appraisal.csv`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sufficiency_sim.appraisal.paired import (
    HORIZON,
    level_summary,
    paired_differences,
    scenario_order,
)
from sufficiency_sim.appraisal.value import GREEN_BOOK_RATE, cost_appraisal

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
