"""Where placements are: the location mix (in, near, far) of each kind started in the window.

``provision.<section>.location_mix``
    Locations of the placements of each kind started in the window (in: PL_LOCATION IN; near:
    OUT and 20 miles or less or no distance; far: OUT and over 20 miles). Evidence: the counts
    and shares by kind and location.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.parts import (
    Part,
    combine_all,
    estimated,
    evidence,
    kept,
    mix_text,
    shares,
)
from sufficiency_sim.calibration.window import Window
from sufficiency_sim.vocabulary import LOCATIONS

__all__ = ["LOCATION_SECTIONS", "MIN_LOCATION_N", "estimate_locations"]

MIN_LOCATION_N = 20
"""Fewest placements of a kind with a known location for its location mix."""
LOCATION_SECTIONS: dict[str, str] = {
    "kinship": "kinship",
    "inhouse_foster": "inhouse_foster",
    "ifa": "ifa",
    "external_home": "external_homes",
    "supported": "supported",
    "placed_with_parents": "placed_with_parents",
    "adoption": "adoption",
}
"""Placement kind -> section of ``provision`` whose ``location_mix`` it estimates."""


def estimate_locations(extract: Extract, template: Mapping[str, Any]) -> Part:
    """Each kind's location mix, with the counts by kind and location as evidence."""
    window = Window.of(extract)
    placements = extract.placements
    new = placements.loc[window.contains(placements["start"])]
    rows, parts = [], []
    for kind, section in LOCATION_SECTIONS.items():
        of_kind = new.loc[(new["kind"] == kind) & new["location"].notna()]
        counts = of_kind["location"].value_counts()
        for location in LOCATIONS:
            n = int(counts.get(location, 0))
            share = n / len(of_kind) if len(of_kind) else float("nan")
            rows.append({"kind": kind, "location": location, "share": share, "n": n})
        key = f"provision.{section}.location_mix"
        if len(of_kind) < MIN_LOCATION_N:
            unknown = int(((new["kind"] == kind) & new["location"].isna()).sum())
            why = (
                f"only {len(of_kind)} {kind} placement(s) started in the window with a "
                "known location"
            )
            if unknown:
                why += f" ({unknown} more without PL_LOCATION)"
            parts.append(kept(template, key, why))
            continue
        mix = shares(counts.to_dict(), LOCATIONS)
        note = (
            f"location of the {len(of_kind)} {kind} placements started in the window "
            f"(in: PL_LOCATION IN; near: OUT and 20 miles or less or no distance; far: OUT and "
            f"over 20 miles): {mix_text(mix)}"
        )
        parts.append(estimated(key, mix, note))
    table = pd.DataFrame(rows, columns=["kind", "location", "share", "n"])
    return combine_all([*parts, evidence("locations", table)])
