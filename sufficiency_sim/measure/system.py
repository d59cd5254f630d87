"""Measures of the placement system that the 903 does not carry, from the audit tables:
children in bridging placements, time spent in them, occupancy of in-house foster places and
of local children's homes, the time children spent placed outside the boundary, and how many
placements the children in care on 31 March had in the year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sufficiency_sim.measure.costs import overlap_days, year_bounds
from sufficiency_sim.vocabulary import YEAR_DAYS

SYSTEM_COLUMNS: tuple[str, ...] = (
    "bridging_31_march",
    "mean_days_bridging",
    "inhouse_occupancy_pct",
    "out_of_area_child_years",
    "local_home_occupancy_pct",
    "pct_1_placement",
    "pct_2_placements",
)
"""Columns of `system_metrics` after `year`, in order (new ones are added at the end)."""


def _occupancy_pct(
    placements: pd.DataFrame, provision: pd.DataFrame, kind: str, year: int
) -> float:
    """Occupied share (%) of the places of provision type `kind`, time-weighted over the year:
    placement-days in that type / place-days open; blank when no place was open."""
    occupants = placements[placements["provision_type"].eq(kind)]
    providers = provision[provision["provision_type"].eq(kind)]
    occupied = overlap_days(occupants["start"], occupants["end"], year).sum()
    places = (
        overlap_days(providers["from"], providers["to"], year)
        * providers["places"].to_numpy(dtype=float)
    ).sum()
    return float(100.0 * occupied / places) if places else np.nan


def _placements_per_child(placements: pd.DataFrame, year: int) -> tuple[float, float]:
    """Of the children in care on 31 March (a placement covering that day), the shares (%) who
    had exactly one and exactly two placements overlapping the year (started on or before
    31 March and not ended on or before 1 April), the same rule as the indicators'
    `pct_3plus_placements`; blank when no child is in care."""
    first, after = year_bounds(year)
    census = after - pd.Timedelta(days=1)
    start, end = placements["start"], placements["end"]
    covering = (start <= census) & (end.isna() | (end > census))
    in_care = pd.unique(placements.loc[covering, "child"])
    if len(in_care) == 0:
        return np.nan, np.nan
    overlapping = (start <= census) & (end.isna() | (end > first))
    counts = placements.loc[overlapping].groupby("child").size().reindex(in_care)
    return (
        float(100.0 * (counts == 1).sum() / len(in_care)),
        float(100.0 * (counts == 2).sum() / len(in_care)),
    )


def system_metrics(
    placements: pd.DataFrame, provision: pd.DataFrame, years: list[int] | tuple[int, ...]
) -> pd.DataFrame:
    """Per year: children in a bridging placement on 31 March; mean length in days of bridging
    placements that ended in the year; occupied share (%) of in-house mainstream foster places
    and of local children's home beds, each time-weighted over the year; child-years spent
    placed outside the boundary in the year; and of the children in care on 31 March, the
    shares (%) with one and with two placements in the year (three or more is the indicator
    `pct_3plus_placements`, counted by the same rule, so the three add up to 100)."""
    bridging = placements[placements["bridging"].astype(bool)]
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
        one, two = _placements_per_child(placements, year)
        rows.append(
            {
                "year": year,
                "bridging_31_march": int(on_day.sum()),
                "mean_days_bridging": float(lengths.mean()) if len(lengths) else np.nan,
                "inhouse_occupancy_pct": _occupancy_pct(
                    placements, provision, "inhouse_foster", year
                ),
                "out_of_area_child_years": float(
                    overlap_days(outside["start"], outside["end"], year).sum() / YEAR_DAYS
                ),
                "local_home_occupancy_pct": _occupancy_pct(
                    placements, provision, "local_home", year
                ),
                "pct_1_placement": one,
                "pct_2_placements": two,
            }
        )
    return pd.DataFrame(rows, columns=["year", *SYSTEM_COLUMNS])
