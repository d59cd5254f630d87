"""Scenario parameters: load YAML, resolve `extends`, apply overrides, validate, JSON schema.

A scenario is an immutable, validated tree of pydantic models. Unknown keys at any depth, wrong
types and impossible values (negative places, shares that do not sum to 1) are errors that name
the file and the dotted key. The model reads a Scenario and never changes it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sufficiency_sim.census import Census, resolve_census
from sufficiency_sim.errors import InputError

AGE_BANDS: tuple[str, ...] = ("0", "1-4", "5-9", "10-15", "16-17")
"""DfE age bands at entry: under 1, 1-4, 5-9, 10-15, 16-17 (completed years)."""
AGE_BAND_RANGES: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "1-4": (1, 4),
    "5-9": (5, 9),
    "10-15": (10, 15),
    "16-17": (16, 17),
}
NEEDS: tuple[str, ...] = ("standard", "complex", "specialist")
LOCATIONS: tuple[str, ...] = ("in", "near", "far")
"""Inside the boundary; outside within 20 miles; outside and over 20 miles."""
ROUTES: tuple[str, ...] = ("return_home", "adoption", "sgo", "cao", "long_term", "other")
PREFERENCE_KINDS: tuple[str, ...] = (
    "kinship",
    "inhouse_foster",
    "ifa_local",
    "local_home",
    "supported",
    "ifa_distant",
    "external_home",
)

AgeBand = Literal["0", "1-4", "5-9", "10-15", "16-17"]
Need = Literal["standard", "complex", "specialist"]
Location = Literal["in", "near", "far"]
RouteName = Literal["return_home", "adoption", "sgo", "cao", "long_term", "other"]
PreferenceKind = Literal[
    "kinship",
    "inhouse_foster",
    "ifa_local",
    "local_home",
    "supported",
    "ifa_distant",
    "external_home",
]
BreakdownKind = Literal[
    "kinship",
    "inhouse_foster",
    "emergency_foster",
    "ifa",
    "local_home",
    "external_home",
    "emergency_residential",
    "supported",
    "placed_with_parents",
    "adoption",
]
BREAKDOWN_KINDS: tuple[str, ...] = BreakdownKind.__args__  # type: ignore[attr-defined]
BreakdownReason = Literal["CREQB", "CREQO", "CHILD", "ALLEG", "STAND"]
MAX_ENTRIES_PER_YEAR = 35_000
ENTRIES_BOUND = (
    "At most 35,000 a year: all of England started 33,050 children in care in 2024 (DfE, "
    "Children looked after in England 2024), so one authority's rate cannot be higher."
)
MAX_HOUSEHOLDS = 45_000
HOUSEHOLDS_BOUND = (
    "At most 45,000: England had 42,615 approved fostering households in 2024 (Ofsted)."
)
MAX_ENQUIRIES_PER_YEAR = 130_000
ENQUIRIES_BOUND = (
    "At most 130,000 a year: England had 125,195 fostering enquiries in 2022-23 (Ofsted)."
)
MAX_CHILDREN_PER_REPLICATION = 1_000_000
"""The most children one replication may admit (warm-up and horizon together, at the highest
entry rate the trend reaches; `expected_children`). The largest run measured is England's
scale, about 924,000 children in one replication: 357 s and a 3.6 GB peak (`python
benchmarks/bench_model.py --york-reps 1`, benchmarks/README.md); `python
benchmarks/bench_size_limit.py` gives 18-26 s and 255 MB for 17,920 children. A scenario above
the limit would need more memory than such a machine has, so it is refused before any run
starts instead of running for hours and exhausting memory."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Count = Annotated[int, Field(ge=0)]

_SHARE_TOLERANCE = 1e-6


class FrozenDict(dict):
    """A read-only dict, so that the mappings inside a Scenario cannot be changed either."""

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("scenario values are read-only; build a new scenario instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]
    __ior__ = _read_only  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple:
        return (FrozenDict, (dict(self),))

    def __deepcopy__(self, memo: dict) -> dict:
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}


def _freeze(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, FrozenDict):
        return FrozenDict({key: _freeze(item) for key, item in value.items()})
    return value


def _has_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(item) for item in value.values())
    return False


class Strict(BaseModel):
    """Base: unknown keys are errors, numbers must be finite numbers (not true/false), and
    instances are immutable all the way down."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if annotation is bool:
            return value
        if isinstance(value, bool) or (get_origin(annotation) is dict and _has_bool(value)):
            raise ValueError("expected a number or text, not true/false")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _read_only_mappings(cls, value: Any) -> Any:
        return _freeze(value)


def _check_shares(value: Mapping[Any, float], what: str) -> None:
    if not value:
        raise ValueError(f"{what} must not be empty")
    if not all(math.isfinite(share) for share in value.values()):
        raise ValueError(f"{what} has a share that is not a finite number")
    if any(share < 0 for share in value.values()):
        raise ValueError(f"{what} has a negative share")
    total = math.fsum(value.values())
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1 (they sum to {total:.6g})")


def _check_all_keys(value: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    missing = [key for key in keys if key not in value]
    if missing:
        raise ValueError(f"{what} needs a value for each of {list(keys)}; missing {missing}")


def _shares(value: Mapping[Any, float]) -> Mapping[Any, float]:
    _check_shares(value, "the shares")
    return value


def _every(keys: Sequence[str]) -> AfterValidator:
    """A validator that a mapping has a value for each of `keys`."""

    def check(value: Mapping[str, Any]) -> Mapping[str, Any]:
        _check_all_keys(value, keys, "it")
        return value

    return AfterValidator(check)


LocationMix = Annotated[dict[Location, float], AfterValidator(_shares)]
"""Shares of placements inside the boundary, within 20 miles outside, and further."""
AgeShares = Annotated[dict[AgeBand, float], AfterValidator(_shares)]
ByAge = _every(AGE_BANDS)
ByNeed = _every(NEEDS)


class Duration(Strict):
    """A duration in days: lognormal (median and log-scale sigma) or exponential (median; its
    mean is median / ln 2). Exponential durations exist for verification against queueing
    theory; care durations are heavy-tailed and lognormal by default."""

    distribution: Literal["lognormal", "exponential"] = "lognormal"
    median_days: Positive
    sigma: NonNegative = 0.0


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

    @field_validator("sibling_group_mix", "legal_status_mix")
    @classmethod
    def _shares(cls, value: dict, info) -> dict:
        _check_shares(value, f"{info.field_name} shares")
        return value

    @field_validator("needs_by_age")
    @classmethod
    def _needs(cls, value: dict) -> dict:
        _check_all_keys(value, AGE_BANDS, "needs_by_age")
        for band, mix in value.items():
            _check_shares(mix, f"needs_by_age.{band} shares")
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

    ethnicity_mix: Annotated[dict[EthnicCode, float], AfterValidator(_shares)] = Field(
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
    staying_put_share: Probability = 0.5
    supported_move_share: Probability = 0.3
    full_order_after: Duration = Duration(median_days=240, sigma=0.4)

    @field_validator("route_mix_by_age")
    @classmethod
    def _routes(cls, value: dict) -> dict:
        _check_all_keys(value, AGE_BANDS, "route_mix_by_age")
        for band, mix in value.items():
            _check_shares(mix, f"route_mix_by_age.{band} shares")
        return value

    @field_validator("durations")
    @classmethod
    def _all_routes(cls, value: dict) -> dict:
        _check_all_keys(value, [r for r in ROUTES if r != "long_term"], "durations")
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
    weekly_cost: NonNegative
    emergency_households: Annotated[int, Field(ge=0, le=MAX_HOUSEHOLDS)] = Field(
        0, description="Dedicated emergency foster households. " + HOUSEHOLDS_BOUND
    )
    emergency_places: Annotated[int, Field(ge=1, le=4)] = 1
    emergency_weekly_retainer: NonNegative = 0.0

    @field_validator("places_mix")
    @classmethod
    def _places(cls, value: dict) -> dict:
        _check_shares(value, "places_mix shares")
        return value

    @field_validator("age_ranges")
    @classmethod
    def _ranges(cls, value: tuple) -> tuple:
        _check_shares({i: r.share for i, r in enumerate(value)}, "age_ranges shares")
        return value


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


class SupportedMarket(Market):
    """Supported accommodation: a market for young people from `min_age`."""

    min_age: Annotated[int, Field(ge=0, le=17)] = 0


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

    @model_validator(mode="after")
    def _dates(self) -> LocalHome:
        if self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        if not self.admits:
            raise ValueError("admits must name at least one need level")
        return self


class EmergencyResidential(Strict):
    """Costly emergency residential placements used for bridging when no foster bed is free."""

    location_mix: LocationMix
    weekly_cost: NonNegative


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


class Matching(Strict):
    """Placement decisions: preference order by needs, sibling policy, step-back policy."""

    preferences: dict[Need, tuple[PreferenceKind, ...]]
    split_siblings: bool = True
    step_back: StepBack = StepBack()

    @field_validator("preferences")
    @classmethod
    def _all_needs(cls, value: dict) -> dict:
        _check_all_keys(value, NEEDS, "preferences")
        for need, order in value.items():
            if not order:
                raise ValueError(f"preferences.{need} must list at least one placement kind")
            if len(set(order)) != len(order):
                raise ValueError(f"preferences.{need} lists a placement kind twice")
        return value


class Endings(Strict):
    """Unplanned endings: a Weibull hazard per placement kind with proportional multipliers."""

    weibull_shape: Annotated[float, Field(gt=0.0, le=3.0)] = 0.7
    median_days: Annotated[dict[BreakdownKind, Positive], _every(BREAKDOWN_KINDS)] = Field(
        description="Median time to an unplanned ending if nothing else ended the placement."
    )
    age_multiplier: Annotated[dict[AgeBand, Positive], ByAge]
    needs_multiplier: Annotated[dict[Need, Positive], ByNeed]
    location_multiplier: Annotated[dict[Location, Positive], _every(LOCATIONS)]
    bridging_multiplier: Positive = 1.5
    mismatch_multiplier: Positive = 1.5
    high_need_peer_multiplier: Positive = Field(
        1.2, description="Per other high-need child sharing the home."
    )
    reason_mix: Annotated[dict[BreakdownReason, float], AfterValidator(_shares)]
    planned_move_rate_per_year: dict[BreakdownKind, NonNegative] = Field(default_factory=dict)
    carer_leave_after_breakdown_multiplier: Positive = 2.0
    carer_leave_effect_days: NonNegative = 365.0


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
        span = max(0.0, (last - max(surge.start, scenario.start_date)).days / 365.25)
        total += surge.rate_per_year * min(span, years)
    return total


# ---------------------------------------------------------------------------------------------
# Loading


def _deep_merge(base: dict, override: dict) -> dict:
    """Merge `override` into a copy of `base`: mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the
    last silently, so a pasted block could override a value unseen)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # construct_mapping reports unhashable keys itself
        if key in first_line:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} is given twice in one mapping (first on line "
                f"{first_line[key] + 1}); give each key once",
                key_node.start_mark,
            )
        first_line[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _load_yaml(text: str) -> Any:
    """Parse YAML text safely, refusing duplicated keys."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(
            f"{path}:{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a YAML scenario)") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a YAML mapping of scenario keys at the top level")
    return data


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and everything it `extends`, merged, as a plain dict."""
    return _load_chain(path, _chain)[0]


def _load_chain(path: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict, list]:
    """The merged data, and each file of the `extends` chain with its own data (child first)."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, path))
        raise InputError(f"{path}: `extends` forms a cycle: {cycle}")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [(path, data)]
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends: expected the path of another scenario file")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise InputError(f"{path}: extends: file {parent_path} not found")
    base, files = _load_chain(parent_path, (*_chain, path))
    return _deep_merge(base, data), [(path, data), *files]


def _defines(data: Any, loc: Sequence[Any]) -> bool:
    """Whether raw YAML data holds a value at the key path `loc`."""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            return False
    return True


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse `dotted.key=value` (value read as YAML) into (key path, value)."""
    if "=" not in text:
        raise InputError(f"--set {text!r}: expected dotted.key=value")
    key, _, raw = text.partition("=")
    parts = [part for part in key.strip().split(".")]
    if not all(parts):
        raise InputError(f"--set {text!r}: the key {key!r} has an empty part")
    try:
        value = _load_yaml(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        detail = f" ({problem})" if problem else ""
        raise InputError(f"--set {text!r}: the value is not valid YAML{detail}") from None
    return parts, value


def apply_overrides(data: dict, overrides: Sequence[str]) -> dict:
    """Return a copy of raw scenario data with `dotted.key=value` overrides applied."""
    result = copy.deepcopy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                node = _list_item(node, part, text)
            elif isinstance(node, dict):
                if part not in node or not isinstance(node[part], dict | list):
                    where = ".".join(parts[: depth + 1])
                    raise InputError(f"--set {text!r}: {where} is not a section of the scenario")
                node = node[part]
            else:
                raise InputError(f"--set {text!r}: cannot descend into {part!r}")
        last = parts[-1]
        if isinstance(node, list):
            index = _index(node, last, text)
            node[index] = value
        else:
            node[last] = value
    return result


def _index(node: list, part: str, text: str) -> int:
    try:
        index = int(part)
    except ValueError:
        raise InputError(f"--set {text!r}: {part!r} should be a list index") from None
    if not -len(node) <= index < len(node):
        raise InputError(f"--set {text!r}: index {index} is out of range (0..{len(node) - 1})")
    return index


def _list_item(node: list, part: str, text: str) -> Any:
    return node[_index(node, part, text)]


def _format_errors(source: str, exc: ValidationError, files: Sequence[tuple] = ()) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        where = source
        for file_path, data in files:  # name the file of the chain that sets this key
            if error["loc"] and _defines(data, error["loc"]):
                where = str(file_path)
                break
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (not a scenario parameter; check the spelling)"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{where}: {key}: {message}")
    return "\n".join(lines)


def validate(
    data: Mapping[str, Any], source: str = "<scenario>", files: Sequence[tuple] = ()
) -> Scenario:
    """Validate raw scenario data, raising InputError that names the source (or the file of
    the `extends` chain that sets the key) and the dotted keys."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(_format_errors(source, exc, files)) from None


STRUCTURAL_KEYS = ("name", "description", "start_date", "horizon_years", "warmup_years", "census")
"""Keys of a scenario that say what is simulated and when, not how the authority behaves: a
warm-up scenario takes them from the scenario it warms up."""


def with_warmup(scenario: Scenario, root: Scenario) -> Scenario:
    """`scenario`, warming up as `root` (the authority before the start date): `root`'s values
    with `scenario`'s dates and census."""
    if root is scenario:
        return scenario
    structural = {key: getattr(scenario, key) for key in STRUCTURAL_KEYS}
    warmup = root.model_copy(update=structural)
    if warmup == scenario:
        return scenario
    result = scenario.model_copy()
    result._warmup = warmup
    return result


def load(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load a scenario file (resolving `extends`), apply overrides, and validate it.

    The file at the root of the `extends` chain, without the overrides, describes the authority
    before the start date: the scenario warms up as that root (`Scenario.warmup_scenario`), so
    what the scenario changes takes effect from the start date."""
    merged, files = _load_chain(path)
    data = resolve_census(apply_overrides(merged, overrides), files)
    loaded = validate(data, str(path), files if not overrides else ())
    if (len(files) == 1 and not overrides) or loaded.census is not None:
        return loaded  # its own root, or no warm-up at all
    root_path, root_data = files[-1]
    try:
        root = validate(resolve_census(copy.deepcopy(root_data), files[-1:]), str(root_path))
    except InputError:
        return loaded  # the root is a fragment, not an authority: warm up as the whole
    return with_warmup(loaded, root)


def to_jsonable(scenario: Scenario) -> dict:
    """The resolved scenario as plain JSON data (dates as ISO strings)."""
    return json.loads(scenario.model_dump_json())


def json_schema() -> dict:
    """The JSON schema of a scenario file."""
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Path of a base scenario (relative to this file) that this one changes.",
    }
    return schema
