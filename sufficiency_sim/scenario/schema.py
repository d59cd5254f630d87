"""The scenario's sections (entries, pathways, provision, matching, endings, carers, costs) and
the `Scenario` that holds them, as strict pydantic models that name the dotted key of any
value they refuse."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from sufficiency_sim.scenario.carers import Carers
from sufficiency_sim.scenario.census import Census
from sufficiency_sim.scenario.local_homes import LocalHome
from sufficiency_sim.scenario.markets import Market, SupportedMarket
from sufficiency_sim.scenario.types import (
    ENTRIES_BOUND,
    HOUSEHOLDS_BOUND,
    MAX_CHILDREN_PER_REPLICATION,
    MAX_ENTRIES_PER_YEAR,
    MAX_HOUSEHOLDS,
    AgeShares,
    ByAge,
    ByNeed,
    Count,
    Duration,
    LocationMix,
    NonNegative,
    Positive,
    Probability,
    Strict,
    check_all_keys,
    check_shares,
    every_key,
    valid_shares,
)
from sufficiency_sim.scenario.uasc import Uasc, expected_uasc
from sufficiency_sim.vocabulary import (
    AGE_BANDS,
    BREAKDOWN_KINDS,
    LOCATIONS,
    NEEDS,
    ROUTES,
    YEAR_DAYS,
    AgeBand,
    BreakdownKind,
    BreakdownReason,
    Location,
    Need,
    PreferenceKind,
    RouteName,
)


class Surge(Strict):
    """Extra entries of one kind between two dates (say, babies relinquished for adoption)."""

    name: str
    start: dt.date
    end: dt.date | None = None
    rate_per_year: Annotated[float, Field(gt=0.0, le=MAX_ENTRIES_PER_YEAR)] = Field(
        description="Extra children entering care per year during the surge. " + ENTRIES_BOUND
    )
    age_band: AgeBand
    route: RouteName | None = None
    needs: Need | None = None


class Entries(Strict):
    """Children entering care: a Poisson process in calendar time, with the children's traits."""

    rate_per_year: Annotated[float, Field(ge=0.0, le=MAX_ENTRIES_PER_YEAR)] = Field(
        description="Children entering care per year at the start date. " + ENTRIES_BOUND
    )
    trend_pct_per_year: Annotated[float, Field(gt=-100.0, le=100.0)] = Field(
        0.0,
        description="Compound growth of the entry rate after the start date, % a year. Above "
        "-100 (a rate cannot fall below zero; the third-party sample, a shrinking extract, "
        "calibrates to -58.7) and at most 100 (doubling every year); what compounding does "
        "over the horizon is bounded by the limit on children per replication.",
    )
    seasonality_amplitude: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    seasonality_peak_month: Annotated[int, Field(ge=1, le=12)] = 1
    age_mix: AgeShares
    female_share: Probability = 0.47
    needs_by_age: dict[AgeBand, dict[Need, float]]
    sibling_group_mix: dict[Annotated[int, Field(ge=1, le=4)], float] = Field(
        default_factory=lambda: {1: 1.0},
        description="Share of entering groups by number of children.",
    )
    legal_status_mix: dict[Literal["V2", "C1", "L1", "L2"], float]
    surges: tuple[Surge, ...] = ()
    uasc: Uasc | None = Field(None, description="UASC and the National Transfer Scheme.")

    @field_validator("sibling_group_mix", "legal_status_mix")
    @classmethod
    def _shares(cls, value: dict, info) -> dict:
        check_shares(value, f"{info.field_name} shares")
        return value

    @field_validator("needs_by_age")
    @classmethod
    def _needs(cls, value: dict) -> dict:
        check_all_keys(value, AGE_BANDS, "needs_by_age")
        for band, mix in value.items():
            check_shares(mix, f"needs_by_age.{band} shares")
        return value


ETHNIC_CODES: tuple[str, ...] = (
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip

"""The 903 header's ETHNIC codes (validator rule 103)."""
EthnicCode = Literal[
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip

# Children looked after in England at 31 March 2006 by ethnic origin (SSDA903; Hansard, Commons
# written answer, 2 May 2007), as shares of the 60,390 counted: the latest code-level national
# split found. Cited in docs/york_baseline.md.
_ETHNICITY_2006: dict[str, float] = {
    "WBRI": 0.7467, "WIRI": 0.0075, "WOTH": 0.0265, "MWBC": 0.0315, "MWBA": 0.0070,
    "MWAS": 0.0121, "MOTH": 0.0331, "AIND": 0.0050, "APKN": 0.0101, "ABAN": 0.0045,
    "AOTH": 0.0144, "BCRB": 0.0265, "BAFR": 0.0397, "BOTH": 0.0152, "CHNE": 0.0020,
    "OOTH": 0.0182,
}  # fmt: skip


class HeaderFields(Strict):
    """How the 903 header fields that the model does not use are simulated (ETHNIC, UPN,
    MOTHER, MC_DOB). They are drawn after the run from their own stream, so they change no
    simulated event; they make a simulated return complete enough for the DfE validator."""

    ethnicity_mix: Annotated[dict[EthnicCode, float], AfterValidator(valid_shares)] = Field(
        default_factory=lambda: dict(_ETHNICITY_2006),
        validate_default=True,
        description="Share of children by ETHNIC code.",
    )
    upn_unknown_share: Probability = Field(
        0.02,
        description="Share of children of school age with no UPN known (sent as UN5); "
        "children under school age throughout their care get UN1.",
    )
    mother_share: Probability = Field(
        0.03,
        description="Chance that a girl looked after at some time aged 15-17 has her first "
        "child while looked after.",
    )


class Pathways(Strict):
    """How and when children leave care, drawn at entry."""

    route_mix_by_age: dict[AgeBand, dict[RouteName, float]]
    durations: dict[Literal["return_home", "adoption", "sgo", "cao", "other"], Duration] = Field(
        description="Time from entry to leaving care by route (long_term children stay until 18)."
    )
    adoption_order_after_placement: Duration = Duration(median_days=270, sigma=0.3)
    placed_with_parents_share: Probability = 0.3
    placed_with_parents_before_exit: Duration = Duration(median_days=120, sigma=0.5)
    placed_with_parents_extends_stay: bool = Field(
        False,
        description="Whether the time placed with parents comes after the route's time in care "
        "(the child goes home under its care order on the day it would have left, and leaves "
        "care when the order is discharged, `placed_with_parents_before_exit` later, if before "
        "18) instead of being the last part of it.",
    )
    staying_put_share: Probability = 0.5
    staying_put_keeps_place: Duration | None = Field(
        None,
        description="How long a young person staying put with in-house carers after 18 keeps "
        "the carer's place (at most until 21); absent: the place is free at 18.",
    )
    supported_move_share: Probability = 0.3
    full_order_after: Duration = Duration(median_days=240, sigma=0.4)

    @field_validator("route_mix_by_age")
    @classmethod
    def _routes(cls, value: dict) -> dict:
        check_all_keys(value, AGE_BANDS, "route_mix_by_age")
        for band, mix in value.items():
            check_shares(mix, f"route_mix_by_age.{band} shares")
        return value

    @field_validator("durations")
    @classmethod
    def _all_routes(cls, value: dict) -> dict:
        check_all_keys(value, [r for r in ROUTES if r != "long_term"], "durations")
        return value


class Kinship(Strict):
    """Family and friends carers, found for a share of children at entry."""

    available_by_age: Annotated[dict[AgeBand, Probability], ByAge]
    location_mix: LocationMix
    weekly_cost: NonNegative


class AgeRange(Strict):
    """An approval age range for foster households and its share of households."""

    min_age: Annotated[int, Field(ge=0, le=17)]
    max_age: Annotated[int, Field(ge=0, le=17)]
    share: Probability

    @model_validator(mode="after")
    def _order(self) -> AgeRange:
        if self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        return self


class InhouseFoster(Strict):
    """The authority's own mainstream foster households (and dedicated emergency carers)."""

    households: Annotated[int, Field(ge=0, le=MAX_HOUSEHOLDS)] = Field(
        description="Mainstream foster households at the start date. " + HOUSEHOLDS_BOUND
    )
    places_mix: dict[Annotated[int, Field(ge=1, le=4)], float]
    age_ranges: tuple[AgeRange, ...]
    location_mix: LocationMix
    max_needs: Need = "complex"
    complex_share: Probability = Field(
        1.0, description="Share of households approved and supported to take complex needs."
    )
    unavailable_place_share: Probability = Field(
        0.0, description="Share of approved places not available (carers' own circumstances)."
    )
    gap_between_placements: Duration | None = Field(
        None,
        description="How long a mainstream household's place stays empty after a child leaves "
        "it (carers' rest, matching and introductions) before it takes another child; "
        "absent: free at once.",
    )
    weekly_cost: NonNegative
    emergency_households: Annotated[int, Field(ge=0, le=MAX_HOUSEHOLDS)] = Field(
        0, description="Dedicated emergency foster households. " + HOUSEHOLDS_BOUND
    )
    emergency_places: Annotated[int, Field(ge=1, le=4)] = 1
    emergency_weekly_retainer: NonNegative = 0.0

    @field_validator("places_mix")
    @classmethod
    def _places(cls, value: dict) -> dict:
        check_shares(value, "places_mix shares")
        return value

    @field_validator("age_ranges")
    @classmethod
    def _ranges(cls, value: tuple) -> tuple:
        check_shares({i: r.share for i, r in enumerate(value)}, "age_ranges shares")
        return value


class EmergencyResidential(Strict):
    """Costly emergency residential placements used for bridging when no foster bed is free."""

    location_mix: LocationMix
    weekly_cost: NonNegative
    min_age: Annotated[int, Field(ge=0, le=17)] = Field(
        0,
        description="Children younger than this bridge in any in-house household with a "
        "free place, or with an agency, before emergency residential care (only when "
        "nothing else exists).",
    )


class SimplePlacement(Strict):
    """A placement type with a location mix and a weekly cost (placed with parents, adoption)."""

    location_mix: LocationMix
    weekly_cost: NonNegative = 0.0


class AdoptionPlacement(SimplePlacement):
    """Placements for adoption; some are with the child's current foster carers (A5)."""

    with_current_carers_share: Probability = 0.0


class Provision(Strict):
    """Every kind of placement the authority can use."""

    kinship: Kinship
    inhouse_foster: InhouseFoster
    ifa: Market
    local_homes: tuple[LocalHome, ...] = ()
    external_homes: Market
    supported: SupportedMarket
    emergency_residential: EmergencyResidential
    placed_with_parents: SimplePlacement
    adoption: AdoptionPlacement

    @field_validator("local_homes")
    @classmethod
    def _unique_names(cls, value: tuple) -> tuple:
        names = [home.name for home in value]
        if len(set(names)) != len(names):
            raise ValueError("local home names must be unique")
        return value


class StepBack(Strict):
    """Children placed far away, or below their need, wait for a closer or better match."""

    enabled: bool = True
    from_locations: tuple[Location, ...] = ("far",)
    mismatch: bool = True
    after_days: NonNegative = 30.0
    to_residential: bool = Field(
        True,
        description="Whether a child in a family placement moves to a local children's home "
        "for a closer location alone (false: only to a family placement).",
    )


class StepDown(Strict):
    """Children settled in a children's home move to a family when a foster place frees."""

    enabled: bool = False
    after_days: NonNegative = Field(365.0, description="Days in the home before the wait.")
    needs: tuple[Need, ...] = ("complex",)


class PermanenceMatch(Strict):
    """How long a bridged child waits for its permanent placement to be matched (assessment,
    matching, introductions): until then it takes no freed place and no market offer."""

    time: Duration
    need_multiplier: dict[Need, Positive] = Field(
        default_factory=dict,
        description="The drawn time multiplied by the child's need level's value (a need not "
        "listed: 1).",
    )
    age_multiplier: dict[AgeBand, Positive] = Field(
        default_factory=dict,
        description="... and by the child's age band's value at the bridge (a band not listed: 1).",
    )


class Matching(Strict):
    """Placement decisions: preference order by needs, sibling policy, step-back policy."""

    preferences: dict[Need, tuple[PreferenceKind, ...]]
    split_siblings: bool = True
    step_back: StepBack = StepBack()
    step_down: StepDown = StepDown()
    permanence_match: PermanenceMatch | None = Field(
        None,
        description="Bridging lasts until a permanence match: a child starting a bridge draws "
        "the day its permanent placement is matched and moves on no earlier (absent: it moves "
        "as soon as a place frees or its search ends).",
    )

    @field_validator("preferences")
    @classmethod
    def _all_needs(cls, value: dict) -> dict:
        check_all_keys(value, NEEDS, "preferences")
        for need, order in value.items():
            if not order:
                raise ValueError(f"preferences.{need} must list at least one placement kind")
            if len(set(order)) != len(order):
                raise ValueError(f"preferences.{need} lists a placement kind twice")
        return value


class Endings(Strict):
    """Unplanned endings: a Weibull hazard per placement kind with proportional multipliers."""

    weibull_shape: Annotated[float, Field(gt=0.0, le=3.0)] = 0.7
    median_days: Annotated[dict[BreakdownKind, Positive], every_key(BREAKDOWN_KINDS)] = Field(
        description="Median time to an unplanned ending if nothing else ended the placement."
    )
    age_multiplier: Annotated[dict[AgeBand, Positive], ByAge]
    needs_multiplier: Annotated[dict[Need, Positive], ByNeed]
    location_multiplier: Annotated[dict[Location, Positive], every_key(LOCATIONS)]
    bridging_multiplier: Positive = 1.5
    mismatch_multiplier: Positive = 1.5
    high_need_peer_multiplier: Positive = Field(
        1.2, description="Per other high-need child sharing the home."
    )
    high_need_peer_cap: Count | None = Field(
        None, description="Other high-need children counted at most (none: all of them)."
    )
    reason_mix: Annotated[dict[BreakdownReason, float], AfterValidator(valid_shares)]
    planned_move_rate_per_year: dict[BreakdownKind, NonNegative] = Field(default_factory=dict)
    carer_leave_after_breakdown_multiplier: Positive = 2.0
    carer_leave_effect_days: NonNegative = 365.0


class OneOffCost(Strict):
    """A one-off cost (capital, set-up, campaign) on a date."""

    name: str
    date: dt.date
    amount_gbp: NonNegative


class RecurringCost(Strict):
    """A running cost per year between two dates (say, higher allowances or a support team)."""

    name: str
    start: dt.date
    end: dt.date | None = None
    amount_gbp_per_year: NonNegative


class Scenario(Strict):
    """A complete, validated scenario for one local authority."""

    name: str
    description: str = ""
    start_date: dt.date = Field(
        description="First day reported; the simulation warms up before it."
    )
    horizon_years: Annotated[int, Field(ge=1, le=50)]
    warmup_years: Annotated[int, Field(ge=0, le=40)] = 18
    entries: Entries
    pathways: Pathways
    provision: Provision
    matching: Matching
    endings: Endings
    carers: Carers
    header: HeaderFields = HeaderFields()
    one_off_costs: tuple[OneOffCost, ...] = ()
    recurring_costs: tuple[RecurringCost, ...] = ()
    _warmup: Scenario | None = PrivateAttr(default=None)
    census: Census | None = Field(
        None,
        description="Children in care the day before the start date (a census CSV written by "
        "`sufficiency-sim calibrate`, relative to this file): the model starts from them "
        "instead of warming up from empty, and warmup_years is not used.",
    )

    @model_validator(mode="after")
    def _dates_in_range(self) -> Scenario:
        if self.start_date.month != 4 or self.start_date.day != 1:
            raise ValueError("start_date must be 1 April (the start of a collection year)")
        return self

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        children = expected_children(self)
        if children > MAX_CHILDREN_PER_REPLICATION:
            raise ValueError(
                f"one replication would admit about {children:,.0f} children (entries.rate_per_"
                f"year, its trend and surges over {self.horizon_years} years and the warm-up), "
                f"more than the {MAX_CHILDREN_PER_REPLICATION:,} the model is sized for; lower "
                "the entry rate, its trend, horizon_years or warmup_years"
            )
        return self

    @property
    def warmup_scenario(self) -> Scenario:
        """The scenario whose values govern the warm-up: the authority as its root file (the
        end of the `extends` chain, without overrides) describes it, with this scenario's dates.
        Everything else this scenario changes acts from the start date (or its own dates), so an
        option starts from the same authority as its baseline."""
        return self._warmup if self._warmup is not None else self

    @property
    def end_date(self) -> dt.date:
        """The day after the last simulated day (1 April after the horizon)."""
        return self.start_date.replace(year=self.start_date.year + self.horizon_years)

    @property
    def report_years(self) -> tuple[int, ...]:
        """Collection years (ending 31 March) covered by the horizon."""
        first = self.start_date.year + 1
        return tuple(range(first, first + self.horizon_years))


def expected_children(scenario: Scenario) -> float:
    """Children one replication admits at most, in expectation: the entry process runs at its
    highest rate (the trend's peak, the seasonal peak) over the warm-up (none from a census)
    and the horizon, plus every surge over its span."""
    entries = scenario.entries
    growth = max(1.0, (1 + entries.trend_pct_per_year / 100.0) ** scenario.horizon_years)
    warmup = 0 if scenario.census is not None else scenario.warmup_years
    years = warmup + scenario.horizon_years
    peak = entries.rate_per_year * growth * (1 + entries.seasonality_amplitude)
    total = peak * years  # the rate counts children, whatever their sibling groups
    for surge in entries.surges:
        last = surge.end or scenario.end_date
        span = max(0.0, (last - max(surge.start, scenario.start_date)).days / YEAR_DAYS)
        total += surge.rate_per_year * min(span, years)
    first = scenario.start_date.replace(year=scenario.start_date.year - warmup)
    return total + expected_uasc(entries.uasc, first, scenario.end_date, years)
