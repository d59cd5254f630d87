"""Bridging until a permanence match (`matching.permanence_match`) and placement with parents
after the time in care (`pathways.placed_with_parents_extends_stay`) on the York baseline.

Permanence match: no bridged child moves to a permanent placement before the day its match
was drawn for, checked at the moment each placement starts; the match, drawn once per run of
bridges, follows the lognormal given (KS test), scaled by the need multiplier; and without the
rule many bridges are shorter than the rule's lower quartile, so the gate makes them longer.

Placed with parents: each such placement lasts until the child leaves care (the order
discharged), its length is the lognormal `placed_with_parents_before_exit` (median checked
against a binomial band), and at least three times as many children are placed with parents
at the run's end."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from model_scenarios import baseline, build
from scipy import stats

from sufficiency_sim.model import pathways
from sufficiency_sim.model.days import age_on
from sufficiency_sim.model.processes import Simulation

SEED = 20261205
MATCH = {"median_days": 45, "sigma": 0.6}
SPECIALIST_MULTIPLIER = 2.0
ROUTE_KINDS = ("adoption", "placed_with_parents", "supported")
"""Placements a child's route starts on its own day, bridged or not (not a permanence match)."""


def run(match: bool, parents: bool = False, prepare=None) -> Simulation:
    """York (8 years) with or without the permanence match (and the time placed with parents
    after the time in care); `prepare(sim)` is called before the run."""
    data = baseline()
    data["horizon_years"] = 8
    if match:
        data["matching"]["permanence_match"] = {
            "time": MATCH,
            "need_multiplier": {"specialist": SPECIALIST_MULTIPLIER},
        }
    if parents:
        data["pathways"]["placed_with_parents_extends_stay"] = True
    sim = Simulation(build(data), SEED, 0, check_invariants=True)
    if prepare is not None:
        prepare(sim)
    sim.run()
    return sim


def watch_starts(watch):
    """A `prepare` that calls `watch(sim, child, kind, bridging)` before every placement
    starts."""

    def prepare(sim):
        start = sim.placing.start

        def watched(child, kind, *args, bridging=False, **kwargs):
            watch(sim, child, kind, bridging)
            start(child, kind, *args, bridging=bridging, **kwargs)

        sim.placing.start = watched

    return prepare


def bridge_runs(sim: Simulation) -> list[tuple[int, str]]:
    """(days, need) of each run of bridging placements that ended in a move to a permanent
    placement (not one its route makes: adoption, home, supported accommodation at 16)."""
    runs = []
    for child in sim.children:
        first = None
        for p in child.placements:
            if p.bridging:
                first = p.start if first is None else first
            elif first is not None and p.kind in ROUTE_KINDS:
                first = None
            elif first is not None:
                runs.append((p.start - first, child.need))
                first = None
    return runs


def short_share(runs: list[tuple[int, str]], days: float) -> float:
    """Share of the standard-needs runs shorter than `days`."""
    return float(np.mean([length < days for length, need in runs if need == "standard"]))


def test_no_bridged_child_moves_on_before_its_match() -> None:
    early: list[tuple[int, float, float]] = []

    def watch(sim, child, kind, bridging):
        # The bridge has ended (today) by the time the next placement starts.
        last = child.placements[-1] if child.placements else None
        if (
            last is not None
            and last.bridging
            and not bridging
            and kind not in ROUTE_KINDS
            and child.matched_day > sim.env.now
        ):
            early.append((child.idx, sim.env.now, child.matched_day))

    runs = bridge_runs(run(True, prepare=watch_starts(watch)))
    assert early == []
    assert len(runs) > 300
    # A run lasts at least its drawn match time, so at most a quarter of them (plus noise)
    # are shorter than the lognormal's lower quartile; without the rule most are.
    q25 = MATCH["median_days"] * math.exp(MATCH["sigma"] * NormalDist().inv_cdf(0.25))
    with_rule = short_share(runs, q25)
    assert with_rule <= 0.25 + 0.05, f"{with_rule:.3f} of runs shorter than {q25:.0f} days"
    without = short_share(bridge_runs(run(False)), q25)
    assert without >= 0.6, f"without the rule only {without:.3f} of runs are short"


def test_match_times_follow_the_lognormal() -> None:
    """The match times drawn, divided by the need multiplier, are the lognormal of median 45
    days and sigma 0.6 rounded up to whole days: each lies in [x, x + 1) of a lognormal draw x,
    so the KS test is run on the times less half a day."""
    drawn: dict[str, list[float]] = {"standard": [], "specialist": []}

    def prepare(sim):
        original = sim.placing._matched_day

        def recording(child, now, age):
            day = original(child, now, age)
            if child.need in drawn:
                drawn[child.need].append(day - now)
            return day

        sim.placing._matched_day = recording

    sim = run(True, prepare=prepare)
    # One match per run of bridges: a bridge after a bridge keeps the match already drawn.
    runs = sum(
        p.bridging and (i == 0 or not child.placements[i - 1].bridging)
        for child in sim.children
        for i, p in enumerate(child.placements)
        if child.need in drawn
    )
    assert sum(len(times) for times in drawn.values()) == runs
    assert len(drawn["standard"]) > 300 and len(drawn["specialist"]) > 20
    lognormal = stats.lognorm(s=MATCH["sigma"], scale=MATCH["median_days"])
    standard = np.array(drawn["standard"]) - 0.5
    assert stats.kstest(standard, lognormal.cdf).pvalue > 0.001
    specialist = (np.array(drawn["specialist"]) - 0.5) / SPECIALIST_MULTIPLIER
    assert stats.kstest(specialist, lognormal.cdf).pvalue > 0.001
    # The same test rejects a median 20% off (so it can fail).
    shifted = stats.lognorm(s=MATCH["sigma"], scale=1.2 * MATCH["median_days"])
    assert stats.kstest(standard, shifted.cdf).pvalue < 0.001


def test_home_then_discharge_by_hand() -> None:
    """Home on the day drawn for leaving; discharged the lognormal's median later at z = 0;
    unchanged when home would be today or earlier, or the discharge at or after 18."""

    class P:
        placed_with_parents_before_exit = build(baseline()).pathways.placed_with_parents_before_exit

    median = P.placed_with_parents_before_exit.median_days  # York: 300 days
    assert pathways.home_then_discharge(P, 1000.0, 10, 5000, 0.0) == (1000.0 + median, 1000)
    assert pathways.home_then_discharge(P, 10.0, 10, 5000, 0.0) == (10.0, math.inf)
    assert pathways.home_then_discharge(P, 1000.0, 10, 1000 + median, 0.0) == (1000.0, math.inf)


def test_placed_with_parents_until_the_order_is_discharged() -> None:
    sim = run(False, parents=True)
    sc = sim.sc
    lengths = []
    for child in sim.children:
        pwp = [p for p in child.placements if p.kind == "placed_with_parents"]
        if not pwp:
            continue
        # Home until the order is discharged, unless the placement at home breaks down first.
        assert len(pwp) == 1, child.idx
        if child.left and child.placements[-1] is pwp[0]:
            assert pwp[0].end == child.exit_day
            assert age_on(child.dob, child.exit_day) < 18
            lengths.append(pwp[0].end - pwp[0].start)
    # The median length is the lognormal's (300 days for York): a 99.9% binomial band on the
    # share of lengths below it (those ended by the census cut are not in the list).
    median = sc.pathways.placed_with_parents_before_exit.median_days
    n = len(lengths)
    assert n > 100
    below = sum(length < median for length in lengths)
    band = 3.3 * math.sqrt(n * 0.25)
    assert abs(below - n / 2) <= band + 0.05 * n, (below, n)
    off = run(False)
    stock_on = sum(c.placement is not None and c.placement.kind == "placed_with_parents"
                   and not c.left for c in sim.children)  # fmt: skip
    stock_off = sum(c.placement is not None and c.placement.kind == "placed_with_parents"
                    and not c.left for c in off.children)  # fmt: skip
    assert stock_on >= 3 * max(stock_off, 1), (stock_on, stock_off)
