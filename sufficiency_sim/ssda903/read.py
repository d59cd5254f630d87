"""Read SSDA903 episodes and header tables into the canonical frames of `schema`.

`path` may be:

* one CSV file (read as the table asked for, whatever its name);
* a folder holding several years' returns, searched recursively for ``*.csv`` files
  (``2019-episodes.csv``, ``episodes_2019.csv``, ``2019/episodes.csv`` ...);
* a ``.zip`` archive of such files.

In a folder or archive each CSV is assigned to a 903 table by its columns (as the Social Finance
demand model does), with the file name only as a tie-breaker, so the other tables of a return
(UASC, reviews, OC2 ...) that sit beside it are skipped.

The frames returned hold the canonical columns of `schema` plus two bookkeeping columns:

``_source``
    the file the row came from (the path as given, joined with the name inside a folder;
    ``archive.zip:member.csv`` inside a zip);
``_row``
    the 1-based line number of the row in that CSV, counting the header line, so the first data
    row is 2 (a quoted field spanning several lines makes later numbers refer to records).

Several files are concatenated oldest return first (episodes: by the collection year of the
file's latest date; header: by the year in the file name), which the cleaning's "latest return"
tie-breaks rely on. Unknown codes are kept as they are: checking them is `validate`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.ssda903.codes import collection_year
from sufficiency_sim.ssda903.schema import (
    EPISODE_CODE_COLUMNS,
    EPISODE_COLUMNS,
    EPISODE_DATE_COLUMNS,
    EPISODE_DERIVED_COLUMNS,
    EPISODE_REQUIRED_COLUMNS,
    HEADER_COLUMNS,
    HEADER_DATE_COLUMNS,
    HEADER_REQUIRED_COLUMNS,
    PERSONAL_COLUMNS,
)
from sufficiency_sim.ssda903.sources import (
    BOOKKEEPING_COLUMNS,
    DATE_FORMATS_TEXT,
    ROW_COLUMN,
    SOURCE_COLUMN,
    TABLE_COLUMNS,
    RawTable,
    blank_mask,
    classify_columns,
    per_unique,
    read_raw_tables,
)

_KNOWN_COLUMNS = frozenset(c for cols in TABLE_COLUMNS.values() for c in cols) | frozenset(
    EPISODE_DERIVED_COLUMNS
)
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NUMBER_DOT_ZERO = re.compile(r"^(\d+)\.0+$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?$")
_SHOW_BAD_ROWS = 5
_SHOWABLE: dict[str, re.Pattern[str]] = {
    "code": re.compile(r"^(\d{1,2}|[A-Z]{1,6}\d{0,2}[A-Z]?)$"),
    "date": re.compile(r"^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([ T][\d:.]+)?|[A-Za-z]{1,12})$"),
    "number": re.compile(r"^([-+]?[\d.,]{1,12}|[A-Za-z]{1,12})$"),
}


def _text(values: pd.Series) -> pd.Series:
    values = values.str.strip().str.replace(_NUMBER_DOT_ZERO, r"\1", regex=True)
    return values.mask(values == "").astype("string")


def text_values(raw: pd.Series) -> pd.Series:
    """Trimmed text, <NA> when blank, "123.0" normalised to "123" (pandas "string" dtype)."""
    return per_unique(raw, _text, pd.NA).astype("string")


def code_values(raw: pd.Series) -> pd.Series:
    """Codes trimmed and upper-cased, <NA> when blank (pandas "string" dtype)."""
    return per_unique(raw, lambda v: _text(v).str.upper(), pd.NA).astype("string")


def _dates(values: pd.Series) -> pd.Series:
    values = values.str.strip().fillna("").str.replace(_ISO_MIDNIGHT, r"\1", regex=True)
    blank = values == ""
    dates = pd.to_datetime(values.where(~blank), format="%d/%m/%Y", errors="coerce")
    todo = dates.isna() & ~blank
    if todo.any():
        iso = pd.to_datetime(values[todo], format="%Y-%m-%d", errors="coerce")
        dates = dates.where(~todo, iso)
    return dates.astype("datetime64[ns]")


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse dd/mm/YYYY or ISO YYYY-MM-DD dates (mixed allowed).

    Returns the dates (datetime64[ns], NaT when blank or unreadable) and a boolean mask of the
    cells that were not blank but could not be read.
    """
    dates = per_unique(raw, _dates, pd.NaT).astype("datetime64[ns]")
    return dates, dates.isna() & ~blank_mask(raw)


def showable(value: object, kind: str) -> str | None:
    """`value` (trimmed) if it looks like a `kind` ("code", "date" or "number"), else None.

    Messages quote a bad value only when it has that shape, so that a child's identifier or a
    postcode shifted into another column by a malformed row is never echoed.
    """
    text = str(value).strip()
    return text if _SHOWABLE[kind].match(text) else None


def quote(value: object, kind: str) -> str:
    """`value` quoted for a message if `showable`, else "this value"."""
    shown = showable(value, kind)
    return "this value" if shown is None else repr(shown)


def _bad_rows_text(rows: pd.Series) -> str:
    shown = ", ".join(str(r) for r in rows.iloc[:_SHOW_BAD_ROWS])
    more = f" and {len(rows) - _SHOW_BAD_ROWS} more" if len(rows) > _SHOW_BAD_ROWS else ""
    return f"rows {shown}{more}" if len(rows) > 1 else f"row {shown}"


def _bad_date_message(table: RawTable, column: str, bad: pd.Series) -> str:
    rows = table.frame.loc[bad, ROW_COLUMN]
    first = int(rows.iloc[0])
    shown = (
        ""
        if column in PERSONAL_COLUMNS
        else " " + quote(table.frame.loc[bad, column].iloc[0], "date")
    )
    return (
        f"{table.source}:{first}: {column}: cannot read{shown} as a date; "
        f"expected {DATE_FORMATS_TEXT} ({len(rows)} unreadable in this column: "
        f"{_bad_rows_text(rows)})"
    )


def missing_columns(table: RawTable, required: Iterable[str]) -> list[str]:
    """Required columns absent from the file."""
    return [c for c in required if c not in table.frame.columns]


def require_columns(table: RawTable, required: Iterable[str], kind: str) -> None:
    """Refuse (InputError naming the file) a `kind` table without the `required` columns,
    saying which 903 table it looks like instead (e.g. a header file given as --uasc)."""
    required = tuple(required)
    missing = missing_columns(table, required)
    if missing:
        raise InputError(_missing_columns_message(table, missing, kind, required))


def _missing_columns_message(
    table: RawTable, missing: list[str], kind: str, required: tuple[str, ...] | None = None
) -> str:
    plural = "s" if len(missing) > 1 else ""
    known = [c for c in table.columns if c in _KNOWN_COLUMNS]
    found = ", ".join(known) if known else "no 903 column names (is the header line missing?)"
    needed = required if required is not None else _required_for(kind)
    message = (
        f"{table.source}:1: {', '.join(missing)}: missing required column{plural}; "
        f"a {kind} file needs the columns {', '.join(needed)} (found: {found})"
    )
    guess = classify_columns(table.columns)
    if guess and guess != kind:
        message += f"; this looks like a {guess} file"
    separators = [
        name for sep, name in ((";", "semicolons"), ("\t", "tabs")) if sep in "".join(table.columns)
    ]
    if len(table.columns) == 1 and separators:
        message += f"; the header line is separated by {separators[0]}, expected commas"
    return message


def _required_for(kind: str) -> tuple[str, ...]:
    return EPISODE_REQUIRED_COLUMNS if kind == "episodes" else HEADER_REQUIRED_COLUMNS


# --- canonical frames -----------------------------------------------------------------------


def canonical_episodes(table: RawTable, strict: bool = True) -> pd.DataFrame:
    """Convert a raw episodes file to the canonical frame (+ ``_source``, ``_row``).

    With `strict`, a missing required column, an unreadable date or an unreadable PL_DISTANCE
    raises InputError; otherwise missing columns are blank and unreadable values NaT/NaN.
    """
    frame = table.frame
    missing = missing_columns(table, EPISODE_REQUIRED_COLUMNS)
    if strict and missing:
        raise InputError(_missing_columns_message(table, missing, "episodes"))
    errors: list[str] = []
    out: dict[str, pd.Series] = {}
    for column in (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS):
        raw = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        if column in EPISODE_DATE_COLUMNS:
            out[column], bad = parse_dates(raw)
            if bad.any():
                errors.append(_bad_date_message(table, column, bad))
        elif column == "PL_DISTANCE":
            out[column], bad = parse_distance(raw)
            if bad.any():
                rows = frame.loc[bad, ROW_COLUMN]
                errors.append(
                    f"{table.source}:{int(rows.iloc[0])}: PL_DISTANCE: cannot read "
                    f"{quote(frame.loc[bad, column].iloc[0], 'number')} as a distance; expected a "
                    f"number of miles ({len(rows)} unreadable: {_bad_rows_text(rows)})"
                )
        elif column in EPISODE_CODE_COLUMNS:
            out[column] = code_values(raw)
        else:
            out[column] = text_values(raw)
    if strict and errors:
        raise InputError("\n".join(errors))
    return _with_bookkeeping(pd.DataFrame(out, index=frame.index), table)


def parse_distance(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """PL_DISTANCE as float64 miles (NaN when blank) and a mask of unreadable cells."""

    def convert(values: pd.Series) -> pd.Series:
        text = values.str.strip()
        numbers = pd.to_numeric(text.mask(text == ""), errors="coerce").astype("float64")
        return numbers.where(np.isfinite(numbers))

    values = per_unique(raw, convert, np.nan).astype("float64")
    return values, values.isna() & ~blank_mask(raw)


def canonical_header(table: RawTable, strict: bool = True) -> pd.DataFrame:
    """Convert a raw header file to the canonical frame (+ ``_source``, ``_row``).

    With `strict`, a missing CHILD or DOB column or an unreadable DOB/MC_DOB raises InputError
    (without quoting the value); otherwise those cells become NaT.
    """
    frame = table.frame
    missing = missing_columns(table, HEADER_REQUIRED_COLUMNS)
    if strict and missing:
        raise InputError(_missing_columns_message(table, missing, "header"))
    errors: list[str] = []
    out: dict[str, pd.Series] = {}
    for column in HEADER_COLUMNS:
        raw = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        if column in HEADER_DATE_COLUMNS:
            out[column], bad = parse_dates(raw)
            if bad.any():
                errors.append(_bad_date_message(table, column, bad))
        elif column in ("SEX", "ETHNIC"):
            out[column] = code_values(raw)
        elif column in ("CHILD", "MOTHER"):
            out[column] = text_values(raw)
        else:
            out[column] = raw.astype("string").str.strip().replace("", pd.NA).astype("string")
    if strict and errors:
        raise InputError("\n".join(errors))
    return _with_bookkeeping(pd.DataFrame(out, index=frame.index), table)


def _with_bookkeeping(frame: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    frame[SOURCE_COLUMN] = pd.Series(table.source, index=frame.index, dtype="string")
    frame[ROW_COLUMN] = table.frame[ROW_COLUMN].astype("int64")
    return frame


def return_year(episodes: pd.DataFrame) -> int | None:
    """The collection year of a return: that of its latest DECOM (as the SF model does).

    DEC is not used: returns sometimes hold a DEC of 1 April just after the year.
    """
    latest = episodes["DECOM"].max()
    return collection_year(latest) if pd.notna(latest) else None


def _episodes_return_key(frame: pd.DataFrame, source: str) -> tuple[int, int, str]:
    return (return_year(frame) or 0, _year_in_name(source), source)


def _year_in_name(source: str) -> int:
    years = _YEAR_IN_NAME.findall(source)
    return int(years[-1]) if years else 0


def concat_frames(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    """Concatenate canonical frames, keeping the dtypes of `columns` stable."""
    if not frames:
        raise ValueError("no frames to concatenate")
    combined = pd.concat(frames, ignore_index=True)
    return combined[[*columns, *BOOKKEEPING_COLUMNS]]


def read_episodes(path: str | Path) -> pd.DataFrame:
    """Read the episodes of one CSV, a folder of returns or a zip into one canonical frame.

    Columns: `schema.EPISODE_COLUMNS`, `schema.EPISODE_DERIVED_COLUMNS`, ``_source``, ``_row``.
    Several returns are concatenated oldest first, without de-duplication (see `clean`).
    Raises InputError naming the file, row and column for unreadable input.
    """
    tables = read_raw_tables(path, "episodes")
    frames = [canonical_episodes(t) for t in tables]
    keyed = sorted(
        zip(frames, tables, strict=True), key=lambda p: _episodes_return_key(p[0], p[1].source)
    )
    frames = [f for f, _ in keyed]
    combined = concat_frames(frames, (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS))
    if combined.empty:
        raise InputError(no_rows_message(path, tables, "episode"))
    return combined


def read_header(path: str | Path) -> pd.DataFrame:
    """Read the header (one row per child per return) of one CSV, a folder or a zip.

    Columns: `schema.HEADER_COLUMNS`, ``_source``, ``_row``; several returns concatenated
    oldest first (by the year in the file name). `clean.clean_header` keeps one row per child.
    """
    tables = read_raw_tables(path, "header")
    tables = sorted(tables, key=lambda t: (_year_in_name(t.source), t.source))
    combined = concat_frames([canonical_header(t) for t in tables], HEADER_COLUMNS)
    if combined.empty:
        raise InputError(no_rows_message(path, tables, "header"))
    return combined


def no_rows_message(path: str | Path, tables: list[RawTable], what: str) -> str:
    """The message for a table (or every table of a collection) with no data rows."""
    if len(tables) == 1:
        return f"{tables[0].source}: the file has a header line but no {what} rows"
    return f"{path}: none of the {len(tables)} {what} files has any data rows"
