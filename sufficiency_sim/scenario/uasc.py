"""Unaccompanied asylum-seeking children (UASC) as an entry flow of their own, and the National
Transfer Scheme (NTS) that brings an authority below its quota more of them (`entries.uasc`).
Absent, the model admits no UASC and every result is as before."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from sufficiency_sim.scenario.types import (
    ENTRIES_BOUND,
    MAX_ENTRIES_PER_YEAR,
    AgeShares,
    Duration,
    Probability,
    Strict,
    valid_shares,
)
from sufficiency_sim.vocabulary import YEAR_DAYS, Need

MAX_CHILD_POPULATION = 12_500_000
"""England had about 12.2 million children aged 0-17 in mid-2023 (ONS): no authority has more."""

EarlyExit = Literal["E15", "E16", "E8", "E3"]
"""903 reasons a UASC leaves care before 18: age assessed as 18 or over, moved abroad, other,
care taken over by another authority."""


class Nts(Strict):
    """The National Transfer Scheme: while the authority looks after fewer UASC than its quota
    (a share of its child population), the scheme refers more to it, as a Poisson process."""

    start: dt.date = Field(description="First day the authority takes part in the scheme.")
    end: dt.date | None = Field(None, description="The day it stops (none: never).")
    child_population: Annotated[int, Field(ge=1, le=MAX_CHILD_POPULATION)] = Field(
        description="Children aged 0-17 living in the authority (York: about 34,600 in 2024, "
        "DfE, Children looked after in England 2024). At most 12.5 million (England's)."
    )
    quota_pct_of_child_population: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.1,
        description="The scheme's threshold, % of the child population: UASC in care up to "
        "which the authority accepts transfers. 0.1 is the rate the Home Office set for "
        "2022-23 onwards (0.07 from 2016); an assumption, not in the project's reference "
        "figures. Above 0 and at most 1.",
    )
    referrals_per_year: Annotated[float, Field(gt=0.0, le=MAX_ENTRIES_PER_YEAR)] = Field(
        12.0,
        description="Children the scheme offers the authority a year while it is below its "
        "quota (a Poisson process); how fast the gap fills. 12 (one a month) is an assumption. "
        + ENTRIES_BOUND,
    )

    @property
    def quota(self) -> float:
        """UASC in care up to which the authority accepts transfers: population x pct / 100."""
        return self.child_population * self.quota_pct_of_child_population / 100.0

    @model_validator(mode="after")
    def _dates(self) -> Nts:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


def _default_supported_after() -> Duration:
    return Duration(median_days=42, sigma=0.8)


class Uasc(Strict):
    """Unaccompanied asylum-seeking children: single children entering care as a Poisson
    process of their own (own random streams), with their own ages, sex, needs, legal status and
    route out of care, and optionally transfers under the National Transfer Scheme. Placement
    preferences are the need level's (`matching.preferences`); the move of young people aged
    16 or over to supported accommodation is a pathway step of its own (`supported_share`)."""

    rate_per_year: Annotated[float, Field(ge=0.0, le=MAX_ENTRIES_PER_YEAR)] = Field(
        0.0,
        description="UASC arriving in the authority of their own accord (spontaneous "
        "arrivals) per year, a constant-rate Poisson process. " + ENTRIES_BOUND,
    )
    age_mix: AgeShares = Field(
        default_factory=lambda: {"10-15": 0.2, "16-17": 0.8},
        description="Share of UASC entering care by age band (completed years; the age uniform "
        "within the band). Most UASC are 16 or 17 (an assumption: the reference figures give "
        "no age split of UASC starts).",
    )
    female_share: Probability = Field(
        0.08, description="Share of UASC who are girls (most UASC are boys; an assumption)."
    )
    needs: Annotated[dict[Need, float], AfterValidator(valid_shares)] = Field(
        default_factory=lambda: {"standard": 0.85, "complex": 0.15},
        description="Share of UASC by level of need (an assumption).",
    )
    legal_status_mix: Annotated[dict[Literal["V2", "C1"], float], AfterValidator(valid_shares)] = (
        Field(
            default_factory=lambda: {"V2": 0.95, "C1": 0.05},
            description="Legal status at entry: almost all UASC are accommodated under section "
            "20 (V2); an interim care order (C1) becomes a full order after "
            "`pathways.full_order_after`.",
        )
    )
    leave_early_share: Probability = Field(
        0.1,
        description="Share of UASC who leave care before 18 (age assessed as an adult, moved "
        "abroad, gone); the others stay until 18 (an assumption).",
    )
    leave_early_after: Duration = Field(
        default_factory=lambda: Duration(median_days=180, sigma=1.0),
        description="Time from entry to leaving for those who leave before 18 (never after "
        "the 18th birthday).",
    )
    early_exit_mix: Annotated[dict[EarlyExit, float], AfterValidator(valid_shares)] = Field(
        default_factory=lambda: {"E15": 0.4, "E16": 0.2, "E8": 0.4},
        description="903 reason for leaving of those who leave before 18: E15 age assessed as "
        "18 or over, E16 moved abroad, E8 other, E3 care taken over by another authority.",
    )
    supported_share: Probability = Field(
        0.8,
        description="Share of UASC who move to supported accommodation at 16 or 17: those "
        "entering at 16 or over `supported_after` their entry, younger ones between 16 and "
        "17.5 as other children do (an assumption).",
    )
    supported_after: Duration = Field(
        default_factory=_default_supported_after,
        description="Time from entry to the move to supported accommodation of a UASC entering "
        "at 16 or over (the first placement is by `matching.preferences`).",
    )
    nts: Nts | None = Field(
        None, description="The National Transfer Scheme (none: no transfers in)."
    )


def expected_uasc(uasc: Uasc | None, first: dt.date, last: dt.date, years: float) -> float:
    """UASC one replication admits at most, in expectation: spontaneous arrivals over `years`
    and every NTS referral between its dates (within `first` and `last`)."""
    if uasc is None:
        return 0.0
    total = uasc.rate_per_year * years
    nts: Any = uasc.nts
    if nts is not None:
        end = min(nts.end or last, last)
        span = max(0.0, (end - max(nts.start, first)).days / YEAR_DAYS)
        total += nts.referrals_per_year * span
    return total
