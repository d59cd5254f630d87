"""The number tables of the HTML report: the summary tables (key indicators over the whole
horizon and in the final year, costs against the baseline) and the table of every measure,
with the same cells as appraisal.md (`report.markdown`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sufficiency_sim.appraisal.statistics import Appraisal, horizon_rule, year_label
from sufficiency_sim.report.blocks import table
from sufficiency_sim.report.markdown import (
    FINAL_YEAR_COLUMNS,
    HORIZON_COLUMNS,
    Column,
    cost_cells,
    difference_cell,
    format_number,
    level_cell,
    ratio_cell,
    rows_by_name,
)


def _indicator_rows(appraisal: Appraisal, columns: Sequence[Column], year: int | None) -> list:
    """A row per scenario: the baseline's levels, then each option's level and difference."""
    levels = rows_by_name(appraisal.levels, "scenario", year)
    diffs = rows_by_name(appraisal.differences, "option", year)
    rows = []
    for name in appraisal.scenarios:
        if name == appraisal.baseline:
            cells = [f"{name} (baseline)"]
            cells += [level_cell(levels.get((name, c.measure)), c) for c in columns]
        else:
            cells = [name]
            cells += [_two_lines(difference_cell(diffs.get((name, c.measure)), c)) for c in columns]
        rows.append(cells)
    return rows


def _two_lines(cell: str) -> str:
    """An option cell of the appraisal ("level; difference [CI]") on two lines."""
    return cell.replace("; ", "\n", 1)


def summary_tables(appraisal: Appraisal) -> list[dict]:
    """The committee tables: key indicators over the whole horizon and in the final year, and
    the costs against the baseline when there are options."""
    first, last = appraisal.years[0], appraisal.years[-1]
    tables = [
        table(
            ["Scenario", *(c.heading for c in HORIZON_COLUMNS)],
            _indicator_rows(appraisal, HORIZON_COLUMNS, None),
            f"Key indicators over the whole horizon, {year_label(first)} to {year_label(last)}",
            "numbers",
        ),
        table(
            ["Scenario", *(c.heading for c in FINAL_YEAR_COLUMNS)],
            _indicator_rows(appraisal, FINAL_YEAR_COLUMNS, last),
            f"Key indicators in the final year, {year_label(last)}",
            "numbers",
        ),
    ]
    cost_rows = []
    for cost in appraisal.costs.to_dict("records"):
        npv_cell, payback_cell, per_year_cell = cost_cells(cost)
        cost_rows.append(
            [
                cost["option"],
                format_number(cost["total_cost_gbp"] / 1e6, 1),
                format_number(cost["cost_difference_gbp"] / 1e6, 2, sign=True),
                npv_cell,
                payback_cell,
                per_year_cell,
                ratio_cell(cost, "unplanned_ending"),
            ]
        )
    if cost_rows:
        base_total = appraisal.costs["baseline_total_cost_gbp"].iloc[0] / 1e6
        tables.append(
            table(
                [
                    "Option",
                    "Total cost (£m)",
                    "Cost difference (£m)",
                    "NPV of cost difference (£m) [95% CI]",
                    "Payback (discounted)",
                    "Cost per out-of-area child-year avoided (£k) [95% CI]",
                    "Cost per unplanned ending avoided (£k) [95% CI]",
                ],
                cost_rows,
                f"Costs over the whole horizon against the baseline (baseline total "
                f"£{base_total:.1f}m); NPV at {appraisal.discount_rate:.1%} a year",
                "numbers",
            )
        )
    return tables


def all_measures_table(appraisal: Appraisal, labels: Mapping[str, str]) -> dict:
    """Every measure of the appraisal over the whole horizon (a row each, labelled with
    `labels`): the baseline's level and each option's level and difference."""
    measures = list(dict.fromkeys(appraisal.levels["measure"]))
    columns = [
        Column(m, labels.get(m, m), 1e6, 2) if m == "cost_gbp" else Column(m, labels.get(m, m))
        for m in measures
    ]
    levels = rows_by_name(appraisal.levels, "scenario", None)
    diffs = rows_by_name(appraisal.differences, "option", None)
    rows = []
    for column in columns:
        label = column.heading
        if column.measure == "cost_gbp":
            label = "Cost (£m)"
        rule = "total" if horizon_rule(column.measure) == "sum" else "mean of years"
        cells = [f"{label} ({rule})"]
        for name in appraisal.scenarios:
            if name == appraisal.baseline:
                cells.append(level_cell(levels.get((name, column.measure)), column))
            else:
                cells.append(_two_lines(difference_cell(diffs.get((name, column.measure)), column)))
        rows.append(cells)
    header = ["Measure"] + [
        f"{n} (baseline)" if n == appraisal.baseline else n for n in appraisal.scenarios
    ]
    return table(header, rows, "Every measure over the whole horizon", "numbers small")
