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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sufficiency_sim.model.draws import (
    BAND_OF_AGE,
    YEAR,
    duration_beyond,
    duration_days,
    duration_survival,
    pick,
)
from sufficiency_sim.model.matching import NEED_RANK
from sufficiency_sim.model.provision import Household

if TYPE_CHECKING:
    from sufficiency_sim.model.processes import Child, Simulation

_DAYS_PER_MONTH = YEAR / 12
_HOME_NEEDS = ("complex", "specialist")


def place_census(sim: Simulation, records: Sequence[Any]) -> dict[str, int]:
    """Create the census children in care on the start day, each in its placement, and
    schedule their events. Returns counts of what had to be adjusted."""
    from sufficiency_sim.model.processes import Child

    stats = {
        "census_children": 0,
        "census_extra_households": 0,
        "census_local_home_overflow": 0,
    }
    now = int(sim.env.now)
    for home in sim.homes:  # homes open on the start day take census children at once
        if home.open_day <= now and not home.is_open:
            sim._open_home(home)
    for index, record in enumerate(records):
        child = Child(len(sim.children), sim.streams.fresh("census", index))
        _init_census_child(sim, child, record)
        sim.children.append(child)
        sim.entries += 1
        _place_census_child(sim, child, record, stats)
        stats["census_children"] += 1
    for child in sim.children:
        sim._schedule(child)
    return stats


def _route_given_survival(sim: Simulation, band: str, days_in_care: int, u: float) -> str:
    """A route drawn from the band's mix, weighted by the chance of what the census shows: still
    in care after days_in_care and, on the adoption route, not yet placed for adoption (which
    happens about `adoption_order_after_placement` before leaving)."""
    pathways = sim.sc.pathways
    weights = {}
    for route, share in pathways.route_mix_by_age[band].items():
        if share <= 0:
            continue
        if route == "long_term":
            weights[route] = share
        else:
            lasted = days_in_care + (_order_days(sim) if route == "adoption" else 0)
            weights[route] = share * duration_survival(pathways.durations[route], lasted)
    total = sum(weights.values())
    if total <= 0:
        return "long_term"
    return pick({route: w / total for route, w in weights.items()}, u)


def _order_days(sim: Simulation) -> int:
    """The median time from placement for adoption to the order."""
    return duration_days(sim.sc.pathways.adoption_order_after_placement, 0.0)


def _exit_code(route: str, at_18: bool, u: float) -> str:
    """The 903 reason for leaving care of a route (as `Simulation._init_child` draws it)."""
    if at_18:
        return "AT18"
    if route == "adoption":
        return "E11" if u < 0.6 else "E12"
    if route == "return_home":
        return "E4A" if u < 0.85 else "E13"
    if route == "sgo":
        return "SGO"
    if route == "cao":
        return "E41"
    return "E3" if u < 0.4 else ("E8" if u < 0.85 else "E4B")


def _need(sim: Simulation, band: str, placement: str, u: float) -> str:
    """Needs from the band's mix, restricted to those the current placement can meet."""
    mix = dict(sim.sc.entries.needs_by_age[band])
    if placement in ("local_home", "external_home"):
        allowed = _HOME_NEEDS
    elif placement in ("kinship", "ifa"):  # children with specialist needs go to homes
        allowed = ("standard", "complex")
    elif placement == "inhouse_foster":
        top = min(1, NEED_RANK[sim.sc.provision.inhouse_foster.max_needs])
        allowed = tuple(n for n, rank in NEED_RANK.items() if rank <= top)
    else:
        allowed = tuple(NEED_RANK)
    weights = {n: mix.get(n, 0.0) for n in allowed}
    total = sum(weights.values())
    if total <= 0:
        return allowed[0]
    return pick({n: w / total for n, w in weights.items()}, u)


def _init_census_child(sim: Simulation, child: Child, record: Any) -> None:
    """The child's traits and pathway, conditioned on its census record."""
    from sufficiency_sim.model.processes import CIN_MIX

    sc = sim.sc
    pathways = sc.pathways
    now = int(sim.env.now)
    u = child.rng.random(10).tolist()
    months = 12 * record.age_years + record.age_months
    # Uniform within the month of age (kept clear of the next month's first day).
    child.dob = now - math.ceil((months + 0.95 * u[0]) * _DAYS_PER_MONTH)
    child.entry = max(child.dob, now - record.days_in_care)
    child.sex = record.sex
    child.age_band = BAND_OF_AGE[sim._age(child, child.entry)]
    child.cin = pick(CIN_MIX, u[1])
    child.need = _need(sim, child.age_band, record.placement, u[2])
    child.kinship = record.placement == "kinship"
    days_in_care = now - child.entry
    if record.placement == "adoption" or record.legal_status == "E1":
        route = "adoption"
    elif record.placement == "placed_with_parents":
        route = "return_home"
    else:
        route = _route_given_survival(sim, child.age_band, days_in_care, u[3])
    child.route = route
    adult = sim._birthday(child, 18)
    placement_start = now - record.placement_days
    if route == "long_term":
        exit_day = adult
    elif record.placement == "adoption":
        order = pathways.adoption_order_after_placement
        exit_day = placement_start + duration_beyond(order, record.placement_days, u[4])
    elif record.placement == "placed_with_parents":
        before = pathways.placed_with_parents_before_exit
        exit_day = placement_start + duration_beyond(before, record.placement_days, u[4])
    else:
        # On the adoption route and not yet placed for adoption: at least the time to the order
        # is still to come.
        lasted = days_in_care + (_order_days(sim) if route == "adoption" else 0)
        exit_day = child.entry + duration_beyond(pathways.durations[route], lasted, u[4])
    child.exit_day = max(now + 1, min(exit_day, adult))
    at_18 = child.exit_day >= adult
    child.exit_rec = _exit_code(route, at_18, u[5])
    legal = [(child.entry, record.legal_status)]
    if record.legal_status in ("L1", "L2", "C1"):
        order_day = child.entry + duration_beyond(pathways.full_order_after, days_in_care, u[6])
        if record.legal_status != "C1":
            legal.append((now + 1, "C1"))
        legal.append((max(now + 2, order_day), "C2"))
    if route == "adoption" and record.placement != "adoption" and not at_18:
        order = duration_days(pathways.adoption_order_after_placement, 0.0)
        pfa_day = child.exit_day - order
        if pfa_day <= now:  # overdue: placed for adoption within the next two months
            pfa_day = now + 1 + int(u[7] * 60)
        if pfa_day < child.exit_day:
            child.pfa_day = pfa_day
            if record.legal_status != "E1":
                order_day = max(now + 1, pfa_day - 30)
                legal = [legal[0]] + [c for c in legal[1:] if c[0] < order_day]
                legal.append((order_day, "E1"))
    if (
        route == "return_home"
        and record.placement != "placed_with_parents"
        and record.legal_status != "V2"  # section 20: goes home by leaving care
        and not at_18
        and u[8] < pathways.placed_with_parents_share
    ):
        day = child.exit_day - duration_days(pathways.placed_with_parents_before_exit, 0.0)
        if day > now:
            child.pwp_day = day
    if at_18 and record.placement != "supported" and u[9] < pathways.supported_move_share:
        day = sim._birthday(child, 16) + int(u[9] / pathways.supported_move_share * 1.5 * YEAR)
        if now < day < child.exit_day - 30:
            child.supported_day = day
    child.legal = [c for c in legal if c[0] < child.exit_day]


def _census_household(sim: Simulation, age: int, need: int, location: str) -> Household:
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
    household = sim._new_household(int(sim.env.now), False, "census_extra")
    household.max_need = max(household.max_need, need)
    household.min_age, household.max_age = min(household.min_age, age), max(household.max_age, age)
    sim.foster.refresh(household)
    sim._schedule_household(household)
    return household


def _place_census_child(sim: Simulation, child: Child, record: Any, stats: dict) -> None:
    """Continue the child's current placement (after a placeholder for earlier ones)."""
    from sufficiency_sim.model.processes import Placement

    now = int(sim.env.now)
    kind = record.placement
    age = sim._age(child, now)
    resource: Any = None
    location = record.location
    u = child.rng.random(1).tolist()
    if kind == "inhouse_foster":
        before = len(sim.foster.households)
        resource = _census_household(sim, age, NEED_RANK[child.need], location)
        stats["census_extra_households"] += len(sim.foster.households) > before
    elif kind == "local_home":
        resource = sim.homes.find(age, child.need)
        if resource is None:
            resource = next((h for h in sim.homes if h.free > 0), None)
        if resource is None:
            kind = "external_home"
            stats["census_local_home_overflow"] += 1
    place, provider, prefix = sim._placement_codes(kind, child.route == "long_term", u[0], resource)
    if resource is not None:
        rid, location, distance = resource.rid, resource.location, resource.distance
    else:
        rid = sim._rid(prefix)
        distance = sim._distance(location, child.rng)
    placement_start = now - record.placement_days
    if placement_start > child.entry:
        before = Placement(
            "before_census",
            None,
            sim._rid("PRE"),
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
    sim._start(
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
