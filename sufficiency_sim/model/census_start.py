"""Start a simulation from a census of the children already in care, instead of a warm-up.

Each census child gets what the model would have drawn at entry, but conditioned on what the
census says has already happened:
- a care pathway drawn from the route mix of its age band at entry, weighted by the chance of
  each route's time in care lasting as long as it already has (a child in an adoptive
  placement or with a placement order is on the adoption route; a child placed with parents is
  returning home);
- a leaving day from the route's duration given the days in care so far (or, in an adoptive
  placement or placed with parents, from the time to the order or return given the
  placement's days so far), never after the 18th birthday;
- needs from its band's needs mix, restricted to what its placement can meet;
- its current placement continued: a breakdown time drawn given that the placement has lasted
  its days so far, in-house children in a household with a free place (the best fit by age,
  needs and location; an extra household is approved when none has room) and children in a
  local home in a home with a free bed (else counted as in an external home).
A period of care that began before the current placement gets one placeholder placement (kind
`before_census`, no cost) so that the 903 history shows when the period began.

The pathway draws are `pathways.start_from_census`; placing uses the simulation's public parts
(`placing.start`, `carers.new_household`, `local_homes.open`, `journeys.schedule`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sufficiency_sim.model.coding import placement_codes
from sufficiency_sim.model.draws import distance_miles
from sufficiency_sim.model.entities import Child, Placement
from sufficiency_sim.model.pathways import start_from_census
from sufficiency_sim.model.provision import Household
from sufficiency_sim.vocabulary import NEED_RANK


class PlacementCodeDraws(NamedTuple):
    """The uniform a census child's placement takes (after its pathway's)."""

    provider: float


def place_census(sim: Any, records: Sequence[Any]) -> dict[str, int]:
    """Create the census children in care on the start day, each in its placement, and
    schedule their events. Returns counts of what had to be adjusted."""
    stats = {
        "census_children": 0,
        "census_extra_households": 0,
        "census_local_home_overflow": 0,
    }
    now = int(sim.env.now)
    for home in sim.homes:  # homes open on the start day take census children at once
        if home.open_day <= now and not home.is_open:
            sim.local_homes.open(home)
    for index, record in enumerate(records):
        child = Child(len(sim.children), sim.streams.member("census", index))
        start_from_census(sim.sc, child, record, now, sim.ord0)
        sim.children.append(child)
        sim.entries += 1
        _place_census_child(sim, child, record, stats)
        stats["census_children"] += 1
    for child in sim.children:
        sim.journeys.schedule(child)
    return stats


def _census_household(sim: Any, age: int, need: int, location: str) -> Household:
    """The household with a free place that fits the child best (age range, needs, location);
    a new household when none has room."""
    best, best_score = None, None
    for household in sim.foster:
        if household.emergency or household.free <= 0:
            continue
        score = (
            household.min_age <= age <= household.max_age,
            household.max_need >= need,
            household.location == location,
        )
        if best_score is None or score > best_score:
            best, best_score = household, score
            if all(score):
                break
    if best is not None:
        return best
    household = sim.carers.new_household(int(sim.env.now), False, "census_extra")
    household.max_need = max(household.max_need, need)
    household.min_age, household.max_age = min(household.min_age, age), max(household.max_age, age)
    sim.foster.refresh(household)
    sim.carers.schedule_leaving(household)
    return household


def _census_resource(sim: Any, child: Child, record: Any, stats: dict) -> tuple:
    """The household or home a census child lives in (None for other kinds), and its kind (a
    local home's child with no bed free counts as in an external home)."""
    kind = record.placement
    age = sim.age(child, int(sim.env.now))
    resource: Any = None
    if kind == "inhouse_foster":
        before = len(sim.foster.households)
        resource = _census_household(sim, age, NEED_RANK[child.need], record.location)
        stats["census_extra_households"] += len(sim.foster.households) > before
    elif kind == "local_home":
        resource = sim.homes.find(age, child.need)
        if resource is None:
            resource = next((h for h in sim.homes if h.free > 0), None)
        if resource is None:
            kind = "external_home"
            stats["census_local_home_overflow"] += 1
    return resource, kind


def _place_census_child(sim: Any, child: Child, record: Any, stats: dict) -> None:
    """Continue the child's current placement (after a placeholder for earlier ones)."""
    now = int(sim.env.now)
    resource, kind = _census_resource(sim, child, record, stats)
    location = record.location
    u = PlacementCodeDraws._make(child.rng.random(1).tolist())
    place, provider, prefix = placement_codes(
        kind,
        child.route == "long_term",
        u.provider,
        sim.sc.provision,
        sim.env.now >= sim.k3_day,
        resource,
    )
    if resource is not None:
        rid, location, distance = resource.rid, resource.location, resource.distance
    else:
        rid = sim.rid(prefix)
        distance = distance_miles(location, child.rng)
    placement_start = now - record.placement_days
    if placement_start > child.entry:
        before = Placement(
            "before_census",
            None,
            sim.rid("PRE"),
            location,
            distance,
            child.entry,
            "U6" if place[0] in "AP" else place,
            "PR1" if place[0] in "AP" else provider,
            False,
            False,
        )
        before.end = placement_start
        before.reason = "CARPL"
        child.placements.append(before)
    sim.placing.start(
        child,
        kind,
        resource,
        rid,
        location,
        distance,
        place,
        provider,
        elapsed=record.placement_days,
    )
