"""Capacity: foster households, local children's homes, and the indexes that find a free place.

Households and homes are plain objects owned by the simulation; nothing here draws random numbers
or knows about time beyond the day numbers it is given.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from sufficiency_sim.vocabulary import LOCATIONS


class Household:
    """An approved foster household (in-house mainstream, or a dedicated emergency carer).

    `approved` is the number of places it is approved for; `places` the number it can use now
    (some approved places are not available for the carers' own reasons)."""

    __slots__ = (
        "approved",
        "boost_until",
        "distance",
        "emergency",
        "end",
        "held",
        "location",
        "max_age",
        "max_need",
        "min_age",
        "occupants",
        "places",
        "rid",
        "rng",
        "start",
        "status",
        "version",
    )

    def __init__(
        self,
        rid: str,
        places: int,
        min_age: int,
        max_age: int,
        emergency: bool,
        location: str,
        distance: float,
        start: int,
        max_need: int = 1,
        approved: int | None = None,
    ) -> None:
        self.rid = rid
        self.approved = places if approved is None else approved
        self.max_need = max_need
        self.places = places
        self.min_age = min_age
        self.max_age = max_age
        self.emergency = emergency
        self.location = location
        self.distance = distance
        self.occupants: list[int] = []
        self.held = 0  # places kept by young people staying put after 18
        self.status = "active"  # active, leaving (takes no one new), gone
        self.start = start
        self.end: int | None = None
        self.version = 0
        self.boost_until = -1
        self.rng: Any = None  # its own random stream (set by the simulation)

    @property
    def free(self) -> int:
        """Places free for a new child (none while leaving or gone; not those kept by young
        people staying put)."""
        if self.status != "active":
            return 0
        return self.places - len(self.occupants) - self.held


class Home:
    """A local children's home with beds, opening dates and admission rules."""

    __slots__ = (
        "admits",
        "beds",
        "close_day",
        "distance",
        "held",
        "is_open",
        "location",
        "max_age",
        "max_high_need",
        "min_age",
        "name",
        "occupants",
        "open_day",
        "periods",
        "position",
        "provider",
        "rid",
        "spec",
        "specialist_count",
        "usable",
    )

    def __init__(
        self,
        rid: str,
        name: str,
        beds: int,
        min_age: int,
        max_age: int,
        admits: tuple[str, ...],
        max_high_need: int,
        provider: str,
        location: str,
        distance: float,
        open_day: int,
        close_day: int | None,
    ) -> None:
        self.rid = rid
        self.name = name
        self.beds = beds
        self.usable = beds  # the beds it fills at most (`LocalHome.usable_beds`)
        self.held = 0  # beds kept empty for a time after a child left (`gap_between_placements`)
        self.min_age = min_age
        self.max_age = max_age
        self.admits = frozenset(admits)
        self.max_high_need = max_high_need
        self.provider = provider
        self.location = location
        self.distance = distance
        self.open_day = open_day
        self.close_day = close_day
        self.is_open = False
        self.occupants: list[int] = []
        self.specialist_count = 0
        self.position = -1  # set by HomePool.add
        self.periods: list[tuple[int, int]] = [(open_day, beds)]  # (from day, beds) as changed
        self.spec: Any = None  # the scenario's specification it was made from

    def admits_child(self, age: int, need: str) -> bool:
        """Whether this home's rules admit the child, whatever its beds."""
        if not (self.min_age <= age <= self.max_age) or need not in self.admits:
            return False
        return need != "specialist" or self.specialist_count < self.max_high_need

    @property
    def free(self) -> int:
        """Beds free for a new child (of those it fills at most: `usable`, less those kept
        empty after a child left: `held`)."""
        return self.usable - len(self.occupants) - self.held if self.is_open else 0


class FosterPool:
    """All foster households, indexed by (age range, location, emergency) for quick matching."""

    def __init__(self) -> None:
        self.households: list[Household] = []
        self._free: dict[tuple[int, int, str, bool, int], dict[Household, None]] = {}
        self._ranges: list[tuple[int, int]] = []
        self._search_order: dict[tuple[int, bool, int], list[tuple]] = {}

    def __iter__(self) -> Iterator[Household]:
        return iter(self.households)

    def add(self, household: Household) -> None:
        """Register a newly approved household."""
        self.households.append(household)
        key = (household.min_age, household.max_age)
        if key not in self._ranges:
            self._ranges.append(key)
            self._ranges.sort()
            self._search_order.clear()
        self.refresh(household)

    def refresh(self, household: Household) -> None:
        """Re-index a household after its occupants or status changed."""
        key = (
            household.min_age,
            household.max_age,
            household.location,
            household.emergency,
            household.max_need,
        )
        bucket = self._free.setdefault(key, {})
        if household.free > 0:
            bucket[household] = None
        else:
            bucket.pop(household, None)

    def find(
        self,
        age: int,
        places: int,
        emergency: bool,
        need: int = 0,
        exclude: Household | None = None,
    ) -> Household | None:
        """A household with `places` free places for a child of `age` whose needs (0 standard,
        1 complex, 2 specialist) it can meet: nearest location first, then the household
        approved for the lowest needs that suffices (keeping skilled carers for those who need
        them). `exclude` (the household a child has just left) is never offered."""
        order = self._search_order.get((age, emergency, need))
        if order is None:
            order = [
                (low, high, location, emergency, max_need)
                for location in LOCATIONS
                for max_need in range(need, 3)
                for low, high in self._ranges
                if low <= age <= high
            ]
            self._search_order[(age, emergency, need)] = order
        free = self._free
        for key in order:
            bucket = free.get(key)
            if bucket:
                for household in bucket:
                    if household.free >= places and household is not exclude:
                        return household
        return None


_Rules = tuple[int, int, frozenset]
"""A home's admission rules: youngest age, oldest age, need levels admitted."""


class HomePool:
    """The local children's homes, with an index of those that have a free bed by their
    admission rules, so that a search looks only at homes whose rules admit the child."""

    def __init__(self) -> None:
        self.homes: list[Home] = []
        self._free_by_rules: dict[_Rules, list[int]] = {}  # positions in self.homes, ascending
        self._listed_under: dict[int, _Rules] = {}  # position -> the rules it is listed under

    def __iter__(self) -> Iterator[Home]:
        return iter(self.homes)

    def add(self, home: Home) -> None:
        """Register a home (open or not yet open)."""
        home.position = len(self.homes)
        self.homes.append(home)
        self.refresh(home)

    def refresh(self, home: Home) -> None:
        """Re-index a home after its occupants, opening or admission rules changed."""
        position = home.position
        rules = (home.min_age, home.max_age, home.admits)
        listed = self._listed_under.get(position)
        if listed is not None and (listed != rules or home.free <= 0):
            positions = self._free_by_rules[listed]
            del positions[bisect.bisect_left(positions, position)]
            del self._listed_under[position]
            listed = None
        if listed is None and home.free > 0:
            bisect.insort(self._free_by_rules.setdefault(rules, []), position)
            self._listed_under[position] = rules

    def find(self, age: int, need: str, exclude: Home | None = None) -> Home | None:
        """The first open local home (in scenario order) with a free bed that admits the child;
        `exclude` (the home a child has just left) is never offered."""
        first = len(self.homes)
        for (low, high, admits), positions in self._free_by_rules.items():
            if not (low <= age <= high and need in admits):
                continue
            for position in positions:
                if position >= first:
                    break
                home = self.homes[position]
                if home is not exclude and home.admits_child(age, need):
                    first = position
                    break
        return self.homes[first] if first < len(self.homes) else None
