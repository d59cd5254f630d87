"""Plain-text tables for the terminal."""

from __future__ import annotations

import math

import pandas as pd

from sufficiency_sim.experiment import RESULT_COLUMNS

LABELS: dict[str, str] = {
    "cla_31_march": "Children looked after at 31 March",
    "starts": "Started to be looked after",
    "ceased": "Ceased to be looked after",
    "placements_started": "Placements started",
    "placement_moves": "Placement moves",
    "unplanned_endings": "Unplanned placement endings",
    "pct_3plus_placements": "3+ placements in year (%)",
    "pct_long_term_stable": "Long-term stability (%)",
    "pct_out_of_area": "Placed outside the boundary (%)",
    "pct_over_20_miles": "Placed over 20 miles away (%)",
    "kinship_foster": "Kinship foster care",
    "inhouse_foster": "In-house foster care",
    "ifa_foster": "Agency (IFA) foster care",
    "childrens_home": "Children's homes",
    "secure": "Secure homes",
    "supported": "Supported accommodation",
    "with_parents": "Placed with parents",
    "adoption": "Placed for adoption",
    "other": "Other placements",
    "cost_gbp": "Cost (GBP million)",
    "bridging_31_march": "In bridging at 31 March",
    "mean_days_bridging": "Mean days in bridging",
    "inhouse_occupancy_pct": "In-house foster occupancy (%)",
    "out_of_area_child_years": "Child-years placed out of area",
    "local_home_occupancy_pct": "Local homes occupancy (%)",
    "pct_1_placement": "1 placement in year (%)",
    "pct_2_placements": "2 placements in year (%)",
}


def _cell(mean: float, lower: float, upper: float, scale: float) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    mean, lower, upper = mean / scale, lower / scale, upper / scale
    digits = 2 if scale != 1 else 1
    if math.isnan(lower):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({lower:.{digits}f}-{upper:.{digits}f})"


def summary_table(summary: pd.DataFrame, scenario=None, years_per_block: int = 5) -> str:
    """Each measure's mean and 95% CI by financial year, in blocks of a few years."""
    years = sorted(summary["year"].unique())
    lookup = {(row.year, row.measure): row for row in summary.itertuples(index=False)}
    blocks = []
    for first in range(0, len(years), years_per_block):
        block_years = years[first : first + years_per_block]
        header = ["Indicator (mean, 95% CI)"] + [f"{y - 1}-{str(y)[-2:]}" for y in block_years]
        rows = [header]
        for measure in RESULT_COLUMNS:
            scale = 1e6 if measure == "cost_gbp" else 1
            cells = [LABELS.get(measure, measure)]
            for year in block_years:
                row = lookup.get((year, measure))
                cells.append("-" if row is None else _cell(row.mean, row.lower, row.upper, scale))
            rows.append(cells)
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        lines = []
        for index, cells in enumerate(rows):
            line = (
                cells[0].ljust(widths[0])
                + "  "
                + "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
            )
            lines.append(line)
            if index == 0:
                lines.append("-" * len(line))
        blocks.append("\n".join(lines))
    title = f"{scenario.name}: financial years ending 31 March" if scenario else ""
    return "\n\n".join(([title] if title else []) + blocks)
