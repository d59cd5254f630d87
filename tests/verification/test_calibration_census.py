"""The census taken from a prepared extract: hand-worked rows and every rule counted."""

from __future__ import annotations

import pandas as pd

from sufficiency_sim.calibration import census as census_module
from sufficiency_sim.calibration.census import census_from_extract
from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.scenario.census import CENSUS_COLUMNS, CensusChild

END = pd.Timestamp("2024-03-31")
T = pd.Timestamp


def _extract(periods: list[dict], placements: list[dict]) -> Extract:
    return Extract(
        periods=pd.DataFrame(periods),
        placements=pd.DataFrame(placements),
        rules={},
        window_start=T("2020-04-01"),
        window_end=END,
    )


def _period(pid: int, start: str, dob: str, end=None, **kw) -> dict:
    row = {
        "period_id": pid,
        "start": T(start),
        "end": T(end) if end else pd.NaT,
        "dob": T(dob),
        "sex": 2,
        "legal_at_entry": "C2",
    }
    row.update(kw)
    return row


def _placement(pid: int, seq: int, start: str, kind: str, end=None, location="in") -> dict:
    return {
        "period_id": pid,
        "seq": seq,
        "start": T(start),
        "end": T(end) if end else pd.NaT,
        "kind": kind,
        "location": location,
    }


def test_census_rows_by_hand(monkeypatch):
    periods = [
        _period(0, "2023-03-31", "2014-05-15"),  # 9 years 10 months on 31 March 2024
        _period(1, "2022-01-01", "2010-03-31", sex=None, legal_at_entry="ZZ"),
        _period(2, "2021-06-01", "2009-01-10", end="2023-01-01"),  # left care: not in census
        _period(3, "2023-10-01", "2009-02-01"),
        _period(4, "2024-01-01", "2010-02-01"),
    ]
    placements = [
        _placement(0, 1, "2023-03-31", "ifa", "2023-04-30"),
        _placement(0, 2, "2023-04-30", "inhouse_foster", location="near"),
        # Ends in a temporary spell: no open placement, the last one is the current one.
        _placement(1, 1, "2022-01-01", "kinship", "2024-02-01", location=None),
        _placement(2, 1, "2021-06-01", "ifa", "2023-01-01"),
        _placement(3, 1, "2023-10-01", "other", location="far"),
        _placement(4, 1, "2024-01-01", "supported", location="near"),  # aged 14: too young
    ]
    census, counts = census_from_extract(_extract(periods, placements))
    assert list(census.columns) == list(CENSUS_COLUMNS)
    assert counts["census_children"] == 4
    assert counts["census_last_placement_closed"] == 1
    assert counts["census_location_unknown"] == 1
    assert counts["census_other_as_external_home"] == 1
    assert counts["census_supported_under_16"] == 1
    assert counts["census_legal_status_other"] == 1
    assert counts["census_sex_unknown"] == 1
    rows = {(r.age_years, r.age_months): r for r in census.itertuples()}
    first = rows[(9, 10)]
    # In care from 31 March 2023 to 31 March 2024 inclusive: 367 days (2024 is a leap year),
    # in month of care 12 (days 366.25-396.69 counted from 1), kept as its middle day:
    # int(12.5 * 30.4375) + 1 = 381; in the placement 337 days, month 11: int(11.5 * 30.4375)
    # + 1 = 351.
    assert (first.days_in_care, first.placement_days) == (381, 351)
    monkeypatch.setattr(census_module, "ROUND_DAYS_TO_MONTH", False)
    exact, _ = census_from_extract(_extract(periods, placements))
    exact_first = exact[(exact["age_years"] == 9) & (exact["age_months"] == 10)].iloc[0]
    assert (exact_first["days_in_care"], exact_first["placement_days"]) == (367, 337)
    assert (first.placement, first.location, first.legal_status, first.sex) == (
        "inhouse_foster",
        "near",
        "C2",
        2,
    )
    closed = rows[(14, 0)]
    assert (closed.placement, closed.location, closed.legal_status, closed.sex) == (
        "kinship",
        "in",  # kinship carers are found by the council: inside the boundary when unknown
        "C2",
        1,
    )
    assert rows[(15, 1)].placement == "external_home"
    assert rows[(14, 1)].placement == "external_home"
    for record in census.to_dict("records"):
        CensusChild.model_validate(record)  # every row is a valid census row
