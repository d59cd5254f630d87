"""Weekly and one-off costs per financial year, from the placements and provision audit tables.

Spot placements (agency foster care, external homes, supported accommodation, emergency
residential, in-house and kinship allowances) cost their weekly price for every day they last:
their kind's weekly cost times the placement's `price_factor` (not 1 only for a market with a
`price`: by need and with a high-cost tail).
Local homes cost every bed, occupied or not (council-run or block-contracted), and dedicated
emergency foster carers are paid a retainer for every place. One-off costs fall in the financial
year of their date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sufficiency_sim.scenario import Scenario


def weekly_costs(scenario: Scenario) -> dict[str, float]:
    """Weekly cost of one placement by provision type (local homes are paid per bed instead)."""
    p = scenario.provision
    return {
        "kinship": p.kinship.weekly_cost,
        "inhouse_foster": p.inhouse_foster.weekly_cost,
        "emergency_foster": p.inhouse_foster.weekly_cost,
        "ifa": p.ifa.weekly_cost,
        "local_home": 0.0,
        "external_home": p.external_homes.weekly_cost,
        "emergency_residential": p.emergency_residential.weekly_cost,
        "supported": p.supported.weekly_cost,
        "placed_with_parents": p.placed_with_parents.weekly_cost,
        "adoption": p.adoption.weekly_cost,
    }


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of collection/financial year `year` and the day after its last (1 April)."""
    return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 4, 1)


_EPOCH = dt.date(1970, 1, 1)


def year_day_bounds(year: int) -> tuple[int, int]:
    """`year_bounds` as day numbers (days since 1 January 1970)."""
    return (dt.date(year - 1, 4, 1) - _EPOCH).days, (dt.date(year, 4, 1) - _EPOCH).days


NO_DAY = np.iinfo(np.int64).min
"""What `day_numbers` gives for a missing date (NaT)."""


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Each date as its day number since 1 January 1970 (int64); a missing date as `NO_DAY`.

    Converted once per table, so that the yearly overlaps are integer arithmetic on arrays."""
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view(np.int64)


def overlap_day_counts(start_days: np.ndarray, end_days: np.ndarray, year: int) -> np.ndarray:
    """Days of each [start, end) interval inside year `year`, from `day_numbers` (a missing
    start counts from the year's first day, a missing end means still going)."""
    first, after = year_day_bounds(year)
    lo = np.maximum(start_days, first)
    hi = np.where(end_days == NO_DAY, after, np.minimum(end_days, after))
    return np.clip((hi - lo).astype(float), 0.0, None)


def overlap_days(start: pd.Series, end: pd.Series, year: int) -> np.ndarray:
    """Days of each [start, end) interval (open end = still going) inside year `year`."""
    return overlap_day_counts(day_numbers(start), day_numbers(end), year)


def one_off_costs(scenario: Scenario) -> list[tuple[dt.date, float]]:
    """Every one-off cost of the scenario with its date (declared ones and local homes')."""
    items = [(cost.date, cost.amount_gbp) for cost in scenario.one_off_costs]
    for home in scenario.provision.local_homes:
        if home.one_off_cost:
            items.append((home.opens or scenario.start_date, home.one_off_cost))
    return items


def recurring_cost(scenario: Scenario, year: int) -> float:
    """Running costs falling in financial year `year`, pro rata by day."""
    first, after = year_bounds(year)
    total = 0.0
    for cost in scenario.recurring_costs:
        start = max(pd.Timestamp(cost.start), first)
        end = min(pd.Timestamp(cost.end), after) if cost.end else after
        days = max(0, (end - start).days)
        total += cost.amount_gbp_per_year * days / (after - first).days
    return total


def costs_by_year(
    placements: pd.DataFrame,
    provision: pd.DataFrame,
    scenario: Scenario,
    years: list[int] | tuple[int, ...],
) -> pd.DataFrame:
    """Cost per financial year: columns year, placement_cost_gbp, provision_cost_gbp,
    one_off_cost_gbp, recurring_cost_gbp, cost_gbp (their sum)."""
    weekly = weekly_costs(scenario)
    placement_weekly = placements["provision_type"].map(weekly).fillna(0.0).to_numpy()
    if "price_factor" in placements:  # each placement's price against its kind's weekly cost
        placement_weekly = placement_weekly * placements["price_factor"].to_numpy(dtype=float)
    home_weekly = {home.name: home.weekly_cost_per_bed for home in scenario.provision.local_homes}
    retainer = scenario.provision.inhouse_foster.emergency_weekly_retainer
    per_place = np.where(
        provision["provision_type"].eq("local_home"),
        provision["name"].map(home_weekly).fillna(0.0),
        np.where(provision["provision_type"].eq("emergency_foster"), retainer, 0.0),
    ) * provision["places"].to_numpy(dtype=float)
    one_offs = one_off_costs(scenario)
    starts, ends = day_numbers(placements["start"]), day_numbers(placements["end"])
    opens, closes = day_numbers(provision["from"]), day_numbers(provision["to"])
    rows = []
    for year in years:
        days = overlap_day_counts(starts, ends, year)
        placement_cost = float((days * placement_weekly).sum() / 7.0)
        place_days = overlap_day_counts(opens, closes, year)
        provision_cost = float((place_days * per_place).sum() / 7.0)
        first, after = year_bounds(year)
        one_off = float(
            sum(amount for date, amount in one_offs if first <= pd.Timestamp(date) < after)
        )
        recurring = recurring_cost(scenario, year)
        rows.append(
            {
                "year": year,
                "placement_cost_gbp": placement_cost,
                "provision_cost_gbp": provision_cost,
                "one_off_cost_gbp": one_off,
                "recurring_cost_gbp": recurring,
                "cost_gbp": placement_cost + provision_cost + one_off + recurring,
            }
        )
    return pd.DataFrame(rows)
