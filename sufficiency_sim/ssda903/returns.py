"""Cut one collection year's 903 return out of a longer history of episodes.

A return for collection year Y (1 April Y-1 to 31 March Y) holds every episode open on some day
of the year: it started on or before 31 March Y and had not ended before 1 April Y-1. An episode
still open after 31 March Y is sent open: its DEC, REC and REASON_PLACE_CHANGE are blank (they
are only known the next year). The header has one row per child with an episode in the return.
This is how the DfE collection defines the return; the Data to Insight validator reads it so.

Codes follow the year's code list: SEX is sent as M/F from 2024/25 (1/2 before), and from
2024/25, when K3 arrives, an H5 episode is sent as K3 (the provider being registered under the
Supported Accommodation (England) Regulations 2023; the validator accepts that change of an open
episode against last year's return). MOTHER and MC_DOB are as they stood on 31 March: a child
born to a girl after the year is not in that year's return (MOTHER 0).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sufficiency_sim.ssda903.codes import K3_FROM_YEAR, SEX_LETTERS_FROM_YEAR

_CLOSING_COLUMNS = ("DEC", "REC", "REASON_PLACE_CHANGE")


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day (1 April year-1, 31 March year) of collection year `year`."""
    return pd.Timestamp(dt.date(year - 1, 4, 1)), pd.Timestamp(dt.date(year, 3, 31))


def year_return(
    episodes: pd.DataFrame, header: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The episodes and header of collection year `year`'s return, from canonical frames.

    `episodes` and `header` are canonical frames (`ssda903.schema`) covering any span of time,
    e.g. a simulated history. Returns new frames (the inputs are not changed), episodes in the
    input's order with a fresh index.
    """
    first, last = year_bounds(year)
    dec = episodes["DEC"]
    kept = (episodes["DECOM"] <= last) & (dec.isna() | (dec >= first))
    out = episodes.loc[kept].copy()
    still_open = out["DEC"] > last
    for column in _CLOSING_COLUMNS:
        if column == "DEC":
            out.loc[still_open, column] = pd.NaT
        else:
            out.loc[still_open, column] = pd.NA
    if year >= K3_FROM_YEAR:
        out.loc[out["PLACE"] == "H5", "PLACE"] = "K3"
    children = out["CHILD"].unique()
    cut = header.loc[header["CHILD"].isin(children)].copy()
    if year >= SEX_LETTERS_FROM_YEAR:
        cut["SEX"] = cut["SEX"].replace({"1": "M", "2": "F"})
    later = cut["MC_DOB"] > last
    cut.loc[later, "MOTHER"] = "0"
    cut.loc[later, "MC_DOB"] = pd.NaT
    return out.reset_index(drop=True), cut.reset_index(drop=True)
