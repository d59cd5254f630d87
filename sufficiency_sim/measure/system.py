"""Measures of the placement system that the 903 does not carry, from the audit tables:
children in bridging placements, time spent in them, occupancy of in-house foster places and
of local children's homes, the time children spent placed outside the boundary, and how many
placements the children in care on 31 March had in the year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sufficiency_sim.measure.costs import NO_DAY, day_numbers, overlap_day_counts, year_day_bounds
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


class _Intervals:
    """A table's [start, end) columns as day numbers, converted once for every year."""

    def __init__(self, start: pd.Series, end: pd.Series) -> None:
        self.start, self.end = day_numbers(start), day_numbers(end)

    def overlap(self, year: int) -> np.ndarray:
        """Days of each row inside year `year`."""
        return overlap_day_counts(self.start, self.end, year)

    def covering(self, day: int) -> np.ndarray:
        """Whether each row covers `day` (started on or before it, not ended by it)."""
        return (self.start <= day) & ((self.end == NO_DAY) | (self.end > day))


def _occupancy_pct(occupied_days: np.ndarray, place_days: np.ndarray) -> float:
    """Occupied share (%) of places, time-weighted over the year: placement-days in the type /
    place-days open; blank when no place was open."""
    occupied = occupied_days.sum()
    places = place_days.sum()
    return float(100.0 * occupied / places) if places else np.nan


def _placements_per_child(
    children: np.ndarray, n_children: int, placed: _Intervals, year: int
) -> tuple[float, float]:
    """Of the children in care on 31 March (a placement covering that day), the shares (%) who
    had exactly one and exactly two placements overlapping the year (started on or before
    31 March and not ended on or before 1 April), the same rule as the indicators'
    `pct_3plus_placements`; blank when no child is in care. `children` holds each placement's
    child as a code below `n_children`."""
    first, after = year_day_bounds(year)
    census = after - 1
    in_care = np.unique(children[placed.covering(census)])
    if len(in_care) == 0:
        return np.nan, np.nan
    overlapping = (placed.start <= census) & ((placed.end == NO_DAY) | (placed.end > first))
    counts = np.bincount(children[overlapping], minlength=n_children)[in_care]
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
    placed = _Intervals(placements["start"], placements["end"])
    opened = _Intervals(provision["from"], provision["to"])
    places = provision["places"].to_numpy(dtype=float)
    children, names = pd.factorize(placements["child"])
    bridging = placements["bridging"].astype(bool).to_numpy()
    outside = ~placements["location"].eq("in").to_numpy()
    kind = placements["provision_type"].to_numpy()
    provider_kind = provision["provision_type"].to_numpy()
    rows = []
    for year in years:
        first, after = year_day_bounds(year)
        placed_days, open_days = placed.overlap(year), opened.overlap(year) * places
        ended = bridging & (placed.end >= first) & (placed.end < after)
        lengths = placed.end[ended] - placed.start[ended]
        one, two = _placements_per_child(children, len(names), placed, year)
        occupancy = {
            k: _occupancy_pct(placed_days[kind == k], open_days[provider_kind == k])
            for k in ("inhouse_foster", "local_home")
        }
        rows.append(
            {
                "year": year,
                "bridging_31_march": int((bridging & placed.covering(after - 1)).sum()),
                "mean_days_bridging": float(lengths.mean()) if len(lengths) else np.nan,
                "inhouse_occupancy_pct": occupancy["inhouse_foster"],
                "out_of_area_child_years": float(placed_days[outside].sum() / YEAR_DAYS),
                "local_home_occupancy_pct": occupancy["local_home"],
                "pct_1_placement": one,
                "pct_2_placements": two,
            }
        )
    return pd.DataFrame(rows, columns=["year", *SYSTEM_COLUMNS])
