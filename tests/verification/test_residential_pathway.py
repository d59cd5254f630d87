"""The residential pathway on the York baseline, checked against the rules it must keep: a home
never fills more beds than its occupancy target or more specialist places than its share per
bed allows; with step-down, complex-needs children settled in a home move to families, never
before the days it asks; without step-back to residential, no child leaves a family for a home
for a closer location alone. Other causes of moves are switched off (`no_moves`, step-back
kept) so that every move seen is the rule's."""

from __future__ import annotations

from model_scenarios import baseline, build, no_moves

from sufficiency_sim.model.processes import Simulation
from sufficiency_sim.vocabulary import FOSTER_KINDS, LOCATION_RANK, RESIDENTIAL_KINDS

SEED = 20261204

BIG_HOME = {
    "name": "Ten-bed home",
    "beds": 10,
    "min_age": 8,
    "max_age": 17,
    "admits": ["complex", "specialist"],
    "max_high_need": 10,
    "provider": "PR1",
    "location": "in",
    "weekly_cost_per_bed": 5500,
}


def york(*, home: dict | None = None, moves: bool = True, **matching) -> dict:
    """The York baseline (8-year horizon) with one home in place of its own, optionally with no
    moves but the step-back and matching rules given."""
    data = baseline()
    data["horizon_years"] = 8
    if not moves:
        step_back = dict(data["matching"]["step_back"])
        data = no_moves(data)
        data["matching"]["step_back"] = step_back
    if home is not None:
        data["provision"]["local_homes"] = [home]
    for key, value in matching.items():
        data["matching"][key] = {**data["matching"].get(key, {}), **value}
    return data


def test_a_home_fills_its_target_beds_and_specialist_places_at_most() -> None:
    """10 beds at an 80% target and 0.2 specialist places a bed: at most 8 children and 2 with
    specialist needs at any event, and both limits are reached (demand exceeds them)."""
    data = york(home={**BIG_HOME, "occupancy_target": 0.8, "specialist_places_per_bed": 0.2})
    most = {"children": 0, "specialist": 0}

    def watch(sim: Simulation) -> None:
        for home in sim.homes:
            most["children"] = max(most["children"], len(home.occupants))
            most["specialist"] = max(most["specialist"], home.specialist_count)
            assert home.specialist_count == sum(
                sim.children[i].need == "specialist" for i in home.occupants
            )

    Simulation(build(data), SEED, 0, check_invariants=True, on_event=watch).run()
    assert most == {"children": 8, "specialist": 2}


def moves_between(sim: Simulation, old_kinds: frozenset, new_kinds: frozenset) -> list:
    """(child, old placement, new placement) for each planned move from one kind to another."""
    found = []
    for child in sim.children:
        for old, new in zip(child.placements, child.placements[1:], strict=False):
            if old.kind in old_kinds and new.kind in new_kinds and old.planned:
                found.append((child, old, new))
    return found


def test_step_down_moves_settled_complex_children_to_families_after_the_days_asked() -> None:
    """Moves from a children's home to an in-house family that are not to a closer location
    (which step-back allows) nor out of a setting above the child's need: none without
    step-down; with it some, every one of a complex-needs child after 400 days or more in
    the home, and none of a specialist-needs child."""
    after = 400
    down = {"enabled": True, "after_days": after, "needs": ["complex"]}
    only_down = {}
    for enabled in (False, True):
        sc = build(york(moves=False, step_down={**down, "enabled": enabled}))
        sim = Simulation(sc, SEED, 0, check_invariants=True)
        sim.run()
        moves = moves_between(
            sim, frozenset({"local_home", "external_home"}), frozenset({"inhouse_foster"})
        )
        only_down[enabled] = [
            (child, old, new)
            for child, old, new in moves
            if not old.mismatch and LOCATION_RANK[new.location] >= LOCATION_RANK[old.location]
        ]
    assert only_down[False] == []
    assert len(only_down[True]) >= 3
    assert all(child.need == "complex" for child, _, _ in only_down[True])
    assert all(new.start - old.start >= after for _, old, new in only_down[True])


def test_without_step_back_to_residential_no_family_leaves_for_a_closer_home() -> None:
    """York's rules move children from far-away foster families to a local home bed when one
    frees (the artefact that made new beds pull children out of foster care); with
    `to_residential: false` only children in foster care below their need do."""
    family = frozenset(FOSTER_KINDS - {"emergency_foster"})
    counts = {}
    for allowed in (True, False):
        sc = build(york(home=BIG_HOME, moves=False, step_back={"to_residential": allowed}))
        sim = Simulation(sc, SEED, 0, check_invariants=True)
        sim.run()
        moves = moves_between(sim, family, frozenset({"local_home"}))
        counts[allowed] = sum(1 for _, old, _new in moves if not old.mismatch)
        assert all(new.kind in RESIDENTIAL_KINDS for _, _, new in moves)
    assert counts[True] > 0
    assert counts[False] == 0
