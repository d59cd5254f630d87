"""Reading a 903 extract for calibration: the frames in canonical columns and types (lenient on
hand-built frames), the collection year of each return, the window an extract covers, the
UASC table, and the cleaned frames the observed indicators are computed from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sufficiency_sim.calibration.window import collection_year_series
from sufficiency_sim.errors import InputError
from sufficiency_sim.ssda903.clean import clean_episodes, clean_header
from sufficiency_sim.ssda903.codes import CONTINUES_EPISODE_REC, collection_year
from sufficiency_sim.ssda903.read import code_values, parse_dates, require_columns, text_values
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, EPISODE_DERIVED_COLUMNS
from sufficiency_sim.ssda903.sources import SOURCE_COLUMN, read_raw_tables

__all__ = [
    "as_codes",
    "as_dates",
    "as_text",
    "canonical_episodes",
    "canonical_header",
    "cleaned_without",
    "default_window",
    "read_uasc",
    "return_years",
    "uasc_children",
]


def as_dates(values: pd.Series) -> pd.Series:
    """Dates (normalised, naive) from dates or 903 text."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(out.dtype, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]").dt.normalize()
    dates, _ = parse_dates(values.astype("string"))
    return dates


def as_codes(values: pd.Series) -> pd.Series:
    """903 codes (trimmed, upper case; <NA> when blank)."""
    return code_values(values.astype("string"))


def as_text(values: pd.Series) -> pd.Series:
    """Trimmed text (<NA> when blank)."""
    return text_values(values.astype("string"))


def canonical_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """A copy with every canonical column present and typed (lenient on hand-built frames)."""
    n = len(episodes)
    out: dict[str, pd.Series] = {}
    for column in (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS):
        if column in episodes.columns:
            raw = episodes[column]
        else:
            raw = pd.Series([pd.NA] * n, index=episodes.index, dtype="object")
        if column in ("DECOM", "DEC"):
            out[column] = as_dates(raw)
        elif column == "PL_DISTANCE":
            out[column] = pd.to_numeric(raw, errors="coerce").astype("float64")
        elif column in ("CHILD", "HOME_POST", "PL_POST", "URN"):
            out[column] = as_text(raw)
        else:
            out[column] = as_codes(raw)
    frame = pd.DataFrame(out, index=episodes.index)
    if SOURCE_COLUMN in episodes.columns:
        frame[SOURCE_COLUMN] = episodes[SOURCE_COLUMN].astype("string")
    return frame.reset_index(drop=True)


def canonical_header(header: pd.DataFrame) -> pd.DataFrame:
    """A header frame as CHILD (text), SEX (code) and DOB (date)."""
    n = len(header)
    child = header["CHILD"] if "CHILD" in header.columns else pd.Series([pd.NA] * n)
    dob = header["DOB"] if "DOB" in header.columns else pd.Series([pd.NA] * n)
    sex = header["SEX"] if "SEX" in header.columns else pd.Series([pd.NA] * n)
    return pd.DataFrame(
        {
            "CHILD": as_text(child).to_numpy(),
            "SEX": as_codes(sex).to_numpy(),
            "DOB": as_dates(dob).to_numpy(),
        }
    )


def return_years(episodes: pd.DataFrame) -> pd.Series | None:
    """The collection year of each row's return (by its file's latest DECOM), or None when the
    frame holds fewer than two returns."""
    if SOURCE_COLUMN not in episodes.columns:
        return None
    source = episodes[SOURCE_COLUMN].astype("string").fillna("")
    latest = episodes.groupby(source, sort=False)["DECOM"].transform("max")
    years = collection_year_series(latest)
    if years.dropna().nunique() < 2:
        return None
    return years


def default_window(episodes: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window an extract covers in whole collection years: (1 April, 31 March).

    With several returns (``_source`` naming two or more files, whose collection year is that
    of their latest DECOM, as `ssda903.read` orders them): from 1 April of the first return's
    year to 31 March of the last's. With one file (a single return, or a multi-year extract
    such as the model's history): from 1 April of the collection year of the earliest exit from
    care (a DEC whose REC is not X1; the earliest DECOM when there is none), to the last
    31 March on or before the latest date, a latest date in March counting as reaching the
    31 March after it (an extract rarely records an event on the very last day).
    """
    frame = canonical_episodes(episodes)
    frame = frame.loc[frame["DECOM"].notna()]
    if frame.empty:
        raise InputError("no episode has a start date (DECOM): cannot choose a window")
    years = return_years(frame)
    if years is not None:
        first, last = int(years.min()), int(years.max())
    else:
        rec = frame["REC"].fillna("")
        exits = frame.loc[frame["DEC"].notna() & (rec != CONTINUES_EPISODE_REC), "DEC"]
        earliest = exits.min() if len(exits) else frame["DECOM"].min()
        first = collection_year(earliest)
        latest = frame["DECOM"].max()
        if frame["DEC"].notna().any():
            latest = max(latest, frame["DEC"].max())
        last = latest.year if latest.month == 3 else collection_year(latest) - 1
        last = max(first, last)
    return pd.Timestamp(first - 1, 4, 1), pd.Timestamp(last, 3, 31)


def read_uasc(path: str | Path) -> pd.DataFrame | None:
    """The UASC table(s) of a return file, folder or zip: ``CHILD`` (text), ``SEX``, ``DOB`` and
    ``DUC`` (dates), or None when a folder or zip holds no UASC file."""
    try:
        tables = read_raw_tables(path, "uasc")
    except InputError as exc:
        if "no uasc file found" in str(exc):
            return None
        raise
    frames = []
    for table in tables:
        require_columns(table, ("CHILD", "DUC"), "uasc")
        raw = table.frame
        column = {c: raw[c] if c in raw.columns else pd.Series("", index=raw.index) for c in raw}
        blank = pd.Series("", index=raw.index)
        frames.append(
            pd.DataFrame(
                {
                    "CHILD": text_values(column.get("CHILD", blank)),
                    "SEX": code_values(column.get("SEX", blank)),
                    "DOB": parse_dates(column.get("DOB", blank))[0],
                    "DUC": parse_dates(column.get("DUC", blank))[0],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def uasc_children(uasc: pd.DataFrame | None) -> set[str]:
    """The CHILD values of a UASC table (empty when there is none)."""
    if uasc is None or len(uasc) == 0 or "CHILD" not in uasc.columns:
        return set()
    return set(as_text(uasc["CHILD"]).dropna().tolist())


def cleaned_without(
    episodes: pd.DataFrame, header: pd.DataFrame, uasc: pd.DataFrame | None, exclude_uasc: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cleaned frames the observed indicators are computed from, without UASC children when
    they are excluded from the calibration."""
    clean, _ = clean_episodes(episodes)
    head, _ = clean_header(header)
    if exclude_uasc and uasc is not None:
        children = uasc_children(uasc)
        clean = clean[~clean["CHILD"].isin(children)]
        head = head[~head["CHILD"].isin(children)]
    return clean, head
