"""Write a calibrated scenario: the template's values, with every value estimated from the
extract put in at its dotted key, starting the day after the window from the census.

Every key is tagged with where its value came from (`Provenance`): "data" (estimated from the
extract), "scaled" (the template's capacity scaled to the census, when the authority's
in-house foster children or children in its own homes would not fit the template's households
or beds, or would leave most of them empty) or "template".
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sufficiency_sim.files import atomic
from sufficiency_sim.scenario.keys import set_key

_OCCUPANCY = 1.0
"""Share of usable in-house places taken at the census when capacity is scaled to fit it (the
model's in-house carers are usually full, with children waiting for a place)."""
_LOW_OCCUPANCY = 0.8
"""Below this share of usable places taken at the census, the households are scaled down."""


@dataclass(frozen=True)
class Provenance:
    """Where one scenario key's value came from."""

    key: str
    source: str  # data, scaled or template
    note: str


def _plain(value: Any) -> Any:
    """Plain YAML-safe values (numpy numbers, tuples, read-only mappings)."""
    if isinstance(value, Mapping):
        return {(str(k) if not isinstance(k, int) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _leaves(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict) and data and prefix.count(".") < 2:
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif prefix:
        yield prefix


def _usable_places(inhouse: Mapping[str, Any]) -> float:
    """Expected usable places of one in-house household under the template: each approved
    place is unavailable with the template's probability, and a household keeps at least one
    (as `Simulation._new_household` draws them)."""
    unavailable = float(inhouse.get("unavailable_place_share", 0.0))
    expected = 0.0
    for approved, share in inhouse["places_mix"].items():
        n = int(approved)
        usable = sum(
            max(1, n - k) * math.comb(n, k) * unavailable**k * (1 - unavailable) ** (n - k)
            for k in range(n + 1)
        )
        expected += float(share) * usable
    return max(1.0, expected)


def _capacity_from_census(
    data: dict, inhouse_at_census: int, local_home_at_census: int | None
) -> list[Provenance]:
    """Fit the template's in-house households and local home beds to the census, both ways:
    households (and enquiries, so that recruitment keeps pace) scaled so that the in-house
    children at the census take about `_OCCUPANCY` of the usable places when they would not
    fit, or would take fewer than `_LOW_OCCUPANCY` of them; each local home's beds scaled to
    the children in local homes at the census when they would not fit or would fill fewer
    than half of the beds. The refinement (`refine.py`) then corrects the households by
    simulation."""
    out: list[Provenance] = []
    inhouse = data["provision"]["inhouse_foster"]
    households = int(inhouse["households"])
    usable = _usable_places(inhouse) * households
    needed = inhouse_at_census / _OCCUPANCY
    if households > 0 and (needed > usable or needed < _LOW_OCCUPANCY * usable):
        factor = max(needed, 1.0) / usable
        new = max(1, math.ceil(households * factor))
        enquiries = round(float(data["carers"]["enquiries_per_year"]) * new / households, 1)
        note = (
            f"{inhouse_at_census} children were with in-house foster carers at the census; the "
            f"template's {households} households have about {usable:.0f} usable places: "
            f"households and enquiries scaled by {new / households:.2f} to fit them"
        )
        set_key(data, "provision.inhouse_foster.households", _plain(new))
        set_key(data, "carers.enquiries_per_year", _plain(enquiries))
        out.append(Provenance("provision.inhouse_foster.households", "scaled", note))
        out.append(Provenance("carers.enquiries_per_year", "scaled", note))
    homes = list(data["provision"].get("local_homes") or [])
    beds = sum(int(h["beds"]) for h in homes)
    if local_home_at_census is not None and beds > 0:
        n = local_home_at_census
        if n > beds or n < beds / 2:
            factor = max(n, 1) / beds
            new_homes = [{**h, "beds": max(1, round(int(h["beds"]) * factor))} for h in homes]
            total = sum(h["beds"] for h in new_homes)
            set_key(data, "provision.local_homes", _plain(new_homes))
            out.append(
                Provenance(
                    "provision.local_homes",
                    "scaled",
                    f"{n} children were in the council's own children's homes at the census "
                    f"against the template's {beds} beds: beds scaled to {total}",
                )
            )
    return out


def calibrated_scenario(
    template: Mapping[str, Any],
    values: Mapping[str, Any],
    notes: Mapping[str, str],
    *,
    name: str,
    start_date: dt.date,
    census_file: str,
    inhouse_at_census: int,
    local_home_at_census: int | None = None,
) -> tuple[dict, list[Provenance]]:
    """The calibrated scenario as raw data, and where each value came from."""
    data = copy.deepcopy(dict(template))
    data.pop("extends", None)
    data.pop("census", None)
    data["name"] = name
    data["description"] = (
        f"Calibrated by sufficiency-sim from an SSDA903 extract to {start_date - dt.timedelta(1)};"
        " starts from the census of children in care that day. Capacity and costs are the "
        "template's (see the calibration report for which values came from the data)."
    )
    data["start_date"] = start_date
    data["census"] = census_file
    provenance: list[Provenance] = []
    for key, value in values.items():
        set_key(data, key, _plain(value))
        provenance.append(Provenance(key, "data", notes.get(key, "")))
    provenance += _capacity_from_census(data, inhouse_at_census, local_home_at_census)
    set_keys = {p.key for p in provenance} | {"name", "description", "start_date", "census"}
    for key in _leaves(data):
        covered = key in set_keys or any(key.startswith(k + ".") for k in set_keys)
        if not covered and not any(k.startswith(key + ".") for k in set_keys):
            provenance.append(Provenance(key, "template", "not in SSDA903; from the template"))
    return data, provenance


def scenario_yaml(data: Mapping[str, Any], provenance: list[Provenance], source: str) -> str:
    """The scenario as YAML text, with a header saying which values came from the data."""
    from_data = sorted(p.key for p in provenance if p.source == "data")
    scaled = sorted(p.key for p in provenance if p.source == "scaled")
    lines = [
        f"# Calibrated scenario written by `sufficiency-sim calibrate` from {source}.",
        "# Estimated from the extract (see the calibration report for how):",
        *(f"#   {key}" for key in from_data),
    ]
    if scaled:
        lines += ["# Template capacity scaled to the census:", *(f"#   {k}" for k in scaled)]
    lines += [
        "# Everything else (capacity, costs, needs, matching, carers) is the template's.",
        "# The census file beside this one holds no identifier, date of birth or postcode.",
        "",
    ]
    body = yaml.safe_dump(_plain(dict(data)), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + body


def write_scenario(
    path: str | Path, data: Mapping[str, Any], provenance: list[Provenance], source: str
) -> None:
    """Write the calibrated scenario YAML atomically."""
    atomic.write_text(path, scenario_yaml(data, provenance, source))
