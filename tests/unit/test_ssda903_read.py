"""Reading 903 episodes and header files into canonical frames."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from conftest import child, csv_text, episode

from sufficiency_sim.errors import InputError
from sufficiency_sim.ssda903.read import read_episodes, read_header
from sufficiency_sim.ssda903.schema import (
    EPISODE_COLUMNS,
    EPISODE_DERIVED_COLUMNS,
    HEADER_COLUMNS,
)
from sufficiency_sim.ssda903.sources import classify_columns

CANONICAL = [*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS, "_source", "_row"]


def test_single_file_gives_canonical_frame(write_episodes_csv):
    path = write_episodes_csv(
        [
            episode("101", "01/04/2019", "2019-06-30", REC="x1 ", PLACE=" u4"),
            episode("101.0", "2019-06-30", "", RNE="p", URN="123.0", HOME_POST=" AB1 2CD "),
        ]
    )
    frame = read_episodes(path)
    assert list(frame.columns) == CANONICAL
    assert frame["CHILD"].dtype == "string"
    assert frame["DECOM"].dtype == "datetime64[ns]"
    assert frame["DEC"].dtype == "datetime64[ns]"
    assert frame["PL_DISTANCE"].dtype == "float64"
    assert frame["CHILD"].tolist() == ["101", "101"]
    assert frame["DECOM"].tolist() == [pd.Timestamp("2019-04-01"), pd.Timestamp("2019-06-30")]
    assert frame["DEC"].iloc[0] == pd.Timestamp("2019-06-30")
    assert pd.isna(frame["DEC"].iloc[1])
    assert frame["REC"].iloc[0] == "X1"
    assert pd.isna(frame["REC"].iloc[1])
    assert frame["PLACE"].iloc[0] == "U4"
    assert frame["RNE"].iloc[1] == "P"
    assert frame["URN"].iloc[1] == "123"
    assert frame["HOME_POST"].iloc[1] == "AB1 2CD"
    assert frame["PL_LOCATION"].isna().all()
    assert frame["PL_DISTANCE"].isna().all()
    assert frame["_row"].tolist() == [2, 3]
    assert set(frame["_source"]) == {str(path)}


def test_optional_columns_and_unknown_extra_columns(write_episodes_csv):
    path = write_episodes_csv(
        [
            episode("1", "01/04/2019", PL_LOCATION="out", PL_DISTANCE="21.25", LA="York"),
            episode("2", "01/04/2019", PL_LOCATION="", PL_DISTANCE=""),
        ]
    )
    frame = read_episodes(path)
    assert list(frame.columns) == CANONICAL
    assert frame["PL_LOCATION"].iloc[0] == "OUT"
    assert frame["PL_DISTANCE"].iloc[0] == 21.25
    assert pd.isna(frame["PL_LOCATION"].iloc[1])
    assert pd.isna(frame["PL_DISTANCE"].iloc[1])


def test_blank_lines_keep_csv_line_numbers(write_file):
    text = csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2019")])
    text += (
        "\n,,,,,,,,,,,,\n"
        + csv_text(EPISODE_COLUMNS, [episode("2", "02/04/2019")]).split("\n", 1)[1]
    )
    frame = read_episodes(write_file("e.csv", text))
    assert frame["CHILD"].tolist() == ["1", "2"]
    assert frame["_row"].tolist() == [2, 5]


def test_unknown_codes_are_kept_not_rejected(write_episodes_csv):
    frame = read_episodes(write_episodes_csv([episode("1", "01/04/2019", PLACE="ZZ9", LS="Q")]))
    assert frame["PLACE"].iloc[0] == "ZZ9"
    assert frame["LS"].iloc[0] == "Q"


def test_blank_child_or_decom_rows_are_read(write_episodes_csv):
    frame = read_episodes(write_episodes_csv([episode("", "01/04/2019"), episode("2", "")]))
    assert frame["CHILD"].isna().tolist() == [True, False]
    assert frame["DECOM"].isna().tolist() == [False, True]


def _folder_of_returns(write_file):
    write_file(
        "returns/2019-episodes.csv",
        csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2018", "", RNE="S")]),
    )
    write_file(
        "returns/episodes_2020.csv",
        csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2018", "01/05/2019", REC="E13")]),
    )
    write_file(
        "returns/2021/episodes.csv",
        csv_text(EPISODE_COLUMNS, [episode("2", "01/06/2020")]),
    )
    # a file named like nothing, recognised by its columns
    write_file("returns/extract_b.csv", csv_text(EPISODE_COLUMNS, [episode("3", "01/01/2017")]))
    write_file("returns/2019-header.csv", csv_text(HEADER_COLUMNS, [child("1")]))
    write_file("returns/2021/header.csv", csv_text(HEADER_COLUMNS, [child("2"), child("1")]))
    write_file(
        "returns/2019-uasc.csv", "CHILD,SEX,DOB,DUC\n1,1,01/01/2010,01/01/2028\n"
    )  # UASC also has CHILD, SEX, DOB: must not be taken for a header
    write_file("returns/notes.txt", "not a csv\n")
    return write_file("returns/.hidden.csv", "junk")


def test_folder_detects_tables_by_columns_and_orders_returns(write_file):
    folder = _folder_of_returns(write_file).parent
    episodes = read_episodes(folder)
    sources = [s.removeprefix(str(folder) + "/") for s in episodes["_source"]]
    assert sources == [
        "extract_b.csv",
        "2019-episodes.csv",
        "episodes_2020.csv",
        "2021/episodes.csv",
    ]
    assert episodes["CHILD"].tolist() == ["3", "1", "1", "2"]
    assert episodes["_row"].tolist() == [2, 2, 2, 2]
    header = read_header(folder)
    sources = [s.removeprefix(str(folder) + "/") for s in header["_source"]]
    assert sources == ["2019-header.csv", "2021/header.csv", "2021/header.csv"]


def test_zip_archive(write_file, tmp_path):
    folder = _folder_of_returns(write_file).parent
    archive = tmp_path / "returns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*.csv")):
            zf.write(path, path.relative_to(folder).as_posix())
    episodes = read_episodes(archive)
    assert episodes["CHILD"].tolist() == ["3", "1", "1", "2"]
    assert episodes["_source"].iloc[-1] == f"{archive}:2021/episodes.csv"
    assert read_header(archive)["CHILD"].tolist() == ["1", "2", "1"]


def test_classify_columns():
    assert classify_columns(EPISODE_COLUMNS) == "episodes"
    assert classify_columns(HEADER_COLUMNS) == "header"
    assert classify_columns(["CHILD", "SEX", "DOB", "DUC"]) == "uasc"
    assert classify_columns(["CHILD", "DECOM", "DEC"], "2019-episodes.csv") == "episodes"
    assert classify_columns(["A", "B"]) is None


def test_header_reading(write_header_csv):
    frame = read_header(
        write_header_csv([child("7.0", "2010-02-03", SEX=" m", MOTHER="1.0"), child("8", "")])
    )
    assert list(frame.columns) == [*HEADER_COLUMNS, "_source", "_row"]
    assert frame["CHILD"].tolist() == ["7", "8"]
    assert frame["DOB"].iloc[0] == pd.Timestamp("2010-02-03")
    assert pd.isna(frame["DOB"].iloc[1])
    assert frame["DOB"].dtype == "datetime64[ns]"
    assert frame["SEX"].iloc[0] == "M"
    assert frame["MOTHER"].iloc[0] == "1"
    assert pd.isna(frame["UPN"].iloc[0])


# --- bad input: one clear message naming file, row and column -----------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_episodes(tmp_path / "nope.csv")
    assert str(err.value) == f"{tmp_path / 'nope.csv'}: no such file or folder"


def test_empty_file(write_file):
    path = write_file("e.csv", "  \n")
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value) == f"{path}: the file is empty; expected a CSV file with a header line"


def test_header_line_only(write_file):
    path = write_file("e.csv", ",".join(EPISODE_COLUMNS) + "\n")
    with pytest.raises(InputError, match="header line but no episode rows") as err:
        read_episodes(path)
    assert str(path) in str(err.value)


def test_excel_file_is_not_csv(write_file):
    path = write_file("e.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml xl/workbook")
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value).startswith(f"{path}: not a CSV file: it looks like an Excel workbook")


def test_binary_file_is_not_csv(write_file):
    path = write_file("e.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value) == f"{path}: not a CSV file: it holds binary data; expected a text CSV"


def test_missing_required_column(write_episodes_csv):
    columns = [c for c in EPISODE_COLUMNS if c != "DEC"]
    path = write_episodes_csv([episode("1", "01/04/2019")], columns=columns)
    with pytest.raises(InputError) as err:
        read_episodes(path)
    message = str(err.value)
    assert message.startswith(f"{path}:1: DEC: missing required column; a episodes file needs")
    assert "CHILD, DECOM, RNE, LS, PLACE, DEC, REC" in message


def test_header_given_as_episodes_gets_a_hint(write_header_csv):
    path = write_header_csv([child("1")])
    with pytest.raises(InputError, match="this looks like a header file"):
        read_episodes(path)


def test_headerless_file_does_not_echo_first_row(write_file):
    path = write_file("e.csv", "SECRET99,01/04/2019,S,C2,N1,U4,PR1,,,,AB1 2CD,AB3 4EF,\n")
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert "SECRET99" not in str(err.value)
    assert "AB1 2CD" not in str(err.value)
    assert "is the header line missing?" in str(err.value)


def test_unparseable_dates_list_rows_and_count(write_episodes_csv):
    rows = [episode("1", "01/04/2019")] + [episode("2", f"31/02/201{i}") for i in range(7)]
    path = write_episodes_csv(rows)
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value) == (
        f"{path}:3: DECOM: cannot read '31/02/2010' as a date; expected dd/mm/YYYY or "
        "YYYY-MM-DD (7 unreadable in this column: rows 3, 4, 5, 6, 7 and 2 more)"
    )


def test_unparseable_dob_is_not_quoted(write_header_csv):
    path = write_header_csv([child("1", "2010-13-45")])
    with pytest.raises(InputError) as err:
        read_header(path)
    assert str(err.value) == (
        f"{path}:2: DOB: cannot read as a date; expected dd/mm/YYYY or YYYY-MM-DD "
        "(1 unreadable in this column: row 2)"
    )


@pytest.mark.parametrize("distance", ["far", "inf", "nan"])
def test_unreadable_distance(write_episodes_csv, distance):
    path = write_episodes_csv([episode("1", "01/04/2019", PL_DISTANCE=distance)])
    with pytest.raises(InputError, match=rf":2: PL_DISTANCE: cannot read '{distance}' as a"):
        read_episodes(path)


def test_ragged_csv_row(write_file):
    text = (
        csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2019")])
        + "1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
    )
    path = write_file("e.csv", text)
    with pytest.raises(InputError, match=rf"^{path}:3: not a valid CSV row"):
        read_episodes(path)


def test_folder_without_episodes(write_file):
    path = write_file("dir/2019-header.csv", csv_text(HEADER_COLUMNS, [child("1")]))
    with pytest.raises(InputError, match="no episodes file found among 1 CSV file"):
        read_episodes(path.parent)


# --- the Social Finance synthetic returns ---------------------------------------------------


def test_reads_sf_sample_returns(sf_combined):
    episodes = read_episodes(sf_combined)
    per_file = episodes.groupby("_source", sort=False).size()
    names = [s.rsplit("/", 1)[-1] for s in per_file.index]
    assert names == [f"{y}-episodes.csv" for y in range(2017, 2022)]
    assert per_file.tolist() == [1460, 974, 648, 402, 253]  # as in the samples' README
    assert episodes["DECOM"].notna().all()
    assert episodes["DEC"].isna().sum() == 996  # open rows: 434 + 235 + 160 + 105 + 62
    header = read_header(sf_combined)
    assert header.groupby("_source", sort=False).size().tolist() == [819, 572, 362, 226, 144]
    assert header["DOB"].notna().all()


def test_bom_lowercase_and_spaced_column_names(write_file):
    text = "\ufeff" + csv_text([f" {c.lower()} " for c in EPISODE_COLUMNS], [])
    text += "1,01/04/2019,S,C2,N1,U4,PR1,,,,,,\n"
    frame = read_episodes(write_file("e.csv", text))
    assert frame["CHILD"].tolist() == ["1"]
    assert frame["PLACE"].tolist() == ["U4"]


def test_cp1252_file(write_file):
    text = csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2019", PL_POST="Café")])
    frame = read_episodes(write_file("e.csv", text.encode("cp1252")))
    assert frame["PL_POST"].tolist() == ["Café"]


def test_semicolon_separated_file_gets_a_hint(write_file):
    path = write_file("e.csv", ";".join(EPISODE_COLUMNS) + "\n1;01/04/2019\n")
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value).startswith(f"{path}:1: CHILD, DECOM, RNE, LS, PLACE, DEC, REC: missing")
    assert str(err.value).endswith("the header line is separated by semicolons, expected commas")


def test_folder_skips_empty_files_of_other_tables(write_file):
    write_file("r/2019-episodes.csv", csv_text(EPISODE_COLUMNS, [episode("1", "01/04/2019")]))
    write_file("r/2019-ad1.csv", "")
    write_file("r/2019-placed_for_adoption.csv", b"\x00\x01")
    assert read_episodes(write_file("r/2019-header.csv", "").parent)["CHILD"].tolist() == ["1"]
    empty = write_file("r/2020-episodes.csv", "")
    with pytest.raises(InputError, match=f"^{empty}: the file is empty"):
        read_episodes(empty.parent)


def test_bad_values_shaped_like_identifiers_are_not_echoed(write_episodes_csv):
    path = write_episodes_csv(
        [episode("1", "AB1 2CD"), episode("2", "01/04/2019", PL_DISTANCE="XY9 9ZZ")]
    )
    with pytest.raises(InputError) as err:
        read_episodes(path)
    assert str(err.value).splitlines() == [
        f"{path}:2: DECOM: cannot read this value as a date; expected dd/mm/YYYY or YYYY-MM-DD "
        "(1 unreadable in this column: row 2)",
        f"{path}:3: PL_DISTANCE: cannot read this value as a distance; expected a number of miles "
        "(1 unreadable: row 3)",
    ]


def test_sf_sample_as_zip_of_year_folders(sf_combined, tmp_path):
    """The upstream v1.zip layout (<year>/<table>.csv) reads the same as the flat folder."""
    archive = tmp_path / "v1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(sf_combined.glob("*.csv")):
            year, table = path.stem.split("-", 1)
            zf.write(path, f"{year}/{table}.csv")
    flat = read_episodes(sf_combined).drop(columns="_source")
    zipped = read_episodes(archive)
    assert zipped["_source"].iloc[0] == f"{archive}:2017/episodes.csv"
    pd.testing.assert_frame_equal(zipped.drop(columns="_source"), flat)
    assert len(read_header(archive)) == 2123
