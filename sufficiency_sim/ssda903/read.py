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

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.files.csvcheck import check_structure
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

SOURCE_COLUMN = "_source"
ROW_COLUMN = "_row"
BOOKKEEPING_COLUMNS: tuple[str, ...] = (SOURCE_COLUMN, ROW_COLUMN)

DATE_FORMATS_TEXT = "dd/mm/YYYY or YYYY-MM-DD"

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": EPISODE_COLUMNS,
    "header": HEADER_COLUMNS,
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "dolo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}
"""Columns of each 903 table, used to recognise a file's table."""

_NAME_HINTS: dict[str, str] = {
    "episodes": r"(?<!sw_)(?<!sw)episode",
    "header": r"header",
    "uasc": r"uasc",
    "reviews": r"review",
    "oc2": r"oc2",
    "oc3": r"oc3",
    "ad1": r"ad1",
    "placed_for_adoption": r"placed",
    "previous_permanence": r"perm",
    "missing": r"missing",
    "sw_episodes": r"sw_?episode",
    "dolo": r"dolo",
}

_KNOWN_COLUMNS = frozenset(c for cols in TABLE_COLUMNS.values() for c in cols) | frozenset(
    EPISODE_DERIVED_COLUMNS
)
_MIN_TABLE_SCORE = 0.4
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NUMBER_DOT_ZERO = re.compile(r"^(\d+)\.0+$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?$")
_SHOW_BAD_ROWS = 5
_SHOWABLE: dict[str, re.Pattern[str]] = {
    "code": re.compile(r"^(\d{1,2}|[A-Z]{1,6}\d{0,2}[A-Z]?)$"),
    "date": re.compile(r"^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([ T][\d:.]+)?|[A-Za-z]{1,12})$"),
    "number": re.compile(r"^([-+]?[\d.,]{1,12}|[A-Za-z]{1,12})$"),
}


@dataclass(frozen=True)
class RawTable:
    """One CSV file as read: text cells (untrimmed), upper-cased column names and ``_row``."""

    source: str
    table: str
    frame: pd.DataFrame

    @property
    def columns(self) -> tuple[str, ...]:
        """The file's columns (upper-cased, without ``_row``)."""
        return tuple(c for c in self.frame.columns if c != ROW_COLUMN)


@dataclass(frozen=True)
class _Source:
    name: str
    load: Callable[[], bytes]


# --- locating and decoding files ------------------------------------------------------------


def _file_source(path: Path) -> _Source:
    def load() -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None

    return _Source(str(path), load)


def _zip_sources(path: Path) -> list[_Source]:
    try:
        archive = zipfile.ZipFile(path)
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: cannot open the zip archive ({exc})") from None

    def loader(member: str) -> Callable[[], bytes]:
        return lambda: archive.read(member)

    members = sorted(
        n
        for n in names
        if n.lower().endswith(".csv")
        and not any(part.startswith((".", "__MACOSX")) for part in n.split("/"))
    )
    return [_Source(f"{path}:{m}", loader(m)) for m in members]


def _folder_sources(path: Path) -> list[_Source]:
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() == ".csv"
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    return [_file_source(p) for p in files]


def _looks_like_excel(data: bytes) -> bool:
    return data.startswith(b"\xd0\xcf\x11\xe0") or (
        data.startswith(b"PK\x03\x04") and b"xl/" in data[:4096]
    )


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None
    return head.startswith(b"PK\x03\x04") and not _looks_like_excel(head)


def _decode(data: bytes, source: str) -> str:
    """Decode a CSV's bytes, refusing empty and binary files with a clear message."""
    if not data.strip():
        raise InputError(f"{source}: the file is empty; expected a CSV file with a header line")
    head = data[:8192]
    if _looks_like_excel(head):
        raise InputError(
            f"{source}: not a CSV file: it looks like an Excel workbook; "
            "save the sheet as CSV (comma-separated) and give that file"
        )
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\x1f\x8b")):
        raise InputError(f"{source}: not a CSV file: it holds binary data; expected a text CSV")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _first_line_columns(text: str) -> tuple[str, ...]:
    first = next(csv.reader(io.StringIO(text)), [])
    return tuple(_normalise_column_name(c) for c in first)


def _normalise_column_name(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").strip().upper()


def _parse_csv(text: str, source: str, table: str) -> RawTable:
    """Parse CSV text into a `RawTable`, numbering rows by their CSV line.

    Refuses (InputError by file and line) a column named twice and a row with fewer or more
    fields than the header (`csvcheck.check_structure`)."""
    check_structure(text, source, _normalise_column_name)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{source}: the file is empty; expected a CSV file with a header line"
        ) from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        where = f"{source}:{match.group(1)}" if match else source
        detail = f"{match.group(2)} fields where the header line has fewer" if match else str(exc)
        raise InputError(f"{where}: not a valid CSV row ({detail})") from None
    frame.columns = [_normalise_column_name(c) for c in frame.columns]
    frame = frame.fillna("")
    blank = pd.concat([blank_mask(frame[c]) for c in frame.columns], axis=1).all(axis=1)
    frame[ROW_COLUMN] = pd.RangeIndex(2, len(frame) + 2)
    frame = frame.loc[~blank].reset_index(drop=True)
    return RawTable(source=source, table=table, frame=frame)


# --- recognising tables ---------------------------------------------------------------------


def classify_columns(columns: Iterable[str], name: str = "") -> str | None:
    """The 903 table a file with these columns holds, or None when it matches none.

    The score is the Jaccard overlap of the column sets, plus 0.5 when the file name names the
    table; the best score wins if it reaches 0.4.
    """
    cols = {_normalise_column_name(c) for c in columns} - {""}
    lowered = Path(name).name.lower() if name else ""
    best, best_score = None, 0.0
    for table, table_cols in TABLE_COLUMNS.items():
        wanted = set(table_cols)
        score = len(cols & wanted) / len(cols | wanted) if cols else 0.0
        if lowered and re.search(_NAME_HINTS[table], lowered):
            score += 0.5
        if score > best_score:
            best, best_score = table, score
    return best if best_score >= _MIN_TABLE_SCORE else None


def _sources(path: Path) -> tuple[list[_Source], bool]:
    """The CSV sources under `path` and whether `path` is a collection (folder or zip)."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return _folder_sources(path), True
    if _is_zip(path):
        return _zip_sources(path), True
    return [_file_source(path)], False


def read_raw_tables(path: str | Path, table: str) -> list[RawTable]:
    """Read the CSV files under `path` that hold `table` ("episodes" or "header"), unconverted.

    A single file is taken as `table` whatever its columns. In a folder or zip, files are
    recognised by their columns (`classify_columns`); empty or binary ``.csv`` files are
    skipped unless their name names `table`. Raises InputError for a missing path,
    an empty or non-CSV file, a malformed CSV row, or a collection with no `table` file.
    """
    path = Path(path)
    sources, collection = _sources(path)
    if not collection:
        source = sources[0]
        return [_parse_csv(_decode(source.load(), source.name), source.name, table)]
    found: list[RawTable] = []
    for source in sources:
        try:
            text = _decode(source.load(), source.name)
        except InputError:
            # an empty or binary file can only be skipped if its name is not the table's
            if re.search(_NAME_HINTS[table], Path(source.name).name.lower()):
                raise
            continue
        if classify_columns(_first_line_columns(text), source.name) == table:
            found.append(_parse_csv(text, source.name, table))
    if not found:
        raise InputError(_nothing_found_message(path, table, len(sources)))
    return found


def _nothing_found_message(path: Path, table: str, n_csv: int) -> str:
    message = (
        f"{path}: no {table} file found among {n_csv} CSV file(s); "
        f"a {table} file has the columns {', '.join(TABLE_COLUMNS[table])}"
    )
    if path.is_dir():
        excel = [p for p in path.rglob("*") if p.suffix.lower() in (".xlsx", ".xls")]
        if excel:
            message += f" ({len(excel)} Excel file(s) found: save them as CSV)"
    return message


# --- converting cells -----------------------------------------------------------------------


def _per_unique(
    raw: pd.Series, convert: Callable[[pd.Series], pd.Series], missing: object
) -> pd.Series:
    """Apply `convert` to the distinct values of `raw` only and spread the results back.

    Much faster than string methods on every cell; `missing` is the result for <NA> cells.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    converted = convert(pd.Series(uniques, dtype="string")).reset_index(drop=True)
    if (codes < 0).any():
        n = len(converted)
        converted = converted.reindex(range(n + 1), fill_value=missing)
        codes = np.where(codes < 0, n, codes)
    result = converted.take(codes)
    result.index = raw.index
    return result


def _blank(values: pd.Series) -> pd.Series:
    return (values.str.strip() == "").astype(bool)


def blank_mask(raw: pd.Series) -> pd.Series:
    """True where a raw cell is blank (empty or spaces only)."""
    return _per_unique(raw, _blank, True).astype(bool)


def _text(values: pd.Series) -> pd.Series:
    values = values.str.strip().str.replace(_NUMBER_DOT_ZERO, r"\1", regex=True)
    return values.mask(values == "").astype("string")


def text_values(raw: pd.Series) -> pd.Series:
    """Trimmed text, <NA> when blank, "123.0" normalised to "123" (pandas "string" dtype)."""
    return _per_unique(raw, _text, pd.NA).astype("string")


def code_values(raw: pd.Series) -> pd.Series:
    """Codes trimmed and upper-cased, <NA> when blank (pandas "string" dtype)."""
    return _per_unique(raw, lambda v: _text(v).str.upper(), pd.NA).astype("string")


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
    dates = _per_unique(raw, _dates, pd.NaT).astype("datetime64[ns]")
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

    values = _per_unique(raw, convert, np.nan).astype("float64")
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
