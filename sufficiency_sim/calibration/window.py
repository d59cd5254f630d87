"""The window of an extract: its days, its complete collection years (1 April - 31 March)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sufficiency_sim.calibration.extract import Extract

__all__ = ["Window", "collection_year_series"]


def collection_year_series(days: pd.Series) -> pd.Series:
    """The collection year (ending 31 March) of each date; <NA> where missing."""
    years = days.dt.year + np.where(days.dt.month >= 4, 1, 0)
    return years.astype("Int64")


@dataclass(frozen=True)
class Window:
    """First and last day (inclusive) of the window an extract was prepared for."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def of(cls, extract: Extract) -> Window:
        """The window of a prepared `Extract`."""
        return cls(pd.Timestamp(extract.window_start), pd.Timestamp(extract.window_end))

    @property
    def stop(self) -> pd.Timestamp:
        """The day after the window."""
        return self.end + pd.Timedelta(days=1)

    def contains(self, days: pd.Series) -> pd.Series:
        """Whether each day lies in the window."""
        return (days >= self.start) & (days <= self.end)

    def complete_years(self) -> list[int]:
        """The collection years wholly inside the window."""
        first = self.start.year + (1 if self.start.month >= 4 else 0)
        if (self.start.month, self.start.day) != (4, 1):
            first += 1
        last = self.end.year + (1 if self.end.month >= 4 else 0)
        if (self.end.month, self.end.day) != (3, 31):
            last -= 1
        return list(range(first, last + 1))
