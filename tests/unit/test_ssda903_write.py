"""Writing canonical frames as 903 CSVs, and read(write(x)) == x."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import child, episode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sufficiency_sim.ssda903.read import read_episodes, read_header
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, HEADER_COLUMNS
from sufficiency_sim.ssda903.write import write_episodes, write_header

BOOKKEEPING = ["_source", "_row"]


def _read_back(path):
    return read_episodes(path).drop(columns=BOOKKEEPING)


def test_layout_dates_and_blanks(write_episodes_csv, tmp_path):
    source = write_episodes_csv(
        [
            episode("1", "2019-04-01", "2019-06-30", REC="X1", URN="123.0"),
            episode("1", "30/06/2019", "", RNE="P", HOME_POST=""),
        ]
    )
    out = tmp_path / "out" / "episodes.csv"
    write_episodes(read_episodes(source), out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [
        ",".join(EPISODE_COLUMNS),
        "1,01/04/2019,S,C2,N1,U4,PR1,30/06/2019,X1,,AB1 2CD,AB3 4EF,123",
        "1,30/06/2019,P,C2,N1,U4,PR1,,,,,AB3 4EF,",
    ]
    assert [p.name for p in out.parent.iterdir()] == ["episodes.csv"]  # no temporary file left


def test_derived_columns_only_when_present_and_not_blank(write_episodes_csv, tmp_path):
    frame = read_episodes(
        write_episodes_csv(
            [
                episode("1", "2019-04-01", PL_LOCATION="in", PL_DISTANCE="3.04"),
                episode("2", "2019-04-01", PL_LOCATION="", PL_DISTANCE="25"),
            ]
        )
    )
    out = tmp_path / "e.csv"
    write_episodes(frame, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join([*EPISODE_COLUMNS, "PL_LOCATION", "PL_DISTANCE"])
    assert lines[1].endswith(",IN,3.0")
    assert lines[2].endswith(",,25.0")

    write_episodes(frame.assign(PL_LOCATION=pd.NA), out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(
        [*EPISODE_COLUMNS, "PL_DISTANCE"]
    )
    write_episodes(frame.drop(columns=["PL_LOCATION", "PL_DISTANCE"]), out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(EPISODE_COLUMNS)


def test_missing_column_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="DEC"):
        write_episodes(pd.DataFrame({"CHILD": ["1"]}), tmp_path / "e.csv")


def test_round_trip_episodes(write_episodes_csv, tmp_path):
    frame = read_episodes(
        write_episodes_csv(
            [
                episode("A1", "2019-04-01", "2019-06-30", REC="X1", PL_LOCATION="OUT"),
                episode("A1", "30/06/2019", "", RNE="P", PL_DISTANCE="12.5", URN="SC1"),
                episode("B,2", "01/01/2018", "02/01/2018", HOME_POST='"quoted"'),
            ]
        )
    ).drop(columns=BOOKKEEPING)
    out = tmp_path / "e.csv"
    write_episodes(frame, out)
    pd.testing.assert_frame_equal(_read_back(out), frame)


def test_round_trip_header(write_header_csv, tmp_path):
    frame = read_header(
        write_header_csv([child("1", "2010-02-03", MC_DOB="01/01/2027"), child("2", "")])
    ).drop(columns=BOOKKEEPING)
    out = tmp_path / "h.csv"
    write_header(frame, out)
    assert out.read_text(encoding="utf-8").splitlines()[:2] == [
        ",".join(HEADER_COLUMNS),
        "1,1,03/02/2010,WBRI,,,01/01/2027",
    ]
    pd.testing.assert_frame_equal(read_header(out).drop(columns=BOOKKEEPING), frame)


def test_round_trip_sf_sample(sf_combined, tmp_path):
    frame = read_episodes(sf_combined).drop(columns=BOOKKEEPING)
    write_episodes(frame, tmp_path / "e.csv")
    pd.testing.assert_frame_equal(_read_back(tmp_path / "e.csv"), frame)


_codes = st.sampled_from(["", "U4", "K2", "P1", "X1", "E13", "PR4", "s", "ZZ"])
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=8
).map(str.strip)
_day = st.dates(
    min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2040-12-31").date()
)


@st.composite
def _episode_frames(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    rows = []
    for _ in range(n):
        start = draw(_day)
        end = draw(st.one_of(st.none(), _day))
        rows.append(
            {
                "CHILD": draw(_text.filter(bool)),
                "DECOM": pd.Timestamp(start),
                "DEC": pd.NaT if end is None else pd.Timestamp(end),
                **{c: draw(_codes) for c in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER")},
                **{c: draw(_codes) for c in ("REC", "REASON_PLACE_CHANGE")},
                "HOME_POST": draw(_text),
                "PL_POST": draw(_text),
                "URN": draw(_text),
                "PL_LOCATION": draw(st.sampled_from(["", "IN", "OUT"])),
                "PL_DISTANCE": draw(
                    st.one_of(st.none(), st.integers(0, 5000).map(lambda x: x / 10))
                ),
            }
        )
    return rows


def _canonical(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column in ("DECOM", "DEC"):
            frame[column] = frame[column].astype("datetime64[ns]")
        elif column == "PL_DISTANCE":
            frame[column] = frame[column].astype("float64")
        else:
            values = frame[column].astype("string")
            frame[column] = values.mask(values == "")
    for column in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"):
        frame[column] = frame[column].str.upper()
    return frame[[*EPISODE_COLUMNS, "PL_LOCATION", "PL_DISTANCE"]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_episode_frames())
def test_round_trip_property(rows, tmp_path):
    frame = _canonical(rows)
    # text that reads back differently is outside the canonical form: "12.0" -> "12"
    for column in ("CHILD", "HOME_POST", "PL_POST", "URN"):
        frame[column] = frame[column].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    out = tmp_path / "e.csv"
    write_episodes(frame, out)
    pd.testing.assert_frame_equal(_read_back(out), frame)
