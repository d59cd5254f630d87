"""The `indicators` and `validate-903` commands: bad input, tables, CSV and data protection."""

from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import child, episode

from sufficiency_sim.cli import group as cli_module
from sufficiency_sim.cli.indicator_table import default_years, format_table
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS

cli_module._register()
CLI = cli_module.cli

_FAKE_COLUMNS = ("cla_31_march", "starts", "pct_3plus_placements")


@pytest.fixture
def indicator_columns(monkeypatch) -> tuple[str, ...]:
    """The real indicators module's columns; a stand-in module if it does not exist yet."""
    try:
        from sufficiency_sim.measure import indicators
    except ImportError:
        fake = types.ModuleType("sufficiency_sim.measure.indicators")

        def compute_indicators(episodes, header, years):
            years = list(years)
            return pd.DataFrame(
                {
                    "year": years,
                    "cla_31_march": [len(episodes)] * len(years),
                    "starts": [0] * len(years),
                    "pct_3plus_placements": [np.nan] * len(years),
                }
            )

        fake.compute_indicators = compute_indicators
        fake.INDICATOR_COLUMNS = _FAKE_COLUMNS
        monkeypatch.setitem(sys.modules, "sufficiency_sim.measure.indicators", fake)
        return _FAKE_COLUMNS
    return tuple(indicators.INDICATOR_COLUMNS)


def _run(args):
    result = CliRunner().invoke(CLI, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


@pytest.fixture
def good_files(write_episodes_csv, write_header_csv):
    episodes = write_episodes_csv(
        [
            episode("1", "01/04/2018", "01/06/2018", REC="X1"),
            episode("1", "01/06/2018", "", RNE="P"),
            episode("2", "2019-01-01", "2019-05-01", REC="E13"),
        ]
    )
    header = write_header_csv([child("1", "01/01/2010"), child("2", "01/01/2012")])
    return episodes, header


# --- bad input: one message naming file, row, column; non-zero exit; no traceback -----------


def _bad_input_cases(write_file, write_episodes_csv):
    no_dec = write_episodes_csv(
        [episode("1", "01/04/2019")],
        name="no_dec.csv",
        columns=[c for c in EPISODE_COLUMNS if c != "DEC"],
    )
    bad_date = write_episodes_csv(
        [episode("1", "01/04/2019"), episode("2", "32/01/2019")], name="bad_date.csv"
    )
    return {
        "missing file": (
            no_dec.parent / "nowhere.csv",
            f"{no_dec.parent / 'nowhere.csv'}: no such file or folder",
        ),
        "empty file": (
            write_file("empty.csv", ""),
            f"{no_dec.parent / 'empty.csv'}: the file is empty; expected a CSV file with a header "
            "line",
        ),
        "not a csv": (
            write_file("e.xlsx", b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml xl/"),
            f"{no_dec.parent / 'e.xlsx'}: not a CSV file: it looks like an Excel workbook; save "
            "the sheet as CSV (comma-separated) and give that file",
        ),
        "missing column": (
            no_dec,
            f"{no_dec}:1: DEC: missing required column; a episodes file needs the columns CHILD, "
            "DECOM, RNE, LS, PLACE, DEC, REC (found: CHILD, DECOM, RNE, LS, CIN, PLACE, "
            "PLACE_PROVIDER, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN)",
        ),
        "bad date": (
            bad_date,
            f"{bad_date}:3: DECOM: cannot read '32/01/2019' as a date; expected dd/mm/YYYY or "
            "YYYY-MM-DD (1 unreadable in this column: row 3)",
        ),
    }


CASES = ["missing file", "empty file", "not a csv", "missing column", "bad date"]


@pytest.mark.parametrize("case", CASES)
def test_indicators_bad_input(case, write_file, write_episodes_csv, write_header_csv):
    path, message = _bad_input_cases(write_file, write_episodes_csv)[case]
    header = write_header_csv([child("1")])
    result = _run(["indicators", "--episodes", path, "--header", header])
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("case", ["missing file", "empty file", "not a csv"])
def test_validate_unreadable_input(case, write_file, write_episodes_csv, write_header_csv):
    path, message = _bad_input_cases(write_file, write_episodes_csv)[case]
    header = write_header_csv([child("1")])
    result = _run(["validate-903", "--episodes", path, "--header", header])
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"


def test_validate_missing_column(write_episodes_csv, write_header_csv):
    path = write_episodes_csv(
        [episode("1", "01/04/2019")], columns=[c for c in EPISODE_COLUMNS if c != "DEC"]
    )
    result = _run(["validate-903", "--episodes", path, "--header", write_header_csv([child("1")])])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path}:1: DEC: missing required column; a episodes file needs CHILD, DECOM, RNE, LS, "
        "PLACE, DEC, REC"
    )
    assert result.stdout.splitlines()[-2:] == [
        "1 problem(s): 1 error(s), 0 warning(s), 0 note(s)",
        "  error   missing-column                  1",
    ]


def test_validate_bad_date(write_episodes_csv, write_header_csv):
    path = write_episodes_csv([episode("1", "01/04/2019"), episode("2", "32/01/2019")])
    header = write_header_csv([child("1"), child("2")])
    result = _run(["validate-903", "--episodes", path, "--header", header])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path}:3: DECOM: cannot read '32/01/2019' as a date; expected dd/mm/YYYY or YYYY-MM-DD"
    )


def test_validate_unknown_code(write_episodes_csv, write_header_csv):
    path = write_episodes_csv(
        [episode("1", "01/04/2024", PLACE="K3"), episode("2", "01/04/2019", PLACE="K3")]
    )
    header = write_header_csv([child("1"), child("2")])
    result = _run(["validate-903", "--episodes", path, "--header", header])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:3: PLACE: code 'K3' is only valid from 2024/25 (episode starts in 2019/20)",
        "1 problem(s): 1 error(s), 0 warning(s), 0 note(s)",
        "  error   unknown-code                    1",
    ]


def test_validate_clean_return_exits_zero(good_files):
    episodes, header = good_files
    result = _run(["validate-903", "--episodes", episodes, "--header", header])
    assert result.exit_code == 0
    assert result.stdout == "no problems found\n"


def test_validate_warnings_only_exit_zero_unless_strict(write_episodes_csv, write_header_csv):
    episodes = write_episodes_csv([episode("1", "01/04/2019", CIN="")])
    header = write_header_csv([child("1")])
    assert _run(["validate-903", "--episodes", episodes, "--header", header]).exit_code == 0
    strict = _run(["validate-903", "--episodes", episodes, "--header", header, "--strict"])
    assert strict.exit_code == 1


def test_subprocess_no_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sufficiency_sim.cli",
            "validate-903",
            "--episodes",
            str(tmp_path / "e.csv"),
            "--header",
            str(tmp_path / "h.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'e.csv'}: no such file or folder\n"
    assert "Traceback" not in result.stderr


# --- indicators -----------------------------------------------------------------------------


def test_indicators_table_and_csv(good_files, tmp_path, indicator_columns):
    episodes, header = good_files
    out = tmp_path / "out" / "indicators.csv"
    result = _run(
        ["indicators", "--episodes", episodes, "--header", header, "--year", 2019, "--out", out]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["indicator", "2019"]
    from sufficiency_sim.report.text import LABELS

    assert [
        line[: len(LABELS[c])] for line, c in zip(lines[1:], indicator_columns, strict=True)
    ] == [LABELS[c] for c in indicator_columns]
    assert len(lines) == 1 + len(indicator_columns)
    assert "903 cleaning:" in result.stderr
    assert "episode rows read" in result.stderr
    written = pd.read_csv(out)
    assert list(written.columns) == ["year", *indicator_columns]
    assert written["year"].tolist() == [2019]
    assert [p.name for p in out.parent.iterdir()] == ["indicators.csv"]


def test_indicators_default_years(good_files, indicator_columns):
    episodes, header = good_files
    result = _run(["indicators", "--episodes", episodes, "--header", header])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["indicator", "2019", "2020"]
    assert "years: 2019-2020" in result.stderr


def test_default_years_rules():
    frame = pd.DataFrame(
        {
            "DECOM": pd.to_datetime(["2013-08-27", "2018-03-31", "2019-01-01"]),
            "DEC": pd.to_datetime(["2019-04-01", None, "2019-02-01"]),
            "_source": ["2017.csv", "2017.csv", "2018.csv"],
        }
    )
    # the first return's latest DECOM is 31/03/2018 (year 2018); DEC 01/04/2019 means the
    # last night was 31/03/2019 (year 2019)
    assert default_years(frame) == [2018, 2019]
    assert default_years(frame.assign(_source="one.csv")) == list(range(2014, 2020))
    assert default_years(frame.iloc[0:0]) == []


def test_format_table():
    result = pd.DataFrame(
        {
            "year": [2019, 2020],
            "cla_31_march": [286, 181],
            "pct_3plus_placements": [23.426573, np.nan],
            "pct_long_term_stable": [10.0, 9.96],
        }
    )
    text = format_table(result, ["cla_31_march", "pct_3plus_placements", "pct_long_term_stable"])
    assert text.splitlines() == [
        "indicator                          2019  2020",
        "Children looked after at 31 March   286   181",
        "3+ placements in year (%)          23.4     -",
        "Long-term stability (%)            10.0  10.0",
    ]


def test_sf_sample_commands(sf_combined, tmp_path, indicator_columns):
    validate = _run(["validate-903", "--episodes", sf_combined, "--header", sf_combined])
    assert validate.exit_code == 1
    assert "1065 problem(s): 40 error(s), 1020 warning(s), 5 note(s)" in validate.stdout
    out = tmp_path / "sf.csv"
    result = _run(["indicators", "--episodes", sf_combined, "--header", sf_combined, "--out", out])
    assert result.exit_code == 0, result.output
    assert "years: 2018-2022" in result.stderr
    assert pd.read_csv(out)["year"].tolist() == [2018, 2019, 2020, 2021, 2022]


# --- data protection --------------------------------------------------------------------------

SECRETS = {
    "CHILD": ["QQCHILD8841", "QQCHILD7730", "QQCHILD5512"],
    "DOB": ["07/11/2008", "2008-11-07", "19/02/2011", "2011-02-19", "2012-12-25"],
    "postcode": ["QX17 7ZZ", "WZ9 1QQ", "JJ4 4JJ", "KK5 5KK"],
    "UPN": ["Q123456789012"],
}


@pytest.fixture
def personal_files(write_episodes_csv, write_header_csv):
    episodes = write_episodes_csv(
        [
            episode(
                "QQCHILD8841",
                "01/04/2018",
                "01/06/2018",
                REC="X1",
                HOME_POST="QX17 7ZZ",
                PL_POST="WZ9 1QQ",
                PL_LOCATION="OUT",
                PL_DISTANCE="31.5",
            ),
            episode("QQCHILD8841", "01/06/2018", "", RNE="P", PLACE="ZZ", PL_POST="JJ4 4JJ"),
            episode("QQCHILD7730", "01/05/2018", "01/04/2018", HOME_POST="KK5 5KK"),
            episode("QQCHILD5512", "01/05/2018", "01/07/2018", REC="X1"),
        ]
    )
    header = write_header_csv(
        [
            child("QQCHILD8841", "07/11/2008", UPN="Q123456789012"),
            child("QQCHILD7730", "2011-02-19", MC_DOB="2012-12-25"),
        ]
    )
    return episodes, header


def _assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for kind, values in SECRETS.items():
            for value in values:
                assert value not in text, f"{kind} value leaked"


def test_outputs_name_no_child(personal_files, tmp_path, indicator_columns):
    episodes, header = personal_files
    out = tmp_path / "ind.csv"
    indicators = _run(
        ["indicators", "--episodes", episodes, "--header", header, "--year", 2019, "--out", out]
    )
    assert indicators.exit_code == 0, indicators.output
    validate = _run(["validate-903", "--episodes", episodes, "--header", header])
    assert validate.exit_code == 1
    assert "unknown code 'ZZ'" in validate.stdout  # problems were found and reported
    assert "not in the header" in validate.stdout
    _assert_no_secrets(
        indicators.stdout,
        indicators.stderr,
        out.read_text(encoding="utf-8"),
        validate.stdout,
        validate.stderr,
    )


def test_error_messages_name_no_child(write_episodes_csv, write_header_csv):
    episodes = write_episodes_csv([episode("QQCHILD8841", "01/04/2018", HOME_POST="QX17 7ZZ")])
    header = write_header_csv([child("QQCHILD8841", "07/11/2008x", UPN="Q123456789012")])
    result = _run(["indicators", "--episodes", episodes, "--header", header])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {header}:2: DOB: cannot read as a date")
    _assert_no_secrets(result.stdout, result.stderr)


def test_unwritable_out_is_an_input_error(good_files, tmp_path, indicator_columns):
    episodes, header = good_files
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "ind.csv"  # a folder that cannot exist under a file
    result = _run(["indicators", "--episodes", episodes, "--header", header, "--out", out])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"error: {out}: cannot write the file")
