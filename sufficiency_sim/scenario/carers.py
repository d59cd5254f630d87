"""The carers section of a scenario: foster carer recruitment (enquiries, campaigns) and
deregistration (a hazard per household, retention changes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from sufficiency_sim.scenario.types import (
    ENQUIRIES_BOUND,
    MAX_ENQUIRIES_PER_YEAR,
    Duration,
    NonNegative,
    Probability,
    Strict,
)


class Campaign(Strict):
    """A recruitment campaign: extra enquiries per year between two dates."""

    name: str = "campaign"
    start: dt.date
    end: dt.date | None = None
    extra_enquiries_per_year: Annotated[float, Field(ge=0.0, le=MAX_ENQUIRIES_PER_YEAR)] = Field(
        description="Extra enquiries a year during the campaign. " + ENQUIRIES_BOUND
    )


class RetentionChange(Strict):
    """From a date, deregistrations are multiplied (below 1: better support and allowances)."""

    start: dt.date
    deregistration_multiplier: NonNegative


class Carers(Strict):
    """Foster carer recruitment (a pipeline) and deregistration (a hazard per household)."""

    enquiries_per_year: Annotated[float, Field(ge=0.0, le=MAX_ENQUIRIES_PER_YEAR)] = Field(
        description="Enquiries from prospective foster carers a year. " + ENQUIRIES_BOUND
    )
    application_rate: Probability
    approval_rate: Probability
    assessment: Duration
    deregistration_rate_per_year: NonNegative
    leave_while_occupied_share: Probability = Field(
        0.3,
        description="Share of leaving households with children placed whose children must "
        "move at once; the others give notice and the children still there then move.",
    )
    notice_days: NonNegative = 90.0
    service_initiated_share: Probability = 0.33
    campaigns: tuple[Campaign, ...] = ()
    retention: tuple[RetentionChange, ...] = ()
    recruitment: Literal["pipeline", "keep_level"] = Field(
        "pipeline",
        description="How mainstream households are recruited after the start date. `pipeline`: "
        "enquiries_per_year convert at application_rate x approval_rate after an assessment "
        "time, whatever the number of households. `keep_level`: the service recruits to keep "
        "`provision.inhouse_foster.households`: approvals arrive at the rate households left "
        "in the last five years of the warm-up (when each leaver was replaced), or at "
        "households x deregistration_rate_per_year from a census; campaigns and retention "
        "changes then move the stock away from that level.",
    )
    leave_after_adopting_share: Probability = Field(
        0.0,
        description="Share of households who stop fostering when a child they foster is "
        "adopted by them (the adopted child's place stays taken until the order either way).",
    )
