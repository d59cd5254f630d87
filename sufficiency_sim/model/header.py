"""The 903 header fields the model does not use: ETHNIC, UPN, MOTHER and MC_DOB.

They are drawn after the run from the replication's "header" stream, one row of draws per
simulated child (child i always gets row i, so scenarios that share children share their
header fields), and change no simulated event. Every value is synthetic.

- ETHNIC from `scenario.header.ethnicity_mix`.
- UPN: UN1 ("not yet of school age") for a child under 4 on every day in care; otherwise UN5
  (UPN not known) with chance `upn_unknown_share`, else a synthetic UPN: a check letter and 12
  digits whose authority digits are 000, a number no authority has, so it cannot be a real
  child's. The check letter follows the DfE's modulus-23 scheme (weights 2-13); the validator
  only checks the pattern (rule 168).
- MOTHER for every girl (validator rules 393 and 607 ask it of all girls looked after): 1 with
  chance `mother_share` for a girl looked after at some time aged 15-17, the first child born on
  a day in care in that window (MC_DOB), else 0. Boys have neither field (rule 174).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sufficiency_sim.model.draws import pick

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S


def synthetic_upn(index: int) -> str:
    """The synthetic UPN of the index-th simulated child (authority digits 000)."""
    digits = f"000{index + 1:09d}"
    total = sum(weight * int(d) for weight, d in zip(range(2, 14), digits, strict=True))
    return _UPN_LETTERS[total % 23] + digits


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def _year_bounds(day: int) -> tuple[int, int]:
    """First and last ordinal of the collection year (1 April - 31 March) containing `day`."""
    date = dt.date.fromordinal(day)
    start_year = date.year if date.month >= 4 else date.year - 1
    return dt.date(start_year, 4, 1).toordinal(), dt.date(start_year + 1, 3, 31).toordinal()


def _mother_day(first: int, last: int, dob: dt.date, decs: list[int], u: float) -> int | None:
    """The first child's birth (ordinal), on a day in care (`first`..`last`) aged 15-17; None
    when there is no such day. Kept on or before the last episode end of its collection year,
    if any (validator rule 625 compares MC_DOB with the year's latest DEC)."""
    low = max(first, _birthday(dob, 15).toordinal())
    high = min(last, _birthday(dob, 18).toordinal() - 1)
    if high < low:
        return None
    day = low + int(u * (high - low + 1))
    year_first, year_last = _year_bounds(day)
    ends = [d for d in decs if year_first <= d <= year_last]
    if ends and max(ends) < day:
        day = max(ends)
    return day if day >= low else None


class HeaderDraws(NamedTuple):
    """The child's row of the header stream's draws (row i for child i)."""

    ethnicity: float
    upn_unknown: float
    mother: float
    mother_day: float


def header_fields(
    fields: Any, child: Any, dob: int, first: int, last: int, decs: list[int], u: HeaderDraws
) -> tuple[str, str, str | None, int | None]:
    """ETHNIC, UPN, MOTHER and MC_DOB (ordinal or None) of one child, from the scenario's
    `header` settings (`fields`).

    `dob`, `first` and `last` (the first and last day in care) and `decs` (the episode end
    dates) are ordinals; `u` is the child's row of header draws.
    """
    ethnic = str(pick(fields.ethnicity_mix, u.ethnicity))
    birth = dt.date.fromordinal(dob)
    if _birthday(birth, 4).toordinal() > last:
        upn = "UN1"
    elif u.upn_unknown < fields.upn_unknown_share:
        upn = "UN5"
    else:
        upn = synthetic_upn(child.idx)
    if child.sex != 2:
        return ethnic, upn, None, None
    day = None
    if u.mother < fields.mother_share:
        day = _mother_day(first, last, birth, decs, u.mother_day)
    return ethnic, upn, ("0" if day is None else "1"), day
