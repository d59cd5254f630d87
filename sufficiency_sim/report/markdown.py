"""The committee-paper markdown of an appraisal (`appraisal.md`), and the table cells it shares
with the terminal and HTML reports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sufficiency_sim.appraisal.appraise import Appraisal
from sufficiency_sim.appraisal.paired import HORIZON, YEAR, year_label
from sufficiency_sim.report.headline import headline_markdown
from sufficiency_sim.tables import markdown_table


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
    rows = []
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
    return markdown_table(header, rows)


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
