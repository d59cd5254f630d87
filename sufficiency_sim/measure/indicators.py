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
is ``OPEN_DAY``, a day far in the future, so that interval tests need no special case.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sufficiency_sim.measure.episodes import (
    NO_DAY,
    OPEN_DAY,
    Episodes,
    column,
    day_number,
    normalise_text,
    prepare_episodes,
    to_days,
)

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
_UNPLANNED_REASONS = frozenset({"CREQB", "CREQO", "CHILD", "ALLEG", "STAND", "CLOSE", "APPRR"})


def _as_datetimes(days: np.ndarray) -> np.ndarray:
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[(days == OPEN_DAY) | (days == NO_DAY)] = np.datetime64("NaT")
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
    e = prepare_episodes(episodes)
    first, last = e.pl_first, e.pl_last
    ended = e.dec[last] != OPEN_DAY
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


def _placement_category(e: Episodes) -> np.ndarray:
    """Placement-mix category of each episode (FP 6, FP 9)."""
    by_label = np.array([_PLACE_CATEGORY.get(x, _OTHER) for x in e.place.labels], dtype=np.int64)
    category = np.append(by_label, _OTHER)[e.place.codes]
    inhouse = e.provider.isin(_INHOUSE_PROVIDERS)
    ifa = e.provider.isin(_IFA_PROVIDERS)
    foster = category == _FOSTER_BY_PROVIDER
    category[foster] = np.where(inhouse[foster], _INHOUSE, np.where(ifa[foster], _IFA, _OTHER))
    return category


def _dob_by_child(header: pd.DataFrame, e: Episodes) -> np.ndarray:
    """DOB day number per child number; ``NO_DAY`` when missing, unusable or contradictory."""
    n_children = len(e.child_labels)
    dob = np.full(n_children, NO_DAY, dtype=np.int64)
    if header is None or len(header) == 0 or n_children == 0:
        return dob
    n = len(header)
    hchild = normalise_text(column(header, "CHILD"), n, upper=False)
    hdob = to_days(column(header, "DOB"), n)
    labels = np.append(hchild.labels, None)[hchild.codes]
    number = pd.Index(e.child_labels).get_indexer(labels)
    ok = (number >= 0) & (hchild.codes >= 0) & (hdob != NO_DAY)
    number, hdob = number[ok], hdob[ok]
    lo = np.full(n_children, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n_children, NO_DAY, dtype=np.int64)
    np.minimum.at(lo, number, hdob)
    np.maximum.at(hi, number, hdob)
    consistent = hi == lo  # children listed twice with different DOBs have no usable DOB
    dob[consistent] = lo[consistent]
    return dob


def _pct(numerator: int, denominator: int) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")  # FP 8


def _in(days: np.ndarray, first: int, last: int) -> np.ndarray:
    return (days >= first) & (days <= last)


def _long_term_stable(e: Episodes, dob: np.ndarray, on_day: np.ndarray, year: int) -> float:
    """Percentage of the children in care on 31 March (episodes `on_day`), under 16 and in care
    for two and a half years, who have been in their placement for two years or are placed
    for adoption after such a placement (FP 5, FP 7, FP 10, FP 15)."""
    last = day_number(year, 3, 31)
    n_children = len(e.child_labels)
    pl_start, pl_end = e.decom[e.pl_first], e.dec[e.pl_last]
    pl_child = e.child[e.pl_first]
    children = e.child[on_day]
    covering = np.flatnonzero((pl_start <= last) & (pl_end > last))
    placement_of_child = np.full(n_children, -1, dtype=np.int64)
    placement_of_child[pl_child[covering]] = covering
    current = placement_of_child[children]  # -1: no placement that day (FP 5)
    has = current >= 0
    cur = np.where(has, current, 0)
    two_years_back = day_number(year - 2, 3, 31)
    child_dob = dob[children]
    denominator = (
        (child_dob != NO_DAY)  # FP 10
        & (child_dob > day_number(year - 16, 3, 31))  # under 16 in completed years (FP 15)
        & (e.period_start[e.period[on_day]] <= day_number(year - 3, 9, 30))
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
    return _pct(int(numerator.sum()), int(denominator.sum()))


def _year(e: Episodes, category: np.ndarray, dob: np.ndarray, year: int) -> dict[str, float]:
    first, last = day_number(year - 1, 4, 1), day_number(year, 3, 31)
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

    row["pct_long_term_stable"] = _long_term_stable(e, dob, on_day, year)

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
    e = prepare_episodes(episodes)
    category = _placement_category(e)
    dob = _dob_by_child(header, e)
    by_year = {y: _year(e, category, dob, y) for y in dict.fromkeys(years)}
    columns: dict[str, object] = {"year": np.array(years, dtype=np.int64)}
    for name in INDICATOR_COLUMNS:
        dtype = np.int64 if name in _COUNT_COLUMNS else np.float64
        columns[name] = np.array([by_year[y][name] for y in years], dtype=dtype)
    return pd.DataFrame(columns)
