"""Cleaning rules, each on a small hand-made case, and the merge of the SF sample returns."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import episode

from sufficiency_sim.ssda903.clean import (
    CleaningReport,
    clean_episodes,
    clean_header,
    truncate_overlaps,
)
from sufficiency_sim.ssda903.read import read_episodes, read_header
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, HEADER_COLUMNS


def _frame(rows, sources=None):
    """A canonical episodes frame from `episode` dicts (ISO dates)."""
    data = pd.DataFrame(rows, columns=list(EPISODE_COLUMNS)).astype("string")
    data = data.mask(data == "")
    for column in ("DECOM", "DEC"):
        data[column] = pd.to_datetime(data[column], format="ISO8601").astype("datetime64[ns]")
    data["PL_LOCATION"] = pd.Series(pd.NA, index=data.index, dtype="string")
    data["PL_DISTANCE"] = float("nan")
    data["_source"] = pd.Series(sources or ["r.csv"] * len(rows), dtype="string")
    data["_row"] = range(2, len(rows) + 2)
    return data


def _spans(frame):
    return [
        (c, d.strftime("%Y-%m-%d"), "" if pd.isna(e) else e.strftime("%Y-%m-%d"))
        for c, d, e in zip(frame["CHILD"], frame["DECOM"], frame["DEC"], strict=True)
    ]


def _counts(report: CleaningReport) -> dict[str, int]:
    return {k: v for k, v in vars(report).items() if v}


def test_drops_rows_without_child_or_decom():
    frame = _frame(
        [
            episode("1", "2019-04-01", "2019-05-01"),
            episode("", "2019-04-01", "2019-05-01"),
            episode("2", "", "2019-05-01"),
        ]
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [("1", "2019-04-01", "2019-05-01")]
    assert _counts(report) == {"episodes_in": 3, "missing_child_or_decom": 2, "episodes_out": 1}


def test_drops_dec_before_decom():
    frame = _frame([episode("1", "2019-04-01", "2019-03-01"), episode("2", "2019-04-01")])
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [("2", "2019-04-01", "")]
    assert _counts(report) == {"episodes_in": 2, "dec_before_decom": 1, "episodes_out": 1}


def test_duplicate_prefers_non_blank_dec_over_later_return():
    # the 2021 return still shows the episode open; the 2020 one shows it closed
    frame = _frame(
        [episode("1", "2019-04-01", "2019-09-01"), episode("1", "2019-04-01", "")],
        sources=["2020.csv", "2021.csv"],
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [("1", "2019-04-01", "2019-09-01")]
    assert cleaned["_source"].tolist() == ["2020.csv"]
    assert _counts(report) == {"episodes_in": 2, "duplicates": 1, "episodes_out": 1}


def test_duplicate_stale_open_episode_dropped():
    frame = _frame(
        [episode("1", "2018-04-01", ""), episode("1", "2018-04-01", "2019-09-01")],
        sources=["2019.csv", "2020.csv"],
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [("1", "2018-04-01", "2019-09-01")]
    assert cleaned["_source"].tolist() == ["2020.csv"]
    assert report.duplicates == 1


def test_duplicate_prefers_most_complete_then_latest_return():
    frame = _frame(
        [
            episode("1", "2019-04-01", "2019-09-01", URN="555"),
            episode("1", "2019-04-01", "2019-10-01", URN=""),  # later but less complete
            episode("2", "2019-04-01", "2019-09-01", URN="1"),
            episode("2", "2019-04-01", "2019-10-01", URN="1"),  # as complete, later return
        ],
        sources=["2020.csv", "2021.csv", "2020.csv", "2021.csv"],
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2019-04-01", "2019-09-01"),
        ("2", "2019-04-01", "2019-10-01"),
    ]
    assert cleaned["URN"].tolist() == ["555", "1"]
    assert _counts(report) == {"episodes_in": 4, "duplicates": 2, "episodes_out": 2}


def test_open_episode_superseded_by_later_episode_is_closed_as_x1():
    frame = _frame(
        [
            episode("1", "2018-04-01", "", REC=""),
            episode("1", "2019-01-10", "2019-06-01", RNE="P", REC="E13"),
        ],
        sources=["2019.csv", "2020.csv"],
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2018-04-01", "2019-01-10"),
        ("1", "2019-01-10", "2019-06-01"),
    ]
    assert cleaned["REC"].tolist() == ["X1", "E13"]
    assert _counts(report) == {"episodes_in": 2, "open_truncated": 1, "episodes_out": 2}


def test_overlapping_closed_episode_is_truncated_rec_kept():
    frame = _frame(
        [
            episode("1", "2019-04-01", "2019-08-01", REC="X1"),
            episode("1", "2019-07-01", "2019-09-01", RNE="P", REC="E13"),
            episode("2", "2019-04-01", "2019-07-01", REC="X1"),  # touching is not overlapping
            episode("2", "2019-07-01", "", RNE="P"),
        ]
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2019-04-01", "2019-07-01"),
        ("1", "2019-07-01", "2019-09-01"),
        ("2", "2019-04-01", "2019-07-01"),
        ("2", "2019-07-01", ""),
    ]
    assert cleaned["REC"].tolist()[:2] == ["X1", "E13"]
    assert _counts(report) == {"episodes_in": 4, "overlaps_truncated": 1, "episodes_out": 4}


def test_episode_overlapping_two_later_ones_ends_at_the_next():
    frame = _frame(
        [
            episode("1", "2019-04-01", "2020-01-01", REC="X1"),
            episode("1", "2019-05-01", "2019-06-01", REC="X1"),
            episode("1", "2019-06-01", "", REC=""),
        ]
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2019-04-01", "2019-05-01"),
        ("1", "2019-05-01", "2019-06-01"),
        ("1", "2019-06-01", ""),
    ]
    assert report.overlaps_truncated == 1


def test_zero_length_after_truncation_is_dropped():
    # without the duplicate rule two rows can share a DECOM: truncation makes one zero-length
    frame = _frame([episode("1", "2019-04-01", ""), episode("1", "2019-04-01", "2019-05-01")])
    cleaned, opened, closed, zero = truncate_overlaps(frame)
    assert _spans(cleaned) == [("1", "2019-04-01", "2019-05-01")]
    assert (opened, closed, zero) == (1, 0, 1)


def test_existing_zero_length_episode_is_kept():
    # a child who leaves care on the day the last episode starts (unique DECOMs, as 903 requires)
    frame = _frame(
        [
            episode("1", "2019-04-01", "2019-05-01", REC="X1"),
            episode("1", "2019-05-01", "2019-05-01", RNE="P", REC="E13"),
        ]
    )
    cleaned, report = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2019-04-01", "2019-05-01"),
        ("1", "2019-05-01", "2019-05-01"),
    ]
    assert _counts(report) == {"episodes_in": 2, "episodes_out": 2}


def test_clean_is_sorted_and_keeps_bookkeeping():
    frame = _frame(
        [
            episode("2", "2019-04-01"),
            episode("1", "2019-05-01"),
            episode("1", "2019-04-01", "2019-05-01"),
        ]
    )
    cleaned, _ = clean_episodes(frame)
    assert _spans(cleaned) == [
        ("1", "2019-04-01", "2019-05-01"),
        ("1", "2019-05-01", ""),
        ("2", "2019-04-01", ""),
    ]
    assert cleaned["_row"].tolist() == [4, 3, 2]
    assert list(cleaned.index) == [0, 1, 2]
    assert list(cleaned.columns) == list(frame.columns)


def test_clean_does_not_modify_its_input():
    frame = _frame([episode("1", "2019-04-01", ""), episode("1", "2019-05-01", "")])
    before = frame.copy()
    clean_episodes(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_header_keeps_latest_return_row_per_child():
    header = pd.DataFrame(
        {
            "CHILD": ["1", "2", "1", None],
            "SEX": ["1", "2", "2", "1"],
            "DOB": pd.to_datetime(["2010-01-01", "2011-01-01", "2010-01-02", "2012-01-01"]),
            "ETHNIC": ["A", "B", "C", "D"],
            "UPN": [None] * 4,
            "MOTHER": [None] * 4,
            "MC_DOB": pd.to_datetime([None] * 4),
            "_source": ["2019.csv", "2019.csv", "2020.csv", "2020.csv"],
            "_row": [2, 3, 2, 3],
        }
    ).astype({"CHILD": "string"})
    cleaned, report = clean_header(header)
    assert list(cleaned.columns) == [*HEADER_COLUMNS, "_source", "_row"]
    assert cleaned["CHILD"].tolist() == ["1", "2"]
    assert cleaned["SEX"].tolist() == ["2", "2"]
    assert _counts(report) == {
        "header_in": 4,
        "header_missing_child": 1,
        "header_duplicates": 1,
        "header_out": 2,
    }


def test_report_text_and_frame_name_no_child():
    frame = _frame(
        [episode("CHILD-777", "2019-04-01", ""), episode("CHILD-777", "2019-04-01", "2019-05-01")]
    )
    _, report = clean_episodes(frame)
    text = report.to_text()
    assert "CHILD-777" not in text
    assert "header rows" not in text  # no header was cleaned
    assert text.splitlines()[0] == "903 cleaning:"
    assert any(line.endswith(" 1") and "same (CHILD, DECOM)" in line for line in text.splitlines())
    table = report.to_frame()
    assert list(table.columns) == ["rule", "description", "count"]
    assert table.set_index("rule")["count"]["duplicates"] == 1
    assert "CHILD-777" not in table.to_csv()
    merged = report.merge(CleaningReport(header_in=3, header_out=3))
    assert merged.header_in == 3 and merged.duplicates == 1
    assert "header rows read" in merged.to_text()


def test_sf_sample_merge(sf_combined):
    """Merging the five SF returns.

    Each of the 910 duplicated (CHILD, DECOM) pairs is an episode open in one return and closed
    in a later one (the 996 open rows minus the 86 left open); the other fields agree. 40
    closed episodes end after the child's next one starts and are truncated.
    """
    raw = read_episodes(sf_combined)
    cleaned, report = clean_episodes(raw)
    assert _counts(report) == {
        "episodes_in": 3737,
        "duplicates": 910,
        "overlaps_truncated": 40,
        "episodes_out": 2827,
    }
    duplicated = raw[raw.duplicated(["CHILD", "DECOM"], keep=False)]
    assert len(duplicated) == 1820
    pairs = duplicated.groupby(["CHILD", "DECOM"])
    assert (pairs["DEC"].count() == 1).all()  # one open, one closed row in each pair
    assert (pairs["DEC"].transform("count") == 1).all()
    assert cleaned["DEC"].isna().sum() == 86
    assert not cleaned.duplicated(["CHILD", "DECOM"]).any()
    following = cleaned.groupby("CHILD")["DECOM"].shift(-1)
    assert not (cleaned["DEC"].isna() & following.notna()).any()
    assert not (cleaned["DEC"] > following).any()
    header, header_report = clean_header(read_header(sf_combined))
    assert (header_report.header_in, header_report.header_out) == (2123, 820)
    assert set(cleaned["CHILD"]) == set(header["CHILD"])


@pytest.mark.parametrize("shuffle_seed", [1, 2])
def test_clean_does_not_depend_on_row_order_within_a_return(shuffle_seed):
    rows = [
        episode("1", "2019-04-01", "2019-08-01", REC="X1"),
        episode("1", "2019-07-01", "", RNE="P"),
        episode("2", "2019-04-01", ""),
        episode("2", "2019-04-01", "2019-06-01"),
    ]
    reference, _ = clean_episodes(_frame(rows))
    shuffled = _frame(rows).sample(frac=1, random_state=shuffle_seed).reset_index(drop=True)
    cleaned, _ = clean_episodes(shuffled)
    assert _spans(cleaned) == _spans(reference)
