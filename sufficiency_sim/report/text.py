"""Tables for the terminal: drawn with rich when standard output is a terminal (they wrap to
its width), plain aligned text when it is piped or redirected (for files and other tools).
Every interval is written one way: `mean [lower, upper]`."""

from __future__ import annotations

import math
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TextIO

import pandas as pd
from rich.console import Console
from rich.table import Table

from sufficiency_sim.appraisal.statistics import HORIZON, Appraisal, year_label
from sufficiency_sim.experiment.runner import RESULT_COLUMNS
from sufficiency_sim.report.headline import headline_intro, headlines, interval_text
from sufficiency_sim.report.labels import LABELS
from sufficiency_sim.report.markdown import (
    HORIZON_COLUMNS,
    Column,
    format_number,
    ratio_cell,
    rows_by_name,
)
from sufficiency_sim.tables import text_table

__all__ = [
    "LABELS",
    "comparison_blocks",
    "show_comparison",
    "show_summary",
    "show_table",
    "summary_table",
    "sweep_summary",
]


def _cell(mean: float, lower: float, upper: float, scale: float) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    mean, lower, upper = mean / scale, lower / scale, upper / scale
    digits = 2 if scale != 1 else 1
    if math.isnan(lower):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{lower:.{digits}f}, {upper:.{digits}f}]"


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (standard output by default) is an interactive terminal."""
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def terminal_width(default: int = 100) -> int:
    """Columns of the terminal (COLUMNS if set), or `default` when there is none."""
    return shutil.get_terminal_size((default, 24)).columns


def show_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str = "",
    stream: TextIO | None = None,
) -> None:
    """Print a table: with rich on a terminal (wrapping to its width), else plain aligned text
    with a rule under the header (`tables.text_table`)."""
    stream = stream or sys.stdout
    if is_terminal(stream):
        table = Table(title=title or None, title_justify="left", show_lines=False)
        for i, heading in enumerate(header):
            table.add_column(str(heading), justify="left" if i == 0 else "right")
        for cells in rows:
            table.add_row(*(str(c) for c in cells))
        Console(file=stream).print(table)
    else:
        stream.write(text_table(header, rows, rule=True, title=title) + "\n\n")


def summary_blocks(
    summary: pd.DataFrame, years_per_block: int | None = None
) -> list[tuple[list[str], list[list[str]]]]:
    """The (header, rows) blocks of a summary: each measure's mean [95% CI] by year, a
    few years to a block (as many as fit the terminal when not given)."""
    years = sorted(summary["year"].unique())
    if years_per_block is None:
        label = max(len(LABELS.get(m, m)) for m in RESULT_COLUMNS)
        years_per_block = max(1, (terminal_width() - label) // 22)
    lookup = {(row.year, row.measure): row for row in summary.itertuples(index=False)}
    blocks = []
    for first in range(0, len(years), years_per_block):
        block_years = years[first : first + years_per_block]
        header = ["Indicator (mean [95% CI])"] + [f"{y - 1}-{str(y)[-2:]}" for y in block_years]
        rows = []
        for measure in RESULT_COLUMNS:
            scale = 1e6 if measure == "cost_gbp" else 1
            cells = [LABELS.get(measure, measure)]
            for year in block_years:
                row = lookup.get((year, measure))
                cells.append("-" if row is None else _cell(row.mean, row.lower, row.upper, scale))
            rows.append(cells)
        blocks.append((header, rows))
    return blocks


def show_summary(summary: pd.DataFrame, scenario=None, stream: TextIO | None = None) -> None:
    """Print each indicator by financial year (rich on a terminal, plain when piped)."""
    stream = stream or sys.stdout
    title = f"{scenario.name}: financial years ending 31 March" if scenario else ""
    for i, (header, rows) in enumerate(summary_blocks(summary)):
        show_table(header, rows, title if i == 0 else "", stream)


def summary_table(summary: pd.DataFrame, scenario=None, years_per_block: int = 5) -> str:
    """Each measure's mean and 95% CI by financial year, in blocks of a few years (plain text)."""
    title = f"{scenario.name}: financial years ending 31 March" if scenario else ""
    blocks = [text_table(h, r, rule=True) for h, r in summary_blocks(summary, years_per_block)]
    return "\n\n".join(([title] if title else []) + blocks)


def comparison_blocks(appraisal: Appraisal) -> list[tuple[str, list[str], list[list[str]]]]:
    """One (title, header, rows) block per option of an `appraisal.Appraisal`: each key measure
    over the whole horizon for the baseline and the option, and the paired difference with its
    95% interval; then the NPV, payback and cost per out-of-area child-year avoided. Narrow
    enough for an 80-100 column terminal whatever the number of options."""
    levels = rows_by_name(appraisal.levels, "scenario", None)
    diffs = rows_by_name(appraisal.differences, "option", None)
    costs = {r["option"]: r for r in appraisal.costs.to_dict("records")}
    span = f"{year_label(appraisal.years[0])} to {year_label(appraisal.years[-1])}"
    header = ["Whole horizon", "Baseline", "Option", "Difference [95% CI]"]
    blocks = []
    for name in appraisal.scenarios:
        if name == appraisal.baseline:
            continue
        rows = []
        for column in HORIZON_COLUMNS:
            level = levels.get((appraisal.baseline, column.measure))
            diff = diffs.get((name, column.measure))
            if level is not None and diff is not None:
                rows.append(_measure_row(column, level, diff))
        cost = costs.get(name)
        if cost is not None:
            rows.extend(_cost_rows(cost))
        blocks.append((f"{name} against {appraisal.baseline}, {span}", header, rows))
    return blocks


def _measure_row(column: Column, level: pd.Series, diff: pd.Series) -> list[str]:
    s, d = column.scale, column.digits
    dd = d + 1 if s != 1 else d
    difference = _interval(
        diff["difference"] / s, diff["paired_lower"] / s, diff["paired_upper"] / s, dd
    )
    return [
        column.heading,
        format_number(level["mean"] / s, d),
        format_number(diff["option_mean"] / s, d),
        difference,
    ]


def _cost_rows(cost: dict) -> list[list[str]]:
    npv = _interval(
        cost["npv_cost_difference_gbp"] / 1e6, cost["npv_lower"] / 1e6, cost["npv_upper"] / 1e6, 2
    )
    return [
        ["NPV of the cost difference (£m)", "", "", npv],
        ["Payback (discounted)", "", "", str(cost["payback"])],
        [
            "Cost per out-of-area child-year avoided (£k)",
            "",
            "",
            ratio_cell(cost, "out_of_area_year"),
        ],
    ]


def _interval(value: float, lower: float, upper: float, digits: int) -> str:
    if value is None or pd.isna(value):
        return "-"
    return interval_text(value, lower, upper, digits)


def show_comparison(
    appraisal: Appraisal, scenarios: dict | None = None, stream: TextIO | None = None
) -> None:
    """Print the headline (wrapped to the terminal) and one table per option."""
    stream = stream or sys.stdout
    width = min(terminal_width(), 100)
    stream.write("In plain words\n\n")
    stream.write(textwrap.fill(headline_intro(appraisal), width) + "\n\n")
    for item in headlines(appraisal, scenarios):
        stream.write(
            textwrap.fill(item.text(), width, initial_indent="- ", subsequent_indent="  ") + "\n"
        )
    stream.write("\n")
    for title, header, rows in comparison_blocks(appraisal):
        show_table(header, rows, title, stream)


def sweep_summary(table: pd.DataFrame, keys: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Whole-horizon means [95% CI] of a few key measures per grid point: (header, rows)."""
    measures = {
        "pct_out_of_area": ("Out of area (%)", 1.0, 1),
        "pct_3plus_placements": ("3+ placements (%)", 1.0, 1),
        "bridging_31_march": ("In bridging", 1.0, 1),
        "unplanned_endings": ("Unplanned endings", 1.0, 0),
        "cost_gbp": ("Cost (£m)", 1e6, 1),
    }
    rows = table[table["period"].eq(HORIZON) & table["measure"].isin(list(measures))]
    header = [*keys, *(label for label, _, _ in measures.values())]
    body = []
    for values, group in rows.groupby(list(keys), sort=False):
        values = values if isinstance(values, tuple) else (values,)
        by = group.set_index("measure")
        cells = [str(v) for v in values]
        for measure, (_, scale, digits) in measures.items():
            if measure not in by.index:
                cells.append("–")
                continue
            row = by.loc[measure]
            cells.append(
                f"{row['mean'] / scale:.{digits}f} "
                f"[{row['lower'] / scale:.{digits}f}, {row['upper'] / scale:.{digits}f}]"
            )
        body.append(cells)
    return header, body
