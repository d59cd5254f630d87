"""A problem found in a 903 return (`Problem`: file, CSV line, column, message, severity)
and the helpers every validation rule uses to make them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sufficiency_sim.ssda903.schema import PERSONAL_COLUMNS
from sufficiency_sim.ssda903.sources import ROW_COLUMN, SOURCE_COLUMN

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Problem:
    """One problem in a 903 file.

    ``row`` is the CSV line number (1 = header line, None = the whole file); ``value`` is the
    offending code or text, kept only for non-personal columns; ``kind`` is a short tag for
    counting (e.g. ``unknown-code``).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    severity: str = ERROR
    kind: str = ""

    def __post_init__(self) -> None:
        if self.column in PERSONAL_COLUMNS and self.value is not None:
            object.__setattr__(self, "value", None)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        prefix = "" if self.severity == ERROR else f"{self.severity}: "
        column = f" {self.column}:" if self.column else ""
        return f"{where}:{column} {prefix}{self.message}"


def year_text(year: int) -> str:
    return f"{year - 1}/{str(year)[-2:]}"


def problems_at(
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str | None,
    message: str,
    severity: str = ERROR,
    kind: str = "",
) -> list[Problem]:
    """One Problem per row of `frame` selected by `mask` (same message)."""
    rows = frame.loc[mask, [SOURCE_COLUMN, ROW_COLUMN]]
    return [
        Problem(str(s), int(r), column, message, severity=severity, kind=kind)
        for s, r in zip(rows[SOURCE_COLUMN], rows[ROW_COLUMN], strict=True)
    ]
