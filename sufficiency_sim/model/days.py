"""Day arithmetic of the model: whole days from its day 0 (an ordinal offset), ages and
birthdays. Pure functions."""

from __future__ import annotations

import datetime as dt

from sufficiency_sim.vocabulary import YEAR_DAYS


def age_on(dob: int, day: float) -> int:
    """Completed years of age on `day` of someone born on day `dob`, kept within 0-17."""
    return min(17, max(0, int((day - dob) / YEAR_DAYS)))


def birthday(ord0: int, dob: int, years: int) -> int:
    """The model day of the `years`-th birthday of someone born on day `dob` (day 0 is the
    ordinal `ord0`); 1 March for a 29 February birthday in a common year."""
    born = dt.date.fromordinal(ord0 + dob)
    try:
        date = born.replace(year=born.year + years)
    except ValueError:  # 29 February
        date = dt.date(born.year + years, 3, 1)
    return date.toordinal() - ord0
