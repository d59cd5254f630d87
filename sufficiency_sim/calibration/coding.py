"""903 codes and dates in the model's terms: ages and birthdays, age bands, routes out of care,
placement kinds (from PLACE, PLACE_PROVIDER and the location) and locations (in, near, far)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sufficiency_sim.scenario.census import CENSUS_PLACEMENTS
from sufficiency_sim.ssda903.codes import ADOPTION_PLACES, SUPPORTED_PLACES
from sufficiency_sim.vocabulary import AGE_BAND_RANGES, AGE_BANDS

__all__ = [
    "age_band_of_years",
    "birthday",
    "completed_years",
    "exit_route",
    "placement_kinds",
    "placement_locations",
]

_ADOPTION_REC = frozenset({"E11", "E12"})
_SGO_REC = frozenset({"E45", "E46", "E47", "E48"})
_CAO_REC = frozenset({"E41"})
_RETURN_HOME_REC = frozenset({"E4A", "E13"})
_KINSHIP_PLACES = frozenset({"U1", "U2", "U3"})
_FOSTER_PLACES = frozenset({"U4", "U5", "U6"})
_HOME_PLACES = frozenset({"K2", "R1"})
_LOCAL_PROVIDER = "PR1"
_NEAR_MILES = 20.0


def completed_years(dob: pd.Series, day: pd.Series) -> pd.Series:
    """Completed years of age on each day."""
    years = day.dt.year - dob.dt.year
    before = (day.dt.month < dob.dt.month) | (
        (day.dt.month == dob.dt.month) & (day.dt.day < dob.dt.day)
    )
    return years - before.astype("int64")


def birthday(dob: pd.Series, years: int) -> pd.Series:
    """The `years`-th birthday (29 February -> 1 March in common years, as the model does)."""
    parts = pd.DataFrame({"year": dob.dt.year + years, "month": dob.dt.month, "day": dob.dt.day})
    leap_day = (parts["month"] == 2) & (parts["day"] == 29)
    day = pd.to_datetime(parts.fillna(1).astype("int64"), errors="coerce")
    march = pd.to_datetime(
        pd.DataFrame({"year": parts["year"].fillna(1), "month": 3, "day": 1}).astype("int64"),
        errors="coerce",
    )
    day = day.where(~(leap_day & day.isna()), march)
    return day.where(dob.notna())


def age_band_of_years(years: np.ndarray | pd.Series) -> np.ndarray:
    """Age band ("0", "1-4", "5-9", "10-15", "16-17") of completed years; None outside 0-17."""
    values = np.asarray(years, dtype="float64")
    bands = np.array([None, *AGE_BANDS], dtype=object)
    index = np.select(
        [(values >= low) & (values <= high) for low, high in AGE_BAND_RANGES.values()],
        list(range(1, len(AGE_BANDS) + 1)),
        default=0,
    )
    return bands[index]


def exit_route(exit_code: pd.Series, end: pd.Series, birthday18: pd.Series) -> pd.Series:
    """The route out of care of each REC (at18 when the period ended on or after the 18th
    birthday)."""
    code = exit_code.fillna("")
    route = np.select(
        [
            code.isin(_ADOPTION_REC),
            code.isin(_SGO_REC),
            code.isin(_CAO_REC),
            code.isin(_RETURN_HOME_REC),
        ],
        ["adoption", "sgo", "cao", "return_home"],
        default="other",
    ).astype(object)
    route[(end >= birthday18).to_numpy()] = "at18"
    return pd.Series(route, index=exit_code.index, dtype="string")


def placement_kinds(place: pd.Series, provider: pd.Series, location: pd.Series) -> np.ndarray:
    """The model's provision kind of each placement ("other" for settings it does not have)."""
    place = place.fillna("")
    local_provider = provider.fillna("") == _LOCAL_PROVIDER
    inside = location.fillna("") == "in"
    return np.select(
        [
            place.isin(_KINSHIP_PLACES),
            place.isin(_FOSTER_PLACES) & local_provider,
            place.isin(_FOSTER_PLACES),
            place.isin(_HOME_PLACES) & local_provider & inside,
            place.isin(_HOME_PLACES),
            place.isin(SUPPORTED_PLACES),
            place == "P1",
            place.isin(ADOPTION_PLACES),
        ],
        list(CENSUS_PLACEMENTS),
        default="other",
    ).astype(object)


def placement_locations(pl_location: pd.Series, distance: pd.Series) -> np.ndarray:
    """in (PL_LOCATION IN), far (OUT and over 20 miles), near (other OUT); None when blank."""
    code = pl_location.fillna("")
    out = code == "OUT"
    far = out & distance.notna() & (distance > _NEAR_MILES)
    return np.select([code == "IN", far, out], ["in", "far", "near"], default=None).astype(object)
