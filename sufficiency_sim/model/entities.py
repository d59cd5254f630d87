"""The model's records of children and placements: plain slotted objects, no behaviour.

A `Child` carries the pathway drawn for it (at entry or from a census), its placements and the
bookkeeping of its one pending event (`version`) and its place in the search queue
(`queue_key`). A `Placement` is one placement as it happened, with the days its own events are
due (breakdown, planned move, step back)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


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
        "price_factor",
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
        self.price_factor = 1.0  # its weekly price / its kind's weekly_cost (markets' `price`)


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
        "matched_day",
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
        "uasc",
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
        self.market_offer: Any = None
        # The day a bridged child's permanent placement is matched (`matching.permanence_match`)
        self.matched_day = -math.inf
        self.left = False
        self.pfa_day = math.inf
        self.pwp_day = math.inf
        self.supported_day = math.inf
        self.uasc = False  # an unaccompanied asylum-seeking child (`entries.uasc`)
