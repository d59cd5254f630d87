"""Check 903 episodes and header returns and list every problem found, without stopping.

Each `Problem` names the file, the CSV line (``row``; 1 is the header line) and the column, and
never quotes a value from a personal column (CHILD, DOB, UPN, MOTHER, MC_DOB, postcodes): rows
are referred to by line number only. Severities: ``error`` (the return is wrong; the exit
status of ``validate-903`` is 1), ``warning`` (suspicious or tolerated by the indicators) and
``info``.

Checks on each episodes file: required columns, unreadable dates and distances, blank CHILD,
DECOM or required codes, unknown codes for the collection year of the episode's DECOM (the
year ending on the 31 March after it, `codes.valid_codes`), DEC before DECOM, zero-length
episodes, REC without DEC and DEC without REC, duplicated (CHILD, DECOM), short breaks (LS
V3/V4, one note per file), dates in the future. Across files, after merging the returns like
`clean`: episodes that overlap the child's next one, X1 episodes not followed by an episode
starting on their DEC, open episodes missing from later returns, returns that disagree on an
episode's DEC, episodes
starting before the child's birth, and children missing from the header. Header files:
required columns, unreadable dates, blank CHILD or DOB, duplicated CHILD, unknown SEX codes.

Missing files, empty or non-CSV files raise InputError (the input cannot be read at all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.ssda903 import codes
from sufficiency_sim.ssda903.problems import (
    ERROR,
    INFO,
    WARNING,
    Problem,
    problems_at,
    year_text,
)
from sufficiency_sim.ssda903.read import (
    canonical_episodes,
    canonical_header,
    concat_frames,
    missing_columns,
    no_rows_message,
    parse_dates,
    parse_distance,
    quote,
    showable,
)
from sufficiency_sim.ssda903.rules_across import (
    conflicting_returns,
    header_link_problems,
    sequence_problems,
)
from sufficiency_sim.ssda903.schema import (
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
    DATE_FORMATS_TEXT,
    ROW_COLUMN,
    SOURCE_COLUMN,
    RawTable,
    blank_mask,
    read_raw_tables,
)

_REQUIRED_CODES = ("RNE", "LS", "PLACE")
_MAX_LISTED_CODES = 40


# --- one episodes file ----------------------------------------------------------------------


def _column_problems(
    table: RawTable, required: tuple[str, ...], expected: tuple[str, ...], what: str
) -> list[Problem]:
    problems = [
        Problem(
            table.source,
            1,
            c,
            f"missing required column; a {what} file needs {', '.join(required)}",
            kind="missing-column",
        )
        for c in missing_columns(table, required)
    ]
    problems += [
        Problem(
            table.source,
            1,
            c,
            "column is missing (not needed for the indicators)",
            severity=WARNING,
            kind="missing-column",
        )
        for c in expected
        if c not in required and c not in table.frame.columns
    ]
    if table.frame.empty:
        problems.append(
            Problem(table.source, None, None, "no data rows", severity=WARNING, kind="no-rows")
        )
    return problems


def _date_problems(table: RawTable, columns: Iterable[str]) -> list[Problem]:
    problems: list[Problem] = []
    frame = table.frame
    for column in columns:
        if column not in frame.columns:
            continue
        _, bad = parse_dates(frame[column])
        for row, value in zip(frame.loc[bad, ROW_COLUMN], frame.loc[bad, column], strict=True):
            shown = "" if column in PERSONAL_COLUMNS else " " + quote(value, "date")
            problems.append(
                Problem(
                    table.source,
                    int(row),
                    column,
                    f"cannot read{shown} as a date; expected {DATE_FORMATS_TEXT}",
                    value=showable(value, "date"),
                    kind="bad-date",
                )
            )
    return problems


def _code_message(column: str, code: str, year: int | None) -> str:
    shown = quote(code, "code")
    if year is None:
        return f"unknown code {shown}; expected a {column} code (DECOM unreadable)"
    if column == "PLACE" and code == "K3" and year < codes.K3_FROM_YEAR:
        return f"code 'K3' is only valid from 2024/25 (episode starts in {year_text(year)})"
    if column == "PLACE" and code in {"H5", "P2", "Z1"} and year >= codes.Z1_SPLIT_YEAR:
        return f"code {code!r} is not valid from 2025/26 (episode starts in {year_text(year)})"
    if column == "PLACE" and code in {"Z11", "Z12", "Z13", "Z14"} and year < codes.Z1_SPLIT_YEAR:
        return f"code {code!r} is only valid from 2025/26 (episode starts in {year_text(year)})"
    valid = sorted(codes.valid_codes(column, year))
    listed = ", ".join(valid[:_MAX_LISTED_CODES])
    return f"unknown code {shown} for {year_text(year)}; expected one of {listed}"


def _unknown_codes(frame: pd.DataFrame, years: pd.Series) -> list[Problem]:
    problems: list[Problem] = []
    for column in codes.CODED_FIELDS:
        values = frame[column]
        for year in [*years.dropna().unique().tolist(), None]:
            in_year = years.isna() if year is None else years == year
            valid = codes.all_codes(column) if year is None else codes.valid_codes(column, year)
            bad = in_year.fillna(False) & values.notna() & ~values.isin(list(valid))
            for row, source, code in zip(
                frame.loc[bad, ROW_COLUMN],
                frame.loc[bad, SOURCE_COLUMN],
                frame.loc[bad, column],
                strict=True,
            ):
                problems.append(
                    Problem(
                        str(source),
                        int(row),
                        column,
                        _code_message(column, str(code), None if year is None else int(year)),
                        value=showable(code, "code"),
                        kind="unknown-code",
                    )
                )
    return problems


def _blank_problems(table: RawTable, frame: pd.DataFrame) -> list[Problem]:
    raw = table.frame
    present = set(raw.columns)
    problems: list[Problem] = []
    for column in ("CHILD", "DECOM"):
        if column in present:
            problems += problems_at(
                frame,
                blank_mask(raw[column]),
                column,
                "blank; the row is left out (cleaning drops rows without CHILD or DECOM)",
                kind="blank-value",
            )
    for column in _REQUIRED_CODES:
        if column in present:
            problems += problems_at(
                frame,
                frame[column].isna(),
                column,
                f"blank; expected a {column} code",
                kind="blank-value",
            )
    if "CIN" in present:
        problems += problems_at(
            frame, frame["CIN"].isna(), "CIN", "blank; expected a CIN code", WARNING, "blank-value"
        )
    if "PLACE_PROVIDER" in present:
        needs = frame["PLACE"].notna() & ~frame["PLACE"].isin(
            list(codes.PROVIDER_NOT_REQUIRED_PLACES)
        )
        problems += problems_at(
            frame,
            needs & frame["PLACE_PROVIDER"].isna(),
            "PLACE_PROVIDER",
            "blank; expected a provider code for this PLACE",
            WARNING,
            "blank-value",
        )
    return problems


def _episode_value_problems(table: RawTable, frame: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    raw = table.frame
    if "PL_DISTANCE" in raw.columns:
        _, bad = parse_distance(raw["PL_DISTANCE"])
        problems += problems_at(
            frame, bad, "PL_DISTANCE", "cannot read as a number of miles", kind="bad-value"
        )
        problems += problems_at(
            frame, frame["PL_DISTANCE"] < 0, "PL_DISTANCE", "negative distance", kind="bad-value"
        )
    today = pd.Timestamp.today().normalize()
    for column in EPISODE_DATE_COLUMNS:
        problems += problems_at(
            frame, frame[column] > today, column, "date is in the future", WARNING, "future-date"
        )
    backwards = frame["DEC"] < frame["DECOM"]
    problems += problems_at(
        frame,
        backwards,
        "DEC",
        "DEC is before DECOM; the episode is left out",
        kind="dec-before-decom",
    )
    problems += problems_at(
        frame,
        frame["DEC"] == frame["DECOM"],
        "DEC",
        "DEC equals DECOM: the episode covers no day",
        WARNING,
        "zero-length",
    )
    if "REC" in raw.columns and "DEC" in raw.columns:
        dec_set = ~blank_mask(raw["DEC"])
        problems += problems_at(
            frame,
            frame["REC"].notna() & ~dec_set,
            "REC",
            "REC given for an open episode (DEC blank)",
            WARNING,
            "rec-without-dec",
        )
        problems += problems_at(
            frame,
            frame["REC"].isna() & frame["DEC"].notna(),
            "REC",
            "blank for a closed episode; counted as leaving care",
            WARNING,
            "dec-without-rec",
        )
    return problems


def _duplicate_problems(frame: pd.DataFrame) -> list[Problem]:
    usable = frame["CHILD"].notna() & frame["DECOM"].notna()
    keyed = frame.loc[usable]
    repeated = keyed.duplicated(["CHILD", "DECOM"], keep="first")
    first_row = keyed.groupby(["CHILD", "DECOM"])[ROW_COLUMN].transform("first")
    return [
        Problem(
            str(source),
            int(row),
            "DECOM",
            f"same CHILD and DECOM as row {int(first)}",
            kind="duplicate",
        )
        for source, row, first in zip(
            keyed.loc[repeated, SOURCE_COLUMN],
            keyed.loc[repeated, ROW_COLUMN],
            first_row[repeated],
            strict=True,
        )
    ]


def _short_break_note(frame: pd.DataFrame) -> list[Problem]:
    short = frame["LS"].isin(list(codes.SHORT_BREAK_LS))
    if not short.any():
        return []
    first = int(frame.loc[short, ROW_COLUMN].iloc[0])
    return [
        Problem(
            str(frame[SOURCE_COLUMN].iloc[0]),
            first,
            "LS",
            f"{int(short.sum())} short-break episode(s) (LS V3/V4), first at this row; "
            "the indicators leave them out",
            severity=INFO,
            kind="short-break",
        )
    ]


def episodes_file_problems(table: RawTable) -> tuple[list[Problem], pd.DataFrame]:
    """Problems of one episodes file, and its canonical frame (unreadable values blank)."""
    problems = _column_problems(table, EPISODE_REQUIRED_COLUMNS, (*EPISODE_COLUMNS,), "episodes")
    frame = canonical_episodes(table, strict=False)
    problems += _date_problems(table, EPISODE_DATE_COLUMNS)
    problems += _blank_problems(table, frame)
    problems += _unknown_codes(frame, codes.collection_years(frame["DECOM"]))
    problems += _episode_value_problems(table, frame)
    problems += _duplicate_problems(frame)
    problems += _short_break_note(frame)
    return problems, frame


# --- header files ---------------------------------------------------------------------------


def header_file_problems(table: RawTable) -> tuple[list[Problem], pd.DataFrame]:
    """Problems of one header file, and its canonical frame (unreadable dates NaT)."""
    problems = _column_problems(table, HEADER_REQUIRED_COLUMNS, HEADER_COLUMNS, "header")
    frame = canonical_header(table, strict=False)
    problems += _date_problems(table, HEADER_DATE_COLUMNS)
    raw = table.frame
    if "CHILD" in raw.columns:
        problems += problems_at(frame, frame["CHILD"].isna(), "CHILD", "blank", kind="blank-value")
        repeated = frame["CHILD"].notna() & frame["CHILD"].duplicated(keep="first")
        problems += problems_at(
            frame, repeated, "CHILD", "child already listed in this file", kind="duplicate"
        )
    if "DOB" in raw.columns:
        problems += problems_at(
            frame,
            blank_mask(raw["DOB"]),
            "DOB",
            "blank; the child is left out of the long-term stability measure",
            WARNING,
            "blank-value",
        )
    if "SEX" in raw.columns:
        bad = frame["SEX"].notna() & ~frame["SEX"].isin(list(codes.SEX_CODES))
        for row, value in zip(frame.loc[bad, ROW_COLUMN], frame.loc[bad, "SEX"], strict=True):
            problems.append(
                Problem(
                    table.source,
                    int(row),
                    "SEX",
                    f"unknown code {quote(value, 'code')}; expected one of "
                    f"{', '.join(sorted(codes.SEX_CODES))}",
                    value=showable(value, "code"),
                    kind="unknown-code",
                )
            )
    return problems, frame


# --- entry point ----------------------------------------------------------------------------


def validate_903(episodes_path: str | Path, header_path: str | Path) -> list[Problem]:
    """Check an episodes return and a header return (files, folders or zips).

    Returns every problem found, ordered by file then row. Raises InputError only when a file
    cannot be read at all (missing, empty, not a CSV, malformed CSV rows, no such table).
    """
    episode_tables = read_raw_tables(episodes_path, "episodes")
    header_tables = read_raw_tables(header_path, "header")
    for path, tables, what in (
        (episodes_path, episode_tables, "episode"),
        (header_path, header_tables, "header"),
    ):
        if all(t.frame.empty for t in tables):  # as `read_episodes` refuses it for indicators
            raise InputError(no_rows_message(path, tables, what))
    problems: list[Problem] = []
    frames = []
    for table in episode_tables:
        found, frame = episodes_file_problems(table)
        problems += found
        frames.append(frame)
    episodes = concat_frames(frames, (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS))
    problems += conflicting_returns(episodes)
    problems += sequence_problems(episodes)
    header_frames = []
    for table in header_tables:
        found, frame = header_file_problems(table)
        problems += found
        header_frames.append(frame)
    header = concat_frames(header_frames, HEADER_COLUMNS)
    if any("CHILD" in t.frame.columns for t in header_tables):
        problems += header_link_problems(episodes, header)
    return _sorted(problems, [t.source for t in (*episode_tables, *header_tables)])


def _sorted(problems: list[Problem], sources: list[str]) -> list[Problem]:
    order = {s: i for i, s in enumerate(sources)}
    columns = {c: i for i, c in enumerate((*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS))}
    columns.update({c: i for i, c in enumerate(HEADER_COLUMNS) if c not in columns})
    return sorted(
        problems,
        key=lambda p: (
            order.get(p.file, len(order)),
            p.file,
            p.row or 0,
            columns.get(p.column or "", -1),
        ),
    )


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any problem has severity ``error``."""
    return any(p.severity == ERROR for p in problems)


def summary(problems: list[Problem]) -> str:
    """A short count of the problems by severity and kind (no values)."""
    by_severity = Counter(p.severity for p in problems)
    if not problems:
        return "no problems found"
    head = (
        f"{len(problems)} problem(s): {by_severity[ERROR]} error(s), "
        f"{by_severity[WARNING]} warning(s), {by_severity[INFO]} note(s)"
    )
    kinds = Counter((p.severity, p.kind) for p in problems)
    lines = [f"  {sev:<7} {kind:<26} {n:>6}" for (sev, kind), n in sorted(kinds.items())]
    return "\n".join([head, *lines])


__all__ = [
    "ERROR",
    "INFO",
    "WARNING",
    "Problem",
    "episodes_file_problems",
    "has_errors",
    "header_file_problems",
    "summary",
    "validate_903",
]
