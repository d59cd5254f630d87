"""Find the 903 tables of a return: the CSV files of one file, a folder or a zip archive,
decoded and parsed as text, each assigned to a table (episodes, header) by its columns.

`read_raw_tables` gives the `RawTable`s that `read` turns into canonical frames and `validate`
checks; `classify_columns` is the column-based table assignment (the file name only breaks
ties)."""

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
from sufficiency_sim.ssda903.schema import (
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    UASC_COLUMNS,
)

SOURCE_COLUMN = "_source"
ROW_COLUMN = "_row"
BOOKKEEPING_COLUMNS: tuple[str, ...] = (SOURCE_COLUMN, ROW_COLUMN)

DATE_FORMATS_TEXT = "dd/mm/YYYY or YYYY-MM-DD"

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": EPISODE_COLUMNS,
    "header": HEADER_COLUMNS,
    "uasc": UASC_COLUMNS,
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

_MIN_TABLE_SCORE = 0.4


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


def per_unique(
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
    return per_unique(raw, _blank, True).astype(bool)
