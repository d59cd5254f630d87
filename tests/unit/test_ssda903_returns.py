"""Cutting one collection year's return out of a history (`ssda903.returns.year_return`)."""

from __future__ import annotations

import pandas as pd

from sufficiency_sim.ssda903.returns import year_bounds, year_return

NaT = pd.NaT


def _episodes(rows: list[tuple]) -> pd.DataFrame:
    columns = ["CHILD", "DECOM", "DEC", "REC", "REASON_PLACE_CHANGE", "PLACE"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("DECOM", "DEC"):
        frame[column] = pd.to_datetime(frame[column], dayfirst=True)
    for column in ("CHILD", "REC", "REASON_PLACE_CHANGE", "PLACE"):
        frame[column] = frame[column].astype("string")
    return frame


def _header(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["CHILD", "SEX", "DOB", "MOTHER", "MC_DOB"])
    for column in ("DOB", "MC_DOB"):
        frame[column] = pd.to_datetime(frame[column], dayfirst=True)
    for column in ("CHILD", "SEX", "MOTHER"):
        frame[column] = frame[column].astype("string")
    return frame


EPISODES = _episodes(
    [
        ("a", "01/05/2020", "01/04/2022", "E13", None, "U4"),  # ended before 2023/24: left out
        ("b", "01/05/2020", "01/04/2023", "X1", "CARPL", "U4"),  # ended on 1 April 2023: in
        ("b", "01/04/2023", None, None, None, "H5"),  # open at the end of the history
        ("c", "31/03/2024", "02/04/2024", "E4A", None, "U6"),  # ends after 2023/24: sent open
        ("d", "01/04/2024", None, None, None, "U4"),  # starts after 2023/24: left out
    ]
)
HEADER = _header(
    [
        ("a", "1", "01/01/2010", None, None),
        ("b", "2", "01/01/2007", "1", "01/06/2024"),
        ("c", "2", "01/01/2008", "1", "01/03/2024"),
        ("d", "1", "01/01/2012", None, None),
    ]
)


def test_year_bounds_are_1_april_and_31_march() -> None:
    assert year_bounds(2024) == (pd.Timestamp(2023, 4, 1), pd.Timestamp(2024, 3, 31))


def test_the_return_holds_the_episodes_open_on_some_day_of_the_year() -> None:
    episodes, header = year_return(EPISODES, HEADER, 2024)
    assert list(episodes["CHILD"]) == ["b", "b", "c"]
    assert list(header["CHILD"]) == ["b", "c"]
    # c's episode ends after 31 March 2024: DEC, REC and reason are not known yet.
    c = episodes[episodes["CHILD"] == "c"].iloc[0]
    assert pd.isna(c["DEC"]) and pd.isna(c["REC"]) and pd.isna(c["REASON_PLACE_CHANGE"])
    # b's first episode ended within the year and keeps its closing fields.
    b = episodes.iloc[0]
    assert b["DEC"] == pd.Timestamp(2023, 4, 1) and b["REC"] == "X1" and b["REASON_PLACE_CHANGE"]
    assert EPISODES.loc[3, "REC"] == "E4A", "the input frame must not change"


def test_codes_follow_the_years_code_list() -> None:
    """SEX 1/2 and H5 until 2023/24; M/F and K3 (for H5) from 2024/25."""
    episodes, header = year_return(EPISODES, HEADER, 2024)
    assert list(header["SEX"]) == ["2", "2"]
    assert "H5" in set(episodes["PLACE"])
    episodes, header = year_return(EPISODES, HEADER, 2025)
    assert list(header["SEX"]) == ["F", "F", "M"]  # b, c (ended 2 April 2024), d
    assert "H5" not in set(episodes["PLACE"]) and "K3" in set(episodes["PLACE"])


def test_motherhood_is_as_it_stood_on_31_march() -> None:
    _, header = year_return(EPISODES, HEADER, 2024)
    b, c = header.iloc[0], header.iloc[1]
    assert b["MOTHER"] == "0" and pd.isna(b["MC_DOB"])  # her child is born in June 2024
    assert c["MOTHER"] == "1" and c["MC_DOB"] == pd.Timestamp(2024, 3, 1)
    _, header = year_return(EPISODES, HEADER, 2025)
    assert header.iloc[0]["MOTHER"] == "1"
    assert header.iloc[0]["MC_DOB"] == pd.Timestamp(2024, 6, 1)
