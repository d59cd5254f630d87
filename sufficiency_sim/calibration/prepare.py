"""Turn a multi-year SSDA903 extract into the periods of care and placements of a window.

`prepare` takes the canonical episodes and header frames of `sufficiency_sim.ssda903.read`
(several years' returns concatenated, not cleaned), cleans them, and returns an `Extract`: one
row per period of care that overlaps the window ``[window_start, window_end]`` (both days
inclusive) and one row per placement of those periods, coded in the model's terms (provision
kinds, routes out of care, age bands). Nothing in it identifies a child: children are numbered
``child_key`` 0..n-1 (an internal index, never the CHILD value) and no postcode is kept; the
``dob`` column is for the estimators' arithmetic only and must never be written out.

Rules, applied in this order. Each is counted in ``Extract.rules`` under its name; none stops
the run, whatever the data hold.

``episodes_in``
    Episode rows given.
``short_breaks``
    Episode rows with LS V3/V4 (an agreed series of short breaks) are dropped first, as the
    DfE's statistics and the indicators do.
``missing_child_or_decom``, ``dec_before_decom``, ``duplicates``, ``open_truncated``,
``overlaps_truncated``, ``zero_length``
    The 903 cleaning rules of `sufficiency_sim.ssda903.clean` (merge the overlapping annual
    returns, close an open episode at the child's next DECOM, cut overlaps), counted there.
``header_missing_child``, ``header_duplicates``
    Header rows without CHILD dropped; one header row per child kept (the latest return's).
``stale_open_closed``
    An open episode whose child is absent from every later return of the extract (a child
    looked after on 31 March of year Y is in the return of year Y+1 if still looked after on
    1 April): the last return that holds the child vouches for the child being looked after
    until its 31 March and no further, so the episode is closed on the next day (1 April) with
    an unknown reason, and the period is *censored* there: no exit is invented (the route is
    NA) and the child is not counted as still in care at the window's end. Leaving it open would
    keep a child no return shows in the census and inflate time in care. Applies only when the
    extract holds several returns (the ``_source`` column names the files); a closure that falls
    after ``window_end`` is cut back to open there (the child was looked after at the end).
``episodes_after_window``
    Episodes starting after ``window_end`` are dropped.
``ends_after_window``
    An episode ending after ``window_end`` is made open (DEC, REC and REASON_PLACE_CHANGE
    blank): what happened later is outside the window.
``periods_before_window``
    Periods of care that ended on or before ``window_start`` (no day looked after in the
    window) are dropped. Periods of care join episodes where the earlier one has REC X1 and the
    later starts on its DEC (as the indicators do).
``dob_missing``, ``dob_impossible``
    Periods of a child with no usable DOB in the header, or whose DOB is after the period's
    start or 18 or more years before it, are dropped: age at entry, the age band and the
    18th birthday cannot be known.
``uasc_children``, ``uasc_periods_excluded``
    Children listed in the UASC table (``uasc``) with periods in the window are counted; with
    ``exclude_uasc=True`` their periods are dropped and counted. The periods frame flags them
    (``uasc``) either way.
``left_truncated``
    Periods that started before ``window_start`` are kept and flagged: estimators condition
    them on having lasted until the window started (``entry_days``).
``start_unknown``
    Left-truncated periods whose first episode in the extract is not RNE S: the earlier
    episodes are older than the first return, so the period started earlier than its recorded
    start. Kept with the recorded start (a lower bound on its time in care) and
    ``start_known=False``; the time-in-care fit leaves them out.
``x1_gap``
    Periods whose last episode has REC X1 but no episode follows on its DEC (not an exit from
    care by the code, yet the child is not looked after next): censored at that DEC, route NA.
``rec_unknown``
    Periods ending with a blank or unknown REC: kept, route ``other``.
``ls_unknown``
    Periods whose first LS is blank or not an LS code: kept, ``legal_at_entry`` as found.
``place_unknown``
    Placements with a blank or unknown PLACE code: kept, kind ``other``.
``location_unknown``
    Placements with a blank PL_LOCATION (or a value other than IN/OUT): location NA.
``periods_out``, ``placements_out``, ``children_out``
    What the extract holds.

Window cuts follow the indicators' conventions: intervals are half-open ``[start, end)``, so a
period with ``end == window_start`` was last looked after the day before the window and is
dropped; ``end`` after ``window_end`` means still looked after on ``window_end`` (open).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.measure.indicators import placements_from_episodes
from sufficiency_sim.scenario.census import CENSUS_PLACEMENTS
from sufficiency_sim.ssda903.clean import clean_episodes, clean_header
from sufficiency_sim.ssda903.codes import (
    ADOPTION_PLACES,
    CONTINUES_EPISODE_REC,
    SHORT_BREAK_LS,
    SUPPORTED_PLACES,
    UNPLANNED_REASONS,
    all_codes,
    collection_year,
)
from sufficiency_sim.ssda903.read import (
    SOURCE_COLUMN,
    code_values,
    parse_dates,
    read_raw_tables,
    require_columns,
    text_values,
)
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, EPISODE_DERIVED_COLUMNS
from sufficiency_sim.vocabulary import AGE_BANDS as SCENARIO_AGE_BANDS

__all__ = [
    "AGE_BANDS",
    "KINDS",
    "PERIOD_COLUMNS",
    "PLACEMENT_COLUMNS",
    "ROUTES",
    "RULES",
    "Extract",
    "age_band_of_years",
    "default_window",
    "prepare",
    "read_uasc",
    "uasc_children",
]

AGE_BANDS: tuple[str, ...] = SCENARIO_AGE_BANDS
"""Age bands at entry (completed years): the scenario's."""

ROUTES: tuple[str, ...] = ("return_home", "adoption", "sgo", "cao", "other", "at18")
"""Routes out of care of a period that ended (NA while open or censored)."""

KINDS: tuple[str, ...] = (*CENSUS_PLACEMENTS, "other")
"""Provision kinds of placements, inverting the model's PLACE / PLACE_PROVIDER coding: the
kinds a census child can be in, and "other" for settings the model does not have."""

ENDINGS: tuple[str, ...] = ("unplanned", "planned", "exit", "open")

PERIOD_COLUMNS: tuple[str, ...] = (
    "period_id",
    "child_key",
    "start",
    "end",
    "exit_code",
    "route",
    "dob",
    "age_at_entry_days",
    "age_band",
    "sex",
    "legal_at_entry",
    "days_to_18",
    "left_truncated",
    "entry_days",
    "start_known",
    "censored",
    "uasc",
    "n_placements",
)
PLACEMENT_COLUMNS: tuple[str, ...] = (
    "period_id",
    "child_key",
    "seq",
    "start",
    "end",
    "kind",
    "place",
    "provider",
    "location",
    "distance",
    "reason",
    "ending",
    "age_band",
)

RULES: tuple[tuple[str, str], ...] = (
    ("episodes_in", "episode rows given"),
    ("short_breaks", "episode rows dropped: short breaks (LS V3/V4)"),
    ("missing_child_or_decom", "episode rows dropped: no CHILD or no DECOM"),
    ("dec_before_decom", "episode rows dropped: DEC before DECOM"),
    ("duplicates", "episode rows dropped: same episode in several returns"),
    ("open_truncated", "open episodes closed at the child's next DECOM"),
    ("overlaps_truncated", "episodes cut back to the child's next DECOM"),
    ("zero_length", "episode rows dropped: zero length after cutting"),
    ("header_missing_child", "header rows dropped: no CHILD"),
    ("header_duplicates", "header rows dropped: child in a later return"),
    ("stale_open_closed", "open episodes of children absent from later returns: censored"),
    ("episodes_after_window", "episode rows dropped: start after the window"),
    ("ends_after_window", "episodes ending after the window made open"),
    ("periods_before_window", "periods dropped: ended before the window"),
    ("dob_missing", "periods dropped: no usable DOB"),
    ("dob_impossible", "periods dropped: DOB after the start or 18+ years before it"),
    ("uasc_children", "children in the UASC table with periods in the window"),
    ("uasc_periods_excluded", "periods dropped: UASC children excluded"),
    ("left_truncated", "periods started before the window (kept)"),
    ("start_unknown", "left-truncated periods whose first episode is not RNE S"),
    ("x1_gap", "periods ending with REC X1 and no next episode: censored"),
    ("rec_unknown", "periods ending with a blank or unknown REC: route other"),
    ("ls_unknown", "periods whose first LS is blank or unknown"),
    ("place_unknown", "placements with a blank or unknown PLACE: kind other"),
    ("location_unknown", "placements with no PL_LOCATION"),
    ("periods_out", "periods of care in the extract"),
    ("placements_out", "placements in the extract"),
    ("children_out", "children in the extract"),
)
"""(rule name, description) of every count in ``Extract.rules``, in the order applied."""

_ADOPTION_REC = frozenset({"E11", "E12"})
_SGO_REC = frozenset({"E45", "E46", "E47", "E48"})
_CAO_REC = frozenset({"E41"})
_RETURN_HOME_REC = frozenset({"E4A", "E13"})
_KINSHIP_PLACES = frozenset({"U1", "U2", "U3"})
_FOSTER_PLACES = frozenset({"U4", "U5", "U6"})
_HOME_PLACES = frozenset({"K2", "R1"})
_LOCAL_PROVIDER = "PR1"
_NEAR_MILES = 20.0
_SEX = {"1": 1, "2": 2, "M": 1, "F": 2}


@dataclass(frozen=True)
class Extract:
    """The periods of care and placements of one window of an extract (see the module doc).

    ``periods`` columns: `PERIOD_COLUMNS`; ``placements`` columns: `PLACEMENT_COLUMNS`.
    ``rules``: rule name (`RULES`) -> rows, periods or children it touched.
    """

    periods: pd.DataFrame
    placements: pd.DataFrame
    rules: dict[str, int]
    window_start: pd.Timestamp
    window_end: pd.Timestamp

    def rules_frame(self) -> pd.DataFrame:
        """The rule counts as a table: ``rule``, ``description``, ``count``."""
        described = dict(RULES)
        names = [name for name, _ in RULES] + [n for n in self.rules if n not in described]
        return pd.DataFrame(
            {
                "rule": names,
                "description": [described.get(n, "") for n in names],
                "count": [int(self.rules.get(n, 0)) for n in names],
            }
        )


# --------------------------------------------------------------------------------------------
# Input normalisation


def _as_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(out.dtype, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]").dt.normalize()
    dates, _ = parse_dates(values.astype("string"))
    return dates


def _as_codes(values: pd.Series) -> pd.Series:
    return code_values(values.astype("string"))


def _as_text(values: pd.Series) -> pd.Series:
    return text_values(values.astype("string"))


def _canonical_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """A copy with every canonical column present and typed (lenient on hand-built frames)."""
    n = len(episodes)
    out: dict[str, pd.Series] = {}
    for column in (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS):
        if column in episodes.columns:
            raw = episodes[column]
        else:
            raw = pd.Series([pd.NA] * n, index=episodes.index, dtype="object")
        if column in ("DECOM", "DEC"):
            out[column] = _as_dates(raw)
        elif column == "PL_DISTANCE":
            out[column] = pd.to_numeric(raw, errors="coerce").astype("float64")
        elif column in ("CHILD", "HOME_POST", "PL_POST", "URN"):
            out[column] = _as_text(raw)
        else:
            out[column] = _as_codes(raw)
    frame = pd.DataFrame(out, index=episodes.index)
    if SOURCE_COLUMN in episodes.columns:
        frame[SOURCE_COLUMN] = episodes[SOURCE_COLUMN].astype("string")
    return frame.reset_index(drop=True)


def _canonical_header(header: pd.DataFrame) -> pd.DataFrame:
    n = len(header)
    child = header["CHILD"] if "CHILD" in header.columns else pd.Series([pd.NA] * n)
    dob = header["DOB"] if "DOB" in header.columns else pd.Series([pd.NA] * n)
    sex = header["SEX"] if "SEX" in header.columns else pd.Series([pd.NA] * n)
    return pd.DataFrame(
        {
            "CHILD": _as_text(child).to_numpy(),
            "SEX": _as_codes(sex).to_numpy(),
            "DOB": _as_dates(dob).to_numpy(),
        }
    )


def _return_years(episodes: pd.DataFrame) -> pd.Series | None:
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


def collection_year_series(days: pd.Series) -> pd.Series:
    """The collection year (ending 31 March) of each date; <NA> where missing."""
    years = days.dt.year + np.where(days.dt.month >= 4, 1, 0)
    return years.astype("Int64")


# --------------------------------------------------------------------------------------------
# The window


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
    frame = _canonical_episodes(episodes)
    frame = frame.loc[frame["DECOM"].notna()]
    if frame.empty:
        raise InputError("no episode has a start date (DECOM): cannot choose a window")
    years = _return_years(frame)
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


# --------------------------------------------------------------------------------------------
# Ages


def _completed_years(dob: pd.Series, day: pd.Series) -> pd.Series:
    years = day.dt.year - dob.dt.year
    before = (day.dt.month < dob.dt.month) | (
        (day.dt.month == dob.dt.month) & (day.dt.day < dob.dt.day)
    )
    return years - before.astype("int64")


def _birthday(dob: pd.Series, years: int) -> pd.Series:
    """The `years`-th birthday (29 February -> 1 March in common years, as the model does)."""
    parts = pd.DataFrame({"year": dob.dt.year + years, "month": dob.dt.month, "day": dob.dt.day})
    leap_day = (parts["month"] == 2) & (parts["day"] == 29)
    day = pd.to_datetime(parts.fillna(1).astype("int64"), errors="coerce")
    march = pd.to_datetime(
        pd.DataFrame({"year": parts["year"].fillna(1), "month": 3, "day": 1}).astype("int64"),
        errors="coerce",
    )
    day = day.where(~(leap_day & day.isna()), march)
    return day.where(dob.notna())


def age_band_of_years(years: np.ndarray | pd.Series) -> np.ndarray:
    """Age band ("0", "1-4", "5-9", "10-15", "16-17") of completed years; None outside 0-17."""
    values = np.asarray(years, dtype="float64")
    bands = np.array([None, *AGE_BANDS], dtype=object)
    index = np.select(
        [
            values == 0,
            (values >= 1) & (values <= 4),
            (values >= 5) & (values <= 9),
            (values >= 10) & (values <= 15),
            (values >= 16) & (values <= 17),
        ],
        [1, 2, 3, 4, 5],
        default=0,
    )
    return bands[index]


# --------------------------------------------------------------------------------------------
# UASC


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
    return set(_as_text(uasc["CHILD"]).dropna().tolist())


# --------------------------------------------------------------------------------------------
# prepare


def _close_stale(
    frame: pd.DataFrame, child_last_year: pd.Series, max_year: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Close the open last episode of children absent from every later return (rule doc)."""
    last_of_child = ~frame["CHILD"].duplicated(keep="last").to_numpy()
    last_year = frame["CHILD"].map(child_last_year).astype("float64").to_numpy()
    stale = last_of_child & frame["DEC"].isna().to_numpy() & (last_year < max_year)
    if stale.any():
        close = pd.to_datetime(
            pd.DataFrame({"year": last_year[stale].astype("int64"), "month": 4, "day": 1})
        ).to_numpy()
        decom = frame["DECOM"].to_numpy()[stale]
        close = np.maximum(close, decom + np.timedelta64(1, "D"))
        dec = frame["DEC"].to_numpy().copy()
        dec[stale] = close
        frame["DEC"] = dec
        frame.loc[stale, "REC"] = pd.NA
    return frame, stale


def _empty_extract(rules: dict[str, int], ws: pd.Timestamp, we: pd.Timestamp) -> Extract:
    periods = pd.DataFrame({c: pd.Series(dtype="object") for c in PERIOD_COLUMNS})
    placements = pd.DataFrame({c: pd.Series(dtype="object") for c in PLACEMENT_COLUMNS})
    ordered = {name: int(rules.get(name, 0)) for name, _ in RULES}
    return Extract(_typed_periods(periods), _typed_placements(placements), ordered, ws, we)


def _typed_periods(periods: pd.DataFrame) -> pd.DataFrame:
    return periods.astype(
        {
            "period_id": "int64",
            "child_key": "int64",
            "start": "datetime64[ns]",
            "end": "datetime64[ns]",
            "exit_code": "string",
            "route": "string",
            "dob": "datetime64[ns]",
            "age_at_entry_days": "int64",
            "age_band": "string",
            "sex": "Int64",
            "legal_at_entry": "string",
            "days_to_18": "int64",
            "left_truncated": "bool",
            "entry_days": "int64",
            "start_known": "bool",
            "censored": "bool",
            "uasc": "bool",
            "n_placements": "int64",
        }
    )[list(PERIOD_COLUMNS)]


def _typed_placements(placements: pd.DataFrame) -> pd.DataFrame:
    return placements.astype(
        {
            "period_id": "int64",
            "child_key": "int64",
            "seq": "int64",
            "start": "datetime64[ns]",
            "end": "datetime64[ns]",
            "kind": "string",
            "place": "string",
            "provider": "string",
            "location": "string",
            "distance": "float64",
            "reason": "string",
            "ending": "string",
            "age_band": "string",
        }
    )[list(PLACEMENT_COLUMNS)]


def _route(exit_code: pd.Series, end: pd.Series, birthday18: pd.Series) -> pd.Series:
    code = exit_code.fillna("")
    route = np.select(
        [
            code.isin(_ADOPTION_REC),
            code.isin(_SGO_REC),
            code.isin(_CAO_REC),
            code.isin(_RETURN_HOME_REC),
        ],
        ["adoption", "sgo", "cao", "return_home"],
        default="other",
    ).astype(object)
    route[(end >= birthday18).to_numpy()] = "at18"
    return pd.Series(route, index=exit_code.index, dtype="string")


def _kinds(place: pd.Series, provider: pd.Series, location: pd.Series) -> np.ndarray:
    place = place.fillna("")
    local_provider = provider.fillna("") == _LOCAL_PROVIDER
    inside = location.fillna("") == "in"
    return np.select(
        [
            place.isin(_KINSHIP_PLACES),
            place.isin(_FOSTER_PLACES) & local_provider,
            place.isin(_FOSTER_PLACES),
            place.isin(_HOME_PLACES) & local_provider & inside,
            place.isin(_HOME_PLACES),
            place.isin(SUPPORTED_PLACES),
            place == "P1",
            place.isin(ADOPTION_PLACES),
        ],
        list(CENSUS_PLACEMENTS),
        default="other",
    ).astype(object)


def _locations(pl_location: pd.Series, distance: pd.Series) -> np.ndarray:
    code = pl_location.fillna("")
    out = code == "OUT"
    far = out & distance.notna() & (distance > _NEAR_MILES)
    return np.select([code == "IN", far, out], ["in", "far", "near"], default=None).astype(object)


def prepare(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    window_start: object,
    window_end: object,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
) -> Extract:
    """Clean an extract and cut it to the window (module doc). Never raises on messy data.

    Args:
        episodes, header: canonical frames of `ssda903.read_episodes` / `read_header` (several
            returns concatenated, not cleaned); hand-built frames with the 903 columns as text
            or dates also work.
        window_start, window_end: first and last day of the window (both inclusive), usually
            `default_window`'s.
        uasc: the 903 UASC table (at least ``CHILD``), e.g. from `read_uasc`.
        exclude_uasc: drop the periods of the children in `uasc` (otherwise only count them).
    """
    ws = pd.Timestamp(window_start).normalize()
    we = pd.Timestamp(window_end).normalize()
    if we < ws:
        raise ValueError(f"window_end {we.date()} is before window_start {ws.date()}")
    rules: dict[str, int] = {"episodes_in": len(episodes)}
    frame = _canonical_episodes(episodes)

    # Returns each child appears in, before anything is dropped (for the stale-open rule).
    years = _return_years(frame)
    child_last_year = None
    if years is not None:
        child_last_year = years.groupby(frame["CHILD"].fillna("")).max()
        max_year = int(years.max())

    short = frame["LS"].isin(SHORT_BREAK_LS).fillna(False).to_numpy(dtype=bool)
    rules["short_breaks"] = int(short.sum())
    frame = frame.loc[~short]

    cleaned, report = clean_episodes(frame)
    for name in (
        "missing_child_or_decom",
        "dec_before_decom",
        "duplicates",
        "open_truncated",
        "overlaps_truncated",
        "zero_length",
    ):
        rules[name] = int(getattr(report, name))
    cleaned = cleaned.reset_index(drop=True)

    head, head_report = clean_header(_canonical_header(header))
    rules["header_missing_child"] = int(head_report.header_missing_child)
    rules["header_duplicates"] = int(head_report.header_duplicates)

    stale = np.zeros(len(cleaned), dtype=bool)
    if child_last_year is not None and len(cleaned):
        cleaned, stale = _close_stale(cleaned, child_last_year, max_year)

    # Window end: drop what starts after it, open what ends after it.
    after = (cleaned["DECOM"] > we).to_numpy()
    rules["episodes_after_window"] = int(after.sum())
    cleaned = cleaned.loc[~after].reset_index(drop=True)
    stale = stale[~after]
    late = (cleaned["DEC"] > we).fillna(False).to_numpy(dtype=bool)
    rules["ends_after_window"] = int((late & ~stale).sum())
    cleaned.loc[late, ["DEC"]] = pd.NaT
    cleaned.loc[late, ["REC", "REASON_PLACE_CHANGE"]] = pd.NA
    stale &= ~late
    rules["stale_open_closed"] = int(stale.sum())

    if cleaned.empty:
        return _empty_extract(rules, ws, we)

    # Periods of care.
    child = cleaned["CHILD"].to_numpy(dtype=object)
    decom = cleaned["DECOM"].to_numpy()
    dec = cleaned["DEC"].to_numpy()
    rec = cleaned["REC"].fillna("").to_numpy(dtype=object)
    same_prev = np.append(False, child[1:] == child[:-1])
    prev_x1 = np.append(False, rec[:-1] == CONTINUES_EPISODE_REC)
    prev_dec = np.append(np.datetime64("NaT"), dec[:-1])
    linked = same_prev & prev_x1 & (prev_dec == decom)
    new_period = ~linked
    episode_period = np.cumsum(new_period) - 1
    first = np.flatnonzero(new_period)
    last = np.append(first[1:] - 1, len(cleaned) - 1)
    periods = pd.DataFrame(
        {
            "CHILD": child[first],
            "start": decom[first],
            "end": dec[last],
            "exit_code": cleaned["REC"].to_numpy()[last],
            "legal_at_entry": cleaned["LS"].to_numpy()[first],
            "first_rne": cleaned["RNE"].fillna("").to_numpy(dtype=object)[first],
            "stale": stale[last],
        }
    )
    periods["exit_code"] = periods["exit_code"].astype("string").where(periods["end"].notna())
    before = (periods["end"] <= ws).fillna(False).to_numpy(dtype=bool)
    rules["periods_before_window"] = int(before.sum())

    # DOB and sex from the header.
    head = head.drop_duplicates("CHILD", keep="last").set_index("CHILD")
    periods["dob"] = periods["CHILD"].map(head["DOB"]).astype("datetime64[ns]")
    periods["sex"] = periods["CHILD"].map(head["SEX"]).map(_SEX).astype("Int64")
    missing = periods["dob"].isna().to_numpy()
    birthday18 = _birthday(periods["dob"], 18)
    impossible = ~missing & (
        (periods["dob"] > periods["start"]) | (birthday18 <= periods["start"])
    ).fillna(True).to_numpy(dtype=bool)
    rules["dob_missing"] = int((missing & ~before).sum())
    rules["dob_impossible"] = int((impossible & ~before).sum())

    uasc_ids = uasc_children(uasc)
    periods["uasc"] = periods["CHILD"].isin(uasc_ids).to_numpy(dtype=bool)
    keep = ~before & ~missing & ~impossible
    rules["uasc_children"] = int(periods.loc[keep & periods["uasc"], "CHILD"].nunique())
    excluded = keep & periods["uasc"].to_numpy() if exclude_uasc else np.zeros_like(keep)
    rules["uasc_periods_excluded"] = int(excluded.sum())
    keep &= ~excluded

    periods["_period"] = np.arange(len(periods))
    periods["birthday18"] = birthday18
    periods = periods.loc[keep].reset_index(drop=True)
    if periods.empty:
        return _empty_extract(rules, ws, we)

    kept_episodes = cleaned.loc[np.isin(episode_period, periods["_period"].to_numpy())]
    periods["child_key"] = pd.factorize(periods["CHILD"], sort=True)[0].astype("int64")
    periods = periods.sort_values(["child_key", "start"], kind="stable").reset_index(drop=True)
    periods["period_id"] = np.arange(len(periods), dtype="int64")

    start = periods["start"]
    periods["age_at_entry_days"] = (start - periods["dob"]).dt.days.astype("int64")
    periods["age_band"] = pd.array(
        age_band_of_years(_completed_years(periods["dob"], start)), dtype="string"
    )
    periods["days_to_18"] = (periods["birthday18"] - start).dt.days.astype("int64")
    periods["left_truncated"] = (start < ws).to_numpy(dtype=bool)
    periods["entry_days"] = np.where(periods["left_truncated"], (ws - start).dt.days, 0).astype(
        "int64"
    )
    periods["start_known"] = ~periods["left_truncated"] | (periods["first_rne"] == "S")
    x1_gap = periods["end"].notna() & (periods["exit_code"].fillna("") == CONTINUES_EPISODE_REC)
    ended = periods["end"].notna() & ~periods["stale"] & ~x1_gap
    periods["route"] = _route(periods["exit_code"], periods["end"], periods["birthday18"]).where(
        ended
    )
    periods["censored"] = ~ended.to_numpy(dtype=bool)
    rules["left_truncated"] = int(periods["left_truncated"].sum())
    rules["start_unknown"] = int((~periods["start_known"]).sum())
    rules["x1_gap"] = int(x1_gap.sum())
    known_rec = all_codes("REC") - {CONTINUES_EPISODE_REC}
    rules["rec_unknown"] = int((ended & ~periods["exit_code"].fillna("").isin(known_rec)).sum())
    rules["ls_unknown"] = int((~periods["legal_at_entry"].fillna("").isin(all_codes("LS"))).sum())

    placements = _placements(kept_episodes, periods, rules)
    periods["n_placements"] = (
        placements["period_id"].value_counts().reindex(periods["period_id"], fill_value=0)
    ).to_numpy(dtype="int64")
    rules["periods_out"] = len(periods)
    rules["placements_out"] = len(placements)
    rules["children_out"] = int(periods["child_key"].nunique())
    for name, _ in RULES:
        rules.setdefault(name, 0)
    return Extract(
        periods=_typed_periods(periods),
        placements=_typed_placements(placements),
        rules={name: int(rules[name]) for name, _ in RULES},
        window_start=ws,
        window_end=we,
    )


def _placements(episodes: pd.DataFrame, periods: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """The placements of the kept periods (indicators' rules), coded in the model's kinds."""
    derived = placements_from_episodes(episodes)
    if derived.empty:
        rules["place_unknown"] = rules["location_unknown"] = 0
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PLACEMENT_COLUMNS})
    keys = periods[["CHILD", "start", "period_id", "child_key", "end", "dob"]].rename(
        columns={"start": "period_start", "end": "_period_end"}
    )
    derived = derived.drop(columns=["period_id"]).merge(
        keys.astype({"CHILD": "string"}), on=["CHILD", "period_start"], how="inner"
    )
    first_episode = episodes[["CHILD", "DECOM", "PL_LOCATION", "PL_DISTANCE"]].rename(
        columns={"DECOM": "start"}
    )
    derived = derived.merge(
        first_episode.astype({"CHILD": "string"}), on=["CHILD", "start"], how="left"
    )
    derived = derived.sort_values(["period_id", "placement_seq"], kind="stable").reset_index(
        drop=True
    )
    location = _locations(derived["PL_LOCATION"], derived["PL_DISTANCE"])
    place = derived["PLACE"]
    kind = _kinds(place, derived["PLACE_PROVIDER"], pd.Series(location))
    reason = derived["last_reason"]
    open_ = derived["end"].isna()
    unplanned = ~open_ & reason.fillna("").isin(UNPLANNED_REASONS)
    exit_ = (
        ~open_
        & ~unplanned
        & derived["_period_end"].notna()
        & (derived["end"] == derived["_period_end"])
    )
    ending = np.select(
        [open_, unplanned, exit_], ["open", "unplanned", "exit"], default="planned"
    ).astype(object)
    rules["place_unknown"] = int((~place.fillna("").isin(all_codes("PLACE"))).sum())
    rules["location_unknown"] = int(pd.isna(location).sum())
    age = _completed_years(derived["dob"], derived["start"])
    return pd.DataFrame(
        {
            "period_id": derived["period_id"],
            "child_key": derived["child_key"],
            "seq": derived["placement_seq"],
            "start": derived["start"],
            "end": derived["end"],
            "kind": kind,
            "place": place,
            "provider": derived["PLACE_PROVIDER"],
            "location": location,
            "distance": derived["PL_DISTANCE"],
            "reason": reason,
            "ending": ending,
            "age_band": age_band_of_years(age.clip(upper=17)),
        }
    )
