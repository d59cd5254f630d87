"""A local children's home in a scenario (council-run or block-contracted): its beds, dates,
admission rules, specialist places, occupancy target and cost."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sufficiency_sim.scenario.types import Count, Duration, NonNegative, Probability, Strict
from sufficiency_sim.vocabulary import Location, Need


class LocalHome(Strict):
    """A local children's home, council-run or block-contracted, with its beds and rules."""

    name: str
    beds: Count
    opens: dt.date | None = None
    closes: dt.date | None = None
    min_age: Annotated[int, Field(ge=0, le=17)] = 9
    max_age: Annotated[int, Field(ge=0, le=17)] = 17
    admits: tuple[Need, ...] = ("complex", "specialist")
    max_high_need: Count = 2
    provider: Literal["PR1", "PR4", "PR5"] = "PR1"
    location: Location = "in"
    weekly_cost_per_bed: NonNegative = Field(
        description="Paid for every bed, occupied or not (council-run or block contract)."
    )
    one_off_cost: NonNegative = 0.0
    specialist_places_per_bed: Probability | None = Field(
        None,
        description="Specialist-needs places as a share of beds (rounded down); replaces "
        "max_high_need when given.",
    )
    gap_between_placements: Duration | None = Field(
        None,
        description="How long a bed stays empty after a child leaves (matching the next child "
        "to the group, preparing the room) before it takes another; absent: free at once.",
    )
    occupancy_target: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0,
        description="Share of beds the home fills at most (matching and group care leave the "
        "rest empty; every bed is still paid for); rounded down, at least one bed.",
    )

    @property
    def usable_beds(self) -> int:
        """The beds the home fills at most (`occupancy_target`)."""
        if self.occupancy_target == 1.0 or self.beds == 0:
            return self.beds
        return max(1, math.floor(self.occupancy_target * self.beds + 1e-9))

    @property
    def high_need_cap(self) -> int:
        """The specialist-needs children the home takes at most."""
        if self.specialist_places_per_bed is None:
            return self.max_high_need
        return math.floor(self.specialist_places_per_bed * self.beds + 1e-9)

    @model_validator(mode="after")
    def _dates(self) -> LocalHome:
        if self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        if not self.admits:
            raise ValueError("admits must name at least one need level")
        return self
