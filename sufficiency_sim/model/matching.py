"""The placement decision, as pure functions of the child and of what is free.

The simulation asks provision what each kind of placement could offer this child now (a free
household, a free bed, an agency's offer and how long it takes to find), and `decide` walks the
child's preference order. The first kind that can offer anything is the target: if it is
available today the child goes there; if it needs a search, the child goes to a bridging
placement meanwhile and moves when the search ends (or earlier, if a local place frees up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

FOSTER_KINDS = frozenset({"kinship", "inhouse_foster", "ifa", "emergency_foster"})
RESIDENTIAL_KINDS = frozenset({"local_home", "external_home", "emergency_residential"})
LOCATION_RANK = {"in": 0, "near": 1, "far": 2}
NEED_RANK = {"standard": 0, "complex": 1, "specialist": 2}

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
    current_kind: str, current_location: str, new_kind: str, new_location: str, need: str
) -> bool:
    """Whether moving from the current placement to the new one is a step back to a closer or
    better-matched home, worth a planned move."""
    if is_mismatch(current_kind, need) and not is_mismatch(new_kind, need):
        return LOCATION_RANK[new_location] <= LOCATION_RANK[current_location] + 1
    return LOCATION_RANK[new_location] < LOCATION_RANK[current_location] and not is_mismatch(
        new_kind, need
    )


def queue_priority(bridging: bool, need: str, waiting_since: int, sequence: int) -> tuple:
    """Sort key of the search queue: bridging children first, then the highest need, then the
    longest waiting, then arrival order (to break ties deterministically)."""
    return (0 if bridging else 1, -NEED_RANK[need], waiting_since, sequence)
