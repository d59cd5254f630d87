"""Care pathways: what a child's time in care will be, drawn when it enters care or, for a child
already in care at a census, conditioned on what the census says has already happened.

Both starts fill in the same fields of a `Child` (traits, route, leaving day and reason, legal
statuses, and the days of a placement for adoption, a placement with parents or a move to
supported accommodation) through the same rules (`exit_code`, `with_adoption_order`,
`parents_day`, `supported_day`); they differ only in what is known and so in what is drawn. Each
takes one named block of draws from the child's stream (`EntryDraws` and `EntryNormals`, or
`CensusDraws`); no SimPy here."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from sufficiency_sim.model.coding import CIN_MIX, exit_code
from sufficiency_sim.model.days import age_on, birthday
from sufficiency_sim.model.draws import (
    duration_beyond,
    duration_days,
    duration_survival,
    named,
    named_normals,
    pick,
)
from sufficiency_sim.model.entities import Child
from sufficiency_sim.vocabulary import BAND_OF_AGE, DAYS_PER_MONTH, NEED_RANK, NEEDS, YEAR_DAYS

HOME_NEEDS = ("complex", "specialist")
"""The needs of children in a children's home at a census."""


class GroupPlan(NamedTuple):
    """What the members of an entering sibling group share: drawn once for the group."""

    route: str
    legal: str
    kinship: bool
    planned_exit: float
    z_order: float


class EntryDraws(NamedTuple):
    """The uniforms a child takes from its stream at entry."""

    sex: float
    dob: float
    need: float
    cin: float
    exit_code: float
    placed_with_parents: float
    supported_move: float
    supported_day: float


class EntryNormals(NamedTuple):
    """The standard normals a child takes from its stream at entry (after `EntryDraws`)."""

    full_order: float
    parents_before_exit: float
    unused: float  # drawn and never used; kept so that later draws stay where they are


class CensusDraws(NamedTuple):
    """The uniforms a census child takes from its stream."""

    dob: float
    cin: float
    need: float
    route: float
    exit_day: float
    exit_code: float
    full_order: float
    placed_for_adoption: float
    placed_with_parents: float
    supported: float


def with_adoption_order(legal: list[tuple[int, str]], order_day: int) -> list[tuple[int, str]]:
    """Legal statuses with a placement order (E1) on `order_day`: the status at entry always
    stays; later ones give way to the order."""
    return [legal[0]] + [c for c in legal[1:] if c[0] < order_day] + [(order_day, "E1")]


def parents_day(pathways: Any, exit_day: int, now: int, z: float) -> float:
    """The day a child returning home is placed with parents before leaving care (from the
    normal `z`), or never when that day is not after `now`."""
    day = exit_day - duration_days(pathways.placed_with_parents_before_exit, z)
    return day if day > now else math.inf


def home_then_discharge(
    pathways: Any, exit_day: float, now: int, adult: int, z: float
) -> tuple[float, float]:
    """Under `placed_with_parents_extends_stay`, the leaving day and the day placed with
    parents of a child going home under a care order: home on the day drawn for leaving
    (`exit_day`), leaving care when the order is discharged (from the normal `z`); unchanged
    (and never placed with parents) when that is not after `now` or not before 18."""
    discharged = exit_day + duration_days(pathways.placed_with_parents_before_exit, z)
    if exit_day <= now or discharged >= adult:
        return exit_day, math.inf
    return discharged, int(exit_day)


def supported_day(sixteenth: int, exit_day: int, now: int, fraction: float) -> float:
    """The day a child staying until 18 moves to supported accommodation: `fraction` of the way
    through the 18 months from its 16th birthday; never unless after `now` and at least a month
    before leaving."""
    day = sixteenth + int(fraction * 1.5 * YEAR_DAYS)
    return day if now < day < exit_day - 30 else math.inf


def _leaving(child: Child, now: int, exit_day: float, adult: int) -> bool:
    """Set the leaving day (after today, by the 18th birthday); whether the child stays to 18."""
    child.exit_day = int(min(exit_day, adult))
    if child.exit_day <= now:
        child.exit_day = now + 1
    return child.exit_day >= adult


def _entry_legal(pathways: Any, now: int, legal: str, z: float) -> list[tuple[int, str]]:
    """Legal statuses from entry: an emergency or police protection order becomes an interim
    care order days later; an interim care order becomes a full order (C2) after a while."""
    changes = [(now, legal)]
    current = legal
    if current in ("L1", "L2"):
        current = "C1"
        changes.append((now + (2 if legal == "L1" else 8), current))
    if current == "C1":
        changes.append((changes[-1][0] + duration_days(pathways.full_order_after, z), "C2"))
    return changes


def start_at_entry(
    sc: Any, child: Child, now: int, age: int, plan: GroupPlan, surge: Any, ord0: int
) -> None:
    """Draw the traits and pathway of a child entering care today aged `age` (completed years)
    in a group that shares `plan`; `surge` is the surge it came with, if any."""
    pathways = sc.pathways
    u = named(child.rng, EntryDraws)
    z = named_normals(child.rng, EntryNormals)
    child.entry = now
    child.sex = 2 if u.sex < sc.entries.female_share else 1
    child.dob = now - int(age * YEAR_DAYS) - int(u.dob * 365)
    child.age_band = BAND_OF_AGE[age_on(child.dob, now)]
    if surge is not None and surge.needs:
        child.need = surge.needs
    else:
        child.need = pick(sc.entries.needs_by_age[child.age_band], u.need)
    route = child.route = plan.route
    child.kinship = plan.kinship
    child.cin = pick(CIN_MIX, u.cin)
    adult = birthday(ord0, child.dob, 18)
    # Placement with parents needs a care order: a child accommodated under section 20 (V2)
    # goes home by leaving care (validator rule 378).
    with_parents = (
        route == "return_home"
        and plan.legal != "V2"
        and u.placed_with_parents < pathways.placed_with_parents_share
    )
    exit_day, home_day = plan.planned_exit, math.inf
    if with_parents and pathways.placed_with_parents_extends_stay:
        exit_day, home_day = home_then_discharge(
            pathways, exit_day, now, adult, z.parents_before_exit
        )
    at_18 = _leaving(child, now, exit_day, adult)
    child.exit_rec = exit_code(route, at_18, u.exit_code)
    legal = _entry_legal(pathways, now, plan.legal, z.full_order)
    if route == "adoption" and not at_18:
        order = duration_days(pathways.adoption_order_after_placement, plan.z_order)
        pfa_day = max(now + 30, child.exit_day - order)
        if pfa_day < child.exit_day:
            child.pfa_day = pfa_day
            legal = with_adoption_order(legal, max(now + 1, pfa_day - 30))
    if with_parents and not at_18:
        child.pwp_day = (
            home_day
            if pathways.placed_with_parents_extends_stay
            else parents_day(pathways, child.exit_day, now, z.parents_before_exit)
        )
    if at_18 and u.supported_move < pathways.supported_move_share:
        sixteenth = birthday(ord0, child.dob, 16)
        child.supported_day = supported_day(sixteenth, child.exit_day, now, u.supported_day)
    child.legal = [c for c in legal if c[0] < child.exit_day]


def order_days(pathways: Any) -> int:
    """The median time from placement for adoption to the order."""
    return duration_days(pathways.adoption_order_after_placement, 0.0)


def route_given_survival(pathways: Any, band: str, days_in_care: int, u: float) -> str:
    """A route drawn from the band's mix, weighted by the chance of what the census shows: still
    in care after days_in_care and, on the adoption route, not yet placed for adoption (which
    happens about `adoption_order_after_placement` before leaving)."""
    weights = {}
    for route, share in pathways.route_mix_by_age[band].items():
        if share <= 0:
            continue
        if route == "long_term":
            weights[route] = share
        else:
            lasted = days_in_care + (order_days(pathways) if route == "adoption" else 0)
            weights[route] = share * duration_survival(pathways.durations[route], lasted)
    total = sum(weights.values())
    if total <= 0:
        return "long_term"
    return pick({route: w / total for route, w in weights.items()}, u)


def census_need(sc: Any, band: str, placement: str, u: float) -> str:
    """Needs from the band's mix, restricted to those the current placement can meet."""
    mix = dict(sc.entries.needs_by_age[band])
    if placement in ("local_home", "external_home"):
        allowed = HOME_NEEDS
    elif placement in ("kinship", "ifa"):  # children with specialist needs go to homes
        allowed = ("standard", "complex")
    elif placement == "inhouse_foster":
        top = min(1, NEED_RANK[sc.provision.inhouse_foster.max_needs])
        allowed = tuple(n for n, rank in NEED_RANK.items() if rank <= top)
    else:
        allowed = NEEDS
    weights = {n: mix.get(n, 0.0) for n in allowed}
    total = sum(weights.values())
    if total <= 0:
        return allowed[0]
    return pick({n: w / total for n, w in weights.items()}, u)


def _census_route(pathways: Any, band: str, record: Any, days_in_care: int, u: float) -> str:
    """A child in an adoptive placement or with a placement order is on the adoption route; a
    child placed with parents is returning home; others by `route_given_survival`."""
    if record.placement == "adoption" or record.legal_status == "E1":
        return "adoption"
    if record.placement == "placed_with_parents":
        return "return_home"
    return route_given_survival(pathways, band, days_in_care, u)


def _census_exit_day(pathways: Any, child: Child, record: Any, now: int, u: float) -> float:
    """The leaving day given what has lasted so far (before clamping to the 18th birthday)."""
    placement_start = now - record.placement_days
    if child.route == "long_term":
        return math.inf
    if record.placement == "adoption":
        order = pathways.adoption_order_after_placement
        return placement_start + duration_beyond(order, record.placement_days, u)
    if record.placement == "placed_with_parents":
        before = pathways.placed_with_parents_before_exit
        return placement_start + duration_beyond(before, record.placement_days, u)
    # On the adoption route and not yet placed for adoption: at least the time to the order is
    # still to come.
    days_in_care = now - child.entry
    lasted = days_in_care + (order_days(pathways) if child.route == "adoption" else 0)
    return child.entry + duration_beyond(pathways.durations[child.route], lasted, u)


def _census_legal(
    pathways: Any, child: Child, record: Any, now: int, u: CensusDraws, at_18: bool
) -> list[tuple[int, str]]:
    """Legal statuses from the census: an interim order still to become a full one, and a
    placement order before a placement for adoption still to come (whose day it sets)."""
    days_in_care = now - child.entry
    legal = [(child.entry, record.legal_status)]
    if record.legal_status in ("L1", "L2", "C1"):
        full = child.entry + duration_beyond(pathways.full_order_after, days_in_care, u.full_order)
        if record.legal_status != "C1":
            legal.append((now + 1, "C1"))
        legal.append((max(now + 2, full), "C2"))
    if child.route == "adoption" and record.placement != "adoption" and not at_18:
        pfa_day = child.exit_day - order_days(pathways)
        if pfa_day <= now:  # overdue: placed for adoption within the next two months
            pfa_day = now + 1 + int(u.placed_for_adoption * 60)
        if pfa_day < child.exit_day:
            child.pfa_day = pfa_day
            if record.legal_status != "E1":
                legal = with_adoption_order(legal, max(now + 1, pfa_day - 30))
    return legal


def start_from_census(sc: Any, child: Child, record: Any, now: int, ord0: int) -> None:
    """Draw the traits and pathway of a child in care at the census (`record`) on day `now`,
    conditioned on its days in care and in its placement so far."""
    pathways = sc.pathways
    u = named(child.rng, CensusDraws)
    months = 12 * record.age_years + record.age_months
    # Uniform within the month of age (kept clear of the next month's first day).
    child.dob = now - math.ceil((months + 0.95 * u.dob) * DAYS_PER_MONTH)
    child.entry = max(child.dob, now - record.days_in_care)
    child.sex = record.sex
    child.age_band = BAND_OF_AGE[age_on(child.dob, child.entry)]
    child.cin = pick(CIN_MIX, u.cin)
    child.need = census_need(sc, child.age_band, record.placement, u.need)
    child.kinship = record.placement == "kinship"
    days_in_care = now - child.entry
    child.route = _census_route(pathways, child.age_band, record, days_in_care, u.route)
    exit_day = _census_exit_day(pathways, child, record, now, u.exit_day)
    adult = birthday(ord0, child.dob, 18)
    with_parents = (
        child.route == "return_home"
        and record.placement != "placed_with_parents"
        and record.legal_status != "V2"  # section 20: goes home by leaving care
        and u.placed_with_parents < pathways.placed_with_parents_share
    )
    home_day = math.inf
    if with_parents and pathways.placed_with_parents_extends_stay:
        exit_day, home_day = home_then_discharge(pathways, exit_day, now, adult, 0.0)
    at_18 = _leaving(child, now, exit_day, adult)
    child.exit_rec = exit_code(child.route, at_18, u.exit_code)
    legal = _census_legal(pathways, child, record, now, u, at_18)
    if with_parents and not at_18:
        child.pwp_day = (
            home_day
            if pathways.placed_with_parents_extends_stay
            else parents_day(pathways, child.exit_day, now, 0.0)
        )
    share = pathways.supported_move_share
    if at_18 and record.placement != "supported" and u.supported < share:
        sixteenth = birthday(ord0, child.dob, 16)
        child.supported_day = supported_day(sixteenth, child.exit_day, now, u.supported / share)
    child.legal = [c for c in legal if c[0] < child.exit_day]
