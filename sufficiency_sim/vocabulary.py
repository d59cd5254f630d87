"""The project's one vocabulary: age bands, needs, locations, routes, placement kinds and the
length of a year. Every layer (scenario, model, 903, measures, calibration, report) takes these
names from here, so a band or kind is spelt once. Plain constants: no imports, no behaviour."""

from __future__ import annotations

YEAR_DAYS = 365.25
"""Days in a year, on average: the model's and the calibration's unit of time conversion."""
DAYS_PER_MONTH = YEAR_DAYS / 12

AGE_BANDS: tuple[str, ...] = ("0", "1-4", "5-9", "10-15", "16-17")
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

NEEDS: tuple[str, ...] = ("standard", "complex", "specialist")
NEED_RANK: dict[str, int] = {need: rank for rank, need in enumerate(NEEDS)}

LOCATIONS: tuple[str, ...] = ("in", "near", "far")
"""Inside the boundary; outside within 20 miles; outside and over 20 miles."""
LOCATION_RANK: dict[str, int] = {location: rank for rank, location in enumerate(LOCATIONS)}

ROUTES: tuple[str, ...] = ("return_home", "adoption", "sgo", "cao", "long_term", "other")
"""Care pathways drawn at entry; long_term children stay until 18 unless something ends it."""
DURATION_ROUTES: tuple[str, ...] = ("return_home", "adoption", "sgo", "cao", "other")
"""The routes with a time-to-leave distribution (long_term leaves at 18)."""

FOSTER_KINDS = frozenset({"kinship", "inhouse_foster", "ifa", "emergency_foster"})
RESIDENTIAL_KINDS = frozenset({"local_home", "external_home", "emergency_residential"})
