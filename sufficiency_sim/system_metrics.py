"""Measures of the placement system that the 903 does not carry, from the audit tables:
children in bridging placements, time spent in them, in-house foster occupancy, and the time
children spent placed outside the boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sufficiency_sim.costs import overlap_days, year_bounds

SYSTEM_COLUMNS: tuple[str, ...] = (
    "bridging_31_march",
    "mean_days_bridging",
    "inhouse_occupancy_pct",
    "out_of_area_child_years",
)


def system_metrics(
    placements: pd.DataFrame, provision: pd.DataFrame, years: list[int] | tuple[int, ...]
) -> pd.DataFrame:
    """Per year: children in a bridging placement on 31 March; mean length in days of bridging
    placements that ended in the year; occupied share (%) of in-house mainstream foster places,
    time-weighted over the year; child-years spent placed outside the boundary in the year."""
    bridging = placements[placements["bridging"].astype(bool)]
    inhouse = placements[placements["provision_type"].eq("inhouse_foster")]
    households = provision[provision["provision_type"].eq("inhouse_foster")]
    outside = placements[~placements["location"].eq("in")]
    rows = []
    for year in years:
        first, after = year_bounds(year)
        census = after - pd.Timedelta(days=1)
        on_day = (bridging["start"] <= census) & (
            bridging["end"].isna() | (bridging["end"] > census)
        )
        ended = bridging[(bridging["end"] >= first) & (bridging["end"] < after)]
        lengths = (ended["end"] - ended["start"]).dt.days
        occupied = overlap_days(inhouse["start"], inhouse["end"], year).sum()
        places = (
            overlap_days(households["from"], households["to"], year)
            * households["places"].to_numpy(dtype=float)
        ).sum()
        rows.append(
            {
                "year": year,
                "bridging_31_march": int(on_day.sum()),
                "mean_days_bridging": float(lengths.mean()) if len(lengths) else np.nan,
                "inhouse_occupancy_pct": float(100.0 * occupied / places) if places else np.nan,
                "out_of_area_child_years": float(
                    overlap_days(outside["start"], outside["end"], year).sum() / 365.25
                ),
            }
        )
    return pd.DataFrame(rows)
