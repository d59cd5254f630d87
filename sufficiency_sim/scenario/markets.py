"""The external markets of a scenario (agency foster care, spot-purchased children's homes,
supported accommodation): who they take, where their places are, how long a search lasts, what
they cost and, when `supply` is given, how many places this authority can hold at once."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sufficiency_sim.scenario.types import (
    ByNeed,
    Count,
    Duration,
    LocationMix,
    NonNegative,
    Positive,
    Probability,
    Strict,
)
from sufficiency_sim.vocabulary import AgeBand, Location, Need


class MarketSupply(Strict):
    """The places in an external market open to this authority at once, by the child's need
    level and the place's location (absent: the market never runs out, as before)."""

    places: Annotated[dict[Need, dict[Location, Count]], ByNeed] = Field(
        description="Places at once by need level, then by location (a missing location: 0)."
    )
    change_pct_per_year: Annotated[float, Field(ge=-50, le=50)] = Field(
        0.0,
        description="Compound change in every cell's places per year from the start date "
        "(held at the start date's level during the warm-up).",
    )
    search_slowdown: NonNegative = Field(
        0.0,
        description="A search takes (1 + search_slowdown x the share of the need's places "
        "taken) times its drawn time.",
    )


class MarketPrice(Strict):
    """Prices that vary by placement: the mean by need level relative to the market's
    `weekly_cost`, spread around that mean by a lognormal (a high-cost tail)."""

    need_multiplier: Annotated[dict[Need, Positive], ByNeed] = Field(
        default_factory=lambda: {"standard": 1.0, "complex": 1.0, "specialist": 1.0},
        description="Mean weekly price by need level, as a multiple of weekly_cost.",
    )
    sigma: Annotated[float, Field(ge=0, le=2)] = Field(
        0.0,
        description="Log-scale spread of one placement's price around its need level's mean "
        "(0: every placement pays the mean).",
    )


class Market(Strict):
    """An external market (agencies, spot-purchased homes, supported accommodation)."""

    offer_probability: Annotated[dict[Need, Probability], ByNeed] = Field(
        default_factory=lambda: {"standard": 1.0, "complex": 1.0, "specialist": 1.0},
        description="Chance that a search finds a placement at all, by the child's needs.",
    )
    location_mix: LocationMix
    search: Duration = Duration(median_days=14, sigma=0.8)
    same_day_probability: Probability = 0.0
    private_share: Probability = 0.8
    weekly_cost: NonNegative
    supply: MarketSupply | None = None
    price: MarketPrice | None = None
    search_need_multiplier: dict[Need, Positive] = Field(
        default_factory=dict,
        description="A search's drawn time multiplied by the child's need level's value (a "
        "need not listed: 1).",
    )
    search_age_multiplier: dict[AgeBand, Positive] = Field(
        default_factory=dict,
        description="... and by the child's age band's value (a band not listed: 1).",
    )


class SupportedMarket(Market):
    """Supported accommodation: a market for young people from `min_age`."""

    min_age: Annotated[int, Field(ge=0, le=17)] = 0
