"""Foster carers: households approved, leaving (with or without notice), replaced, and
recruited (enquiries through assessment, campaigns, or at the rate that keeps their level).

`draw_household` is pure (a household from its own stream); `Carers` is the simulation's part
that schedules the households' events on the SimPy clock."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from sufficiency_sim.model.draws import distance_miles, duration_days, pick
from sufficiency_sim.model.hazards import retention_multiplier
from sufficiency_sim.model.provision import Household
from sufficiency_sim.model.streams import stream_key
from sufficiency_sim.vocabulary import NEED_RANK, YEAR_DAYS

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
UNPLANNED_CARER_REASONS = ("CLOSE", "APPRR")


class HouseholdDraws(NamedTuple):
    """The uniforms a new household takes from its own stream."""

    places: float
    age_range: float
    location: float
    complex_needs: float
    place_1_unavailable: float
    place_2_unavailable: float
    place_3_unavailable: float
    place_4_unavailable: float


def draw_household(
    cfg: Any, rid: str, day: int, emergency: bool, rng: np.random.Generator
) -> Household:
    """A household approved on `day` with the in-house settings `cfg`, drawn from its own
    stream `rng` (one `HouseholdDraws` block, then its distance), which it keeps."""
    u = HouseholdDraws._make(rng.random(len(HouseholdDraws._fields)).tolist())
    top = NEED_RANK[cfg.max_needs]
    if emergency:
        approved, low, high, max_need = cfg.emergency_places, 0, 17, min(top, 1)
        places = approved
    else:
        approved = pick(cfg.places_mix, u.places)
        unavailable = (
            u.place_1_unavailable,
            u.place_2_unavailable,
            u.place_3_unavailable,
            u.place_4_unavailable,
        )[:approved]
        places = max(1, approved - sum(x < cfg.unavailable_place_share for x in unavailable))
        age_range = pick({r: r.share for r in cfg.age_ranges}, u.age_range)
        low, high = age_range.min_age, age_range.max_age
        max_need = top if u.complex_needs < cfg.complex_share else 0
    location = pick(cfg.location_mix, u.location)
    distance = distance_miles(location, rng)
    household = Household(
        rid, places, low, high, emergency, location, distance, day, max_need, approved
    )
    household.rng = rng
    return household


def retention_changes(base: Any, option: Any, start_day: int, day_of: Any) -> list:
    """The (day, deregistration multiplier) changes in force: the warm-up's before the start
    date, the scenario's from it; `day_of` turns a date into a model day."""
    return sorted(
        [
            (day_of(change.start), change.deregistration_multiplier)
            for change in base.carers.retention
            if day_of(change.start) < start_day
        ]
        + [
            (max(start_day, day_of(change.start)), change.deregistration_multiplier)
            for change in option.carers.retention
        ]
    )


class Carers:
    """The simulation's foster households over time: approvals, leaving and replacement."""

    def __init__(self, sim: Any, from_census: bool) -> None:
        self.sim = sim
        scenario = sim.option
        self.retention = retention_changes(sim.base, scenario, sim.start_day, sim.day_of)
        self._serial: dict[int, int] = {}
        self.warmup_leaves = 0  # mainstream households leaving in the level window
        self.level_window_years = (
            min(LEVEL_WINDOW_YEARS, scenario.warmup_years) if not from_census else 0
        )
        self._level_window_start = sim.start_day - int(self.level_window_years * YEAR_DAYS)
        self.level_recruitment_per_year = 0.0

    def new_household(self, day: int, emergency: bool, origin: str, *key: int) -> Household:
        """Approve a household: its own stream keyed by where it came from (`origin`, see
        HOUSEHOLD_ORIGINS) and a serial number within that origin (or the given `key`)."""
        sim = self.sim
        code = HOUSEHOLD_ORIGINS[origin]
        if not key:
            serial = self._serial.get(code, 0)
            self._serial[code] = serial + 1
            key = (serial,)
        rng = sim.streams.member("household", key[-1], before=(code, *key[:-1]))
        cfg = sim.sc.provision.inhouse_foster
        household = draw_household(cfg, sim.rid("FC"), day, emergency, rng)
        sim.foster.add(household)
        return household

    def setup(self, first_day: int) -> None:
        """The households of the first day."""
        cfg = self.sim.sc.provision.inhouse_foster
        for _ in range(cfg.households):
            self.schedule_leaving(self.new_household(first_day, False, "initial"))
        for _ in range(cfg.emergency_households):
            self.schedule_leaving(self.new_household(first_day, True, "initial_emergency"))

    def schedule_leaving(self, household: Household, from_day: float | None = None) -> None:
        """Draw when the household next leaves (memoryless; redrawn when its hazard changes)."""
        sim = self.sim
        sc = sim.sc
        now = sim.env.now if from_day is None else from_day
        multiplier, next_change = retention_multiplier(self.retention, now)
        if household.boost_until > now:
            multiplier *= sc.endings.carer_leave_after_breakdown_multiplier
            next_change = min(next_change, household.boost_until)
        rate = sc.carers.deregistration_rate_per_year * multiplier
        wait = household.rng.exponential(YEAR_DAYS / rate) if rate > 0 else math.inf
        household.version += 1
        version = household.version
        if now + wait >= next_change:
            if next_change < sim.end_day:
                sim.at(next_change, lambda: self._redraw(household, version))
        elif now + wait < sim.end_day:
            sim.at(math.ceil(now + wait), lambda: self._leaves(household, version))

    def _redraw(self, household: Household, version: int) -> None:
        if household.version == version and household.status != "gone":
            self.schedule_leaving(household)

    def _leaves(self, household: Household, version: int) -> None:
        """The household's leaving time comes: it goes now if empty; else its children move at
        once (with chance `leave_while_occupied_share`) or when its notice ends."""
        if household.version != version or household.status == "gone":
            return
        sim = self.sim
        sim.events += 1
        self._replace_leaver(household)
        carers = sim.sc.carers
        if not household.occupants:
            self.retire(household)
        elif household.rng.random() < carers.leave_while_occupied_share:
            service = household.rng.random() < carers.service_initiated_share
            reason = "APPRR" if service else "CLOSE"
            household.status = "leaving"  # takes no one new, gone when the last child moves
            sim.foster.refresh(household)
            sim.placing.move_all(household, reason)
        else:
            self._give_notice(household)
        sim.after_event()

    def _give_notice(self, household: Household) -> None:
        """The household takes no one new; children still there when the notice ends move."""
        sim = self.sim
        household.status = "leaving"
        sim.foster.refresh(household)
        household.version += 1
        notice_version = household.version
        sim.at(
            sim.env.now + max(1, math.ceil(sim.sc.carers.notice_days)),
            lambda: self._notice_ends(household, notice_version),
        )

    def stop_fostering(self, household: Household) -> None:
        """Carers who have adopted a child they fostered stop fostering (with notice)."""
        self._replace_leaver(household)
        if household.occupants:
            self._give_notice(household)
        else:
            self.retire(household)

    def _replace_leaver(self, household: Household) -> None:
        """Keep the level of households that nothing else recruits to: during the warm-up
        every leaver is replaced at once (so that the start date has the scenario's households
        and children's histories carry the moves), and dedicated emergency carers are
        replaced at once throughout (their retainer passes to a new carer)."""
        sim = self.sim
        now = int(sim.env.now)
        if now < sim.start_day:
            if not household.emergency and now >= self._level_window_start:
                self.warmup_leaves += 1
            replacement = self.new_household(now, household.emergency, "warmup_replacement")
        elif household.emergency:
            replacement = self.new_household(now, True, "emergency_replacement")
        else:
            return
        self.schedule_leaving(replacement)
        sim.freed.append(replacement)  # offered to the children waiting

    def _notice_ends(self, household: Household, version: int) -> None:
        """A leaving household's notice runs out: children still there move (resignation)."""
        if household.version != version or household.status == "gone":
            return
        sim = self.sim
        sim.events += 1
        sim.placing.move_all(household, "CLOSE")
        if household.status != "gone":
            self.retire(household)
        sim.after_event()

    def retire(self, household: Household) -> None:
        """The household is gone from today."""
        household.status = "gone"
        household.end = int(self.sim.env.now)
        household.version += 1
        self.sim.foster.refresh(household)

    def change(self, change: int, emergency: bool) -> None:
        """Add `change` households today (or, below zero, retire as many, those with no child
        first; the others take no one new and go when their last child moves)."""
        sim = self.sim
        now = int(sim.env.now)
        for serial in range(max(0, change)):
            household = self.new_household(now, emergency, "option_extra", int(emergency), serial)
            self.schedule_leaving(household)
            sim.freed.append(household)
        if change < 0:
            current = [h for h in sim.foster if h.emergency == emergency and h.status == "active"]
            current.sort(key=lambda h: (len(h.occupants), h.start))
            for household in current[:-change]:
                if household.occupants:
                    household.status = "leaving"
                    household.version += 1
                    sim.foster.refresh(household)
                else:
                    self.retire(household)

    def keep_level(self, base_households: int, households: int) -> None:
        """Under `recruitment: keep_level`, approve households from the start date at the rate
        that keeps the scenario's level (measured in the warm-up, else their own hazard)."""
        sim = self.sim
        if self.level_window_years > 0 and base_households > 0:
            rate = self.warmup_leaves / self.level_window_years
            rate *= households / base_households
        else:  # from a census (or no households to measure): their own hazard
            rate = households * sim.option.carers.deregistration_rate_per_year
        self.level_recruitment_per_year = rate
        sim.env.process(self._level_recruitment(rate))

    def _level_recruitment(self, rate_per_year: float) -> Iterator[Any]:
        """Approvals that keep the scenario's level of mainstream households (keep_level)."""
        if rate_per_year <= 0:
            return
        sim = self.sim
        rng = sim.streams.get("carers.level_recruitment")
        t = float(sim.start_day)
        while True:
            t += rng.exponential(YEAR_DAYS / rate_per_year)
            if t >= sim.end_day:  # also an infinite wait (a rate too small to matter)
                return
            day = math.ceil(t)  # after the start date, whose households are the level
            if day >= sim.end_day:
                return
            if day > sim.env.now:
                yield sim.env.timeout(day - sim.env.now)
            self._approve("level_recruitment")

    def enquiries(self, name: str, campaign: Any, carers: Any) -> Iterator[Any]:
        """Enquiries from prospective carers (`carers`: the scenario's carer settings, not the
        warm-up's): a Poisson process from the start date."""
        sim = self.sim
        rng = sim.streams.get(name)
        start, end, rate = self._enquiry_window(campaign, carers)
        if rate <= 0:
            return
        if start > sim.env.now:
            yield sim.env.timeout(start - sim.env.now)
        t = float(start)
        conversion = carers.application_rate * carers.approval_rate
        pipeline, index = stream_key(name), 0
        while True:
            t += rng.exponential(YEAR_DAYS / rate)
            if t >= end:
                return
            u, z = rng.random(), rng.standard_normal()
            index += 1
            if u >= conversion:
                continue
            approval = t + duration_days(carers.assessment, z)
            if sim.start_day <= approval < sim.end_day:
                sim.at(approval, lambda key=(pipeline, index): self._approve("pipeline", *key))

    def _enquiry_window(self, campaign: Any, carers: Any) -> tuple[int, int, float]:
        """First and last day of an enquiry stream, and its rate per year. The pipeline starts
        early so that applicants already in assessment at the start date are approved on time;
        approvals before the start date are in the initial stock."""
        sim = self.sim
        if campaign is None:
            lead = math.ceil(carers.assessment.median_days * math.exp(3 * carers.assessment.sigma))
            return max(0, sim.start_day - lead), sim.end_day, carers.enquiries_per_year
        start = max(sim.start_day, sim.day_of(campaign.start))
        end = min(sim.end_day, sim.day_of(campaign.end)) if campaign.end else sim.end_day
        return start, end, campaign.extra_enquiries_per_year

    def _approve(self, origin: str, *key: int) -> None:
        sim = self.sim
        sim.events += 1
        household = self.new_household(int(sim.env.now), False, origin, *key)
        self.schedule_leaving(household)
        sim.freed.append(household)
        sim.after_event()
