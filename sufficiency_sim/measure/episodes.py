"""SSDA903 episodes cleaned and sorted for the indicators (FP 14), with their periods of care
and placements derived (FP 1-4, FP 11): the `Episodes` that `indicators` measures.

Dates are int64 day numbers since 1970-01-01; an open end (blank ``DEC``) is ``OPEN_DAY``, a
day far in the future, so that interval tests need no special case; a missing date is
``NO_DAY``. Text columns are `Codes`: indexes into their sorted distinct values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

_TEMPORARY_PLACES = frozenset({"T0", "T1", "T2", "T3", "T4"})
_NEW_PLACEMENT_RNE = frozenset({"S", "P", "B", "T", "U"})
_SHORT_BREAK_LS = frozenset({"V3", "V4"})
NO_DAY = np.iinfo(np.int64).min
OPEN_DAY = np.int64(10**8)  # an open end: day 100,000,000 is far beyond any real date
_EPOCH = dt.date(1970, 1, 1)
_INT_FLOAT = re.compile(r"^([+-]?\d+)\.0*$")  # "123.0" reads as "123" (FP 14)


def day_number(year: int, month: int, day: int) -> int:
    return (dt.date(year, month, day) - _EPOCH).days


# --------------------------------------------------------------------------------------------
# Input normalisation (FP 14)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Codes:
    """A normalised text column: ``codes[i]`` indexes the sorted ``labels``; -1 is blank."""

    codes: np.ndarray
    labels: np.ndarray

    def isin(self, values: Iterable[str]) -> np.ndarray:
        wanted = np.isin(self.labels, list(values))
        return np.append(wanted, False)[self.codes]  # codes == -1 picks the appended False

    def strings(self, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
        codes = self.codes[index]
        out = np.append(self.labels, None)[codes]
        return pd.array(out, dtype="string")


def column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def normalise_text(values: pd.Series | None, n: int, upper: bool) -> Codes:
    """Trim (and optionally upper-case) a text column; blank becomes missing.

    The work is done on the distinct values only, which keeps it cheap for code columns and is
    still linear for identifier columns. Labels are sorted so that codes do not depend on row
    order.
    """
    if values is None or n == 0:
        return Codes(np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return Codes(codes.astype(np.int64), np.array([], dtype=object))
    # plain Python over the distinct values: pandas' string methods cost more per call than
    # the few hundred values they would work on
    text = [_INT_FLOAT.sub(r"\1", str(value).strip()) for value in uniques]
    if upper:
        text = [value.upper() for value in text]
    blanked = np.array([value if value else None for value in text], dtype=object)
    merged, labels = pd.factorize(blanked, sort=True, use_na_sentinel=True)
    merged = np.append(merged.astype(np.int64), -1)
    return Codes(merged[codes], np.asarray(labels, dtype=object))


def _datetime_like(value: object) -> bool:
    return isinstance(value, dt.date | np.datetime64)


def _parse_dates(uniques: np.ndarray) -> np.ndarray:
    """Day numbers for distinct raw date values; unparseable values give ``NO_DAY``.

    Strings may be ``dd/mm/YYYY`` or ISO ``YYYY-MM-DD``, decided per value.
    """
    raw = pd.Series(uniques, dtype=object)
    is_text = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    is_date = raw.map(_datetime_like).to_numpy(dtype=bool)
    out = np.full(len(raw), NO_DAY, dtype=np.int64)
    if is_text.any():
        text = raw[is_text].astype(str).str.strip()
        parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        parsed = parsed.fillna(iso)
        out[is_text] = _days_of_datetimes(parsed)
    if is_date.any():
        parsed = pd.to_datetime(raw[is_date].tolist(), errors="coerce", utc=False)
        out[is_date] = _days_of_datetimes(pd.Series(parsed))
    return out


def _days_of_datetimes(values: pd.Series) -> np.ndarray:
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def to_days(values: pd.Series | None, n: int) -> np.ndarray:
    """Day numbers of a date column (datetime64 or raw values); ``NO_DAY`` when blank/invalid."""
    if values is None or n == 0:
        return np.full(n, NO_DAY, dtype=np.int64)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _days_of_datetimes(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.append(_parse_dates(np.asarray(uniques, dtype=object)), NO_DAY)
    return parsed[codes]


def _to_float(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str).str.strip()
    parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.append(parsed, np.nan)[codes]


# --------------------------------------------------------------------------------------------
# Episodes, periods of care and placements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Episodes:
    """Cleaned episodes sorted by child then DECOM, with periods and placements derived."""

    child: np.ndarray  # int child number, indexes child_labels
    child_labels: np.ndarray
    decom: np.ndarray  # day numbers
    dec: np.ndarray  # day numbers, OPEN_DAY when open
    place: Codes
    provider: Codes
    urn: Codes
    pl_post: Codes
    reason: Codes
    rec_x1: np.ndarray
    temporary: np.ndarray
    location: np.ndarray  # 0 unknown, 1 IN, 2 OUT
    distance: np.ndarray
    period: np.ndarray  # period number of each episode (0..n_periods-1, in sorted order)
    period_start: np.ndarray  # per period
    period_end: np.ndarray  # per period, OPEN_DAY when open
    period_ceased: np.ndarray  # per period: ended with a REC other than X1 (FP 11)
    placement: np.ndarray  # placement number of each episode, -1 for temporary episodes
    pl_first: np.ndarray  # per placement: index of its first episode
    pl_last: np.ndarray  # per placement: index of its last episode
    pl_seq: np.ndarray  # per placement: 1-based position within its period


def _read_columns(episodes: pd.DataFrame) -> dict[str, Codes | np.ndarray]:
    """The episode columns, normalised, of the rows kept (FP 14: rows without CHILD or DECOM
    go; short breaks go before anything else). Open ends are ``OPEN_DAY``."""
    n = len(episodes)
    child = normalise_text(column(episodes, "CHILD"), n, upper=False)
    decom = to_days(column(episodes, "DECOM"), n)
    dec = to_days(column(episodes, "DEC"), n)
    ls = normalise_text(column(episodes, "LS"), n, upper=True)
    keep = (child.codes >= 0) & (decom != NO_DAY) & ~ls.isin(_SHORT_BREAK_LS)
    rows = np.flatnonzero(keep)

    def text(name: str, upper: bool = True) -> Codes:
        c = normalise_text(column(episodes, name), n, upper)
        return Codes(c.codes[rows], c.labels)

    cols: dict[str, Codes | np.ndarray] = {
        "child": Codes(child.codes[rows], child.labels),
        "decom": decom[rows],
        "dec": np.where(dec[rows] == NO_DAY, OPEN_DAY, dec[rows]),
        "ls": Codes(ls.codes[rows], ls.labels),
    }
    for name in ("RNE", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"):
        cols[name] = text(name)
    cols["PL_LOCATION"] = text("PL_LOCATION")
    for name in ("HOME_POST", "PL_POST", "URN"):
        cols[name] = text(name, upper=False)
    cols["distance"] = _to_float(column(episodes, "PL_DISTANCE"), n)[rows]
    return cols


def _episode_order(cols: dict[str, Codes | np.ndarray]) -> np.ndarray:
    """The order of the kept episodes: by child, DECOM, then DEC (so that among equal starts
    the longest comes last), without the episodes that start with a longer one (FP 14)."""
    child, decom, dec, distance = cols["child"], cols["decom"], cols["dec"], cols["distance"]
    # the remaining keys only break exact ties so the result never depends on row order
    keys = [dec, decom, child.codes]
    order = np.lexsort(keys)
    tied = (child.codes[order][1:] == child.codes[order][:-1]) & (
        decom[order][1:] == decom[order][:-1]
    )
    if tied.any():
        tie_names = ("HOME_POST", "PL_LOCATION", "REASON_PLACE_CHANGE", "REC", "URN", "PL_POST")
        more_names = ("PLACE_PROVIDER", "PLACE", "CIN")
        extra = [
            np.nan_to_num(distance, nan=-1.0),
            *(cols[c].codes for c in tie_names),
            *(cols[c].codes for c in more_names),
            cols["ls"].codes,
            cols["RNE"].codes,
        ]
        order = np.lexsort(extra + keys)
    c_child = child.codes[order]
    c_decom = decom[order]
    same_next = np.append(c_child[1:] == c_child[:-1], False)
    next_decom = np.append(c_decom[1:], 0)
    # FP 14: each day belongs to the latest-starting episode. Of episodes with the same start the
    # last in sort order (the longest) wins; the others would cover no day and are dropped.
    keep = ~(same_next & (next_decom == c_decom))
    return order[keep]


def _periods(
    child_s: np.ndarray, decom_s: np.ndarray, dec_s: np.ndarray, rec_x1: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Periods of care: (new_period, period, period_first, period_start, period_end,
    period_ceased). An episode joins the earlier one's period when that one is X1 and this
    one starts on its DEC."""
    m = len(child_s)
    same_prev = np.append(False, child_s[1:] == child_s[:-1])
    prev_dec = np.append(NO_DAY, dec_s[:-1])
    prev_x1 = np.append(False, rec_x1[:-1])
    linked = same_prev & prev_x1 & (prev_dec == decom_s)
    new_period = ~linked
    period = np.cumsum(new_period) - 1
    period_first = np.flatnonzero(new_period)
    period_last = np.append(period_first[1:] - 1, m - 1) if m else period_first
    period_start = decom_s[period_first]
    period_end = dec_s[period_last]
    period_ceased = (period_end != OPEN_DAY) & ~rec_x1[period_last]
    return new_period, period, period_first, period_start, period_end, period_ceased


def _placements(
    period: np.ndarray,
    period_first: np.ndarray,
    new_period: np.ndarray,
    temporary: np.ndarray,
    new_rne: np.ndarray,
    same_place: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, ...]:
    """Placements (FP 1-4): (placement of each episode, pl_first, pl_last, pl_seq).
    `same_place(ref)` says whether each episode has the place, provider, URN and postcode of
    episode `ref`."""
    m = len(period)
    idx = np.arange(m)
    # for each episode, the last non-temporary episode before it in its period
    first_of_period = period_first[period] if m else idx
    nontemp_index = np.where(temporary, -1, idx)
    last_nontemp_upto = np.maximum.accumulate(nontemp_index) if m else nontemp_index
    before = np.append(-1, last_nontemp_upto[:-1])
    before = np.where(before >= first_of_period, before, -1)
    prev_temporary = np.append(False, temporary[:-1]) & ~new_period
    same_as_before = same_place(np.where(before >= 0, before, 0))
    starts_placement = ~temporary & (
        (before < 0)  # FP 1 and FP 4: first non-temporary episode of the period
        | (prev_temporary & ~same_as_before)  # FP 3: after a temporary spell, compare
        | (~prev_temporary & new_rne)
    )
    placement_of_nontemp = np.cumsum(starts_placement) - 1
    placement = np.where(temporary, -1, placement_of_nontemp)
    pl_first = np.flatnonzero(starts_placement)
    nontemp_rows = np.flatnonzero(~temporary)
    pl_of_rows = placement[nontemp_rows]
    group_end = np.append(pl_of_rows[1:] != pl_of_rows[:-1], len(pl_of_rows) > 0)
    pl_last = nontemp_rows[group_end[: len(pl_of_rows)]]
    pl_period = period[pl_first]
    pl_seq = np.ones(len(pl_first), dtype=np.int64)
    if len(pl_first):
        new_group = np.append(True, pl_period[1:] != pl_period[:-1])
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(pl_first)), 0))
        pl_seq = np.arange(len(pl_first)) - group_start + 1
    return placement, pl_first, pl_last, pl_seq


def _cut_back(child_s: np.ndarray, decom_s: np.ndarray, dec_s: np.ndarray) -> np.ndarray:
    """DEC cut back to the child's next DECOM where the episodes overlap (FP 14)."""
    same_next = np.append(child_s[1:] == child_s[:-1], False)
    next_decom = np.append(decom_s[1:], OPEN_DAY)
    return np.where(same_next & (dec_s > next_decom), next_decom, dec_s)


def prepare_episodes(episodes: pd.DataFrame) -> Episodes:
    """The episodes cleaned (FP 14) and sorted by child then DECOM, with periods of care and
    placements derived."""
    cols = _read_columns(episodes)
    order = _episode_order(cols)

    def sel(name: str) -> Codes:
        c = cols[name]
        return Codes(c.codes[order], c.labels)

    child = cols["child"]
    child_s = child.codes[order]
    decom_s = cols["decom"][order]
    dec_s = _cut_back(child_s, decom_s, cols["dec"][order])

    place_s, provider_s, rec_s = sel("PLACE"), sel("PLACE_PROVIDER"), sel("REC")
    urn_s, pl_post_s, loc_s = sel("URN"), sel("PL_POST"), sel("PL_LOCATION")
    location_code = np.where(loc_s.isin({"IN"}), 1, np.where(loc_s.isin({"OUT"}), 2, 0))
    rec_x1 = rec_s.isin({"X1"})
    temporary = place_s.isin(_TEMPORARY_PLACES)
    new_rne = sel("RNE").isin(_NEW_PLACEMENT_RNE)  # FP 2: blank or invalid RNE acts as L

    def same_place(ref: np.ndarray) -> np.ndarray:
        return (
            (place_s.codes == place_s.codes[ref])
            & (provider_s.codes == provider_s.codes[ref])
            & (urn_s.codes == urn_s.codes[ref])
            & (pl_post_s.codes == pl_post_s.codes[ref])
        )

    new_period, period, period_first, period_start, period_end, period_ceased = _periods(
        child_s, decom_s, dec_s, rec_x1
    )
    placement, pl_first, pl_last, pl_seq = _placements(
        period, period_first, new_period, temporary, new_rne, same_place
    )
    return Episodes(
        child=child_s,
        child_labels=child.labels,
        decom=decom_s,
        dec=dec_s,
        place=place_s,
        provider=provider_s,
        urn=urn_s,
        pl_post=pl_post_s,
        reason=sel("REASON_PLACE_CHANGE"),
        rec_x1=rec_x1,
        temporary=temporary,
        location=location_code,
        distance=cols["distance"][order],
        period=period,
        period_start=period_start,
        period_end=period_end,
        period_ceased=period_ceased,
        placement=placement,
        pl_first=pl_first,
        pl_last=pl_last,
        pl_seq=pl_seq,
    )
