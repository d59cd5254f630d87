"""Labels of the measures, in one place: the names the terminal tables, the app, the HTML report
and the calibration report give each column of `indicators.csv` and `results.csv`, the chart
titles and units of `charts`, and the headings of the committee table (`markdown`)."""

from __future__ import annotations

from sufficiency_sim.appraisal.statistics import HORIZON, YEAR, horizon_rule

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

REPORT_LABELS: dict[str, str] = {
    **LABELS,
    "local_home_occupancy_pct": "Local children's home occupancy (%)",
    "pct_1_placement": "1 placement in year (%)",
    "pct_2_placements": "2 placements in year (%)",
}
"""The HTML report's names: `LABELS` with clearer words for a few measures."""

CHART_TITLES: dict[str, str] = {
    "pct_out_of_area": "Placed outside the boundary",
    "pct_3plus_placements": "Three or more placements in the year",
    "pct_long_term_stable": "Long-term stability",
    "bridging_31_march": "Children in bridging placements",
    "unplanned_endings": "Unplanned placement endings",
    "inhouse_foster": "In in-house foster care",
    "out_of_area_child_years": "Time placed out of area",
    "cost_gbp": "Cost",
    "cla_31_march": "Children looked after",
    "pct_over_20_miles": "Placed more than 20 miles from home",
    "mean_days_bridging": "Length of bridging placements",
    "inhouse_occupancy_pct": "Occupancy of in-house foster places",
    "local_home_occupancy_pct": "Occupancy of local children's homes",
    "pct_1_placement": "One placement in the year",
    "pct_2_placements": "Two placements in the year",
}
CHART_UNITS: dict[str, tuple[str, float]] = {
    # measure: (axis unit, divisor)
    "pct_out_of_area": ("% of children in care at 31 March", 1.0),
    "pct_3plus_placements": ("% of children in care at 31 March", 1.0),
    "pct_long_term_stable": ("% of eligible children under 16", 1.0),
    "pct_over_20_miles": ("% of children in care at 31 March", 1.0),
    "bridging_31_march": ("children at 31 March", 1.0),
    "unplanned_endings": ("placements ended per year", 1.0),
    "placement_moves": ("moves per year", 1.0),
    "placements_started": ("placements started per year", 1.0),
    "inhouse_foster": ("children at 31 March", 1.0),
    "out_of_area_child_years": ("child-years per year", 1.0),
    "cost_gbp": ("£ million per year", 1e6),
    "cla_31_march": ("children at 31 March", 1.0),
    "mean_days_bridging": ("days (placements ended in the year)", 1.0),
    "inhouse_occupancy_pct": ("% of approved in-house places filled", 1.0),
    "local_home_occupancy_pct": ("% of local home beds filled", 1.0),
    "pct_1_placement": ("% of children in care at 31 March", 1.0),
    "pct_2_placements": ("% of children in care at 31 March", 1.0),
}


def unit_label(measure: str, period: str = YEAR) -> str:
    """The axis label of a measure (a yearly value, or its whole-horizon sum or mean)."""
    unit, _ = CHART_UNITS.get(measure, ("", 1.0))
    if period == HORIZON and measure in CHART_UNITS:
        if horizon_rule(measure) == "sum":
            unit = unit.replace(" per year", "").replace("per year", "") + " (total)"
        else:
            unit = unit + " (mean of years)"
    return unit.strip()


def unit_scale(measure: str) -> float:
    """The divisor of a measure on a chart axis (1e6 for pounds, shown in £ million)."""
    return CHART_UNITS.get(measure, ("", 1.0))[1]


def chart_title(measure: str) -> str:
    """The chart title of a measure."""
    return CHART_TITLES.get(measure, measure.replace("_", " ").capitalize())
