"""The places the external markets (agency foster care, external children's homes, supported
accommodation) have open to the authority.

A market with a `supply` has a finite number of places at once for each need level and
location, changing by a compound percentage a year from the start date. A place is taken from
the day a search finds it (held while the child waits to move) until the placement ends. A
market without a supply never runs out, as before: its places are still counted, so that an
option which bounds the market from the start date finds the children already placed there.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from sufficiency_sim.model.draws import pick
from sufficiency_sim.vocabulary import LOCATIONS, YEAR_DAYS

MARKET_OF_KIND = {"ifa": "ifa", "external_home": "external_homes", "supported": "supported"}
"""The provision section of each placement kind bought from an external market."""
MARKETS = tuple(MARKET_OF_KIND.values())


class Room(NamedTuple):
    """What a bounded market has free for one need level now."""

    free: dict[str, int]
    """Free places by location (negative when the supply has fallen below the places taken)."""
    taken_share: float
    """Share of the need level's places taken, over all locations (1 with no places at all)."""


NO_ROOMS: dict[str, Room] = {}
"""`MarketPlaces.rooms` when no market is bounded (never written to)."""


def supply_factor(supply: Any, day: float, start_day: int) -> float:
    """How much every cell of `supply` has grown (or shrunk) by `day`: compound from the start
    date, 1 before it."""
    if supply.change_pct_per_year == 0 or day <= start_day:
        return 1.0
    return (1.0 + supply.change_pct_per_year / 100.0) ** ((day - start_day) / YEAR_DAYS)


def capacity(places: int, factor: float) -> int:
    """Whole places in a cell of `places` at the start date, after growth by `factor`."""
    return math.floor(places * factor + 0.5)


class MarketPlaces:
    """Places taken in each market, by need level and location."""

    def __init__(self, start_day: int) -> None:
        self.start_day = start_day
        self.taken: dict[tuple[str, str, str], int] = {}
        self._bounded: dict[int, tuple[str, ...]] = {}  # id(provision) -> bounded markets

    def rooms(self, provision: Any, need: str, day: float) -> dict[str, Room]:
        """The `Room` of each bounded market of `provision` for `need` on `day` (unbounded
        markets are absent: with none bounded, an empty mapping at little cost)."""
        names = self._bounded.get(id(provision))
        if names is None:
            names = tuple(m for m in MARKETS if getattr(provision, m).supply is not None)
            self._bounded[id(provision)] = names
        if not names:
            return NO_ROOMS
        return {m: self.room(m, getattr(provision, m), need, day) for m in names}

    def take(self, market: str, need: str, location: str) -> None:
        """One place taken (a child placed there, or a place held for a child about to move)."""
        key = (market, need, location)
        self.taken[key] = self.taken.get(key, 0) + 1

    def release(self, market: str, need: str, location: str) -> None:
        """One place given back."""
        key = (market, need, location)
        left = self.taken[key] - 1
        if left < 0:
            raise AssertionError(f"market {market} released a place it had not taken: {key}")
        self.taken[key] = left

    def room(self, market: str, cfg: Any, need: str, day: float) -> Room | None:
        """The market's free places for `need` on `day` (None: its supply is unlimited)."""
        supply = cfg.supply
        if supply is None:
            return None
        factor = supply_factor(supply, day, self.start_day)
        cells = supply.places[need]
        free: dict[str, int] = {}
        total = taken = 0
        for location in LOCATIONS:
            places = capacity(cells.get(location, 0), factor)
            used = self.taken.get((market, need, location), 0)
            free[location] = places - used
            total += places
            taken += used
        return Room(free, min(1.0, taken / total) if total else 1.0)


def pick_location(
    mix: dict[str, float], room: Room | None, u: float, places: int = 1
) -> str | None:
    """A location from `mix` by the uniform `u`; with a bounded market's `room`, only among
    the locations with `places` free places (the mix renormalised over them, the same `u`
    scaled), and None when there is none."""
    if room is None:
        return pick(mix, u)
    open_mix = {where: share for where, share in mix.items() if room.free[where] >= places}
    total = sum(open_mix.values())
    if total <= 0.0:
        return None
    return pick(open_mix, u * total)
