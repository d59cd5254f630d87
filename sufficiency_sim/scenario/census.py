"""The census of children looked after on the day before a scenario starts: the model can start
from it instead of warming up from empty.

One CSV row per child, with no identifier, date of birth or postcode: age in completed years
and months, days in care (since the period of care began), the current placement's kind (the
model's provision kinds), its days so far and location band, legal status and sex. A scenario
names its census file with `census: FILE.csv` (relative to the scenario file); `read_census`
checks every row and names the file, CSV line and column of each problem.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sufficiency_sim.errors import InputError
from sufficiency_sim.files import atomic
from sufficiency_sim.files.csvcheck import check_structure
from sufficiency_sim.vocabulary import DAYS_PER_MONTH

CENSUS_COLUMNS: tuple[str, ...] = (
    "age_years",
    "age_months",
    "days_in_care",
    "placement",
    "placement_days",
    "location",
    "legal_status",
    "sex",
)
"""Columns of a census file, in order."""

CensusPlacement = Literal[
    "kinship",
    "inhouse_foster",
    "ifa",
    "local_home",
    "external_home",
    "supported",
    "placed_with_parents",
    "adoption",
]
CENSUS_PLACEMENTS: tuple[str, ...] = CensusPlacement.__args__  # type: ignore[attr-defined]
LegalStatus = Literal["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]


class CensusChild(BaseModel):
    """One child looked after on the census date."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    age_years: Annotated[int, Field(ge=0, le=17)]
    age_months: Annotated[int, Field(ge=0, le=11)]
    days_in_care: Annotated[int, Field(ge=0)]
    placement: CensusPlacement
    placement_days: Annotated[int, Field(ge=0)]
    location: Literal["in", "near", "far"]
    legal_status: LegalStatus
    sex: Literal[1, 2]

    @model_validator(mode="after")
    def _consistent(self) -> CensusChild:
        if self.placement_days > self.days_in_care:
            raise ValueError(
                f"placement_days ({self.placement_days}) is longer than days_in_care "
                f"({self.days_in_care})"
            )
        age_days = (12 * self.age_years + self.age_months + 1) * DAYS_PER_MONTH
        if self.days_in_care > math.ceil(age_days):
            raise ValueError(
                f"days_in_care ({self.days_in_care}) is longer than the child's life "
                f"(aged {self.age_years} years {self.age_months} months)"
            )
        return self


class Census(BaseModel):
    """A scenario's starting census: the file it came from and its children."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    children: tuple[CensusChild, ...]


def read_census(path: str | Path) -> Census:
    """Read and check a census CSV; every problem is reported by file, line and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: census file not found")
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        if not text.strip():
            raise InputError(f"{path}: the file is empty; expected a census CSV with a header line")
        columns = check_structure(text, str(path))
        rows = list(csv.DictReader(io.StringIO(text)))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a census CSV)") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in CENSUS_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; a census has {list(CENSUS_COLUMNS)}"
        )
    children, problems = [], []
    for line, row in enumerate(rows, start=2):
        values = {c: (row.get(c) or "").strip() for c in CENSUS_COLUMNS}
        try:
            children.append(CensusChild.model_validate(_typed(values)))
        except ValidationError as exc:
            for error in exc.errors():
                message = error["msg"].removeprefix("Value error, ")
                column = ".".join(str(p) for p in error["loc"])
                where = f"{column}: " if column else ""
                problems.append(f"{path}: line {line}: {where}{message}")
        if len(problems) >= 50:
            problems.append(f"{path}: ... (stopped after 50 problems)")
            break
    if problems:
        raise InputError("\n".join(problems))
    return Census(file=str(path.resolve()), children=tuple(children))


def _typed(values: Mapping[str, str]) -> dict:
    """Whole numbers as int where they parse (pydantic then reports the rest by column)."""
    typed: dict[str, object] = dict(values)
    for name in ("age_years", "age_months", "days_in_care", "placement_days", "sex"):
        text = values[name]
        try:
            typed[name] = int(text)
        except ValueError:
            typed[name] = text if text else None
    return typed


def write_census(children: Iterable[CensusChild | Mapping], path: str | Path) -> None:
    """Write a census CSV atomically, in the column order of CENSUS_COLUMNS."""
    with atomic.atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CENSUS_COLUMNS)
        for child in children:
            record = child.model_dump() if isinstance(child, CensusChild) else child
            writer.writerow([record[c] for c in CENSUS_COLUMNS])


def resolve_census(data: dict, files: Sequence[tuple[Path, dict]]) -> dict:
    """Replace a scenario's `census: FILE.csv` by the census it names, read from the file
    relative to the scenario file that sets it (the first of the `extends` chain)."""
    value = data.get("census")
    if not isinstance(value, str):
        return data
    base = next((p for p, d in files if "census" in d), files[0][0] if files else Path("."))
    path = Path(value)
    if not path.is_absolute():
        path = Path(base).parent / path
    census = read_census(path)
    return {**data, "census": census.model_dump()}
