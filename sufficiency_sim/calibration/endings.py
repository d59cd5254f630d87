"""Placement endings: unplanned-ending medians, planned-move rates and the reasons.

``endings.median_days.<kind>``, ``endings.reason_mix``
    Weibull scale with the template's shape, breakdowns as events, then multiplied by the
    exposure-weighted mean of the template's age x needs x location multipliers to the power
    1/shape. CLOSE and APPRR endings of in-house foster care and local homes are not
    breakdowns: the model makes them itself (carers deregistering, homes closing).
``endings.planned_move_rate_per_year.<kind>``
    Planned endings per placement-year, leaving out those the model makes by itself (pathway
    steps, ends of bridging placements, step-backs: `model_moves`); still an upper bound.

Exposure (placement-years) counts the days of each placement inside the window. The evidence
(``endings``) is one row per kind with its placements, exposure, endings and medians.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.locations import LOCATION_SECTIONS
from sufficiency_sim.calibration.parts import (
    MIN_EVENTS,
    MIN_MIX_N,
    Part,
    combine_all,
    days,
    estimated,
    evidence,
    kept,
    mix_text,
    shares,
)
from sufficiency_sim.calibration.window import Window
from sufficiency_sim.scenario.census import CENSUS_PLACEMENTS
from sufficiency_sim.scenario.keys import get_key
from sufficiency_sim.vocabulary import AGE_BANDS, LOCATIONS, YEAR_DAYS

__all__ = ["ENDING_KINDS", "PLANNED_MOVE_KINDS", "estimate_endings", "model_moves"]

MIN_PLACEMENT_YEARS = 5.0
"""Least exposure for a planned-move rate."""
BRIDGING_DAYS = 28
"""Placements shorter than this ending in a planned move are taken as bridging placements."""
REASONS: tuple[str, ...] = ("CREQB", "CREQO", "CHILD", "ALLEG", "STAND")
REASON_NEAREST: dict[str, str] = {"CLOSE": "CREQO", "APPRR": "STAND"}
"""Unplanned reasons the scenario has no key for, and the key they are counted under."""
ENDING_KINDS: tuple[str, ...] = CENSUS_PLACEMENTS
"""Kinds whose unplanned-ending median is estimated (emergency kinds are not told apart)."""
PLANNED_MOVE_KINDS: tuple[str, ...] = (
    "kinship",
    "inhouse_foster",
    "ifa",
    "local_home",
    "external_home",
    "supported",
)
"""Kinds whose planned-move rate is estimated (placed with parents and adoption placements
end by the pathway's own steps in the model)."""
CARER_REASONS = frozenset({"CLOSE", "APPRR"})
CARER_KINDS = frozenset({"inhouse_foster", "local_home"})
"""Kinds whose CLOSE / APPRR endings the model makes itself (carers deregistering, homes
closing): not counted as breakdowns of those kinds."""


def estimate_endings(extract: Extract, template: Mapping[str, Any]) -> Part:
    """Each kind's ending median and planned-move rate, and the reasons of breakdowns."""
    shape = float(get_key(template, "endings.weibull_shape", 0.7) or 0.7)
    p = _exposure(extract, template, shape)
    rows, parts = [], []
    for kind in (*ENDING_KINDS, "other"):
        of_kind = p.loc[p["kind"] == kind]
        row = _ending_row(kind, of_kind)
        if kind != "other":
            part, medians = _ending_median(template, kind, of_kind, shape)
            row.update(medians)
            parts.append(part)
            if kind in PLANNED_MOVE_KINDS:
                parts.append(_planned_rate(template, kind, row))
        rows.append(row)
    parts.append(evidence("endings", pd.DataFrame(rows)))
    why = (
        "bridging placements cannot be told apart in a 903 extract (they are U6 with "
        "the authority or K2 with a private provider), so they are counted with "
        "in-house foster care and external homes"
    )
    for kind in ("emergency_foster", "emergency_residential"):
        parts.append(kept(template, f"endings.median_days.{kind}", why))
    parts.append(_reason_mix(template, p.loc[p["breakdown"]]))
    return combine_all(parts)


def _exposure(extract: Extract, template: Mapping[str, Any], shape: float) -> pd.DataFrame:
    """The placements overlapping the window, with their exposure and endings in it."""
    window = Window.of(extract)
    placements = extract.placements
    end = placements["end"].where(placements["end"].notna(), window.stop)
    enter = placements["start"].where(placements["start"] > window.start, window.start)
    overlap = (end > window.start) & (end > enter)
    p = placements.loc[overlap].copy()
    p["e"] = np.maximum(days(window.start - p["start"]), 0.0)
    p["c"] = days(end[overlap] - p["start"])
    p["years"] = (p["c"] - p["e"]) / YEAR_DAYS
    p["w"] = p["c"] ** shape - p["e"] ** shape
    ended_in = p["end"].notna() & window.contains(p["end"])
    p["unplanned"] = ended_in & (p["ending"] == "unplanned")
    carer = p["kind"].isin(CARER_KINDS) & p["reason"].astype("object").isin(CARER_REASONS)
    p["breakdown"] = p["unplanned"] & ~carer
    p["planned"] = ended_in & (p["ending"] == "planned")
    p["care_plan"] = p["planned"] & ~model_moves(template, placements).loc[p.index]
    return p


def _ending_row(kind: str, of_kind: pd.DataFrame) -> dict[str, Any]:
    years = float(of_kind["years"].sum())
    unplanned = int(of_kind["unplanned"].sum())
    planned = int(of_kind["planned"].sum())
    return {
        "kind": kind,
        "placements": len(of_kind),
        "placement_years": years,
        "unplanned": unplanned,
        "breakdowns": int(of_kind["breakdown"].sum()),
        "planned": planned,
        "care_plan_moves": int(of_kind["care_plan"].sum()),
        "unplanned_per_year": unplanned / years if years > 0 else float("nan"),
        "planned_per_year": planned / years if years > 0 else float("nan"),
        "median_observed": float("nan"),
        "mean_multiplier": float("nan"),
        "median_model": float("nan"),
    }


def _reason_mix(template: Mapping[str, Any], breakdowns: pd.DataFrame) -> Part:
    reason = breakdowns["reason"].astype("object")
    mapped = reason.map(lambda r: REASON_NEAREST.get(r, r))
    key = "endings.reason_mix"
    if len(mapped) < MIN_MIX_N:
        return kept(template, key, f"only {len(mapped)} unplanned ending(s) in the window")
    mix = shares(mapped.value_counts().to_dict(), REASONS)
    moved = {r: int((reason == r).sum()) for r in REASON_NEAREST}
    moved_text = ", ".join(f"{r} {k} as {REASON_NEAREST[r]}" for r, k in moved.items() if k)
    return estimated(
        key,
        mix,
        f"reasons of the {len(mapped)} unplanned endings in the window that the model "
        f"makes as breakdowns: {mix_text(mix)}"
        + (f" ({moved_text}: the scenario has no key for them)" if moved_text else ""),
    )


def _mean_needs_multiplier(template: Mapping[str, Any]) -> dict[str, float]:
    needs_by_age = get_key(template, "entries.needs_by_age", None) or {}
    multiplier = get_key(template, "endings.needs_multiplier", None) or {}
    out = {}
    for band in AGE_BANDS:
        mix = needs_by_age.get(band) or {}
        total = sum(float(v) for v in mix.values())
        if total <= 0:
            out[band] = 1.0
        else:
            out[band] = sum(float(v) * float(multiplier.get(k, 1.0)) for k, v in mix.items())
            out[band] /= total
    return out


def _location_multiplier(template: Mapping[str, Any], kind: str) -> dict[str, float]:
    multiplier = get_key(template, "endings.location_multiplier", None) or {}
    by_location = {loc: float(multiplier.get(loc, 1.0)) for loc in LOCATIONS}
    section = LOCATION_SECTIONS.get(kind)
    mix = get_key(template, f"provision.{section}.location_mix", None) if section else None
    if kind == "local_home":
        homes = get_key(template, "provision.local_homes", None) or []
        locations = [h.get("location", "in") for h in homes if isinstance(h, Mapping)]
        mix = {loc: locations.count(loc) for loc in LOCATIONS} if locations else {"in": 1}
    if mix and sum(float(v) for v in mix.values()) > 0:
        total = sum(float(v) for v in mix.values())
        unknown = sum(by_location.get(k, 1.0) * float(v) for k, v in mix.items()) / total
    else:
        unknown = 1.0
    by_location["unknown"] = unknown
    return by_location


def _mean_multiplier(template: Mapping[str, Any], kind: str, rows: pd.DataFrame) -> float:
    """The exposure-weighted mean of the template's age x needs x location multipliers."""
    age_multiplier = get_key(template, "endings.age_multiplier", None) or {}
    needs = _mean_needs_multiplier(template)
    location = _location_multiplier(template, kind)
    band = rows["age_band"].astype("object")
    m_age = band.map(lambda b: float(age_multiplier.get(b, 1.0))).to_numpy(dtype="float64")
    m_needs = band.map(lambda b: needs.get(b, 1.0)).to_numpy(dtype="float64")
    loc = rows["location"].astype("object").fillna("unknown")
    m_loc = loc.map(lambda x: location.get(x, location["unknown"])).to_numpy(dtype="float64")
    multiplier = m_age * m_needs * m_loc
    w = rows["w"].to_numpy(dtype="float64")
    total = float(w.sum())
    return float((multiplier * w).sum() / total) if total > 0 else 1.0


def _ending_median(
    template: Mapping[str, Any], kind: str, rows: pd.DataFrame, shape: float
) -> tuple[Part, dict[str, float]]:
    key = f"endings.median_days.{kind}"
    events = int(rows["breakdown"].sum())
    carer = int(rows["unplanned"].sum()) - events
    if events < MIN_EVENTS:
        why = f"only {events} unplanned ending(s) of {kind} placements in the window"
        return kept(template, key, why), {}
    total = float(rows["w"].to_numpy(dtype="float64").sum())
    ln2 = math.log(2.0) ** (1.0 / shape)
    observed = (total / events) ** (1.0 / shape) * ln2
    mean_multiplier = _mean_multiplier(template, kind, rows)
    model = observed * mean_multiplier ** (1.0 / shape)
    medians = {
        "median_observed": observed,
        "mean_multiplier": mean_multiplier,
        "median_model": model,
    }
    note = (
        f"Weibull (shape {shape:g}, the template's) maximum likelihood scale from {len(rows)} "
        f"{kind} placements in the window: {events} unplanned endings (CREQB, CREQO, CHILD, "
        "ALLEG, STAND"
        + (
            f"; not the {carer} CLOSE or APPRR endings, which the model makes itself when "
            "carers leave or homes close"
            if kind in CARER_KINDS
            else ", CLOSE, APPRR"
        )
        + ") are events, every other ending and placements still open are censored, "
        "placements started before the window are conditioned on lasting into it; observed "
        f"median {observed:,.0f} days. The model multiplies this hazard by "
        "age, needs and location multipliers, so the observed median is multiplied by the "
        f"exposure-weighted mean multiplier {mean_multiplier:.2f} (the template's age and "
        "location multipliers at each placement's age and location, needs averaged by the "
        f"template's needs_by_age) to the power 1/shape: {model:,.0f} days"
    )
    return estimated(key, max(1.0, round(model, 0)), note), medians


def model_moves(template: Mapping[str, Any], placements: pd.DataFrame) -> pd.Series:
    """Planned endings that the model makes by mechanisms of its own, not care-plan moves:

    - a pathway step: the next placement is for adoption, with parents, or in supported
      accommodation (the model's adoption, placed-with-parents and supported-move steps);
    - the end of a bridging placement: one that lasted under `BRIDGING_DAYS` days;
    - a step-back: a move from a placement at a step-back location (the template's
      ``matching.step_back.from_locations``, "far" by default) into in-house foster care or a
      local home, when the template's step-back is enabled.
    """
    ordered = placements.sort_values(["period_id", "seq"])
    next_kind = ordered.groupby("period_id")["kind"].shift(-1).reindex(placements.index)
    step = next_kind.isin(["adoption", "placed_with_parents", "supported"])
    length = days(placements["end"] - placements["start"])
    bridging = pd.Series(length < BRIDGING_DAYS, index=placements.index)
    step_back = get_key(template, "matching.step_back", None) or {}
    if step_back.get("enabled", True):
        far = (
            placements["location"]
            .astype("object")
            .isin(list(step_back.get("from_locations", ["far"])))
        )
        back = far & next_kind.isin(["inhouse_foster", "local_home"])
    else:
        back = pd.Series(False, index=placements.index)
    return (step | bridging | back).fillna(False).astype(bool)


def _planned_rate(template: Mapping[str, Any], kind: str, row: Mapping[str, Any]) -> Part:
    key = f"endings.planned_move_rate_per_year.{kind}"
    years, planned, care_plan = row["placement_years"], row["planned"], row["care_plan_moves"]
    if years < MIN_PLACEMENT_YEARS:
        return kept(template, key, f"only {years:.1f} placement-years of {kind} care in the window")
    return estimated(
        key,
        round(care_plan / years, 4),
        f"{care_plan} care-plan moves in {years:,.1f} placement-years of {kind} care in the "
        f"window ({row['placements']} placements): of its {planned} planned endings (not "
        "unplanned, not leaving care), those the model makes by itself are left out (moves "
        "into a placement for adoption, with parents or supported accommodation; ends of "
        f"placements shorter than {BRIDGING_DAYS} days, as bridging placements are; moves "
        "from a far placement into in-house foster care or a local home, as step-backs are). "
        "Still an upper bound: status-only changes recorded as new placements count here",
    )
