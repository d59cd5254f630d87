"""Children-looked-after indicators computed from SSDA903 episodes.

This module is the project's single ruler: the same code measures a local authority's real
SSDA903 extract and the simulated episodes. It implements ``shared/reference/indicators.md``
exactly, including its fine points (cited below as "FP n").

Everything is vectorised with numpy over the episodes sorted by child and start date: the only
Python loops are over the requested years and over the distinct values of a code column.

Where indicators.md leaves a detail open this module settles it so:

- Overlapping episodes of a child (FP 14): the earlier episode's DEC is cut back to the later
  episode's DECOM (its REC is kept). An episode nested inside an earlier one therefore ends the
  earlier one for good: the earlier episode does not resume after it.
- Episodes of a child with the same DECOM: the one ending last (open counts as last) is kept,
  the others are dropped; exact ties are broken on the codes so that row order never matters.
- A non-blank DEC that cannot be read as a date is treated as blank (open episode).
- A child listed more than once in the header with different DOBs has no usable DOB (FP 10).

Dates are handled internally as int64 day numbers since 1970-01-01. An open end (blank ``DEC``)
is ``_OPEN``, a day far in the future, so that interval tests need no special case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["INDICATOR_COLUMNS", "compute_indicators", "placements_from_episodes"]

INDICATOR_COLUMNS: tuple[str, ...] = (
    "cla_31_march",
    "starts",
    "ceased",
    "placements_started",
    "placement_moves",
    "unplanned_endings",
    "pct_3plus_placements",
    "pct_long_term_stable",
    "pct_out_of_area",
    "pct_over_20_miles",
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "secure",
    "supported",
    "with_parents",
    "adoption",
    "other",
)
"""Indicator columns of :func:`compute_indicators`, after the leading ``year`` column."""

_COUNT_COLUMNS = frozenset(INDICATOR_COLUMNS) - {
    "pct_3plus_placements",
    "pct_long_term_stable",
    "pct_out_of_area",
    "pct_over_20_miles",
}

_MIX_COLUMNS: tuple[str, ...] = INDICATOR_COLUMNS[10:]
_KINSHIP, _INHOUSE, _IFA, _HOME, _SECURE, _SUPPORTED, _PARENTS, _ADOPTION, _OTHER = range(9)
_FOSTER_BY_PROVIDER = -1  # U4-U6: in-house or IFA depending on the provider (FP 9)
_PLACE_CATEGORY: dict[str, int] = {
    "U1": _KINSHIP,
    "U2": _KINSHIP,
    "U3": _KINSHIP,
    "U4": _FOSTER_BY_PROVIDER,
    "U5": _FOSTER_BY_PROVIDER,
    "U6": _FOSTER_BY_PROVIDER,
    "K2": _HOME,
    "R1": _HOME,
    "K1": _SECURE,
    "H5": _SUPPORTED,
    "P2": _SUPPORTED,
    "K3": _SUPPORTED,
    "P1": _PARENTS,
    "A3": _ADOPTION,
    "A4": _ADOPTION,
    "A5": _ADOPTION,
    "A6": _ADOPTION,
}
_INHOUSE_PROVIDERS = frozenset({"PR0", "PR1", "PR2", "PR3"})
_IFA_PROVIDERS = frozenset({"PR4", "PR5"})
_ADOPTION_PLACES = frozenset({"A3", "A4", "A5", "A6"})
_TEMPORARY_PLACES = frozenset({"T0", "T1", "T2", "T3", "T4"})
_NEW_PLACEMENT_RNE = frozenset({"S", "P", "B", "T", "U"})
_SHORT_BREAK_LS = frozenset({"V3", "V4"})
_UNPLANNED_REASONS = frozenset({"CREQB", "CREQO", "CHILD", "ALLEG", "STAND", "CLOSE", "APPRR"})

_NAT = np.iinfo(np.int64).min
_OPEN = np.int64(10**8)  # an open end: day 100,000,000 is far beyond any real date
_EPOCH = dt.date(1970, 1, 1)
_INT_FLOAT = r"^([+-]?\d+)\.0*$"  # "123.0" reads as "123" (FP 14)


def _day(year: int, month: int, day: int) -> int:
    return (dt.date(year, month, day) - _EPOCH).days


# --------------------------------------------------------------------------------------------
# Input normalisation (FP 14)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
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


def _column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _normalise_text(values: pd.Series | None, n: int, upper: bool) -> _Codes:
    """Trim (and optionally upper-case) a text column; blank becomes missing.

    The work is done on the distinct values only, which keeps it cheap for code columns and is
    still linear for identifier columns. Labels are sorted so that codes do not depend on row
    order.
    """
    if values is None or n == 0:
        return _Codes(np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return _Codes(codes.astype(np.int64), np.array([], dtype=object))
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str).str.strip()
    text = text.str.replace(_INT_FLOAT, r"\1", regex=True)
    if upper:
        text = text.str.upper()
    text = text.where(text != "")
    merged, labels = pd.factorize(text, sort=True, use_na_sentinel=True)
    merged = np.append(merged.astype(np.int64), -1)
    return _Codes(merged[codes], np.asarray(labels, dtype=object))


def _datetime_like(value: object) -> bool:
    return isinstance(value, dt.date | np.datetime64)


def _parse_dates(uniques: np.ndarray) -> np.ndarray:
    """Day numbers for distinct raw date values; unparseable values give ``_NAT``.

    Strings may be ``dd/mm/YYYY`` or ISO ``YYYY-MM-DD``, decided per value.
    """
    raw = pd.Series(uniques, dtype=object)
    is_text = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    is_date = raw.map(_datetime_like).to_numpy(dtype=bool)
    out = np.full(len(raw), _NAT, dtype=np.int64)
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


def _to_days(values: pd.Series | None, n: int) -> np.ndarray:
    """Day numbers of a date column (datetime64 or raw values); ``_NAT`` when blank/invalid."""
    if values is None or n == 0:
        return np.full(n, _NAT, dtype=np.int64)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _days_of_datetimes(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.append(_parse_dates(np.asarray(uniques, dtype=object)), _NAT)
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
class _Episodes:
    """Cleaned episodes sorted by child then DECOM, with periods and placements derived."""

    child: np.ndarray  # int child number, indexes child_labels
    child_labels: np.ndarray
    decom: np.ndarray  # day numbers
    dec: np.ndarray  # day numbers, _OPEN when open
    place: _Codes
    provider: _Codes
    urn: _Codes
    pl_post: _Codes
    reason: _Codes
    rec_x1: np.ndarray
    temporary: np.ndarray
    location: np.ndarray  # 0 unknown, 1 IN, 2 OUT
    distance: np.ndarray
    period: np.ndarray  # period number of each episode (0..n_periods-1, in sorted order)
    period_start: np.ndarray  # per period
    period_end: np.ndarray  # per period, _OPEN when open
    period_ceased: np.ndarray  # per period: ended with a REC other than X1 (FP 11)
    placement: np.ndarray  # placement number of each episode, -1 for temporary episodes
    pl_first: np.ndarray  # per placement: index of its first episode
    pl_last: np.ndarray  # per placement: index of its last episode
    pl_seq: np.ndarray  # per placement: 1-based position within its period


def _prepare(episodes: pd.DataFrame) -> _Episodes:
    n = len(episodes)
    child = _normalise_text(_column(episodes, "CHILD"), n, upper=False)
    decom = _to_days(_column(episodes, "DECOM"), n)
    dec = _to_days(_column(episodes, "DEC"), n)
    ls = _normalise_text(_column(episodes, "LS"), n, upper=True)
    # FP 14: rows without CHILD or DECOM go; short breaks go before anything else.
    keep = (child.codes >= 0) & (decom != _NAT) & ~ls.isin(_SHORT_BREAK_LS)
    rows = np.flatnonzero(keep)

    def text(name: str, upper: bool = True) -> _Codes:
        c = _normalise_text(_column(episodes, name), n, upper)
        return _Codes(c.codes[rows], c.labels)

    child = _Codes(child.codes[rows], child.labels)
    decom = decom[rows]
    dec = np.where(dec[rows] == _NAT, _OPEN, dec[rows])
    ls = _Codes(ls.codes[rows], ls.labels)
    rne, cin, place, provider, rec, reason, location = (
        text(c)
        for c in (
            "RNE",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "REC",
            "REASON_PLACE_CHANGE",
            "PL_LOCATION",
        )
    )
    home_post, pl_post, urn = (text(c, upper=False) for c in ("HOME_POST", "PL_POST", "URN"))
    distance = _to_float(_column(episodes, "PL_DISTANCE"), n)[rows]

    # Sort by child, DECOM, then DEC (so that among equal starts the longest comes last); the
    # remaining keys only break exact ties so the result never depends on row order.
    keys = [dec, decom, child.codes]
    order = np.lexsort(keys)
    tied = (child.codes[order][1:] == child.codes[order][:-1]) & (
        decom[order][1:] == decom[order][:-1]
    )
    if tied.any():
        extra = [
            np.nan_to_num(distance, nan=-1.0),
            *(c.codes for c in (home_post, location, reason, rec, urn, pl_post)),
            *(c.codes for c in (provider, place, cin, ls, rne)),
        ]
        order = np.lexsort(extra + keys)
    c_child = child.codes[order]
    c_decom = decom[order]
    same_next = np.append(c_child[1:] == c_child[:-1], False)
    next_decom = np.append(c_decom[1:], 0)
    # FP 14: each day belongs to the latest-starting episode. Of episodes with the same start the
    # last in sort order (the longest) wins; the others would cover no day and are dropped.
    keep = ~(same_next & (next_decom == c_decom))
    order = order[keep]

    def sel(c: _Codes) -> _Codes:
        return _Codes(c.codes[order], c.labels)

    child_s = child.codes[order]
    decom_s = decom[order]
    dec_s = dec[order]
    same_next = np.append(child_s[1:] == child_s[:-1], False)
    next_decom = np.append(decom_s[1:], _OPEN)
    dec_s = np.where(same_next & (dec_s > next_decom), next_decom, dec_s)

    rne_s, place_s, provider_s, rec_s = sel(rne), sel(place), sel(provider), sel(rec)
    urn_s, pl_post_s = sel(urn), sel(pl_post)
    loc_s = sel(location)
    location_code = np.where(loc_s.isin({"IN"}), 1, np.where(loc_s.isin({"OUT"}), 2, 0))
    rec_x1 = rec_s.isin({"X1"})
    temporary = place_s.isin(_TEMPORARY_PLACES)
    new_rne = rne_s.isin(_NEW_PLACEMENT_RNE)  # FP 2: blank or invalid RNE acts as L

    m = len(child_s)
    idx = np.arange(m)
    same_prev = np.append(False, child_s[1:] == child_s[:-1])
    prev_dec = np.append(_NAT, dec_s[:-1])
    prev_x1 = np.append(False, rec_x1[:-1])
    # Period of care: joined when the earlier episode is X1 and the later starts on its DEC.
    linked = same_prev & prev_x1 & (prev_dec == decom_s)
    new_period = ~linked
    period = np.cumsum(new_period) - 1
    period_first = np.flatnonzero(new_period)
    period_last = np.append(period_first[1:] - 1, m - 1) if m else period_first
    period_start = decom_s[period_first]
    period_end = dec_s[period_last]
    period_ceased = (period_end != _OPEN) & ~rec_x1[period_last]

    # Placements. For each episode, the last non-temporary episode before it in its period.
    first_of_period = period_first[period] if m else idx
    nontemp_index = np.where(temporary, -1, idx)
    last_nontemp_upto = np.maximum.accumulate(nontemp_index) if m else nontemp_index
    before = np.append(-1, last_nontemp_upto[:-1])
    before = np.where(before >= first_of_period, before, -1)
    prev_temporary = np.append(False, temporary[:-1]) & ~new_period
    ref = np.where(before >= 0, before, 0)
    same_as_before = (
        (place_s.codes == place_s.codes[ref])
        & (provider_s.codes == provider_s.codes[ref])
        & (urn_s.codes == urn_s.codes[ref])
        & (pl_post_s.codes == pl_post_s.codes[ref])
    )
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

    return _Episodes(
        child=child_s,
        child_labels=child.labels,
        decom=decom_s,
        dec=dec_s,
        place=place_s,
        provider=provider_s,
        urn=urn_s,
        pl_post=pl_post_s,
        reason=sel(reason),
        rec_x1=rec_x1,
        temporary=temporary,
        location=location_code,
        distance=distance[order],
        period=period,
        period_start=period_start,
        period_end=period_end,
        period_ceased=period_ceased,
        placement=placement,
        pl_first=pl_first,
        pl_last=pl_last,
        pl_seq=pl_seq,
    )


def _as_datetimes(days: np.ndarray) -> np.ndarray:
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[(days == _OPEN) | (days == _NAT)] = np.datetime64("NaT")
    return out


def placements_from_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """The placements of an episodes table, derived by the rules of ``indicators.md``.

    Episodes are cleaned as for :func:`compute_indicators` (FP 14, short breaks dropped). One row
    per placement, ordered by child then start, with columns:

    - ``CHILD`` (string), ``period_id`` (int, numbers the periods of care of the whole table in
      order of child then start), ``period_start``, ``period_end`` (NaT if open),
      ``placement_seq`` (1 for the period's first placement);
    - ``start``, ``end`` (NaT if open): DECOM of the first episode, DEC of the last;
    - ``PLACE``, ``PLACE_PROVIDER``, ``URN``, ``PL_POST``: of the first episode;
    - ``last_place``, ``last_reason`` (``REASON_PLACE_CHANGE`` of the last episode),
      ``unplanned_end`` (the placement has ended and ``last_reason`` is an unplanned reason),
      ``n_episodes`` (non-temporary episodes in the placement).
    """
    e = _prepare(episodes)
    first, last = e.pl_first, e.pl_last
    ended = e.dec[last] != _OPEN
    periods = e.period[first]
    return pd.DataFrame(
        {
            "CHILD": pd.array(e.child_labels[e.child[first]], dtype="string"),
            "period_id": periods.astype(np.int64),
            "period_start": _as_datetimes(e.period_start[periods]),
            "period_end": _as_datetimes(e.period_end[periods]),
            "placement_seq": e.pl_seq.astype(np.int64),
            "start": _as_datetimes(e.decom[first]),
            "end": _as_datetimes(e.dec[last]),
            "PLACE": e.place.strings(first),
            "PLACE_PROVIDER": e.provider.strings(first),
            "URN": e.urn.strings(first),
            "PL_POST": e.pl_post.strings(first),
            "last_place": e.place.strings(last),
            "last_reason": e.reason.strings(last),
            "unplanned_end": ended & e.reason.isin(_UNPLANNED_REASONS)[last],
            "n_episodes": np.bincount(e.placement[e.placement >= 0], minlength=len(first)).astype(
                np.int64
            ),
        }
    )


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def _placement_category(e: _Episodes) -> np.ndarray:
    """Placement-mix category of each episode (FP 6, FP 9)."""
    by_label = np.array([_PLACE_CATEGORY.get(x, _OTHER) for x in e.place.labels], dtype=np.int64)
    category = np.append(by_label, _OTHER)[e.place.codes]
    inhouse = e.provider.isin(_INHOUSE_PROVIDERS)
    ifa = e.provider.isin(_IFA_PROVIDERS)
    foster = category == _FOSTER_BY_PROVIDER
    category[foster] = np.where(inhouse[foster], _INHOUSE, np.where(ifa[foster], _IFA, _OTHER))
    return category


def _dob_by_child(header: pd.DataFrame, e: _Episodes) -> np.ndarray:
    """DOB day number per child number; ``_NAT`` when missing, unusable or contradictory."""
    n_children = len(e.child_labels)
    dob = np.full(n_children, _NAT, dtype=np.int64)
    if header is None or len(header) == 0 or n_children == 0:
        return dob
    n = len(header)
    hchild = _normalise_text(_column(header, "CHILD"), n, upper=False)
    hdob = _to_days(_column(header, "DOB"), n)
    labels = np.append(hchild.labels, None)[hchild.codes]
    number = pd.Index(e.child_labels).get_indexer(labels)
    ok = (number >= 0) & (hchild.codes >= 0) & (hdob != _NAT)
    number, hdob = number[ok], hdob[ok]
    lo = np.full(n_children, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n_children, _NAT, dtype=np.int64)
    np.minimum.at(lo, number, hdob)
    np.maximum.at(hi, number, hdob)
    consistent = hi == lo  # children listed twice with different DOBs have no usable DOB
    dob[consistent] = lo[consistent]
    return dob


def _pct(numerator: int, denominator: int) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")  # FP 8


def _in(days: np.ndarray, first: int, last: int) -> np.ndarray:
    return (days >= first) & (days <= last)


def _year(e: _Episodes, category: np.ndarray, dob: np.ndarray, year: int) -> dict[str, float]:
    first, last = _day(year - 1, 4, 1), _day(year, 3, 31)
    n_children = len(e.child_labels)
    pl_start, pl_end = e.decom[e.pl_first], e.dec[e.pl_last]
    pl_child = e.child[e.pl_first]
    row: dict[str, float] = {}

    # Flows (FP 12: dates inside the year, inclusive).
    row["starts"] = int(_in(e.period_start, first, last).sum())
    row["ceased"] = int((_in(e.period_end, first, last) & e.period_ceased).sum())
    started = _in(pl_start, first, last)
    row["placements_started"] = int(started.sum())
    row["placement_moves"] = int((started & (e.pl_seq > 1)).sum())
    unplanned = e.reason.isin(_UNPLANNED_REASONS)[e.pl_last]
    row["unplanned_endings"] = int((_in(pl_end, first, last) & unplanned).sum())

    # Stock on 31 March: the covering episode (at most one per child after cleaning).
    on_day = np.flatnonzero((e.decom <= last) & (e.dec > last))
    children = e.child[on_day]
    cla = len(on_day)
    row["cla_31_march"] = cla

    overlapping = (pl_start <= last) & (pl_end > first)
    n_placements = np.bincount(pl_child[overlapping], minlength=n_children)
    row["pct_3plus_placements"] = _pct(int((n_placements[children] >= 3).sum()), cla)

    # Long-term stability.
    covering = np.flatnonzero((pl_start <= last) & (pl_end > last))
    placement_of_child = np.full(n_children, -1, dtype=np.int64)
    placement_of_child[pl_child[covering]] = covering
    current = placement_of_child[children]  # -1: no placement that day (FP 5)
    has = current >= 0
    cur = np.where(has, current, 0)
    two_years_back = _day(year - 2, 3, 31)
    child_dob = dob[children]
    denominator = (
        (child_dob != _NAT)  # FP 10
        & (child_dob > _day(year - 16, 3, 31))  # under 16 in completed years (FP 15)
        & (e.period_start[e.period[on_day]] <= _day(year - 3, 9, 30))
    )
    long_placement = has & (pl_start[cur] <= two_years_back) if len(pl_start) else has
    # FP 7: adoption is read from the latest non-temporary episode begun by 31 March.
    begun = np.flatnonzero(~e.temporary & (e.decom <= last))
    latest = np.full(n_children, -1, dtype=np.int64)
    if len(begun):
        group_last = np.append(e.child[begun][1:] != e.child[begun][:-1], True)
        latest[e.child[begun][group_last]] = begun[group_last]
    latest_ep = latest[children]
    adoption_ep = np.append(e.place.isin(_ADOPTION_PLACES), False)[latest_ep]
    lat = np.where(latest_ep >= 0, latest_ep, 0)
    adoption = has & (latest_ep >= 0) & adoption_ep
    if len(pl_start):
        adoption &= e.placement[lat] == current
        prev = np.maximum(cur - 1, 0)
        adoption &= (e.pl_seq[cur] > 1) & (pl_start[prev] <= two_years_back)
    numerator = denominator & (long_placement | adoption)
    row["pct_long_term_stable"] = _pct(int(numerator.sum()), int(denominator.sum()))

    location = e.location[on_day]
    known = location > 0
    row["pct_out_of_area"] = _pct(int((location == 2).sum()), int(known.sum()))
    distance = e.distance[on_day]
    known = ~np.isnan(distance)
    row["pct_over_20_miles"] = _pct(int((distance[known] > 20).sum()), int(known.sum()))

    mix = np.bincount(category[on_day], minlength=len(_MIX_COLUMNS))
    for i, name in enumerate(_MIX_COLUMNS):
        row[name] = int(mix[i])
    return row


def compute_indicators(
    episodes: pd.DataFrame, header: pd.DataFrame, years: Iterable[int]
) -> pd.DataFrame:
    """Compute the indicators of ``indicators.md`` for each requested collection year.

    Args:
        episodes: SSDA903 episodes, canonical (see ``ssda903.schema``) or plainly built: object
            columns of str/None/NaN are accepted, optional columns may be absent (read as
            blank), dates may be datetime64 or ``dd/mm/YYYY`` / ISO strings. Cleaned here per
            fine point 14; short breaks (LS V3/V4) are dropped first. Not modified.
        header: SSDA903 header with at least ``CHILD`` and ``DOB``. Not modified.
        years: collection years; year Y runs from 1 April Y-1 to 31 March Y.

    Returns:
        One row per requested year, in the order given: column ``year`` then
        :data:`INDICATOR_COLUMNS`. Counts are int64; percentages are float64 in 0-100,
        unrounded, NaN when the denominator is zero.
    """
    years = [int(y) for y in years]
    e = _prepare(episodes)
    category = _placement_category(e)
    dob = _dob_by_child(header, e)
    by_year = {y: _year(e, category, dob, y) for y in dict.fromkeys(years)}
    columns: dict[str, object] = {"year": np.array(years, dtype=np.int64)}
    for name in INDICATOR_COLUMNS:
        dtype = np.int64 if name in _COUNT_COLUMNS else np.float64
        columns[name] = np.array([by_year[y][name] for y in years], dtype=dtype)
    return pd.DataFrame(columns)
