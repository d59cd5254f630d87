"""Local children's homes over time: created from the scenario's list, opened, closed and
respecified (from the start date, the scenario's own homes, beds and dates)."""

from __future__ import annotations

from typing import Any

from sufficiency_sim.model.draws import distance_miles
from sufficiency_sim.model.provision import Home
from sufficiency_sim.model.streams import stream_key


class LocalHomes:
    """The simulation's part that opens, closes and changes local homes."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim

    def setup(self, first_day: int) -> None:
        """The homes of the warm-up (when there is one); the rest come at the start date."""
        sim = self.sim
        if first_day < sim.start_day:
            for spec in sim.sc.provision.local_homes:
                if spec.opens is None or sim.day_of(spec.opens) < sim.start_day:
                    self.add(spec, first_day, before_start=True)

    def add(self, spec: Any, first_day: int, before_start: bool = False) -> Home | None:
        """Create a local home from its specification, with its own stream; schedule its
        opening and (for a warm-up home, only before the start date) its closing."""
        sim = self.sim
        open_day = max(first_day, sim.day_of(spec.opens)) if spec.opens else first_day
        close_day = sim.day_of(spec.closes) if spec.closes else None
        if before_start and close_day is not None and close_day >= sim.start_day:
            close_day = None  # from the start date, the scenario's own dates decide
        if close_day is not None and close_day <= open_day:
            return None  # closed before it opens: it never takes a child
        same_name = sum(1 for home in sim.homes if home.name == spec.name)
        rng = sim.streams.fresh("home", stream_key(spec.name), same_name)
        home = Home(
            sim.rid("LH"),
            spec.name,
            spec.beds,
            spec.min_age,
            spec.max_age,
            spec.admits,
            spec.high_need_cap,
            spec.provider,
            spec.location,
            distance_miles(spec.location, rng),
            open_day,
            close_day,
        )
        home.spec = spec
        home.usable = spec.usable_beds
        sim.homes.add(home)
        sim.at(open_day, lambda h=home: self.open(h))
        if close_day is not None:
            sim.at(close_day, lambda h=home, d=close_day: self.close(h, d))
        return home

    def take_over(self, specs: Any) -> None:
        """The start date: the scenario's homes replace the warm-up's. A home it keeps (the same
        specification, or the same name respecified) stays; the others close; new ones open."""
        sim = self.sim
        now = int(sim.env.now)
        warmup_homes = [
            home for home in sim.homes if home.close_day is None or home.close_day > now
        ]
        for spec in specs:
            match = next((h for h in warmup_homes if h.spec == spec), None)
            if match is None:
                match = next((h for h in warmup_homes if h.name == spec.name), None)
                if match is not None:
                    self._respecify(match, spec)
            if match is not None:
                warmup_homes.remove(match)
                if spec.closes is not None:
                    day = match.close_day = max(now, sim.day_of(spec.closes))
                    sim.at(day, lambda h=match, d=day: self.close(h, d))
            else:
                self.add(spec, now)
        for home in warmup_homes:  # homes of the warm-up that the scenario does not have
            self.close(home)

    def _respecify(self, home: Home, spec: Any) -> None:
        """A home the scenario keeps under its name with other beds or rules: changed in place
        today. Children above its new beds, or whose needs it no longer admits, move (planned);
        the others stay whatever their age, as children do when they outgrow a home's range."""
        sim = self.sim
        home.spec = spec
        if spec.beds != home.beds:
            home.periods.append((int(sim.env.now), spec.beds))
        home.beds, home.min_age, home.max_age = spec.beds, spec.min_age, spec.max_age
        home.admits, home.max_high_need = frozenset(spec.admits), spec.high_need_cap
        home.usable = spec.usable_beds
        home.provider = spec.provider
        if spec.location != home.location:
            home.location = spec.location
            home.distance = distance_miles(spec.location, sim.streams.fresh("home.moved"))
        staying = specialists = 0
        for idx in list(home.occupants):
            child = sim.children[idx]
            specialist = child.need == "specialist"
            fits = child.need in home.admits and staying < home.beds
            if fits and (not specialist or specialists < home.max_high_need):
                staying += 1
                specialists += specialist
                continue
            sim.placing.end(child, "CARPL", planned=True)
            sim.placing.place(child, exclude=home)
            sim.journeys.schedule(child)
        sim.homes.refresh(home)
        sim.freed.append(home)

    def open(self, home: Home) -> None:
        """Open a home today (unless it has closed already); its beds go to children waiting."""
        sim = self.sim
        if home.close_day is not None and sim.env.now >= home.close_day:
            return
        home.is_open = True
        sim.homes.refresh(home)
        sim.freed.append(home)
        sim.after_event()

    def close(self, home: Home, day: int | None = None) -> None:
        """Close a home today, moving its children; `day` is the date a scheduled closing was
        set for (ignored if the date has since changed)."""
        if day is not None and home.close_day != day:
            return
        sim = self.sim
        home.close_day = int(sim.env.now)
        home.is_open = False
        sim.homes.refresh(home)
        sim.placing.move_all(home, "CLOSE")
        sim.after_event()
