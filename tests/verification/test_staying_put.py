"""Staying put keeping the carer's place (`pathways.staying_put_keeps_place`) on the York
baseline: at every event the places held equal the young people who left in-house carers as
staying put (E17) within the time they keep it, worked out from the children's histories;
no household is ever over its places; without the setting no place is ever held."""

from __future__ import annotations

from model_scenarios import baseline, build

from sufficiency_sim.model.processes import Simulation
from sufficiency_sim.model.provision import Household

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


def test_staying_put_then_the_gap_and_gaps_after_other_endings() -> None:
    """With a 50-day gap between placements as well (no carer ever leaving, so that every
    ending frees its place), the places held at the end of each day are worked out from the
    histories: 400 + 50 days after a staying-put exit, 50 days after any other ending in a
    mainstream household, none after a placement its child stays in (adoption by its carers)."""
    data = baseline()
    data["horizon_years"] = 6
    data["pathways"]["staying_put_keeps_place"] = {"median_days": KEEP_DAYS}
    data["provision"]["inhouse_foster"]["gap_between_placements"] = {"median_days": 50}
    data["carers"].update(deregistration_rate_per_year=0.0, leave_after_adopting_share=0.0)
    seen: dict[int, int] = {}

    def watch(sim: Simulation) -> None:
        seen[int(sim.env.now)] = sum(h.held for h in sim.foster)

    sim = Simulation(build(data), SEED, 0, check_invariants=True, on_event=watch)
    sim.run()
    holds = []  # (first day, days) of every place held
    for child in sim.children:
        for i, p in enumerate(child.placements):
            household = p.resource
            if not isinstance(household, Household) or household.emergency or p.end is None:
                continue
            following = child.placements[i + 1] if i + 1 < len(child.placements) else None
            if following is not None and following.same_carer:
                continue
            kept = following is None and child.left and child.exit_rec == "E17"
            holds.append((p.end, KEEP_DAYS + 50 if kept else 50))
    assert sum(1 for _, days in holds if days > 50) >= 10
    for day, held in seen.items():
        expected = sum(1 for first, days in holds if first <= day < first + days)
        assert held == expected, f"day {day}: {held} places held, {expected} worked out"
