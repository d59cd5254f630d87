"""The census of children looked after at the end of a calibration window, from a prepared
extract: one row per child with no identifier, date of birth or postcode (see
`sufficiency_sim.scenario.census` for the columns the model starts from).

Rules, each counted:
- ``census_last_placement_closed``: a period still open whose placements have all ended (it
  ends in a temporary spell, which is not a placement) starts from its last placement;
- ``census_without_placement``: a period still open with no placement at all is left out;
- ``census_other_as_external_home``: a placement the model has no kind for (secure unit,
  NHS/health setting, young offender institution, temporary or other placements) is started
  as an external children's home, the model's nearest setting;
- ``census_supported_under_16``: supported accommodation is for 16-17 year olds in the model;
  a younger child there starts in an external home;
- ``census_location_unknown``: a placement without a location is taken as inside the boundary
  for carers the council finds itself (kinship, in-house, local homes, placed with parents)
  and as outside within 20 miles otherwise;
- ``census_days_in_care_capped``: days in care longer than the child's age allows (a date of
  birth or start date in error) are cut to the age;
- ``census_legal_status_other``: a legal status the model does not know is written as a full
  care order (C2).
Rows are sorted (age, days in care, placement ...) so the file keeps no trace of input order.

Data protection: days in care and days in the placement are kept to the month only
(`ROUND_DAYS_TO_MONTH`): each is replaced by the middle of its month of care (month k, counted
back from the census date, becomes day ``int((k + 0.5) * 30.44) + 1``). Exact days would give
each child's real date of entering care and of the current placement (``census date - days +
1``), which with age and sex is a quasi-identifier; to the month, every child who entered care
within the same 30 days has the same value.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.prepare import prepare
from sufficiency_sim.scenario.census import CENSUS_COLUMNS, CENSUS_PLACEMENTS, LegalStatus
from sufficiency_sim.vocabulary import DAYS_PER_MONTH

_LEGAL = set(LegalStatus.__args__)  # type: ignore[attr-defined]
_COUNCIL_FOUND = ("kinship", "inhouse_foster", "local_home", "placed_with_parents")
ROUND_DAYS_TO_MONTH = True
"""Keep days in care and in the placement to the month (see the module docstring)."""


def to_month(days: pd.Series) -> pd.Series:
    """Days (counted from 1) replaced by the middle day of their month of care."""
    month = ((days - 1) // DAYS_PER_MONTH).astype(int)
    return ((month + 0.5) * DAYS_PER_MONTH).astype(int) + 1


def census_from_extract(extract: Extract) -> tuple[pd.DataFrame, dict[str, int]]:
    """Children looked after on the extract's window_end, as census rows, and rule counts."""
    frame, counts = _current_placements(extract)
    census_day = pd.Timestamp(extract.window_end).normalize()
    age_years, age_months, days_in_care, placement_days = _ages_and_days(frame, census_day, counts)
    kind = _census_kind(frame, age_years, counts)
    census = pd.DataFrame(
        {
            "age_years": age_years.astype(int).to_numpy(),
            "age_months": age_months.astype(int).to_numpy(),
            "days_in_care": days_in_care.astype(int).to_numpy(),
            "placement": kind.to_numpy(dtype=object),
            "placement_days": placement_days.astype(int).to_numpy(),
            "location": _census_location(frame, kind, counts).to_numpy(dtype=object),
            "legal_status": _census_legal(frame, counts).to_numpy(dtype=object),
            "sex": _census_sex(frame, counts).to_numpy(),
        }
    )
    census = census.sort_values(list(CENSUS_COLUMNS), kind="mergesort").reset_index(drop=True)
    return census[list(CENSUS_COLUMNS)], counts


def _current_placements(extract: Extract) -> tuple[pd.DataFrame, dict[str, int]]:
    """The open periods with their current placement, and the counts of those without one."""
    periods = extract.periods
    open_periods = periods[periods["end"].isna()]
    placements = extract.placements
    of_open = placements[placements["period_id"].isin(open_periods["period_id"])]
    # The open placement; failing that (the period ends in a temporary spell, which is not a
    # placement of its own) the period's last placement.
    ordered = of_open.assign(_open=of_open["end"].isna()).sort_values(["period_id", "_open", "seq"])
    current = ordered.drop_duplicates("period_id", keep="last").drop(columns="_open")
    frame = open_periods.merge(current, on="period_id", how="inner", suffixes=("", "_pl"))
    counts = {
        "census_children": len(frame),
        "census_last_placement_closed": int(current["end"].notna().sum()),
        "census_without_placement": len(open_periods) - len(frame),
    }
    return frame, counts


def _ages_and_days(
    frame: pd.DataFrame, census_day: pd.Timestamp, counts: dict[str, int]
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Age (years, months), days in care and days in the placement on the census day."""
    dob = pd.to_datetime(frame["dob"])
    months = (census_day.year - dob.dt.year) * 12 + (census_day.month - dob.dt.month)
    months = months - (census_day.day < dob.dt.day).astype(int)
    age_years = (months // 12).clip(0, 17)
    age_months = (months % 12).where(months // 12 <= 17, 11)
    # Days are counted up to and including the census date, as the model starts the day after.
    days_in_care = (census_day - pd.to_datetime(frame["start"])).dt.days + 1
    placement_days = (census_day - pd.to_datetime(frame["start_pl"])).dt.days + 1
    life = ((12 * age_years + age_months + 1) * DAYS_PER_MONTH).astype(int)
    counts["census_days_in_care_capped"] = int((days_in_care > life).sum())
    days_in_care = days_in_care.clip(upper=life)
    placement_days = placement_days.clip(upper=days_in_care)
    if ROUND_DAYS_TO_MONTH:  # monotone, so placement_days stays within days_in_care
        days_in_care, placement_days = to_month(days_in_care), to_month(placement_days)
    return age_years, age_months, days_in_care, placement_days


def _census_kind(frame: pd.DataFrame, age_years: pd.Series, counts: dict[str, int]) -> pd.Series:
    kind = frame["kind"].astype("string")
    other = ~kind.isin(CENSUS_PLACEMENTS)
    counts["census_other_as_external_home"] = int(other.sum())
    kind = kind.where(~other, "external_home")
    young_supported = kind.eq("supported") & (age_years < 16)
    counts["census_supported_under_16"] = int(young_supported.sum())
    return kind.where(~young_supported, "external_home")


def _census_location(frame: pd.DataFrame, kind: pd.Series, counts: dict[str, int]) -> pd.Series:
    location = frame["location"].astype("string")
    unknown = location.isna()
    counts["census_location_unknown"] = int(unknown.sum())
    fallback = kind.isin(_COUNCIL_FOUND).map({True: "in", False: "near"}).astype("string")
    return location.where(~unknown, fallback)


def _census_legal(frame: pd.DataFrame, counts: dict[str, int]) -> pd.Series:
    legal_column = "legal_now" if "legal_now" in frame else "legal_at_entry"
    legal = frame[legal_column].astype("string").str.upper()
    known = legal.isin(_LEGAL)
    counts["census_legal_status_other"] = int((~known).sum())
    return legal.where(known, "C2")


def _census_sex(frame: pd.DataFrame, counts: dict[str, int]) -> pd.Series:
    sex = pd.to_numeric(frame["sex"], errors="coerce")
    counts["census_sex_unknown"] = int(sex.isna().sum() + (~sex.isin([1, 2]) & sex.notna()).sum())
    return sex.where(sex.isin([1, 2]), 1).astype(int)


def census_on(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    day: pd.Timestamp,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
    since: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The census of the children looked after on `day`, from the raw 903 frames (prepared over
    the window from `since`, by default a year before `day`)."""
    day = pd.Timestamp(day)
    start = pd.Timestamp(since) if since is not None else day - pd.DateOffset(years=1)
    return census_from_extract(prepare(episodes, header, start, day, uasc, exclude_uasc))[0]


def starting_from(
    data: dict,
    census: pd.DataFrame,
    start_date: dt.date | pd.Timestamp | str,
    file: str = "<in memory>",
    years: int | None = None,
) -> dict:
    """Raw scenario data that starts on `start_date` (for `years`, if given) from `census`,
    held in memory: no census file is needed."""
    run = dict(data)
    run["start_date"] = pd.Timestamp(start_date).date()
    if years is not None:
        run["horizon_years"] = years
    run["census"] = {"file": file, "children": census.to_dict("records")}
    return run
