"""Unaccompanied asylum-seeking children (`entries.uasc`): spontaneous arrivals and National
Transfer Scheme referrals, each a constant-rate Poisson process of single children, and what
each child draws when it enters care.

Streams: `arrivals:uasc` and `arrivals:uasc:nts` (arrival times), `child:uasc` and
`child:uasc:nts` (one per child, keyed by the arrival's number; a referral declined because the
authority is at its quota still takes its number). No other stream is touched, so adding UASC
leaves every other child's draws as they were. Without `entries.uasc` nothing here runs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from sufficiency_sim.model.days import age_on, birthday
from sufficiency_sim.model.draws import duration_days, named, named_normals, pick
from sufficiency_sim.model.entities import Child
from sufficiency_sim.model.pathways import _entry_legal, _leaving, supported_day
from sufficiency_sim.model.poisson import poisson_arrivals
from sufficiency_sim.vocabulary import AGE_BAND_RANGES, BAND_OF_AGE, YEAR_DAYS

UASC_CIN = "N8"
"""Category of need of every UASC: absent parenting (DfE: 'mostly UASC')."""


class UascDraws(NamedTuple):
    """The uniforms a UASC takes from its stream at entry."""

    band: float
    age: float
    dob: float
    sex: float
    need: float
    legal: float
    early: float
    exit_code: float
    supported: float
    supported_day: float


class UascNormals(NamedTuple):
    """The standard normals a UASC takes at entry (after `UascDraws`)."""

    leave_after: float
    full_order: float
    supported_after: float


def uasc_age(cfg: Any, u: UascDraws) -> int:
    """Completed years of age at entry: a band from `age_mix`, uniform within it."""
    low, high = AGE_BAND_RANGES[pick(cfg.age_mix, u.band)]
    return low + min(high - low, int(u.age * (high - low + 1)))


def _supported_day(cfg: Any, child: Child, now: int, ord0: int, u: float, z: float) -> float:
    """The move to supported accommodation: `supported_after` the entry for a young person of
    16 or over, else between 16 and 17.5 as for other children; never within a month of
    leaving."""
    sixteenth = birthday(ord0, child.dob, 16)
    if now < sixteenth:
        return supported_day(sixteenth, child.exit_day, now, u)
    day = now + duration_days(cfg.supported_after, z)
    return day if day < child.exit_day - 30 else math.inf


def start_uasc(
    sc: Any, cfg: Any, child: Child, now: int, u: UascDraws, z: UascNormals, ord0: int
) -> None:
    """Draw the traits and pathway of a UASC entering care today (`cfg`: `entries.uasc`):
    single, no kinship carers, category of need N8, staying until 18 unless it leaves early
    (`leave_early_share`, after `leave_early_after`, for a reason from `early_exit_mix`)."""
    age = uasc_age(cfg, u)
    child.uasc = True
    child.entry = now
    child.sex = 2 if u.sex < cfg.female_share else 1
    # Rounded up, so that the age on the day is `age` whatever `u.dob` (with int() as in
    # pathways.start_at_entry, a `u.dob` below 1/365 gives a year less).
    child.dob = now - math.ceil(age * YEAR_DAYS) - int(u.dob * 365)
    child.age_band = BAND_OF_AGE[age_on(child.dob, now)]
    child.need = pick(cfg.needs, u.need)
    child.kinship = False
    child.cin = UASC_CIN
    early = u.early < cfg.leave_early_share
    planned = now + duration_days(cfg.leave_early_after, z.leave_after) if early else math.inf
    at_18 = _leaving(child, now, planned, birthday(ord0, child.dob, 18))
    child.route = "long_term" if at_18 else "other"
    child.exit_rec = "AT18" if at_18 else pick(cfg.early_exit_mix, u.exit_code)
    status = pick(cfg.legal_status_mix, u.legal)
    legal = _entry_legal(sc.pathways, now, status, z.full_order)
    child.legal = [c for c in legal if c[0] < child.exit_day]
    if u.supported < cfg.supported_share:
        child.supported_day = _supported_day(
            cfg, child, now, ord0, u.supported_day, z.supported_after
        )


class UascArrivals:
    """The simulation's part that admits UASC (owned by `arrivals.Arrivals`)."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self._index: dict[str, int] = {}
        self.children: list[Child] = []

    def in_care(self) -> int:
        """UASC in care now (each leaves by its 18th birthday)."""
        return sum(1 for child in self.children if not child.left)

    def start(self, scenario: Any, first: int, last: int) -> None:
        """The spontaneous arrivals and NTS referrals of `scenario` between days `first` and
        `last` (nothing without `entries.uasc`)."""
        cfg = scenario.entries.uasc
        if cfg is None:
            return
        sim = self.sim
        begin = float(max(sim.env.now, first))
        if cfg.rate_per_year > 0:
            arrivals = self._arrivals("uasc", cfg, cfg.rate_per_year, begin, float(last), None)
            sim.env.process(arrivals)
        nts = cfg.nts
        if nts is not None:
            start = float(max(begin, sim.day_of(nts.start)))
            end = float(min(last, sim.day_of(nts.end))) if nts.end else float(last)
            referrals = self._arrivals("uasc:nts", cfg, nts.referrals_per_year, start, end, nts)
            sim.env.process(referrals)

    def _arrivals(
        self, source: str, cfg: Any, rate: float, start: float, end: float, nts: Any
    ) -> Iterator:
        """Single children arriving at `rate` a year between days `start` and `end`; NTS
        referrals (`nts` given) are accepted only while the UASC in care are below the quota.
        The warm-up and the horizon share the source's stream and numbering."""
        sim = self.sim

        def arrive() -> None:
            index = self._index.get(source, 0)
            self._index[source] = index + 1
            if nts is None or self.in_care() < nts.quota:
                self._admit(source, index, cfg)

        rng = sim.streams.get(f"arrivals:{source}")
        yield from poisson_arrivals(sim.env, rng, rate, start, end, arrive)

    def _admit(self, source: str, index: int, cfg: Any) -> None:
        """Create one UASC, draw its pathway and place it."""
        sim = self.sim
        sim.events += 1
        now = int(sim.env.now)
        child = Child(len(sim.children), sim.streams.member(f"child:{source}", index))
        u = named(child.rng, UascDraws)
        z = named_normals(child.rng, UascNormals)
        start_uasc(sim.sc, cfg, child, now, u, z, sim.ord0)
        sim.children.append(child)
        self.children.append(child)
        sim.entries += 1
        sim.placing.place_group([child])
        sim.journeys.schedule(child)
        sim.after_event()
