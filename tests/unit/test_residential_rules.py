"""The residential pathway's rules on hand-made values: the beds a home fills and its specialist
places (scenario.local_homes), the bounded peer effect (hazards.breakdown_multiplier) and which
moves count as a step up (matching.is_step_up) with step-down and step-back rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from sufficiency_sim.model.hazards import breakdown_multiplier
from sufficiency_sim.model.matching import is_step_up
from sufficiency_sim.scenario import load
from sufficiency_sim.scenario.local_homes import LocalHome

YORK = load(Path(__file__).parents[2] / "scenarios" / "york_baseline.yaml")


def home(**rules) -> LocalHome:
    return LocalHome(name="H", weekly_cost_per_bed=1.0, **{"beds": 12, **rules})


@pytest.mark.parametrize(
    ("beds", "target", "usable"),
    [(12, 1.0, 12), (12, 0.85, 10), (10, 0.8, 8), (3, 0.85, 2), (1, 0.5, 1), (0, 0.5, 0)],
)
def test_usable_beds_round_down_keeping_one(beds: int, target: float, usable: int) -> None:
    assert home(beds=beds, occupancy_target=target).usable_beds == usable


def test_specialist_places_per_bed_replace_the_absolute_cap() -> None:
    assert home(max_high_need=2).high_need_cap == 2
    assert home(max_high_need=2, specialist_places_per_bed=0.25).high_need_cap == 3
    assert home(beds=3, specialist_places_per_bed=0.25).high_need_cap == 0
    assert home(beds=10, specialist_places_per_bed=0.3).high_need_cap == 3  # 2.9999.. is 3
    with pytest.raises(ValueError):
        home(occupancy_target=0.0)


def test_peer_effect_is_bounded_by_its_cap() -> None:
    endings = YORK.endings
    capped = endings.model_copy(update={"high_need_peer_cap": 2})
    alone = breakdown_multiplier(endings, "10-15", "complex", "in", False, False, 0)
    eleven = breakdown_multiplier(endings, "10-15", "complex", "in", False, False, 11)
    assert eleven / alone == pytest.approx(1.2**11)  # 7.43 in a 12-bed home without a cap
    for peers, power in ((1, 1), (2, 2), (11, 2)):
        got = breakdown_multiplier(capped, "10-15", "complex", "in", False, False, peers)
        assert got / alone == pytest.approx(1.2**power)
    # Standard-need children are not affected by peers at all.
    assert breakdown_multiplier(capped, "10-15", "standard", "in", False, False, 5) == (
        breakdown_multiplier(capped, "10-15", "standard", "in", False, False, 0)
    )


def rules(step_down: bool = False, to_residential: bool = True):
    matching = YORK.matching
    return matching.model_copy(
        update={
            "step_down": matching.step_down.model_copy(update={"enabled": step_down}),
            "step_back": matching.step_back.model_copy(update={"to_residential": to_residential}),
        }
    )


@pytest.mark.parametrize(
    ("move", "need", "default", "down", "no_residential"),
    [
        # an agency foster child far away offered a local home bed inside the boundary
        (("ifa", "far", "local_home", "in"), "complex", True, True, False),
        # a specialist-needs child in foster care (below its need) offered a local home
        (("ifa", "far", "local_home", "near"), "specialist", True, True, True),
        # a complex child in an external home near by offered an in-house family in the area
        (("external_home", "near", "inhouse_foster", "in"), "complex", True, True, True),
        # ... offered a family one band further away: only as a step down
        (("external_home", "in", "inhouse_foster", "near"), "complex", False, True, False),
        # a step down is for the needs it names (complex), not specialist needs
        (("local_home", "in", "inhouse_foster", "in"), "specialist", False, False, False),
        (("local_home", "in", "inhouse_foster", "in"), "complex", False, True, False),
        # a standard-need child in a home (above its need) goes to a family near by
        (("local_home", "in", "inhouse_foster", "near"), "standard", True, True, True),
        # family to family, closer: always
        (("ifa", "far", "inhouse_foster", "in"), "complex", True, True, True),
    ],
)
def test_step_up_rules(move: tuple, need: str, default: bool, down: bool, no_residential: bool):
    current_kind, current_location, new_kind, new_location = move
    args = (current_kind, current_location, new_kind, new_location, need)
    assert is_step_up(*args) is default
    assert is_step_up(*args, rules()) is default  # York's rules: as without rules
    assert is_step_up(*args, rules(step_down=True)) is down
    assert is_step_up(*args, rules(to_residential=False)) is no_residential
