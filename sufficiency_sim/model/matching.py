"""The placement decision, as pure functions of the child and of what is free.

The simulation asks provision what each kind of placement could offer this child now (a free
household, a free bed, an agency's offer and how long it takes to find), and `decide` walks the
child's preference order. The first kind that can offer anything is the target: if it is
available today the child goes there; if it needs a search, the child goes to a bridging
placement meanwhile and moves when the search ends (or earlier, if a local place frees up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sufficiency_sim.model.days import age_on
from sufficiency_sim.model.draws import duration_days, named, named_normals, pick
from sufficiency_sim.model.markets import MarketPlaces, Room, pick_location
from sufficiency_sim.model.provision import FosterPool, HomePool, Household
from sufficiency_sim.vocabulary import (
    BAND_OF_AGE,
    FOSTER_KINDS,
    LOCATION_RANK,
    NEED_RANK,
    NEEDS,
    RESIDENTIAL_KINDS,
)

# Preference tokens name where to look; the kind names what the placement is.
TOKEN_KIND = {
    "kinship": "kinship",
    "inhouse_foster": "inhouse_foster",
    "ifa_local": "ifa",
    "ifa_distant": "ifa",
    "local_home": "local_home",
    "external_home": "external_home",
    "supported": "supported",
}


class Offer(NamedTuple):
    """What one kind of provision could offer a child now (a NamedTuple: cheap to create)."""

    token: str
    location: str
    delay_days: int = 0
    resource: Any = None

    @property
    def kind(self) -> str:
        """The placement kind this offer leads to."""
        return TOKEN_KIND[self.token]


def decide(preferences: Sequence[str], offers: Mapping[str, Offer | None]) -> Offer | None:
    """The first offer in preference order, or None when no kind can offer anything.

    `offers` maps preference tokens to an offer or None. An `ifa_local` token takes an agency
    offer only inside the boundary or within 20 miles; `ifa_distant` takes any agency offer.
    """
    for token in preferences:
        offer = offers.get(token)
        if offer is None:
            continue
        if token == "ifa_local" and offer.location == "far":
            continue
        return offer
    return None


def is_mismatch(kind: str, need: str) -> bool:
    """A setting below the child's need (specialist needs in foster care) or a family-ready child
    living in a children's home only because nothing else was free."""
    if need == "specialist" and kind in FOSTER_KINDS:
        return True
    return need == "standard" and kind in RESIDENTIAL_KINDS


def is_step_up(
    current_kind: str,
    current_location: str,
    new_kind: str,
    new_location: str,
    need: str,
    rules: Any = None,
) -> bool:
    """Whether moving from the current placement to the new one is a step back to a closer or
    better-matched home, worth a planned move. With the scenario's matching `rules`: a step
    down from a children's home to a family (`step_down`) counts as better matched, and a
    family placement moves to a children's home for a closer location only if
    `step_back.to_residential`."""
    one_band_further = LOCATION_RANK[new_location] <= LOCATION_RANK[current_location] + 1
    if is_mismatch(current_kind, need) and not is_mismatch(new_kind, need):
        return one_band_further
    closer = is_closer_match(current_location, new_kind, new_location, need)
    if rules is None:
        return closer
    down = rules.step_down
    if current_kind in RESIDENTIAL_KINDS and new_kind in FOSTER_KINDS:
        return (down.enabled and need in down.needs and one_band_further) or closer
    if current_kind in FOSTER_KINDS and new_kind in RESIDENTIAL_KINDS:
        return rules.step_back.to_residential and closer
    return closer


def is_closer_match(current_location: str, new_kind: str, new_location: str, need: str) -> bool:
    """A move to a closer location that does not place the child below (or above) its need."""
    return LOCATION_RANK[new_location] < LOCATION_RANK[current_location] and not is_mismatch(
        new_kind, need
    )


def queue_priority(bridging: bool, need: str, waiting_since: int, sequence: int) -> tuple:
    """Sort key of the search queue: bridging children first, then the highest need, then the
    longest waiting, then arrival order (to break ties deterministically)."""
    return (0 if bridging else 1, -NEED_RANK[need], waiting_since, sequence)


def needs_taken(resource: Any, preferences: Mapping[str, Sequence[str]]) -> list[str]:
    """The need levels of waiting children a freed place can take: a mainstream household's up
    to its approval, a home's those it admits, and only where the needs' preferences list the
    kind at all, and not specialist need at a home at its specialist cap (`admits_child` would
    refuse every such child). None for a dedicated emergency household (it only bridges)."""
    if isinstance(resource, Household):
        if resource.emergency:
            return []
        return [
            n
            for n, rank in NEED_RANK.items()
            if rank <= resource.max_need and "inhouse_foster" in preferences[n]
        ]
    full = resource.specialist_count >= resource.max_high_need
    return [
        n
        for n in NEEDS
        if n in resource.admits
        and "local_home" in preferences[n]
        and not (full and n == "specialist")
    ]


def suits(child: Any, resource: Any, today: float, rules: Any = None) -> bool:
    """Whether a freed place suits a waiting child (on day `today`) of a need level it can take:
    a bridging child takes it once its permanent placement is matched; any other only as a step
    up (`is_step_up` under the matching `rules`)."""
    current = child.placement
    if current is None or current.resource is resource:
        return False
    age = age_on(child.dob, today)
    if isinstance(resource, Household):
        if not resource.min_age <= age <= resource.max_age:
            return False
        kind = "inhouse_foster"
    else:
        if not resource.admits_child(age, child.need):
            return False
        kind = "local_home"
    if current.bridging:
        return child.matched_day <= today
    return is_step_up(current.kind, current.location, kind, resource.location, child.need, rules)


class SearchDraws(NamedTuple):
    """The uniforms every search takes from the child's stream, whatever is free (so that
    scenarios differing only in capacity keep the same luck: common random numbers)."""

    ifa_offer: float
    ifa_location: float
    ifa_same_day: float
    external_offer: float
    external_location: float
    external_same_day: float
    supported_offer: float
    supported_location: float
    supported_same_day: float
    kinship_location: float


class SearchNormals(NamedTuple):
    """The normals every search takes (after `SearchDraws`): each market's search time."""

    ifa_search: float
    external_search: float
    supported_search: float


def market_offer(
    token: str,
    market: Any,
    need: str,
    offered: float,
    location: float,
    same_day: float,
    z: float,
    room: Room | None = None,
    places: int = 1,
    band: str | None = None,
) -> Offer | None:
    """What an external market (agencies, external homes, supported accommodation) offers: an
    offer with chance `offer_probability[need]`, its location, and today or after a search.

    With a bounded supply (`room`), only locations with `places` free places can be offered
    (the location mix renormalised over them; none: no offer), and a search takes longer as
    the need level's places fill (`search_slowdown`). A search's time is multiplied by the
    market's multipliers for the child's need and age `band`."""
    if offered >= market.offer_probability[need]:
        return None
    where = pick_location(market.location_mix, room, location, places)
    if where is None:
        return None
    slowdown = 1.0 if room is None else 1.0 + market.supply.search_slowdown * room.taken_share
    delay = 0 if same_day < market.same_day_probability else duration_days(market.search, z)
    if delay:
        slowdown *= market.search_need_multiplier.get(need, 1.0)
        slowdown *= market.search_age_multiplier.get(band, 1.0)
        if slowdown != 1.0:
            delay = math.ceil(delay * slowdown - 1e-9)  # 10 x 3.4000000000000004 is 34 days
    return Offer(token, where, delay)


def _capacity_offer(
    token: str, provision: Any, need: str, age: int, places: int, exclude: Any, pools: tuple
) -> Offer | None:
    """An in-house household or a local home with room for the child now, if any."""
    foster, homes = pools
    if token == "inhouse_foster":
        if NEED_RANK[need] <= NEED_RANK[provision.inhouse_foster.max_needs]:
            household = foster.find(age, places, False, NEED_RANK[need], exclude)
            if household is not None:
                return Offer(token, household.location, 0, household)
        return None
    home = homes.find(age, need, exclude)
    return Offer(token, home.location, 0, home) if home is not None else None


def _market_offer_for(
    token: str,
    provision: Any,
    need: str,
    age: int,
    u: SearchDraws,
    z: SearchNormals,
    rooms: Mapping[str, Room],
) -> Offer | None:
    """An external home's or supported accommodation's offer (from their own draws); `rooms`
    holds each bounded market's `Room` for the need."""
    if token == "external_home":
        return market_offer(
            token, provision.external_homes, need, u.external_offer, u.external_location,
            u.external_same_day, z.external_search, rooms.get("external_homes"), 1,
            BAND_OF_AGE[age],
        )  # fmt: skip
    if token == "supported" and age >= provision.supported.min_age:
        return market_offer(
            token, provision.supported, need, u.supported_offer, u.supported_location,
            u.supported_same_day, z.supported_search, rooms.get("supported"), 1, BAND_OF_AGE[age],
        )  # fmt: skip
    return None


def offers(
    sc: Any,
    child: Any,
    age: int,
    places: int,
    exclude: Any,
    foster: FosterPool,
    homes: HomePool,
    markets: MarketPlaces,
    day: float,
) -> dict[str, Offer | None]:
    """What each preferred kind of provision could offer this child (aged `age`, `places`
    children together) on `day`, never `exclude` (the place just left), from the markets'
    places left (`markets`). Takes one `SearchDraws` and one `SearchNormals` block from the
    child's stream, whatever is offered."""
    provision = sc.provision
    u = named(child.rng, SearchDraws)
    z = named_normals(child.rng, SearchNormals)
    need = child.need
    rooms = markets.rooms(provision, need, day)
    found: dict[str, Offer | None] = {}
    for token in sc.matching.preferences[need]:
        offer = None
        if token == "kinship":
            if child.kinship:
                offer = Offer(token, pick(provision.kinship.location_mix, u.kinship_location))
        elif token in ("inhouse_foster", "local_home"):
            offer = _capacity_offer(token, provision, need, age, places, exclude, (foster, homes))
        elif token in ("ifa_local", "ifa_distant"):
            # One agency offer serves both tokens: the local one takes it only if not far.
            offer = found.get("ifa_local") or found.get("ifa_distant")
            if offer is None:
                offer = market_offer(
                    token, provision.ifa, need, u.ifa_offer, u.ifa_location, u.ifa_same_day,
                    z.ifa_search, rooms.get("ifa"), places, BAND_OF_AGE[age],
                )  # fmt: skip
            offer = Offer(token, offer.location, offer.delay_days) if offer else None
        else:
            offer = _market_offer_for(token, provision, need, age, u, z, rooms)
        found[token] = offer
    return found
