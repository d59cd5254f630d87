"""The simulation: arrivals, children's journeys, endings, searches, carers joining and leaving.

Time is in whole days from the start of the warm-up. Arrivals, recruitment and campaigns are
SimPy processes. A child's journey is a state machine driven by SimPy timeouts: each child has one
pending event (leaving care, a planned transition, a breakdown, the end of a search); when
something changes its situation (a place offered, a carer leaving) the pending event is superseded
by bumping the child's version, and stale timeouts are ignored when they fire.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import simpy

from sufficiency_sim.model import matching
from sufficiency_sim.model.draws import AGE_BAND_RANGES, BAND_OF_AGE, LN2, YEAR
from sufficiency_sim.model.draws import duration_days as _duration_days
from sufficiency_sim.model.draws import pick as _pick
from sufficiency_sim.model.history import RunHistory, build_history
from sufficiency_sim.model.matching import NEED_RANK, Offer
from sufficiency_sim.model.provision import FosterPool, Home, HomePool, Household
from sufficiency_sim.model.streams import Streams, stream_key

CENSUS_ORIGIN_YEARS = 19
"""From a census, day 0 is this many years before the start date (before any census entry)."""
UNPLANNED_CARER_REASONS = ("CLOSE", "APPRR")
LEVEL_WINDOW_YEARS = 5
"""Under `recruitment: keep_level`, approvals after the start date arrive at the rate households
left in this many last years of the warm-up (when every leaver was replaced at once)."""
HOUSEHOLD_ORIGINS = {
    "initial": 0,
    "initial_emergency": 1,
    "warmup_replacement": 2,
    "option_extra": 3,
    "level_recruitment": 4,
    "pipeline": 5,
    "emergency_replacement": 6,
    "census_extra": 7,
}
"""Where a household came from: with a serial number within its origin, the key of its own
random stream, so that one household's luck never depends on how many others there are."""
K3_FROM = dt.date(2024, 4, 1)  # registered supported accommodation (K3) from 2024/25


EVENT_ORDER = (
    "exit",
    "adoption",
    "parents",
    "supported",
    "market",
    "breakdown",
    "move",
    "stepback",
)
"""A child's event kinds, in the order they win when due on the same day."""


class Placement:
    """One placement of one child, as it happened."""

    __slots__ = (
        "breakdown_day",
        "bridging",
        "distance",
        "end",
        "kind",
        "location",
        "mismatch",
        "move_day",
        "place",
        "planned",
        "provider",
        "reason",
        "resource",
        "rid",
        "same_carer",
        "start",
        "stepback_day",
    )

    def __init__(
        self,
        kind: str,
        resource: Any,
        rid: str,
        location: str,
        distance: float,
        start: int,
        place: str,
        provider: str,
        bridging: bool,
        same_carer: bool,
    ) -> None:
        self.kind = kind
        self.resource = resource
        self.rid = rid
        self.location = location
        self.distance = distance
        self.start = start
        self.end: int | None = None
        self.place = place
        self.provider = provider
        self.bridging = bridging
        self.same_carer = same_carer
        self.reason: str | None = None
        self.planned = True
        self.mismatch = False
        self.breakdown_day = math.inf
        self.move_day = math.inf
        self.stepback_day = math.inf


class Child:
    """A child in (or once in) care, with the pathway drawn at entry."""

    __slots__ = (
        "age_band",
        "cin",
        "dob",
        "entry",
        "exit_day",
        "exit_rec",
        "idx",
        "kinship",
        "left",
        "legal",
        "market_day",
        "market_offer",
        "need",
        "pfa_day",
        "placement",
        "placements",
        "pwp_day",
        "queue_key",
        "rng",
        "route",
        "sex",
        "supported_day",
        "version",
    )

    def __init__(self, idx: int, rng: np.random.Generator) -> None:
        self.idx = idx
        self.rng = rng
        self.placement: Placement | None = None
        self.placements: list[Placement] = []
        self.version = 0
        self.queue_key: tuple | None = None
        self.market_day = math.inf
        self.market_offer: Offer | None = None
        self.left = False
        self.pfa_day = math.inf
        self.pwp_day = math.inf
        self.supported_day = math.inf


def _item_key(item: tuple[tuple, Any]) -> tuple:
    return item[0]


def _days_after(now: int, days: float) -> float:
    """The whole day at least one day after `now` that is `days` later, or never (infinity)
    when the delay is too long to matter (or overflows)."""
    if not days < 1e7:  # also catches inf and nan: beyond any horizon (27,000 years)
        return math.inf
    return now + max(1, math.ceil(days))


class Simulation:
    """One replication of one scenario."""

    def __init__(
        self,
        scenario,
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
        start = scenario.start_date
        census = getattr(scenario, "census", None)
        # From a census the simulation begins on the start date; day 0 lies far enough back
        # for every census child's entry into care.
        back = CENSUS_ORIGIN_YEARS if census is not None else scenario.warmup_years
        self.t0 = start.replace(year=start.year - back)
        self.ord0 = self.t0.toordinal()
        self.start_day = start.toordinal() - self.ord0
        self.env = simpy.Environment(initial_time=self.start_day if census is not None else 0)
        self.end_day = scenario.end_date.toordinal() - self.ord0
        self.k3_day = K3_FROM.toordinal() - self.ord0
        self.children: list[Child] = []
        self.entries = 0
        self.exits = 0
        self.events = 0
        self.foster = FosterPool()
        self.homes = HomePool()
        # The search queue, one sorted list per need level: a freed place walks only the levels
        # it can take, merged in priority order.
        self.queues: dict[str, list[tuple[tuple, Child]]] = {need: [] for need in NEED_RANK}
        self._queue_seq = 0
        self._freed: list[Any] = []
        self._rid_counter: dict[str, int] = {}
        self.provision_log: list[tuple[str, str, int, int, int | None, str, float]] = []
        self._retention_days = sorted(
            [
                (self._day(change.start), change.deregistration_multiplier)
                for change in self.base.carers.retention
                if self._day(change.start) < self.start_day
            ]
            + [
                (max(self.start_day, self._day(change.start)), change.deregistration_multiplier)
                for change in scenario.carers.retention
            ]
        )
        self._group_index: dict[str, int] = {}
        self._household_serial: dict[int, int] = {}
        self._warmup_leaves = 0  # mainstream households leaving in the level window
        self._level_window_years = (
            min(LEVEL_WINDOW_YEARS, scenario.warmup_years) if census is None else 0
        )
        self._level_window_start = self.start_day - int(self._level_window_years * YEAR)
        self.level_recruitment_per_year = 0.0
        if census is None:
            self._at(self.start_day, self._begin_horizon)  # before anything else that day
        self._setup_provision()
        self.census_stats: dict[str, int] = {}
        if census is not None:
            self._begin_horizon()
            from sufficiency_sim.model.census_start import place_census

            self.census_stats = place_census(self, census.children)
        else:
            self.env.process(self._arrivals("entries", None, self.base, 0, self.start_day))
            for surge in self.base.entries.surges:
                self.env.process(
                    self._arrivals(f"surge:{surge.name}", surge, self.base, 0, self.start_day)
                )
        self.env.process(self._arrivals("entries", None, scenario, self.start_day, self.end_day))
        for surge in scenario.entries.surges:
            self.env.process(
                self._arrivals(f"surge:{surge.name}", surge, scenario, self.start_day, self.end_day)
            )
        if scenario.carers.recruitment == "pipeline":
            self.env.process(self._enquiries("carers.enquiries", None, scenario.carers))
        for campaign in scenario.carers.campaigns:
            self.env.process(
                self._enquiries(f"carers.campaign:{campaign.name}", campaign, scenario.carers)
            )

    # ------------------------------------------------------------------ helpers

    def _day(self, date: dt.date) -> int:
        return date.toordinal() - self.ord0

    def _rid(self, prefix: str) -> str:
        n = self._rid_counter.get(prefix, 0) + 1
        self._rid_counter[prefix] = n
        return f"{prefix}-{n:05d}"

    def _at(self, day: float, callback: Callable[[], None]) -> None:
        delay = max(0.0, day - self.env.now)
        event = self.env.timeout(delay)
        event.callbacks.append(lambda _event: callback())

    def _distance(self, location: str, rng: np.random.Generator) -> float:
        if location == "in":
            return round(float(rng.uniform(0.3, 6.0)), 1)
        if location == "near":
            return round(float(rng.uniform(5.0, 20.0)), 1)
        return round(20.1 + float(rng.lognormal(math.log(25.0), 0.7)), 1)

    def _age(self, child: Child, day: float) -> int:
        return min(17, max(0, int((day - child.dob) / YEAR)))

    def _birthday(self, child: Child, years: int) -> int:
        dob = dt.date.fromordinal(self.ord0 + child.dob)
        try:
            birthday = dob.replace(year=dob.year + years)
        except ValueError:  # 29 February
            birthday = dt.date(dob.year + years, 3, 1)
        return birthday.toordinal() - self.ord0

    # ------------------------------------------------------------------ provision

    def _new_household(self, day: int, emergency: bool, origin: str, *key: int) -> Household:
        """Approve a household: its own stream keyed by where it came from (`origin`, see
        HOUSEHOLD_ORIGINS) and a serial number within that origin (or the given `key`)."""
        cfg = self.sc.provision.inhouse_foster
        code = HOUSEHOLD_ORIGINS[origin]
        if not key:
            serial = self._household_serial.get(code, 0)
            self._household_serial[code] = serial + 1
            key = (serial,)
        rng = self.streams.fresh("household", code, *key)
        u = rng.random(8)
        top = NEED_RANK[cfg.max_needs]
        if emergency:
            approved, low, high, max_need = cfg.emergency_places, 0, 17, min(top, 1)
            places = approved
        else:
            approved = _pick(cfg.places_mix, u[0])
            places = max(
                1, approved - int((u[4 : 4 + approved] < cfg.unavailable_place_share).sum())
            )
            age_range = _pick({r: r.share for r in cfg.age_ranges}, u[1])
            low, high = age_range.min_age, age_range.max_age
            max_need = top if u[3] < cfg.complex_share else 0
        location = _pick(cfg.location_mix, u[2])
        household = Household(
            self._rid("FC"),
            places,
            low,
            high,
            emergency,
            location,
            self._distance(location, rng),
            day,
            max_need,
            approved,
        )
        household.rng = rng
        self.foster.add(household)
        return household

    def _setup_provision(self) -> None:
        cfg = self.sc.provision.inhouse_foster
        first_day = int(self.env.now)
        for _ in range(cfg.households):
            household = self._new_household(first_day, False, "initial")
            self._schedule_household(household)
        for _ in range(cfg.emergency_households):
            household = self._new_household(first_day, True, "initial_emergency")
            self._schedule_household(household)
        if first_day < self.start_day:  # the homes of the warm-up; the rest at the start date
            for spec in self.sc.provision.local_homes:
                if spec.opens is None or self._day(spec.opens) < self.start_day:
                    self._add_home(spec, first_day, before_start=True)

    def _add_home(self, spec, first_day: int, before_start: bool = False) -> Home | None:
        """Create a local home from its specification, with its own stream; schedule its
        opening and (for a warm-up home, only before the start date) its closing."""
        open_day = max(first_day, self._day(spec.opens)) if spec.opens else first_day
        close_day = self._day(spec.closes) if spec.closes else None
        if before_start and close_day is not None and close_day >= self.start_day:
            close_day = None  # from the start date, the scenario's own dates decide
        if close_day is not None and close_day <= open_day:
            return None  # closed before it opens: it never takes a child
        same_name = sum(1 for home in self.homes if home.name == spec.name)
        rng = self.streams.fresh("home", stream_key(spec.name), same_name)
        home = Home(
            self._rid("LH"),
            spec.name,
            spec.beds,
            spec.min_age,
            spec.max_age,
            spec.admits,
            spec.max_high_need,
            spec.provider,
            spec.location,
            self._distance(spec.location, rng),
            open_day,
            close_day,
        )
        home.spec = spec
        self.homes.add(home)
        self._at(open_day, lambda h=home: self._open_home(h))
        if close_day is not None:
            self._at(close_day, lambda h=home, d=close_day: self._close_home(h, d))
        return home

    def _begin_horizon(self) -> None:
        """The start date: the scenario itself comes into force. Capacity it sets differently
        from the warm-up's authority changes today; homes it opens later are created."""
        self.sc = option = self.option
        now = int(self.env.now)
        base_cfg = self.base.provision.inhouse_foster
        cfg = option.provision.inhouse_foster
        if self.base is not option:
            self._change_households(cfg.households - base_cfg.households, False)
            self._change_households(cfg.emergency_households - base_cfg.emergency_households, True)
        warmup_homes = [
            home for home in self.homes if home.close_day is None or home.close_day > now
        ]
        for spec in option.provision.local_homes:
            match = next((h for h in warmup_homes if h.spec == spec), None)
            if match is None:
                match = next((h for h in warmup_homes if h.name == spec.name), None)
                if match is not None:
                    self._respecify_home(match, spec)
            if match is not None:
                warmup_homes.remove(match)
                if spec.closes is not None:
                    day = match.close_day = max(now, self._day(spec.closes))
                    self._at(day, lambda h=match, d=day: self._close_home(h, d))
            else:
                self._add_home(spec, now)
        for home in warmup_homes:  # homes of the warm-up that the scenario does not have
            self._close_home(home)
        for household in self.foster:  # this scenario's leaving hazards from today
            if household.status == "active":
                self._schedule_household(household)
        if option.carers.recruitment == "keep_level":
            if self._level_window_years > 0 and base_cfg.households > 0:
                rate = self._warmup_leaves / self._level_window_years
                rate *= cfg.households / base_cfg.households
            else:  # from a census (or no households to measure): their own hazard
                rate = cfg.households * option.carers.deregistration_rate_per_year
            self.level_recruitment_per_year = rate
            self.env.process(self._level_recruitment(rate))
        self._after_event()

    def _respecify_home(self, home: Home, spec) -> None:
        """A home the scenario keeps under its name with other beds or rules: changed in place
        today. Children above its new beds, or whose needs it no longer admits, move (planned);
        the others stay whatever their age, as children do when they outgrow a home's range."""
        home.spec = spec
        if spec.beds != home.beds:
            home.periods.append((int(self.env.now), spec.beds))
        home.beds, home.min_age, home.max_age = spec.beds, spec.min_age, spec.max_age
        home.admits, home.max_high_need = frozenset(spec.admits), spec.max_high_need
        home.provider = spec.provider
        if spec.location != home.location:
            home.location = spec.location
            home.distance = self._distance(spec.location, self.streams.fresh("home.moved"))
        staying = specialists = 0
        for idx in list(home.occupants):
            child = self.children[idx]
            specialist = child.need == "specialist"
            fits = child.need in home.admits and staying < home.beds
            if fits and (not specialist or specialists < home.max_high_need):
                staying += 1
                specialists += specialist
                continue
            self._end_placement(child, "CARPL", planned=True)
            self._place(child, exclude=home)
            self._schedule(child)
        self.homes.refresh(home)
        self._freed.append(home)

    def _change_households(self, change: int, emergency: bool) -> None:
        """Add `change` households today (or, below zero, retire as many, those with no child
        first; the others take no one new and go when their last child moves)."""
        now = int(self.env.now)
        for _ in range(max(0, change)):
            household = self._new_household(now, emergency, "option_extra", int(emergency), _)
            self._schedule_household(household)
            self._freed.append(household)
        if change < 0:
            current = [h for h in self.foster if h.emergency == emergency and h.status == "active"]
            current.sort(key=lambda h: (len(h.occupants), h.start))
            for household in current[:-change]:
                if household.occupants:
                    household.status = "leaving"
                    household.version += 1
                    self.foster.refresh(household)
                else:
                    self._retire(household)

    def _level_recruitment(self, rate_per_year: float) -> Any:
        """Approvals that keep the scenario's level of mainstream households (keep_level)."""
        if rate_per_year <= 0:
            return
        rng = self.streams.get("carers.level_recruitment")
        t = float(self.start_day)
        while True:
            t += rng.exponential(YEAR / rate_per_year)
            day = math.ceil(t)  # after the start date, whose households are the level
            if day >= self.end_day:
                return
            if day > self.env.now:
                yield self.env.timeout(day - self.env.now)
            self._approve_household("level_recruitment")

    def _open_home(self, home: Home) -> None:
        if home.close_day is not None and self.env.now >= home.close_day:
            return
        home.is_open = True
        self.homes.refresh(home)
        self._freed.append(home)
        self._after_event()

    def _close_home(self, home: Home, day: int | None = None) -> None:
        """Close a home today, moving its children; `day` is the date a scheduled closing was
        set for (ignored if the date has since changed)."""
        if day is not None and home.close_day != day:
            return
        home.close_day = int(self.env.now)
        home.is_open = False
        self.homes.refresh(home)
        for idx in list(home.occupants):
            child = self.children[idx]
            self._end_placement(child, "CLOSE", planned=False)
            self._place(child)
            self._schedule(child)
        self._after_event()

    # ------------------------------------------------------------------ carers

    def _retention_multiplier(self, day: float) -> tuple[float, float]:
        """The deregistration multiplier in force on `day`, and the day it next changes."""
        multiplier, next_change = 1.0, math.inf
        for change_day, value in self._retention_days:
            if change_day <= day:
                multiplier = value
            else:
                next_change = change_day
                break
        return multiplier, next_change

    def _schedule_household(self, household: Household, from_day: float | None = None) -> None:
        """Draw when the household next leaves (memoryless; redrawn when its hazard changes)."""
        carers = self.sc.carers
        now = self.env.now if from_day is None else from_day
        multiplier, next_change = self._retention_multiplier(now)
        if household.boost_until > now:
            multiplier *= self.sc.endings.carer_leave_after_breakdown_multiplier
            next_change = min(next_change, household.boost_until)
        rate = carers.deregistration_rate_per_year * multiplier
        wait = household.rng.exponential(YEAR / rate) if rate > 0 else math.inf
        household.version += 1
        version = household.version
        if now + wait >= next_change:
            if next_change < self.end_day:
                self._at(next_change, lambda: self._household_redraw(household, version))
        elif now + wait < self.end_day:
            self._at(math.ceil(now + wait), lambda: self._household_leaves(household, version))

    def _household_redraw(self, household: Household, version: int) -> None:
        if household.version == version and household.status != "gone":
            self._schedule_household(household)

    def _household_leaves(self, household: Household, version: int) -> None:
        if household.version != version or household.status == "gone":
            return
        self.events += 1
        self._replace_leaver(household)
        carers = self.sc.carers
        if not household.occupants:
            self._retire(household)
        elif household.rng.random() < carers.leave_while_occupied_share:
            service = household.rng.random() < carers.service_initiated_share
            reason = "APPRR" if service else "CLOSE"
            household.status = "leaving"  # takes no one new, gone when the last child moves
            self.foster.refresh(household)
            for idx in list(household.occupants):
                child = self.children[idx]
                self._end_placement(child, reason, planned=False)
                self._place(child)
                self._schedule(child)
        else:
            self._give_notice(household)
        self._after_event()

    def _give_notice(self, household: Household) -> None:
        """The household takes no one new; children still there when the notice ends move."""
        household.status = "leaving"
        self.foster.refresh(household)
        household.version += 1
        notice_version = household.version
        self._at(
            self.env.now + max(1, math.ceil(self.sc.carers.notice_days)),
            lambda: self._notice_ends(household, notice_version),
        )

    def _stop_fostering(self, household: Household) -> None:
        """Carers who have adopted a child they fostered stop fostering (with notice)."""
        self._replace_leaver(household)
        if household.occupants:
            self._give_notice(household)
        else:
            self._retire(household)

    def _replace_leaver(self, household: Household) -> None:
        """Keep the level of households that nothing else recruits to: during the warm-up
        every leaver is replaced at once (so that the start date has the scenario's households
        and children's histories carry the moves), and dedicated emergency carers are
        replaced at once throughout (their retainer passes to a new carer)."""
        now = int(self.env.now)
        if now < self.start_day:
            if not household.emergency and now >= self._level_window_start:
                self._warmup_leaves += 1
            replacement = self._new_household(now, household.emergency, "warmup_replacement")
        elif household.emergency:
            replacement = self._new_household(now, True, "emergency_replacement")
        else:
            return
        self._schedule_household(replacement)
        self._freed.append(replacement)  # offered to the children waiting

    def _notice_ends(self, household: Household, version: int) -> None:
        """A leaving household's notice runs out: children still there move (resignation)."""
        if household.version != version or household.status == "gone":
            return
        self.events += 1
        for idx in list(household.occupants):
            child = self.children[idx]
            self._end_placement(child, "CLOSE", planned=False)
            self._place(child)
            self._schedule(child)
        if household.status != "gone":
            self._retire(household)
        self._after_event()

    def _retire(self, household: Household) -> None:
        household.status = "gone"
        household.end = int(self.env.now)
        household.version += 1
        self.foster.refresh(household)

    def _enquiries(self, name: str, campaign, carers) -> Any:
        """Enquiries from prospective carers (`carers`: the scenario's carer settings, not the
        warm-up's): a Poisson process from the start date."""
        rng = self.streams.get(name)
        if campaign is None:
            # Start the pipeline early so that applicants already in assessment at the start
            # date are approved on time; approvals before the start date are in the initial stock.
            lead = math.ceil(carers.assessment.median_days * math.exp(3 * carers.assessment.sigma))
            rate, start, end = (
                carers.enquiries_per_year,
                max(0, self.start_day - lead),
                self.end_day,
            )
        else:
            rate = campaign.extra_enquiries_per_year
            start = max(self.start_day, self._day(campaign.start))
            end = min(self.end_day, self._day(campaign.end)) if campaign.end else self.end_day
        if rate <= 0:
            return
        if start > self.env.now:
            yield self.env.timeout(start - self.env.now)
        t = float(start)
        conversion = carers.application_rate * carers.approval_rate
        pipeline, index = stream_key(name), 0
        while True:
            t += rng.exponential(YEAR / rate)
            if t >= end:
                return
            u, z = rng.random(), rng.standard_normal()
            index += 1
            if u >= conversion:
                continue
            approval = t + _duration_days(carers.assessment, z)
            if self.start_day <= approval < self.end_day:
                self._at(
                    approval,
                    lambda key=(pipeline, index): self._approve_household("pipeline", *key),
                )

    def _approve_household(self, origin: str, *key: int) -> None:
        self.events += 1
        household = self._new_household(int(self.env.now), False, origin, *key)
        self._schedule_household(household)
        self._freed.append(household)
        self._after_event()

    # ------------------------------------------------------------------ arrivals

    def _entry_rate(self, t: float, entries) -> float:
        rate = entries.rate_per_year
        if t > self.start_day and entries.trend_pct_per_year:
            rate *= (1 + entries.trend_pct_per_year / 100.0) ** ((t - self.start_day) / YEAR)
        if entries.seasonality_amplitude:
            date = dt.date.fromordinal(self.ord0 + int(t))
            peak = dt.date(date.year, entries.seasonality_peak_month, 15)
            phase = 2 * math.pi * (date - peak).days / YEAR
            rate *= 1 + entries.seasonality_amplitude * math.cos(phase)
        return rate

    def _arrivals(self, source: str, surge, scenario, first: int, last: int) -> Any:
        """Groups of siblings entering care between days `first` and `last`, as a (thinned)
        Poisson process in calendar time with `scenario`'s rates. The warm-up and the horizon
        each have one such process; they share the source's stream and group numbers, so an
        identical warm-up leaves the horizon the same luck."""
        entries = scenario.entries
        if surge is None:
            mean_group = sum(size * share for size, share in entries.sibling_group_mix.items())
            growth = max(1.0, (1 + entries.trend_pct_per_year / 100.0) ** scenario.horizon_years)
            rate_max = entries.rate_per_year * growth * (1 + entries.seasonality_amplitude)
            start, end = float(max(self.env.now, first)), float(last)
        else:
            mean_group = 1.0
            rate_max = surge.rate_per_year
            start = float(max(self.env.now, first, self._day(surge.start)))
            end = float(min(last, self._day(surge.end))) if surge.end else float(last)
        if rate_max <= 0 or start >= end:
            return
        if start > self.env.now:
            yield self.env.timeout(start - self.env.now)
        rng = self.streams.get(f"arrivals:{source}")
        group_rate = rate_max / mean_group
        t = start
        while True:
            t += rng.exponential(YEAR / group_rate)
            if t >= end:
                return
            if surge is None and rng.random() * rate_max > self._entry_rate(t, entries):
                continue
            day = int(t)
            if day > self.env.now:
                yield self.env.timeout(day - self.env.now)
            index = self._group_index.get(source, 0)
            self._group_index[source] = index + 1
            self._admit_group(source, index, surge)

    def _admit_group(self, source: str, index: int, surge) -> None:
        """Create the children of one entering group, draw their pathway and place them."""
        self.events += 1
        sc = self.sc
        entries, pathways = sc.entries, sc.pathways
        now = int(self.env.now)
        g = self.streams.fresh(f"group:{source}", index)
        u = g.random(10).tolist()
        z = g.standard_normal(2).tolist()
        if surge is None:
            size = _pick(entries.sibling_group_mix, u[0])
            band = _pick(entries.age_mix, u[1])
        else:
            size, band = 1, surge.age_band
        low, high = AGE_BAND_RANGES[band]
        eldest = low + min(high - low, int(u[2] * (high - low + 1)))
        route = (
            surge.route
            if surge is not None and surge.route
            else _pick(pathways.route_mix_by_age[band], u[3])
        )
        legal = _pick(entries.legal_status_mix, u[4])
        if route == "adoption" and legal == "V2":
            legal = "C1"
        kinship = u[5] < sc.provision.kinship.available_by_age[band]
        duration = (
            math.inf if route == "long_term" else _duration_days(pathways.durations[route], z[0])
        )
        planned_exit = now + duration
        group: list[Child] = []
        for j in range(size):
            age = eldest if j == 0 else max(0, eldest - 1 - int(g.integers(0, 4)))
            child = Child(len(self.children), self.streams.fresh(f"child:{source}", index, j))
            self._init_child(child, now, age, route, legal, kinship, planned_exit, surge, z[1])
            self.children.append(child)
            group.append(child)
            self.entries += 1
        self._place_group(group)
        for child in group:
            self._schedule(child)
        self._after_event()

    def _init_child(
        self,
        child: Child,
        now: int,
        age: int,
        route: str,
        legal: str,
        kinship: bool,
        planned_exit: float,
        surge,
        z_order: float,
    ) -> None:
        sc = self.sc
        pathways = sc.pathways
        rng = child.rng
        u = rng.random(8).tolist()
        zc = rng.standard_normal(3).tolist()
        child.entry = now
        child.sex = 2 if u[0] < sc.entries.female_share else 1
        child.dob = now - int(age * YEAR) - int(u[1] * 365)
        child.age_band = BAND_OF_AGE[self._age(child, now)]
        if surge is not None and surge.needs:
            child.need = surge.needs
        else:
            child.need = _pick(sc.entries.needs_by_age[child.age_band], u[2])
        child.route = route
        child.kinship = kinship
        child.cin = _pick(CIN_MIX, u[3])
        adult = self._birthday(child, 18)
        child.exit_day = int(min(planned_exit, adult))
        if child.exit_day <= now:
            child.exit_day = now + 1
        at_18 = child.exit_day >= adult
        if at_18:
            child.exit_rec = "AT18"  # decided when the child leaves, from the placement then
        elif route == "adoption":
            child.exit_rec = "E11" if u[4] < 0.6 else "E12"
        elif route == "return_home":
            child.exit_rec = "E4A" if u[4] < 0.85 else "E13"
        elif route == "sgo":
            child.exit_rec = "SGO"
        elif route == "cao":
            child.exit_rec = "E41"
        else:
            child.exit_rec = "E3" if u[4] < 0.4 else ("E8" if u[4] < 0.85 else "E4B")
        legal_changes = [(now, legal)]
        current = legal
        if current in ("L1", "L2"):
            current = "C1"
            legal_changes.append((now + (2 if legal == "L1" else 8), current))
        if current == "C1":
            legal_changes.append(
                (legal_changes[-1][0] + _duration_days(pathways.full_order_after, zc[0]), "C2")
            )
        if route == "adoption" and not at_18:
            order = _duration_days(pathways.adoption_order_after_placement, z_order)
            child.pfa_day = max(now + 30, child.exit_day - order)
            if child.pfa_day >= child.exit_day:
                child.pfa_day = math.inf
            else:
                order_day = max(now + 1, child.pfa_day - 30)
                # The legal status at entry always stays; later ones give way to the order.
                legal_changes = [legal_changes[0]] + [
                    c for c in legal_changes[1:] if c[0] < order_day
                ]
                legal_changes.append((order_day, "E1"))
        # Placement with parents needs a care order: a child accommodated under section 20 (V2)
        # goes home by leaving care (validator rule 378).
        if (
            route == "return_home"
            and legal != "V2"
            and not at_18
            and u[5] < pathways.placed_with_parents_share
        ):
            day = child.exit_day - _duration_days(pathways.placed_with_parents_before_exit, zc[1])
            if day > now:
                child.pwp_day = day
        if at_18 and u[6] < pathways.supported_move_share:
            day = self._birthday(child, 16) + int(u[7] * 1.5 * YEAR)
            if now < day < child.exit_day - 30:
                child.supported_day = day
        child.legal = [c for c in legal_changes if c[0] < child.exit_day]

    # ------------------------------------------------------------------ placing

    def _market_offer(
        self, token: str, market, need: str, u: list[float], z: float
    ) -> Offer | None:
        if u[0] >= market.offer_probability[need]:
            return None
        location = _pick(market.location_mix, u[1])
        delay = 0 if u[2] < market.same_day_probability else _duration_days(market.search, z)
        return Offer(token, location, delay)

    def _offers(self, child: Child, age: int, places: int, exclude: Any) -> dict[str, Offer | None]:
        """What each preferred kind of provision could offer this child now.

        Every search draws the same number of random numbers from the child's stream whatever is
        free, so that scenarios differing only in capacity keep the same luck (common random
        numbers)."""
        provision = self.sc.provision
        u = child.rng.random(10).tolist()
        z = child.rng.standard_normal(3).tolist()
        offers: dict[str, Offer | None] = {}
        for token in self.sc.matching.preferences[child.need]:
            offer = None
            if token == "kinship":
                if child.kinship:
                    offer = Offer(token, _pick(provision.kinship.location_mix, u[9]))
            elif token == "inhouse_foster":
                if NEED_RANK[child.need] <= NEED_RANK[provision.inhouse_foster.max_needs]:
                    household = self.foster.find(age, places, False, NEED_RANK[child.need], exclude)
                    if household is not None:
                        offer = Offer(token, household.location, 0, household)
            elif token == "local_home":
                home = self.homes.find(age, child.need, exclude)
                if home is not None:
                    offer = Offer(token, home.location, 0, home)
            elif token in ("ifa_local", "ifa_distant"):
                offer = offers.get("ifa_local") or offers.get("ifa_distant")
                if offer is None:
                    offer = self._market_offer(token, provision.ifa, child.need, u[0:3], z[0])
                offer = Offer(token, offer.location, offer.delay_days) if offer else None
            elif token == "external_home":
                offer = self._market_offer(
                    token, provision.external_homes, child.need, u[3:6], z[1]
                )
            elif token == "supported" and age >= provision.supported.min_age:
                offer = self._market_offer(token, provision.supported, child.need, u[6:9], z[2])
            offers[token] = offer
        return offers

    def _place_group(self, group: list[Child]) -> None:
        """Place an entering group of siblings together where a household has room."""
        if len(group) == 1:
            self._place(group[0])
            return
        choice = self._choose(group[0], places=len(group))
        if (
            choice is not None
            and choice.delay_days == 0
            and choice.kind in ("kinship", "inhouse_foster", "ifa")
        ):
            shared_rid = None
            for child in group:
                self._start_from_offer(child, choice, shared_rid)
                shared_rid = child.placement.rid
            return
        if (
            not self.sc.matching.split_siblings
            and choice is not None
            and choice.kind in ("kinship", "inhouse_foster", "ifa")
        ):
            for child in group:
                self._bridge(child, choice)
            return
        for child in group:
            self._place(child)

    def _choose(self, child: Child, places: int = 1, exclude: Any = None) -> Offer | None:
        """The child's preferred offer now (see matching.decide), for `places` children."""
        offers = self._offers(child, self._age(child, self.env.now), places, exclude)
        return matching.decide(self.sc.matching.preferences[child.need], offers)

    def _await_search(self, child: Child, target: Offer | None) -> None:
        """Schedule the end of the child's market search: the target's search time, or (with
        nothing to aim for) a median external-home search before looking again."""
        delay = (
            target.delay_days
            if target is not None
            else _duration_days(self.sc.provision.external_homes.search, 0.0)
        )
        child.market_day = int(self.env.now) + max(1, delay)
        child.market_offer = target if target is not None and target.resource is None else None

    def _place(self, child: Child, exclude: Any = None) -> None:
        """Find the child a placement now: the preferred one, or a bridging one meanwhile."""
        choice = self._choose(child, exclude=exclude)
        if choice is not None and choice.delay_days == 0:
            self._start_from_offer(child, choice)
        else:
            self._bridge(child, choice)

    def _bridge(self, child: Child, target: Offer | None) -> None:
        """A bridging placement while the search goes on; the child joins the search queue."""
        now = int(self.env.now)
        age = self._age(child, now)
        household = None
        if child.need != "specialist":
            household = self.foster.find(age, 1, True, NEED_RANK[child.need])
        if household is not None:
            self._start(
                child,
                "emergency_foster",
                household,
                household.rid,
                household.location,
                household.distance,
                "U6",
                "PR1",
                bridging=True,
            )
        else:
            cfg = self.sc.provision.emergency_residential
            u = child.rng.random(2).tolist()
            location = _pick(cfg.location_mix, u[0])
            self._start(
                child,
                "emergency_residential",
                None,
                self._rid("ER"),
                location,
                self._distance(location, child.rng),
                "K2",
                "PR4",
                bridging=True,
            )
        self._await_search(child, target)
        self._enqueue(child, bridging=True)

    def _placement_codes(
        self, kind: str, long_term: bool, u: float, resource: Any = None
    ) -> tuple[str, str, str]:
        """The 903 PLACE and PLACE_PROVIDER of a new placement of `kind`, and the prefix of its
        id when it has no resource of its own. `u` decides whether a market's provider is
        private (PR4) or voluntary (PR5)."""
        provision = self.sc.provision
        foster = "U4" if long_term else "U6"
        if kind == "kinship":
            return ("U1" if long_term else "U3"), "PR1", "KIN"
        if kind == "inhouse_foster":
            return foster, "PR1", "FC"
        if kind == "local_home":
            return "K2", resource.provider, "LH"
        if kind == "placed_with_parents":
            return "P1", "PR0", "PWP"
        if kind == "adoption":
            return "A6", "PR1", "AD"
        market = {
            "ifa": provision.ifa,
            "external_home": provision.external_homes,
            "supported": provision.supported,
        }[kind]
        provider = "PR4" if u < market.private_share else "PR5"
        if kind == "ifa":
            return foster, provider, "IFA"
        if kind == "external_home":
            return "K2", provider, "EH"
        return ("K3" if self.env.now >= self.k3_day else "H5"), provider, "SA"

    def _start_from_offer(self, child: Child, offer: Offer, shared_rid: str | None = None) -> None:
        u = child.rng.random()
        res = offer.resource
        place, provider, prefix = self._placement_codes(
            offer.kind, child.route == "long_term", u, res
        )
        if res is not None:
            self._start(
                child, offer.kind, res, res.rid, res.location, res.distance, place, provider
            )
        else:
            self._start(
                child,
                offer.kind,
                None,
                shared_rid or self._rid(prefix),
                offer.location,
                self._distance(offer.location, child.rng),
                place,
                provider,
            )

    def _start(
        self,
        child: Child,
        kind: str,
        resource: Any,
        rid: str,
        location: str,
        distance: float,
        place: str,
        provider: str,
        bridging: bool = False,
        same_carer: bool = False,
        elapsed: int = 0,
    ) -> None:
        """Begin a placement: occupy the resource and draw when it might break down.

        `elapsed` > 0 continues a placement that began that many days ago (a census child): its
        breakdown time is drawn given that it has not broken down yet."""
        endings = self.sc.endings
        now = int(self.env.now) - elapsed
        placement = Placement(
            kind, resource, rid, location, distance, now, place, provider, bridging, same_carer
        )
        placement.mismatch = matching.is_mismatch(kind, child.need)
        multiplier = (
            endings.age_multiplier[BAND_OF_AGE[self._age(child, now)]]
            * endings.needs_multiplier[child.need]
            * endings.location_multiplier[location]
        )
        if bridging:
            multiplier *= endings.bridging_multiplier
        if placement.mismatch:
            multiplier *= endings.mismatch_multiplier
        if isinstance(resource, Home):
            peers = sum(1 for idx in resource.occupants if self.children[idx].need != "standard")
            if child.need != "standard" and peers:
                multiplier *= endings.high_need_peer_multiplier**peers
        u = child.rng.random(2).tolist()
        shape = endings.weibull_shape
        scale = endings.median_days[kind] / LN2 ** (1.0 / shape)
        hazard = -math.log1p(-u[0]) / multiplier
        if elapsed:  # the cumulative hazard so far, plus a fresh exponential's worth
            hazard += (elapsed / scale) ** shape
        placement.breakdown_day = _days_after(now, scale * hazard ** (1.0 / shape))
        if placement.breakdown_day <= now + elapsed:
            placement.breakdown_day = now + elapsed + 1
        move_rate = endings.planned_move_rate_per_year.get(kind, 0.0)
        if move_rate > 0:
            placement.move_day = _days_after(now + elapsed, -math.log1p(-u[1]) * YEAR / move_rate)
        step_back = self.sc.matching.step_back
        if (
            step_back.enabled
            and not bridging
            and kind not in ("kinship", "adoption", "placed_with_parents")
            and (
                location in step_back.from_locations or (step_back.mismatch and placement.mismatch)
            )
        ):
            placement.stepback_day = max(
                now + elapsed, now + max(0, math.ceil(step_back.after_days))
            )
        if resource is not None:
            resource.occupants.append(child.idx)
            if isinstance(resource, Household):
                self.foster.refresh(resource)
            else:
                resource.specialist_count += child.need == "specialist"
                self.homes.refresh(resource)
        child.placement = placement
        child.placements.append(placement)

    def _end_placement(
        self, child: Child, reason: str | None, planned: bool, keep_place: bool = False
    ) -> None:
        """End the current placement today, freeing its place for someone in the search queue
        (unless `keep_place`: the child stays in the same place under a new placement, started
        straight after)."""
        placement = child.placement
        placement.end = int(self.env.now)
        placement.reason = reason
        placement.planned = planned
        resource = placement.resource
        if resource is not None:
            resource.occupants.remove(child.idx)
            if isinstance(resource, Household):
                if resource.status == "leaving" and not resource.occupants and not keep_place:
                    self._retire(resource)
                else:
                    self.foster.refresh(resource)
            else:
                resource.specialist_count -= child.need == "specialist"
                self.homes.refresh(resource)
            if not keep_place:
                self._freed.append(resource)
        child.placement = None
        if placement.kind == "adoption":
            self._adopters_again(child)  # a no-op at the exit itself
        self._dequeue(child)
        child.market_day = math.inf
        child.market_offer = None

    # ------------------------------------------------------------------ search queue

    def _enqueue(self, child: Child, bridging: bool) -> None:
        if child.queue_key is not None:
            return
        self._queue_seq += 1
        key = matching.queue_priority(bridging, child.need, int(self.env.now), self._queue_seq)
        child.queue_key = key
        bisect.insort(self.queues[child.need], (key, child), key=_item_key)

    def _dequeue(self, child: Child) -> None:
        if child.queue_key is None:
            return
        queue = self.queues[child.need]
        del queue[bisect.bisect_left(queue, child.queue_key, key=_item_key)]
        child.queue_key = None

    @property
    def queue_length(self) -> int:
        """Children waiting in the search queue."""
        return sum(len(queue) for queue in self.queues.values())

    def _waiting_for(self, resource: Any) -> Iterator[Child]:
        """Children waiting whose need level this place can take, in priority order."""
        prefs = self.sc.matching.preferences
        if isinstance(resource, Household):
            if resource.emergency:
                return iter(())
            needs = [
                n
                for n, rank in NEED_RANK.items()
                if rank <= resource.max_need and "inhouse_foster" in prefs[n]
            ]
        else:
            needs = [n for n in NEED_RANK if n in resource.admits and "local_home" in prefs[n]]
        queues = [self.queues[n] for n in needs if self.queues[n]]
        if len(queues) == 1:
            return (child for _, child in queues[0])
        return (child for _, child in heapq.merge(*queues, key=_item_key))

    def _suits(self, child: Child, resource: Any) -> bool:
        """Whether a freed place suits a waiting child of a need level the place can take."""
        current = child.placement
        if current is None or current.resource is resource:
            return False
        age = self._age(child, self.env.now)
        if isinstance(resource, Household):
            if not resource.min_age <= age <= resource.max_age:
                return False
            kind = "inhouse_foster"
        else:
            if not resource.admits_child(age, child.need):
                return False
            kind = "local_home"
        if current.bridging:
            return True
        return matching.is_step_up(
            current.kind, current.location, kind, resource.location, child.need
        )

    def _process_freed(self) -> None:
        """Offer each freed place to the waiting child it suits: highest need, then longest wait."""
        while self._freed:
            resource = self._freed.pop(0)
            while resource.free > 0:
                chosen = None
                for child in self._waiting_for(resource):
                    if self._suits(child, resource):
                        chosen = child
                        break
                if chosen is None:
                    break
                self._end_placement(chosen, "CARPL", planned=True)
                if isinstance(resource, Household):
                    place = "U4" if chosen.route == "long_term" else "U6"
                    self._start(
                        chosen,
                        "inhouse_foster",
                        resource,
                        resource.rid,
                        resource.location,
                        resource.distance,
                        place,
                        "PR1",
                    )
                else:
                    self._start(
                        chosen,
                        "local_home",
                        resource,
                        resource.rid,
                        resource.location,
                        resource.distance,
                        "K2",
                        resource.provider,
                    )
                self._schedule(chosen)

    # ------------------------------------------------------------------ a child's events

    def _next_event(self, child: Child) -> tuple[float, str]:
        """The child's next due event; on a tie, the earlier in EVENT_ORDER comes first."""
        placement = child.placement
        stepback = placement.stepback_day if child.queue_key is None else math.inf
        day, index = min(
            (child.exit_day, 0),
            (child.pfa_day, 1),
            (child.pwp_day, 2),
            (child.supported_day, 3),
            (child.market_day, 4),
            (placement.breakdown_day, 5),
            (placement.move_day, 6),
            (stepback, 7),
        )
        return day, EVENT_ORDER[index]

    def _schedule(self, child: Child) -> None:
        """Replace the child's pending event with the next one due."""
        if child.left:
            return
        child.version += 1
        day, what = self._next_event(child)
        if day >= self.end_day:
            return
        version = child.version
        event = self.env.timeout(max(0.0, day - self.env.now))
        event.callbacks.append(lambda _e: self._on_child_event(child, version, what))

    def _on_child_event(self, child: Child, version: int, what: str) -> None:
        if version != child.version or child.left:
            return
        self.events += 1
        handler = getattr(self, f"_on_{what}")
        handler(child)
        if not child.left:
            self._schedule(child)
        self._after_event()

    def _on_exit(self, child: Child) -> None:
        placement = child.placement
        if child.exit_rec in ("E11", "E12") and placement.kind != "adoption":
            # The placement for adoption ended the day before the order, too late for new
            # adopters (`_adopters_again`): no adoption (validator rule 390); in care until 18.
            child.route, child.exit_rec = "long_term", "AT18"
            child.exit_day = self._birthday(child, 18)
            return
        if child.exit_rec == "AT18":
            in_family = placement.kind in ("kinship", "inhouse_foster", "ifa")
            if in_family and child.rng.random() < self.sc.pathways.staying_put_share:
                child.exit_rec = "E17"
            else:
                child.exit_rec = "E5" if child.rng.random() < 0.75 else "E6"
        elif child.exit_rec == "SGO":
            child.exit_rec = "E45" if placement.kind == "kinship" else "E47"
        adopters = placement.resource if placement.kind == "adoption" else None
        self._end_placement(child, None, planned=True)
        if (
            isinstance(adopters, Household)
            and adopters.status == "active"
            and adopters.rng.random() < self.sc.carers.leave_after_adopting_share
        ):
            self._stop_fostering(adopters)
        child.left = True
        child.rng = None  # no more draws: let its generator go (memory at national scale)
        self.exits += 1

    def _on_adoption(self, child: Child) -> None:
        child.pfa_day = math.inf
        cfg = self.sc.provision.adoption
        current = child.placement
        with_carers = (
            current.kind in ("inhouse_foster", "ifa", "kinship")
            and child.rng.random() < cfg.with_current_carers_share
        )
        household = None
        if with_carers and isinstance(current.resource, Household):
            household = current.resource
            # The child stays where it lives: the place is still taken until the order. The
            # placement ends in place, without offering the place to anyone.
            self._end_placement(child, "CARPL", planned=True, keep_place=True)
        else:
            self._end_placement(child, "CARPL", planned=True)
        if with_carers:
            self._start(
                child,
                "adoption",
                household,
                current.rid,
                current.location,
                current.distance,
                "A5",
                current.provider,
                same_carer=True,
            )
        else:
            location = _pick(cfg.location_mix, child.rng.random())
            self._start(
                child,
                "adoption",
                None,
                self._rid("AD"),
                location,
                self._distance(location, child.rng),
                "A6",
                "PR1",
            )

    def _on_parents(self, child: Child) -> None:
        child.pwp_day = math.inf
        cfg = self.sc.provision.placed_with_parents
        self._end_placement(child, "CARPL", planned=True)
        location = _pick(cfg.location_mix, child.rng.random())
        self._start(
            child,
            "placed_with_parents",
            None,
            self._rid("PWP"),
            location,
            self._distance(location, child.rng),
            "P1",
            "PR0",
        )

    def _on_supported(self, child: Child) -> None:
        child.supported_day = math.inf
        if child.placement.kind in ("supported", "placed_with_parents", "adoption"):
            return
        cfg = self.sc.provision.supported
        self._end_placement(child, "CARPL", planned=True)
        u = child.rng.random(2).tolist()
        location = _pick(cfg.location_mix, u[0])
        place = "K3" if self.env.now >= self.k3_day else "H5"
        self._start(
            child,
            "supported",
            None,
            self._rid("SA"),
            location,
            self._distance(location, child.rng),
            place,
            "PR4" if u[1] < cfg.private_share else "PR5",
        )

    def _on_breakdown(self, child: Child) -> None:
        placement = child.placement
        reason = _pick(self.sc.endings.reason_mix, child.rng.random())
        resource = placement.resource
        if placement.kind == "kinship":
            child.kinship = False
        self._end_placement(child, reason, planned=False)
        if isinstance(resource, Household) and resource.status != "gone":
            resource.boost_until = int(self.env.now + self.sc.endings.carer_leave_effect_days)
            self._schedule_household(resource)
        self._place(child, exclude=resource)

    def _on_move(self, child: Child) -> None:
        resource = child.placement.resource
        self._end_placement(child, "CARPL", planned=True)
        self._place(child, exclude=resource)

    def _adopters_again(self, child: Child) -> None:
        """A placement for adoption ended before the order (a breakdown, a move, the carers
        leaving). The plan stands: new adopters are found and the child is placed with them
        halfway to the order, so that the child is adopted from a placement for adoption
        (validator rule 390) on the day drawn at entry."""
        now = int(self.env.now)
        if child.exit_rec in ("E11", "E12") and child.exit_day - now >= 2:
            child.pfa_day = now + (child.exit_day - now) // 2

    def _on_market(self, child: Child) -> None:
        """The external search ends: move to what it found, or search again."""
        offer = child.market_offer
        child.market_day = math.inf
        child.market_offer = None
        if offer is not None and child.placement.bridging:
            self._end_placement(child, "CARPL", planned=True)
            self._start_from_offer(child, offer)
            return
        choice = self._choose(child)
        if choice is not None and choice.delay_days == 0:
            self._end_placement(child, "CARPL", planned=True)
            self._start_from_offer(child, choice)
        else:
            self._await_search(child, choice)

    def _on_stepback(self, child: Child) -> None:
        child.placement.stepback_day = math.inf
        self._enqueue(child, bridging=False)

    # ------------------------------------------------------------------ bookkeeping

    def _after_event(self) -> None:
        if self._freed:
            self._process_freed()
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
            assert len(household.occupants) <= household.places, f"{household.rid} over places"
            assert living.get(household.rid, 0) <= household.places, f"{household.rid} over"
            assert household.status != "gone" or not household.occupants, f"{household.rid} gone"
        for home in self.homes:
            assert len(home.occupants) <= home.beds, f"{home.rid} over beds"
            assert living.get(home.rid, 0) <= home.beds, f"{home.rid} over beds"
        assert in_care == self.entries - self.exits, "stock != entries - exits"
        assert self.queue_length == sum(1 for c in self.children if c.queue_key is not None)

    def run(self) -> RunHistory:
        """Run to the end of the horizon and return the history."""
        self.env.run(until=self.end_day)
        return build_history(self)


CIN_MIX = {
    "N1": 0.62,
    "N2": 0.04,
    "N3": 0.03,
    "N4": 0.08,
    "N5": 0.15,
    "N6": 0.02,
    "N7": 0.01,
    "N8": 0.05,
}
"""Category of need at entry (York: abuse or neglect 50-78% of starts, 2018-22; see docs)."""


def simulate(scenario, seed: int, replication: int, check_invariants: bool = False) -> RunHistory:
    """Run one replication of a scenario and return its history."""
    return Simulation(scenario, seed, replication, check_invariants).run()
