"""Costs per financial year from hand-made placements and provision tables, worked by hand.

Year 2020 is 1 April 2019 - 31 March 2020 (366 days: it holds 29 February 2020); year 2021 is
1 April 2020 - 31 March 2021 (365 days). Weekly costs are chosen so that a day costs a round sum.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.measure.costs import costs_by_year, overlap_days, year_bounds
from sufficiency_sim.scenario.schema import RecurringCost

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"
COST_COLUMNS = [
    "year",
    "placement_cost_gbp",
    "provision_cost_gbp",
    "one_off_cost_gbp",
    "recurring_cost_gbp",
    "cost_gbp",
]

# Cost of one day, by provision type: weekly cost / 7.
PER_DAY = {
    "kinship": 10.0,
    "inhouse_foster": 100.0,
    "ifa": 200.0,
    "external_home": 1000.0,
    "emergency_residential": 2000.0,
    "supported": 50.0,
    "placed_with_parents": 3.0,
    "adoption": 1.0,
}
RETAINER_PER_DAY = 10.0
OAK_BED_PER_DAY = 500.0
ELM_BED_PER_DAY = 1000.0


@pytest.fixture(scope="module")
def costed() -> scenario.Scenario:
    """The York baseline with round weekly costs, two local homes and dated one-off costs."""
    data = scenario.load_raw(BASELINE)
    p = data["provision"]
    p["kinship"]["weekly_cost"] = 7 * PER_DAY["kinship"]
    p["inhouse_foster"]["weekly_cost"] = 7 * PER_DAY["inhouse_foster"]
    p["inhouse_foster"]["emergency_weekly_retainer"] = 7 * RETAINER_PER_DAY
    p["ifa"]["weekly_cost"] = 7 * PER_DAY["ifa"]
    p["external_homes"]["weekly_cost"] = 7 * PER_DAY["external_home"]
    p["emergency_residential"]["weekly_cost"] = 7 * PER_DAY["emergency_residential"]
    p["supported"]["weekly_cost"] = 7 * PER_DAY["supported"]
    p["placed_with_parents"]["weekly_cost"] = 7 * PER_DAY["placed_with_parents"]
    p["adoption"]["weekly_cost"] = 7 * PER_DAY["adoption"]
    p["local_homes"] = [
        # No opening date: its one-off cost falls on the scenario's start date (year 2020).
        {
            "name": "Oak",
            "beds": 2,
            "weekly_cost_per_bed": 7 * OAK_BED_PER_DAY,
            "one_off_cost": 20000,
        },
        {
            "name": "Elm",
            "beds": 3,
            "weekly_cost_per_bed": 7 * ELM_BED_PER_DAY,
            "opens": "2020-10-01",
            "closes": "2021-01-01",
            "one_off_cost": 50000,
        },
    ]
    data["horizon_years"] = 2
    data["one_off_costs"] = [
        {"name": "before", "date": "2019-03-31", "amount_gbp": 1},
        {"name": "campaign", "date": "2020-03-31", "amount_gbp": 12345},
        {"name": "capital", "date": "2020-04-01", "amount_gbp": 1000000},
        {"name": "after", "date": "2021-04-01", "amount_gbp": 7},
    ]
    return scenario.validate(data, "costs test")


def dates(values: list) -> pd.Series:
    """ISO dates (None for open) as datetime64[ns], the dtype `history_frames` gives."""
    return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")


def placements(rows: list[tuple]) -> pd.DataFrame:
    """Placements as `experiment.history_frames` makes them; rows are
    (child, start, end or None, provision_type, bridging)."""
    frame = pd.DataFrame(
        {
            "child": [r[0] for r in rows],
            "start": dates([r[1] for r in rows]),
            "end": dates([r[2] for r in rows]),
            "provision_type": [r[3] for r in rows],
            "resource_id": [f"R{i}" for i in range(len(rows))],
            "location": "in",
            "distance": 1.0,
            "ending_reason": [None if r[2] is None else "E13" for r in rows],
            "planned": [None if r[2] is None else True for r in rows],
            "bridging": [r[4] if len(r) > 4 else False for r in rows],
            "place": "U4",
            "provider": "PR1",
        }
    )
    assert frame["start"].dtype == "datetime64[ns]" and frame["end"].dtype == "datetime64[ns]"
    return frame


def provision(rows: list[tuple]) -> pd.DataFrame:
    """Provision as `experiment.history_frames` makes it; rows are
    (resource_id, provision_type, name, places, from, to or None)."""
    return pd.DataFrame(
        {
            "resource_id": [r[0] for r in rows],
            "provision_type": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "places": [r[3] for r in rows],
            "from": dates([r[4] for r in rows]),
            "to": dates([r[5] for r in rows]),
        }
    )


NO_PROVISION = provision([])
NO_PLACEMENTS = placements([])


def test_year_bounds_and_overlap() -> None:
    assert year_bounds(2020) == (pd.Timestamp(2019, 4, 1), pd.Timestamp(2020, 4, 1))
    start = pd.to_datetime(pd.Series(["2019-01-01", "2020-03-22", "2021-03-01", "2019-04-01"]))
    end = pd.to_datetime(pd.Series(["2019-04-01", "2020-04-05", None, "2019-04-02"]))
    assert overlap_days(start, end, 2020).tolist() == [0.0, 10.0, 0.0, 1.0]
    assert overlap_days(start, end, 2021).tolist() == [0.0, 4.0, 31.0, 0.0]


def test_hand_worked_costs_by_year(costed: scenario.Scenario) -> None:
    places = placements(
        [
            # 10 days in 2020 at 100 a day.
            ("A", "2019-04-01", "2019-04-11", "inhouse_foster"),
            # Spans 31 March: 22-31 March (10 days) in 2020, 1-4 April (4 days) in 2021.
            ("B", "2020-03-22", "2020-04-05", "ifa"),
            # Open: 1-31 March 2021 (31 days) in 2021.
            ("C", "2021-03-01", None, "external_home"),
            # Local home beds are paid through provision, not per placement.
            ("D", "2019-06-01", "2019-07-01", "local_home"),
            # Emergency foster carers are paid the in-house allowance while a child is there.
            ("E", "2019-05-01", "2019-05-08", "emergency_foster"),
            # Ends on the first day of 2020: no day in it (half-open intervals).
            ("F", "2018-01-01", "2019-04-01", "kinship"),
            # One day (1 April 2019) in 2020.
            ("G", "2019-01-01", "2019-04-02", "kinship"),
            # Starts after the last reported year.
            ("H", "2021-04-01", None, "ifa"),
            # 28 and 29 February 2020: 2 days.
            ("I", "2020-02-28", "2020-03-01", "emergency_residential", True),
        ]
    )
    homes = provision(
        [
            ("FC-1", "inhouse_foster", None, 3, "2015-01-01", None),  # no retainer
            ("EF-1", "emergency_foster", None, 1, "2019-01-01", "2019-07-01"),  # 91 days in 2020
            ("EF-2", "emergency_foster", None, 2, "2020-04-01", None),  # all of 2021
            ("LH-1", "local_home", "Oak", 2, "2019-01-01", None),  # all of both years
            ("LH-2", "local_home", "Elm", 3, "2020-10-01", "2021-01-01"),  # 92 days in 2021
        ]
    )
    result = costs_by_year(places, homes, costed, [2020, 2021])
    assert list(result.columns) == COST_COLUMNS
    assert result["year"].tolist() == [2020, 2021]

    placement_2020 = 10 * 100 + 10 * 200 + 7 * 100 + 1 * 10 + 2 * 2000  # 7710
    placement_2021 = 4 * 200 + 31 * 1000  # 31800
    provision_2020 = 366 * 2 * OAK_BED_PER_DAY + 91 * 1 * RETAINER_PER_DAY  # 366910
    provision_2021 = (
        365 * 2 * OAK_BED_PER_DAY + 92 * 3 * ELM_BED_PER_DAY + 365 * 2 * RETAINER_PER_DAY
    )  # 648300
    one_off_2020 = 12345 + 20000  # campaign on 31 March 2020 + Oak on the start date
    one_off_2021 = 1000000 + 50000  # capital on 1 April 2020 + Elm on its opening day

    expected = pd.DataFrame(
        {
            "year": [2020, 2021],
            "placement_cost_gbp": [placement_2020, placement_2021],
            "provision_cost_gbp": [provision_2020, provision_2021],
            "one_off_cost_gbp": [one_off_2020, one_off_2021],
            "recurring_cost_gbp": [0.0, 0.0],
            "cost_gbp": [
                placement_2020 + provision_2020 + one_off_2020,
                placement_2021 + provision_2021 + one_off_2021,
            ],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, rtol=1e-12)
    assert result["cost_gbp"].tolist() == pytest.approx([406_965, 1_730_100])


@pytest.mark.parametrize("kind", sorted(PER_DAY))
def test_weekly_cost_of_each_placement_type(costed: scenario.Scenario, kind: str) -> None:
    """One full week in 2021 costs the type's weekly cost."""
    places = placements([("X", "2020-06-01", "2020-06-08", kind)])
    result = costs_by_year(places, NO_PROVISION, costed, [2020, 2021, 2022])
    assert result["placement_cost_gbp"].tolist() == pytest.approx([0.0, 7 * PER_DAY[kind], 0.0])
    assert result["provision_cost_gbp"].tolist() == [0.0, 0.0, 0.0]


def test_weekly_cost_divided_by_seven_per_day() -> None:
    sc = scenario.load(BASELINE)  # ifa 1000 a week
    weekly = sc.provision.ifa.weekly_cost
    places = placements([("X", "2020-06-01", "2020-06-04", "ifa")])
    result = costs_by_year(places, NO_PROVISION, sc, [2021])
    assert math.isclose(result.loc[0, "placement_cost_gbp"], 3 * weekly / 7, rel_tol=1e-12)


def test_spanning_placement_is_split_exactly(costed: scenario.Scenario) -> None:
    """A placement over several years costs, in total, its days times the daily cost."""
    places = placements([("X", "2018-11-15", "2021-02-10", "ifa")])
    years = [2019, 2020, 2021, 2022]
    result = costs_by_year(places, NO_PROVISION, costed, years)
    days = [
        (pd.Timestamp("2019-04-01") - pd.Timestamp("2018-11-15")).days,  # 137
        366,
        (pd.Timestamp("2021-02-10") - pd.Timestamp("2020-04-01")).days,  # 315
        0,
    ]
    assert days == [137, 366, 315, 0]
    assert result["placement_cost_gbp"].tolist() == pytest.approx([d * 200.0 for d in days])
    total = (pd.Timestamp("2021-02-10") - pd.Timestamp("2018-11-15")).days * 200.0
    assert result["placement_cost_gbp"].sum() == pytest.approx(total)


def test_open_placement_costs_every_day_of_later_years(costed: scenario.Scenario) -> None:
    places = placements([("X", "2019-10-01", None, "external_home")])
    result = costs_by_year(places, NO_PROVISION, costed, [2019, 2020, 2021, 2025])
    assert result["placement_cost_gbp"].tolist() == pytest.approx(
        [0.0, 183 * 1000.0, 365 * 1000.0, 365 * 1000.0]
    )


def test_local_home_beds_paid_whether_occupied_or_not(costed: scenario.Scenario) -> None:
    homes = provision([("LH-1", "local_home", "Oak", 2, "2019-01-01", None)])
    empty = costs_by_year(NO_PLACEMENTS, homes, costed, [2021])
    full = costs_by_year(
        placements(
            [
                ("X", "2020-04-01", None, "local_home"),
                ("Y", "2020-04-01", None, "local_home"),
            ]
        ),
        homes,
        costed,
        [2021],
    )
    assert empty.loc[0, "provision_cost_gbp"] == pytest.approx(365 * 2 * OAK_BED_PER_DAY)
    pd.testing.assert_frame_equal(empty, full)


def test_emergency_retainer_is_per_place(costed: scenario.Scenario) -> None:
    homes = provision(
        [
            ("EF-1", "emergency_foster", None, 1, "2020-04-01", "2020-04-11"),
            ("EF-2", "emergency_foster", None, 3, "2020-04-01", "2020-04-11"),
        ]
    )
    result = costs_by_year(NO_PLACEMENTS, homes, costed, [2021])
    assert result.loc[0, "provision_cost_gbp"] == pytest.approx((1 + 3) * 10 * RETAINER_PER_DAY)


def test_one_off_costs_fall_in_the_year_of_their_date(costed: scenario.Scenario) -> None:
    result = costs_by_year(NO_PLACEMENTS, NO_PROVISION, costed, [2019, 2020, 2021, 2022])
    assert result["one_off_cost_gbp"].tolist() == [1.0, 32345.0, 1050000.0, 7.0]
    assert result["cost_gbp"].tolist() == result["one_off_cost_gbp"].tolist()


def test_no_years_no_rows(costed: scenario.Scenario) -> None:
    result = costs_by_year(NO_PLACEMENTS, NO_PROVISION, costed, [])
    assert len(result) == 0


def test_cost_columns_are_floats(costed: scenario.Scenario) -> None:
    result = costs_by_year(NO_PLACEMENTS, NO_PROVISION, costed, [2020])
    for column in COST_COLUMNS[1:]:
        assert isinstance(result.loc[0, column], float | np.floating)


def test_recurring_costs_are_pro_rata_by_day() -> None:
    """GBP 36,500 a year from 1 Oct 2019 to 1 Oct 2020: 183 of 366 days of 2019-20 and 183
    of 365 days of 2020-21."""
    import datetime as dt

    from sufficiency_sim.measure import costs

    sc = scenario.load(BASELINE).model_copy(
        update={
            "recurring_costs": (
                RecurringCost(
                    name="support",
                    start=dt.date(2019, 10, 1),
                    end=dt.date(2020, 10, 1),
                    amount_gbp_per_year=36_500,
                ),
            )
        }
    )
    assert costs.recurring_cost(sc, 2020) == pytest.approx(36_500 * 183 / 366)
    assert costs.recurring_cost(sc, 2021) == pytest.approx(36_500 * 183 / 365)
    assert costs.recurring_cost(sc, 2022) == 0.0
