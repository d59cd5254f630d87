"""The placement mix of the window: which kind of placement children start in.

``provision.kinship.available_by_age``
    Shares of first placements in kinship care by band (evidence: the first placements'
    kinds by band).
``provision.adoption.with_current_carers_share``
    A5 (and A3) among placements for adoption started in the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.parts import (
    MIN_SHARE_N,
    Part,
    combine,
    estimated,
    evidence,
    kept,
)
from sufficiency_sim.calibration.window import Window
from sufficiency_sim.scenario.keys import get_key
from sufficiency_sim.vocabulary import AGE_BANDS

__all__ = ["estimate_adoption_with_carers", "estimate_kinship"]

_KINSHIP = "provision.kinship.available_by_age"


def _first_placements(extract: Extract) -> pd.DataFrame:
    """Age band and first placement's kind of each period started in the window."""
    window = Window.of(extract)
    periods, placements = extract.periods, extract.placements
    started = periods.loc[window.contains(periods["start"])]
    first = placements.loc[placements["seq"] == 1].set_index("period_id")["kind"]
    kind = started["period_id"].map(first)
    frame = pd.DataFrame({"age_band": started["age_band"].to_numpy(), "kind": kind.to_numpy()})
    return frame.dropna()


def estimate_kinship(extract: Extract, template: Mapping[str, Any]) -> Part:
    """Kinship availability by band, with the first placements' mix as evidence."""
    frame = _first_placements(extract)
    counts = frame.groupby(["age_band", "kind"]).size().rename("n").reset_index()
    totals = counts.groupby("age_band")["n"].transform("sum")
    counts["share"] = counts["n"] / totals
    table = counts[["age_band", "kind", "share", "n"]].astype(
        {"age_band": "object", "kind": "object", "n": "int64", "share": "float64"}
    )
    return combine(evidence("first_placement", table), _kinship(template, frame))


def _kinship(template: Mapping[str, Any], frame: pd.DataFrame) -> Part:
    current = get_key(template, _KINSHIP, None) or {}
    value, used, kept_bands = {}, [], []
    for band in AGE_BANDS:
        rows = frame.loc[frame["age_band"] == band]
        if len(rows) >= MIN_SHARE_N:
            value[band] = round(float((rows["kind"] == "kinship").mean()), 4)
            used.append(f"{band} {value[band]:.0%} of {len(rows)}")
        elif band in current:
            value[band] = float(current[band])
            kept_bands.append(f"{band} (n={len(rows)})")
        else:
            value[band] = 0.0
            kept_bands.append(f"{band} (n={len(rows)}, none in the template: 0)")
    if not used:
        return kept(
            template, _KINSHIP, f"fewer than {MIN_SHARE_N} first placements in every age band"
        )
    note = (
        "share of periods of care started in the window whose first placement was with "
        "family or friends (U1-U3), by age band: " + ", ".join(used)
    )
    if kept_bands:
        note += f"; template kept for band(s) with fewer than {MIN_SHARE_N}: " + ", ".join(
            kept_bands
        )
    note += (
        "; the model offers kinship first except to children with specialist needs, so "
        "this is slightly below the availability it implies"
    )
    return estimated(_KINSHIP, value, note)


def estimate_adoption_with_carers(extract: Extract, template: Mapping[str, Any]) -> Part:
    """The share of placements for adoption with the current foster carers."""
    window = Window.of(extract)
    placements = extract.placements
    new = placements.loc[window.contains(placements["start"])]
    adoption = new.loc[new["kind"] == "adoption"]
    key = "provision.adoption.with_current_carers_share"
    if len(adoption) < MIN_SHARE_N:
        return kept(
            template, key, f"only {len(adoption)} placement(s) for adoption started in the window"
        )
    with_carers = adoption["place"].astype("object").isin(["A3", "A5"])
    return estimated(
        key,
        round(float(with_carers.mean()), 4),
        f"share of the {len(adoption)} placements for adoption started in the window that "
        f"were with the current foster carers (A5, or A3 with consent): "
        f"{int(with_carers.sum())}",
    )
