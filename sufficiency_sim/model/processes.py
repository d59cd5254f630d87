"""The simulation: one replication of one scenario, composed of small parts.

Time is in whole days from the start of the warm-up (or, from a census, from far enough back
for every census child's entry). `Simulation` holds the shared state (the SimPy environment,
the children, the foster and home pools, the search queue and the places freed today) and
composes one part per job:

- `Arrivals` (arrivals.py): children entering care; their pathways from pathways.py;
- `Journeys` (journeys.py): each child's pending event and what happens when it comes, and the
  offer of freed places to the children waiting;
- `Placing` (placing.py): choosing, starting and ending placements;
- `Carers` (carers.py) and `LocalHomes` (homes.py): capacity over time;
- the start date (`begin_horizon`): the warm-up's authority gives way to the scenario.

Pure rules live in coding.py (903 codes), hazards.py, pathways.py, matching.py and queue.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import simpy

from sufficiency_sim.model.arrivals import Arrivals
from sufficiency_sim.model.carers import Carers
from sufficiency_sim.model.census_start import place_census
from sufficiency_sim.model.coding import K3_FROM
from sufficiency_sim.model.days import age_on, birthday
from sufficiency_sim.model.entities import Child
from sufficiency_sim.model.gc_paused import gc_paused
from sufficiency_sim.model.history import RunHistory, build_history
from sufficiency_sim.model.homes import LocalHomes
from sufficiency_sim.model.journeys import Journeys
from sufficiency_sim.model.markets import MARKET_OF_KIND, MarketPlaces
from sufficiency_sim.model.placing import Placing
from sufficiency_sim.model.provision import FosterPool, HomePool
from sufficiency_sim.model.queue import SearchQueue
from sufficiency_sim.model.streams import Streams

CENSUS_ORIGIN_YEARS = 19
"""From a census, day 0 is this many years before the start date (before any census entry)."""


class Simulation:
    """One replication of one scenario."""

    def __init__(
        self,
        scenario: Any,
        seed: int,
        replication: int,
        check_invariants: bool = False,
        on_event: Callable[[Simulation], None] | None = None,
    ) -> None:
        # The warm-up runs on the authority as it was (the scenario's root); from the start
        # date on, on the scenario itself. `self.sc` is whichever is in force.
        self.option = scenario
        self.base = scenario.warmup_scenario
        self.sc = self.base
        self.streams = Streams(seed, replication)
        self.check_invariants = check_invariants
        self.on_event = on_event
        census = getattr(scenario, "census", None)
        self._set_calendar(scenario, census is not None)
        self.children: list[Child] = []
        self.entries = 0
        self.exits = 0
        self.events = 0
        self.foster = FosterPool()
        self.homes = HomePool()
        self.queue = SearchQueue()
        self.markets = MarketPlaces(self.start_day)
        self.freed: list[Any] = []
        self._rid_counter: dict[str, int] = {}
        self.carers = Carers(self, census is not None)
        self.local_homes = LocalHomes(self)
        self.placing = Placing(self)
        self.journeys = Journeys(self)
        self.arrivals = Arrivals(self)
        if census is None:
            self.at(self.start_day, self.begin_horizon)  # before anything else that day
        first_day = int(self.env.now)
        self.carers.setup(first_day)
        self.local_homes.setup(first_day)
        self.census_stats: dict[str, int] = {}
        if census is not None:
            self.begin_horizon()
            self.census_stats = place_census(self, census.children)
        else:
            self.arrivals.start(self.base, 0, self.start_day)
        self.arrivals.start(scenario, self.start_day, self.end_day)
        carers = scenario.carers
        if carers.recruitment == "pipeline":
            self.env.process(self.carers.enquiries("carers.enquiries", None, carers))
        for campaign in carers.campaigns:
            name = f"carers.campaign:{campaign.name}"
            self.env.process(self.carers.enquiries(name, campaign, carers))

    def _set_calendar(self, scenario: Any, from_census: bool) -> None:
        """Day 0, the start and end days, and the environment's clock. From a census the
        simulation begins on the start date; day 0 lies far enough back for every census
        child's entry into care."""
        start = scenario.start_date
        back = CENSUS_ORIGIN_YEARS if from_census else scenario.warmup_years
        self.t0 = start.replace(year=start.year - back)
        self.ord0 = self.t0.toordinal()
        self.start_day = start.toordinal() - self.ord0
        self.env = simpy.Environment(initial_time=self.start_day if from_census else 0)
        self.end_day = scenario.end_date.toordinal() - self.ord0
        self.k3_day = K3_FROM.toordinal() - self.ord0

    # ------------------------------------------------------------------ shared helpers

    def day_of(self, date: dt.date) -> int:
        """The model day of a date."""
        return date.toordinal() - self.ord0

    def rid(self, prefix: str) -> str:
        """A new resource or placement id with this prefix (numbered per prefix)."""
        n = self._rid_counter.get(prefix, 0) + 1
        self._rid_counter[prefix] = n
        return f"{prefix}-{n:05d}"

    def at(self, day: float, callback: Callable[[], None]) -> None:
        """Call `callback` on `day` (today if it has passed)."""
        delay = max(0.0, day - self.env.now)
        event = self.env.timeout(delay)
        event.callbacks.append(lambda _event: callback())

    def age(self, child: Child, day: float) -> int:
        """The child's completed years of age on `day` (0-17)."""
        return age_on(child.dob, day)

    def birthday(self, child: Child, years: int) -> int:
        """The day of the child's `years`-th birthday."""
        return birthday(self.ord0, child.dob, years)

    @property
    def queue_length(self) -> int:
        """Children waiting in the search queue."""
        return len(self.queue)

    @property
    def level_recruitment_per_year(self) -> float:
        """Approvals per year from the start date under `recruitment: keep_level` (else 0)."""
        return self.carers.level_recruitment_per_year

    # ------------------------------------------------------------------ the start date

    def begin_horizon(self) -> None:
        """The start date: the scenario itself comes into force. Capacity it sets differently
        from the warm-up's authority changes today; homes it opens later are created."""
        self.sc = option = self.option
        base_cfg = self.base.provision.inhouse_foster
        cfg = option.provision.inhouse_foster
        if self.base is not option:
            self.carers.change(cfg.households - base_cfg.households, False)
            self.carers.change(cfg.emergency_households - base_cfg.emergency_households, True)
        self.local_homes.take_over(option.provision.local_homes)
        for household in self.foster:  # this scenario's leaving hazards from today
            if household.status == "active":
                self.carers.schedule_leaving(household)
        if option.carers.recruitment == "keep_level":
            self.carers.keep_level(base_cfg.households, cfg.households)
        self.after_event()

    # ------------------------------------------------------------------ bookkeeping

    def after_event(self) -> None:
        """After each event: offer the places freed to the children waiting; checks."""
        if self.freed:
            self.journeys.process_freed()
        if self.check_invariants:
            self.assert_invariants()
        if self.on_event is not None:
            self.on_event(self)

    def assert_invariants(self) -> None:
        """Check capacity, one placement per child and conservation; raise AssertionError."""
        in_care = 0
        living: dict[str, int] = {}  # children living in each household or home, any placement
        for child in self.children:
            if child.left:
                assert child.placement is None, f"child {child.idx} left care with a placement"
                continue
            in_care += 1
            placement = child.placement
            assert placement is not None, f"child {child.idx} in care without a placement"
            if placement.resource is not None:
                assert child.idx in placement.resource.occupants, f"child {child.idx} not recorded"
            living[placement.rid] = living.get(placement.rid, 0) + 1
        for household in self.foster:
            assert len(household.occupants) + household.held <= household.places, (
                f"{household.rid} over places"
            )
            assert living.get(household.rid, 0) <= household.places, f"{household.rid} over"
            assert household.status != "gone" or not household.occupants, f"{household.rid} gone"
        for home in self.homes:
            assert len(home.occupants) + home.held <= home.beds, f"{home.rid} over beds"
            assert living.get(home.rid, 0) <= home.beds, f"{home.rid} over beds"
        assert in_care == self.entries - self.exits, "stock != entries - exits"
        assert self._market_places_counted() == {
            key: n for key, n in self.markets.taken.items() if n
        }, "market places taken != children placed there or holding one"
        assert self.queue_length == sum(1 for c in self.children if c.queue_key is not None)

    def _market_places_counted(self) -> dict[tuple[str, str, str], int]:
        """Market places taken, counted from the children: placed there or holding one."""
        counted: dict[tuple[str, str, str], int] = {}
        for child in self.children:
            for held in (child.placement, child.market_offer):  # both have kind and location
                market = MARKET_OF_KIND.get(held.kind) if held is not None else None
                if market is not None:
                    key = (market, child.need, held.location)
                    counted[key] = counted.get(key, 0) + 1
        return counted

    def run(self) -> RunHistory:
        """Run to the end of the horizon and return the history (with the cyclic garbage
        collector paused: `gc_paused`)."""
        with gc_paused():
            self.env.run(until=self.end_day)
            return build_history(self)


def simulate(
    scenario: Any, seed: int, replication: int, check_invariants: bool = False
) -> RunHistory:
    """Run one replication of a scenario and return its history."""
    return Simulation(scenario, seed, replication, check_invariants).run()
