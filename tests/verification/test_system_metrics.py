"""System measures (bridging, in-house and local home occupancy, placements per child) from
hand-made placements and provision.

Year 2020 is 1 April 2019 - 31 March 2020 (366 days); year 2021 is 1 April 2020 - 31 March 2021
(365 days). Intervals are half-open: a placement ending on 31 March is over on 31 March.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from sufficiency_sim.measure.system import SYSTEM_COLUMNS, system_metrics


def dates(values: list) -> pd.Series:
    """ISO dates (None for open) as datetime64[ns], the dtype `history_frames` gives."""
    return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")


def placements(rows: list[tuple]) -> pd.DataFrame:
    """Placements as `experiment.history_frames` makes them; rows are
    (child, start, end or None, provision_type, bridging)."""
    return pd.DataFrame(
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
            "bridging": [r[4] for r in rows],
            "place": "U4",
            "provider": "PR1",
        }
    )


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


BRIDGING = placements(
    [
        # Ends on 5 April 2019 (in year 2020): 16 days; in bridging on 31 March 2019.
        ("B0", "2019-03-20", "2019-04-05", "ifa", True),
        # Ends on 31 March 2020: not in bridging that day; 30 days, ended in 2020.
        ("B1", "2020-03-01", "2020-03-31", "emergency_residential", True),
        # Starts on 31 March 2020: in bridging that day; 10 days, ended in 2021.
        ("B2", "2020-03-31", "2020-04-10", "external_home", True),
        # Open: in bridging on 31 March 2020 and 2021; never in a mean.
        ("B3", "2019-12-01", None, "emergency_foster", True),
        # 1 day, ended in 2021.
        ("B4", "2020-04-01", "2020-04-02", "ifa", True),
        # In bridging on 31 March 2021; ends on 1 April 2021, so in year 2022's mean.
        ("B5", "2021-03-31", "2021-04-01", "ifa", True),
        # Not bridging: never counted, whatever its dates.
        ("N1", "2019-06-01", None, "external_home", False),
        ("N2", "2020-01-01", "2020-04-03", "ifa", False),
    ]
)

FOSTER = placements(
    [
        # In-house placements: 183 days in 2020.
        ("P1", "2019-04-01", "2019-10-01", "inhouse_foster", False),
        # Open: 91 days in 2020 (January 31 + February 29 + March 31), 365 in 2021.
        ("P2", "2020-01-01", None, "inhouse_foster", False),
        # 183 days in 2021.
        ("P3", "2020-04-01", "2020-10-01", "inhouse_foster", False),
        # Emergency foster and other types do not count as in-house mainstream occupancy.
        ("Q1", "2019-05-01", "2019-06-01", "emergency_foster", True),
        ("Q2", "2019-05-01", "2019-06-01", "ifa", False),
    ]
)

HOUSEHOLDS = provision(
    [
        # Two places, all of both years: 732 place-days in 2020, 730 in 2021.
        ("FC-1", "inhouse_foster", None, 2, "2019-01-01", None),
        # One place, 1 April - 1 October 2019: 183 place-days in 2020.
        ("FC-2", "inhouse_foster", None, 1, "2019-04-01", "2019-10-01"),
        # Not mainstream in-house places.
        ("EF-1", "emergency_foster", None, 1, "2019-01-01", None),
        ("LH-1", "local_home", "Oak", 3, "2019-01-01", None),
    ]
)


def test_columns_and_years() -> None:
    result = system_metrics(BRIDGING, HOUSEHOLDS, [2020, 2021])
    assert list(result.columns) == ["year", *SYSTEM_COLUMNS]
    assert SYSTEM_COLUMNS == (
        "bridging_31_march",
        "mean_days_bridging",
        "inhouse_occupancy_pct",
        "out_of_area_child_years",
        "local_home_occupancy_pct",
        "pct_1_placement",
        "pct_2_placements",
    )
    assert result["year"].tolist() == [2020, 2021]


def test_children_in_bridging_on_31_march() -> None:
    result = system_metrics(BRIDGING, HOUSEHOLDS, [2019, 2020, 2021, 2022])
    # 2019: B0 (20 March 2019 - 5 April 2019) covers 31 March 2019.
    # 2020: B2 (starts that day) and B3 (open); B1 ends that day.
    # 2021: B3 (open) and B5 (ends the next day).
    # 2022: B3 only.
    assert result["bridging_31_march"].tolist() == [1, 2, 2, 1]


def test_mean_days_of_bridging_placements_ending_in_the_year() -> None:
    result = system_metrics(BRIDGING, HOUSEHOLDS, [2019, 2020, 2021, 2022, 2023])
    means = result["mean_days_bridging"].tolist()
    assert math.isnan(means[0])  # none ended in 2019
    assert means[1] == pytest.approx((16 + 30) / 2)  # B0, B1
    assert means[2] == pytest.approx((10 + 1) / 2)  # B2, B4
    assert means[3] == pytest.approx(1.0)  # B5
    assert math.isnan(means[4])


def test_inhouse_occupancy_is_time_weighted() -> None:
    result = system_metrics(FOSTER, HOUSEHOLDS, [2020, 2021])
    occupancy = result["inhouse_occupancy_pct"].tolist()
    assert occupancy[0] == pytest.approx(100.0 * (183 + 91) / (2 * 366 + 183))
    assert occupancy[1] == pytest.approx(100.0 * (365 + 183) / (2 * 365))
    assert result["bridging_31_march"].tolist() == [0, 0]  # Q1 ended long before
    assert result.loc[0, "mean_days_bridging"] == pytest.approx(31.0)  # Q1 ended in 2020
    assert math.isnan(result.loc[1, "mean_days_bridging"])


def test_occupancy_blank_without_inhouse_places() -> None:
    result = system_metrics(FOSTER, HOUSEHOLDS, [2018])  # no household before 2019
    assert math.isnan(result.loc[0, "inhouse_occupancy_pct"])
    empty = system_metrics(FOSTER, provision([]), [2020])
    assert math.isnan(empty.loc[0, "inhouse_occupancy_pct"])


def test_full_household_is_100_percent() -> None:
    homes = provision([("FC-1", "inhouse_foster", None, 2, "2020-04-01", "2020-07-01")])
    foster = placements(
        [
            ("A", "2020-04-01", "2020-07-01", "inhouse_foster", False),
            ("B", "2020-04-01", "2020-05-01", "inhouse_foster", False),
            ("C", "2020-05-01", "2020-07-01", "inhouse_foster", False),
        ]
    )
    result = system_metrics(foster, homes, [2021])
    assert result.loc[0, "inhouse_occupancy_pct"] == pytest.approx(100.0)


def test_no_placements() -> None:
    result = system_metrics(placements([]), HOUSEHOLDS, [2020])
    assert result.loc[0, "bridging_31_march"] == 0
    assert math.isnan(result.loc[0, "mean_days_bridging"])
    assert result.loc[0, "inhouse_occupancy_pct"] == 0.0


def test_out_of_area_child_years() -> None:
    """Near and far placements count, inside ones do not: 1 Apr 2019 - 1 Oct 2019 (183 days)
    near, plus an open far placement from 1 Jan 2020 (91 days to 1 April 2020), so
    (183 + 91) / 365.25 child-years in 2019-20."""
    frame = placements(
        [
            ("a", "2019-04-01", "2019-10-01", "ifa", False),
            ("b", "2020-01-01", None, "external_home", False),
            ("c", "2019-04-01", None, "inhouse_foster", False),
        ]
    )
    frame["location"] = ["near", "far", "in"]
    result = system_metrics(frame, provision([]), [2020, 2021])
    assert result.loc[0, "out_of_area_child_years"] == pytest.approx((183 + 91) / 365.25)
    assert result.loc[1, "out_of_area_child_years"] == pytest.approx(365 / 365.25)


def test_local_home_occupancy_is_time_weighted() -> None:
    """Year 2021 (365 days). Oak: 3 beds all year (1,095 bed-days). Elm: 2 beds, opens on
    1 October 2020 (182 days to 1 April 2021: 364 bed-days). 1,459 bed-days in all.
    Occupied: a child all year (365), one 1 April - 1 July 2020 (91), one in Elm from
    1 January 2021, open (90), one who left on 1 April 2020 (0 days in 2021). External homes
    and in-house placements do not count. (365 + 91 + 90) / 1,459."""
    homes = provision(
        [
            ("LH-1", "local_home", "Oak", 3, "2019-01-01", None),
            ("LH-2", "local_home", "Elm", 2, "2020-10-01", None),
            ("FC-1", "inhouse_foster", None, 2, "2019-01-01", None),
        ]
    )
    frame = placements(
        [
            ("A", "2020-01-01", None, "local_home", False),
            ("B", "2020-04-01", "2020-07-01", "local_home", False),
            ("C", "2021-01-01", None, "local_home", False),
            ("D", "2020-02-01", "2020-04-01", "local_home", False),
            ("E", "2020-04-01", None, "external_home", False),
            ("F", "2020-04-01", None, "inhouse_foster", False),
        ]
    )
    result = system_metrics(frame, homes, [2021])
    assert result.loc[0, "local_home_occupancy_pct"] == pytest.approx(
        100.0 * (365 + 91 + 90) / (3 * 365 + 2 * 182)
    )
    assert result.loc[0, "inhouse_occupancy_pct"] == pytest.approx(100.0 * 365 / (2 * 365))


def test_local_home_occupancy_blank_without_local_homes() -> None:
    result = system_metrics(FOSTER, HOUSEHOLDS[HOUSEHOLDS["name"].isna()], [2020])
    assert math.isnan(result.loc[0, "local_home_occupancy_pct"])
    closed = provision([("LH-1", "local_home", "Oak", 3, "2018-01-01", "2019-04-01")])
    assert math.isnan(system_metrics(FOSTER, closed, [2020]).loc[0, "local_home_occupancy_pct"])


MOVES = placements(
    [
        # Year 2021: 1 April 2020 - 31 March 2021 (census day 31 March 2021).
        # A: one placement, all year -> 1.
        ("A", "2019-01-01", None, "inhouse_foster", False),
        # B: a placement ending on 1 April 2020 is not in the year (it ended on the first day:
        # DEC > 1 April is needed), then one open placement -> 1.
        ("B", "2019-06-01", "2020-04-01", "ifa", False),
        ("B", "2020-04-01", None, "inhouse_foster", False),
        # C: ended 2 April 2020 (one day in the year), then open -> 2.
        ("C", "2019-06-01", "2020-04-02", "ifa", False),
        ("C", "2020-04-02", None, "inhouse_foster", False),
        # D: three placements in the year -> 3+ (neither 1 nor 2).
        ("D", "2020-05-01", "2020-06-01", "emergency_foster", True),
        ("D", "2020-06-01", "2020-09-01", "ifa", False),
        ("D", "2020-09-01", None, "inhouse_foster", False),
        # E: starts on 31 March 2021, the census day -> 1 (in care that day).
        ("E", "2021-03-31", None, "ifa", False),
        # F: left on 31 March 2021 -> not in care on 31 March, not counted at all.
        ("F", "2020-05-01", "2021-03-31", "ifa", False),
        # G: two placements, the second starting on 1 April 2021 (the next year): in care on
        # 31 March in the first -> 1.
        ("G", "2020-12-01", "2021-04-01", "ifa", False),
        ("G", "2021-04-01", None, "inhouse_foster", False),
    ]
)


def test_placements_per_child_in_care_on_31_march() -> None:
    """In care on 31 March 2021: A, B, C, D, E, G (6); with 1 placement A, B, E, G (4), with
    2 C (1), with 3+ D (1)."""
    result = system_metrics(MOVES, HOUSEHOLDS, [2021])
    assert result.loc[0, "pct_1_placement"] == pytest.approx(100.0 * 4 / 6)
    assert result.loc[0, "pct_2_placements"] == pytest.approx(100.0 * 1 / 6)


def test_placements_per_child_next_year_and_empty() -> None:
    """Year 2022 (census 31 March 2022): A, B, C, D, E open all year -> 1 each; G's second
    placement is its only one in 2022 -> 1. On 31 March 2018 no child is in care -> blank."""
    result = system_metrics(MOVES, HOUSEHOLDS, [2022, 2018])
    assert result.loc[0, "pct_1_placement"] == pytest.approx(100.0)
    assert result.loc[0, "pct_2_placements"] == pytest.approx(0.0)
    assert math.isnan(result.loc[1, "pct_1_placement"])
    assert math.isnan(result.loc[1, "pct_2_placements"])
    empty = system_metrics(placements([]), HOUSEHOLDS, [2020])
    assert math.isnan(empty.loc[0, "pct_1_placement"])


def test_placement_counts_add_up_with_the_indicator() -> None:
    """On a simulated replication, 1, 2 and 3+ placements (the last from the 903 indicator)
    cover every child in care on 31 March: the audit-table rule is the indicators' rule."""
    from sufficiency_sim import scenario
    from sufficiency_sim.experiment.runner import history_frames, measure
    from sufficiency_sim.model import simulate

    baseline = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"
    sc = scenario.load(baseline, ["horizon_years=3", "warmup_years=4"])
    frames = history_frames(simulate(sc, 7, 0))
    result = measure(frames, sc)
    total = result["pct_1_placement"] + result["pct_2_placements"] + result["pct_3plus_placements"]
    assert total.to_numpy() == pytest.approx(100.0)
    assert (result["pct_3plus_placements"] > 0).all()
