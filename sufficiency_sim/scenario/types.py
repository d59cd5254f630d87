"""The scenario's building blocks: the names it accepts (age bands, needs, locations, kinds),
the bounds on its sizes, the constrained number types, and the strict, immutable base model that
every section derives from."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from sufficiency_sim.vocabulary import (
    AGE_BANDS,
    NEEDS,
    AgeBand,
    Location,
)

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
    instances are immutable all the way down (defaults are validated too, so that a default
    mapping is frozen like a given one and the scenario stays hashable)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True
    )

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


def check_shares(value: Mapping[Any, float], what: str) -> None:
    if not value:
        raise ValueError(f"{what} must not be empty")
    if not all(math.isfinite(share) for share in value.values()):
        raise ValueError(f"{what} has a share that is not a finite number")
    if any(share < 0 for share in value.values()):
        raise ValueError(f"{what} has a negative share")
    total = math.fsum(value.values())
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1 (they sum to {total:.6g})")


def check_all_keys(value: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    missing = [key for key in keys if key not in value]
    if missing:
        raise ValueError(f"{what} needs a value for each of {list(keys)}; missing {missing}")


def valid_shares(value: Mapping[Any, float]) -> Mapping[Any, float]:
    check_shares(value, "the shares")
    return value


def every_key(keys: Sequence[str]) -> AfterValidator:
    """A validator that a mapping has a value for each of `keys`."""

    def check(value: Mapping[str, Any]) -> Mapping[str, Any]:
        check_all_keys(value, keys, "it")
        return value

    return AfterValidator(check)


LocationMix = Annotated[dict[Location, float], AfterValidator(valid_shares)]
"""Shares of placements inside the boundary, within 20 miles outside, and further."""
AgeShares = Annotated[dict[AgeBand, float], AfterValidator(valid_shares)]
ByAge = every_key(AGE_BANDS)
ByNeed = every_key(NEEDS)


class Duration(Strict):
    """A duration in days: lognormal (median and log-scale sigma) or exponential (median; its
    mean is median / ln 2). Exponential durations exist for verification against queueing
    theory; care durations are heavy-tailed and lognormal by default."""

    distribution: Literal["lognormal", "exponential"] = "lognormal"
    median_days: Positive
    sigma: NonNegative = 0.0
