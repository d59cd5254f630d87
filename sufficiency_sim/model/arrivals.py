"""Children entering care: groups of siblings arriving as a thinned Poisson process in calendar
time (the regular entries and each surge), and what a group shares when it arrives."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from sufficiency_sim.model.draws import duration_days, named, named_normals, pick
from sufficiency_sim.model.entities import Child
from sufficiency_sim.model.hazards import entry_rate
from sufficiency_sim.model.pathways import GroupPlan, start_at_entry
from sufficiency_sim.model.poisson import poisson_arrivals
from sufficiency_sim.model.uasc import UascArrivals
from sufficiency_sim.vocabulary import AGE_BAND_RANGES


class GroupDraws(NamedTuple):
    """The uniforms an entering group takes from its own stream."""

    size: float
    band: float
    eldest_age: float
    route: float
    legal: float
    kinship: float
    unused_6: float  # the last four are drawn and never used; kept so that nothing shifts
    unused_7: float
    unused_8: float
    unused_9: float


class GroupNormals(NamedTuple):
    """The normals an entering group takes (after `GroupDraws`)."""

    duration: float
    adoption_order: float


def group_plan(sc: Any, surge: Any, now: int, u: GroupDraws, z: GroupNormals) -> tuple:
    """Size, age band, eldest's age and shared `GroupPlan` of a group entering today."""
    entries, pathways = sc.entries, sc.pathways
    if surge is None:
        size = pick(entries.sibling_group_mix, u.size)
        band = pick(entries.age_mix, u.band)
    else:
        size, band = 1, surge.age_band
    low, high = AGE_BAND_RANGES[band]
    eldest = low + min(high - low, int(u.eldest_age * (high - low + 1)))
    route = (
        surge.route
        if surge is not None and surge.route
        else pick(pathways.route_mix_by_age[band], u.route)
    )
    legal = pick(entries.legal_status_mix, u.legal)
    if route == "adoption" and legal == "V2":
        legal = "C1"
    kinship = u.kinship < sc.provision.kinship.available_by_age[band]
    duration = (
        math.inf if route == "long_term" else duration_days(pathways.durations[route], z.duration)
    )
    return size, eldest, GroupPlan(route, legal, kinship, now + duration, z.adoption_order)


class Arrivals:
    """The simulation's part that admits children into care."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self._group_index: dict[str, int] = {}
        self.uasc = UascArrivals(sim)

    def start(self, scenario: Any, first: int, last: int) -> None:
        """The regular entries, each surge and the UASC (`uasc.UascArrivals`) of `scenario`
        between days `first` and `last`."""
        env = self.sim.env
        env.process(self._arrivals("entries", None, scenario, first, last))
        for surge in scenario.entries.surges:
            env.process(self._arrivals(f"surge:{surge.name}", surge, scenario, first, last))
        self.uasc.start(scenario, first, last)

    def _window(self, surge: Any, scenario: Any, first: int, last: int) -> tuple:
        """Mean group size, the highest rate (for thinning), first and last day of a source."""
        sim = self.sim
        entries = scenario.entries
        if surge is None:
            mean_group = sum(size * share for size, share in entries.sibling_group_mix.items())
            growth = max(1.0, (1 + entries.trend_pct_per_year / 100.0) ** scenario.horizon_years)
            rate_max = entries.rate_per_year * growth * (1 + entries.seasonality_amplitude)
            return mean_group, rate_max, float(max(sim.env.now, first)), float(last)
        start = float(max(sim.env.now, first, sim.day_of(surge.start)))
        end = float(min(last, sim.day_of(surge.end))) if surge.end else float(last)
        return 1.0, surge.rate_per_year, start, end

    def _arrivals(self, source: str, surge: Any, scenario: Any, first: int, last: int) -> Iterator:
        """Groups of siblings entering care between days `first` and `last`, as a (thinned)
        Poisson process in calendar time with `scenario`'s rates. The warm-up and the horizon
        each have one such process; they share the source's stream and group numbers, so an
        identical warm-up leaves the horizon the same luck."""
        sim = self.sim
        entries = scenario.entries
        mean_group, rate_max, start, end = self._window(surge, scenario, first, last)
        if rate_max <= 0:
            return
        rng = sim.streams.get(f"arrivals:{source}")

        def keep(t: float) -> bool:  # thinning to the day's rate (the rate_max is the bound)
            return rng.random() * rate_max <= entry_rate(entries, t, sim.start_day, sim.ord0)

        def arrive() -> None:
            index = self._group_index.get(source, 0)
            self._group_index[source] = index + 1
            self._admit_group(source, index, surge)

        yield from poisson_arrivals(
            sim.env, rng, rate_max / mean_group, start, end, arrive, None if surge else keep
        )

    def _admit_group(self, source: str, index: int, surge: Any) -> None:
        """Create the children of one entering group, draw their pathway and place them."""
        sim = self.sim
        sim.events += 1
        now = int(sim.env.now)
        g = sim.streams.member(f"group:{source}", index)
        u = named(g, GroupDraws)
        z = named_normals(g, GroupNormals)
        size, eldest, plan = group_plan(sim.sc, surge, now, u, z)
        group: list[Child] = []
        for j in range(size):
            age = eldest if j == 0 else max(0, eldest - 1 - int(g.integers(0, 4)))
            child = Child(
                len(sim.children), sim.streams.member(f"child:{source}", index, after=(j,))
            )
            start_at_entry(sim.sc, child, now, age, plan, surge, sim.ord0)
            sim.children.append(child)
            group.append(child)
            sim.entries += 1
        sim.placing.place_group(group)
        for child in group:
            sim.journeys.schedule(child)
        sim.after_event()
