"""Write canonical 903 frames as CSV files laid out like the return.

Columns in the return's order (``_source``/``_row`` and other extra columns are not written),
dates as dd/mm/YYYY, blanks as empty cells, PL_DISTANCE to one decimal. The derived columns
PL_LOCATION and PL_DISTANCE are appended only when present and not all blank. Files are
written atomically (`sufficiency_sim.files.atomic`): an interrupted write leaves no partial file.
"""

from __future__ import annotations

import os

import pandas as pd

from sufficiency_sim.files.atomic import atomic_open
from sufficiency_sim.ssda903.schema import (
    EPISODE_COLUMNS,
    EPISODE_DATE_COLUMNS,
    EPISODE_DERIVED_COLUMNS,
    HEADER_COLUMNS,
    HEADER_DATE_COLUMNS,
    UASC_COLUMNS,
    UASC_DATE_COLUMNS,
)

DATE_FORMAT = "%d/%m/%Y"


def _format_column(values: pd.Series, column: str, date_columns: tuple[str, ...]) -> pd.Series:
    if column in date_columns:
        return pd.to_datetime(values).dt.strftime(DATE_FORMAT).fillna("")
    if column == "PL_DISTANCE":
        numbers = pd.to_numeric(values, errors="raise").astype("float64")
        return numbers.map(lambda x: "" if pd.isna(x) else f"{x:.1f}")
    return values.astype("string").fillna("")


def _layout(frame: pd.DataFrame, columns: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks the 903 column(s) {', '.join(missing)}")
    extra = [c for c in optional if c in frame.columns and frame[c].notna().any()]
    return [*columns, *extra]


def _write(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    columns: list[str],
    date_columns: tuple[str, ...],
) -> None:
    text = pd.DataFrame(
        {c: _format_column(frame[c], c, date_columns) for c in columns}, index=frame.index
    )
    with atomic_open(path, "w") as handle:
        text.to_csv(handle, index=False, lineterminator="\n")


def write_episodes(episodes: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a canonical episodes frame to `path` as a 903 episodes CSV (atomically).

    Raises ValueError if a column of `schema.EPISODE_COLUMNS` is missing.
    """
    columns = _layout(episodes, EPISODE_COLUMNS, EPISODE_DERIVED_COLUMNS)
    _write(episodes, path, columns, EPISODE_DATE_COLUMNS)


def write_header(header: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a canonical header frame to `path` as a 903 header CSV (atomically).

    Raises ValueError if a column of `schema.HEADER_COLUMNS` is missing.
    """
    columns = _layout(header, HEADER_COLUMNS, ())
    _write(header, path, columns, HEADER_DATE_COLUMNS)


def write_uasc(uasc: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a UASC frame (CHILD, SEX, DOB, DUC) to `path` as a 903 UASC CSV (atomically).

    Raises ValueError if a column of `schema.UASC_COLUMNS` is missing.
    """
    columns = _layout(uasc, UASC_COLUMNS, ())
    _write(uasc, path, columns, UASC_DATE_COLUMNS)
