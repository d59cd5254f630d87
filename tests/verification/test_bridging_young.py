"""Bridging for young children (`emergency_residential.min_age`) on the York baseline: under
York's rules some children under 5 bridge in emergency residential care (34 of 266 such
placements in this seed's run, warm-up included: an artefact); with `min_age: 5` none does
while an in-house household or an agency can take them, and with a bounded agency market that
is full, only when nothing else exists (checked at the moment of each such placement)."""

from __future__ import annotations

from model_scenarios import baseline, build

from sufficiency_sim.model.days import age_on
from sufficiency_sim.model.processes import Simulation
from sufficiency_sim.vocabulary import NEED_RANK, NEEDS

SEED = 20261204


def young_in_emergency_residential(sim: Simulation) -> list:
    """(child, placement) for each emergency residential placement of a child under 5."""
    return [
        (child, p)
        for child in sim.children
        for p in child.placements
        if p.kind == "emergency_residential" and age_on(child.dob, p.start) < 5
    ]


def run(min_age: int, agency_places: int | None = None, watch=None) -> Simulation:
    """York (8 years) with `min_age`, optionally a bounded agency market of `agency_places` a
    location and need, and `watch(sim, child, kind)` called before every placement starts."""
    data = baseline()
    data["horizon_years"] = 8
    data["provision"]["emergency_residential"]["min_age"] = min_age
    if agency_places is not None:
        cells = {need: {"in": agency_places, "near": agency_places, "far": agency_places}
                 for need in NEEDS}  # fmt: skip
        data["provision"]["ifa"]["supply"] = {"places": cells}
    sim = Simulation(build(data), SEED, 0, check_invariants=True)
    if watch is not None:
        start = sim.placing.start

        def watched(child, kind, *args, **kwargs):
            watch(sim, child, kind)
            start(child, kind, *args, **kwargs)

        sim.placing.start = watched
    sim.run()
    return sim


def test_young_children_bridge_in_families_while_any_can_take_them() -> None:
    york = run(0)
    assert len(young_in_emergency_residential(york)) >= 5
    rules = run(5)
    assert young_in_emergency_residential(rules) == []
    bridges = [
        p
        for child in rules.children
        for p in child.placements
        if p.bridging and age_on(child.dob, p.start) < 5
    ]
    kinds = {p.kind for p in bridges}
    assert kinds <= {"emergency_foster", "inhouse_foster", "ifa"}
    assert "ifa" in kinds or "inhouse_foster" in kinds


def test_with_a_full_agency_market_emergency_residential_only_when_nothing_else_exists() -> None:
    """At the moment each emergency residential placement of a child under 5 starts, no
    emergency household and no agency place in any location is free, and no in-house
    household takes the child other than the one it has just left."""
    checked = []

    def watch(sim: Simulation, child, kind: str) -> None:
        now = int(sim.env.now)
        age = age_on(child.dob, now)
        if kind != "emergency_residential" or age >= 5:
            return
        checked.append(child.idx)
        need = NEED_RANK[child.need]
        room = sim.markets.room("ifa", sim.sc.provision.ifa, child.need, now)
        assert max(room.free.values()) <= 0, "an agency place was free"
        if child.need != "specialist":
            assert sim.foster.find(age, 1, True, need) is None, "an emergency place was free"
        just_left = child.placements[-1].resource if child.placements else None
        found = sim.foster.find(age, 1, False, need, just_left)
        assert found is None, "an in-house place was free"

    sim = run(5, agency_places=2, watch=watch)
    assert checked, "the agency market never ran out: the test shows nothing"
    assert len(checked) == len(young_in_emergency_residential(sim))
