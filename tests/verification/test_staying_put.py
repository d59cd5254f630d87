"""Staying put keeping the carer's place (`pathways.staying_put_keeps_place`) on the York
baseline: at every event the places held equal the young people who left in-house carers as
staying put (E17) within the time they keep it, worked out from the children's histories;
no household is ever over its places; without the setting no place is ever held."""

from __future__ import annotations

from model_scenarios import baseline, build

from sufficiency_sim.model.processes import Simulation

SEED = 20261204
KEEP_DAYS = 400


def run(keeps: bool, watch=None) -> Simulation:
    data = baseline()
    data["horizon_years"] = 8
    if keeps:
        data["pathways"]["staying_put_keeps_place"] = {"median_days": KEEP_DAYS}
    sim = Simulation(build(data), SEED, 0, check_invariants=True, on_event=watch)
    sim.run()
    return sim


def staying_put_leavers(sim: Simulation) -> list[int]:
    """The days young people left in-house carers as staying put (E17)."""
    return [
        child.placements[-1].end
        for child in sim.children
        if child.left and child.exit_rec == "E17" and child.placements[-1].kind == "inhouse_foster"
    ]


def test_places_held_are_the_young_people_staying_put() -> None:
    seen: dict[int, int] = {}  # the places held after the day's last event

    def watch(sim: Simulation) -> None:
        seen[int(sim.env.now)] = sum(h.held for h in sim.foster)

    sim = run(True, watch)
    leavers = staying_put_leavers(sim)
    assert len(leavers) >= 10
    for day, held in seen.items():
        # A place is held from the leaving day to KEEP_DAYS later (sigma 0: exactly).
        expected = sum(1 for left in leavers if left <= day < left + KEEP_DAYS)
        assert held == expected, f"day {day}: {held} places held, {expected} staying put"
    assert max(seen.values()) >= 3


def test_without_the_setting_no_place_is_held() -> None:
    most = []
    sim = run(False, lambda s: most.append(max((h.held for h in s.foster), default=0)))
    assert staying_put_leavers(sim)
    assert max(most) == 0
