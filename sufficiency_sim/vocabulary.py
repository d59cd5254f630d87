"""The project's one vocabulary: age bands, needs, locations, routes, placement kinds and the
length of a year. Every layer (scenario, model, 903, measures, calibration, report) takes these
names from here, so a band or kind is spelt once. Plain constants and the `Literal` types
that the scenario's schema validates against (each tuple is read from its `Literal`, so a name
is written once and type checkers still see the names); no behaviour."""

from __future__ import annotations

from typing import Literal, get_args

YEAR_DAYS = 365.25
"""Days in a year, on average: the model's and the calibration's unit of time conversion."""
DAYS_PER_MONTH = YEAR_DAYS / 12

AgeBand = Literal["0", "1-4", "5-9", "10-15", "16-17"]
AGE_BANDS: tuple[AgeBand, ...] = get_args(AgeBand)
"""DfE age bands at entry: under 1, 1-4, 5-9, 10-15, 16-17 (completed years)."""
AGE_BAND_RANGES: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "1-4": (1, 4),
    "5-9": (5, 9),
    "10-15": (10, 15),
    "16-17": (16, 17),
}
"""Completed years of age in each band."""
BAND_OF_AGE: tuple[str, ...] = (
    *(band for band, (low, high) in AGE_BAND_RANGES.items() for _ in range(low, high + 1)),
    "16-17",
)
"""The age band of each completed year of age 0-18 (index by age; 18, reached on the day a
child leaves, counts as 16-17)."""

Need = Literal["standard", "complex", "specialist"]
NEEDS: tuple[Need, ...] = get_args(Need)
NEED_RANK: dict[str, int] = {need: rank for rank, need in enumerate(NEEDS)}

Location = Literal["in", "near", "far"]
LOCATIONS: tuple[Location, ...] = get_args(Location)
"""Inside the boundary; outside within 20 miles; outside and over 20 miles."""
LOCATION_RANK: dict[str, int] = {location: rank for rank, location in enumerate(LOCATIONS)}

RouteName = Literal["return_home", "adoption", "sgo", "cao", "long_term", "other"]
ROUTES: tuple[RouteName, ...] = get_args(RouteName)
"""Care pathways drawn at entry; long_term children stay until 18 unless something ends it."""
DURATION_ROUTES: tuple[RouteName, ...] = ("return_home", "adoption", "sgo", "cao", "other")
"""The routes with a time-to-leave distribution (long_term leaves at 18)."""

FOSTER_KINDS = frozenset({"kinship", "inhouse_foster", "ifa", "emergency_foster"})
RESIDENTIAL_KINDS = frozenset({"local_home", "external_home", "emergency_residential"})

PreferenceKind = Literal[
    "kinship",
    "inhouse_foster",
    "ifa_local",
    "local_home",
    "supported",
    "ifa_distant",
    "external_home",
]
PREFERENCE_KINDS: tuple[PreferenceKind, ...] = get_args(PreferenceKind)
"""The kinds of placement a matching preference list can name, in the default order."""

BreakdownKind = Literal[
    "kinship",
    "inhouse_foster",
    "emergency_foster",
    "ifa",
    "local_home",
    "external_home",
    "emergency_residential",
    "supported",
    "placed_with_parents",
    "adoption",
]
BREAKDOWN_KINDS: tuple[BreakdownKind, ...] = get_args(BreakdownKind)
"""The kinds of placement with an unplanned-ending rate of their own."""

BreakdownReason = Literal["CREQB", "CREQO", "CHILD", "ALLEG", "STAND"]
"""903 reasons for an unplanned placement change (REASON_PLACE_CHANGE)."""
