"""validate_903: every problem found, named by file, CSV line and column, never by child."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import child, csv_text, episode

from sufficiency_sim.errors import InputError
from sufficiency_sim.ssda903 import codes
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, HEADER_COLUMNS
from sufficiency_sim.ssda903.validate import Problem, has_errors, summary, validate_903


@pytest.fixture
def validate(write_episodes_csv, write_header_csv):
    """Validate episode rows against a header listing children "1" to "9" (or given rows)."""

    def _run(rows, header_rows=None, columns=EPISODE_COLUMNS):
        episodes = write_episodes_csv(rows, columns=columns)
        header = write_header_csv(header_rows or [child(str(i)) for i in range(1, 10)])
        return validate_903(episodes, header), str(episodes), str(header)

    return _run


def _lines(problems):
    return [str(p) for p in problems]


def test_valid_return_has_no_problems(validate):
    problems, _, _ = validate(
        [
            episode("1", "01/04/2019", "2019-06-01", REC="X1"),
            episode("1", "01/06/2019", "", RNE="P", REC="", PLACE="K2", PLACE_PROVIDER="PR4"),
            episode("2", "2018-05-05", "31/03/2019", REC="E4A", PLACE="T1", PLACE_PROVIDER=""),
        ]
    )
    assert problems == []
    assert not has_errors(problems)
    assert summary(problems) == "no problems found"


def test_missing_required_column_does_not_stop_other_checks(validate):
    columns = [c for c in EPISODE_COLUMNS if c not in ("REC", "URN")]
    problems, path, _ = validate(
        [episode("1", "01/04/2019", PLACE="ZZ"), episode("1", "01/04/2019")], columns=columns
    )
    assert _lines(problems) == [
        f"{path}:1: REC: missing required column; a episodes file needs "
        "CHILD, DECOM, RNE, LS, PLACE, DEC, REC",
        f"{path}:1: URN: warning: column is missing (not needed for the indicators)",
        f"{path}:2: PLACE: unknown code 'ZZ' for 2019/20; expected one of "
        + ", ".join(sorted(codes.valid_codes("PLACE", 2020))),
        f"{path}:3: DECOM: same CHILD and DECOM as row 2",
    ]
    assert has_errors(problems)


def test_unparseable_dates_are_reported_not_raised(validate):
    problems, path, _ = validate(
        [
            episode("1", "31/13/2019", REC=""),
            episode("2", "01/04/2019", "yesterday"),
            episode("3", "01/04/2019", "", PLACE="Q9", REC=""),
        ]
    )
    assert _lines(problems) == [
        f"{path}:2: DECOM: cannot read '31/13/2019' as a date; expected dd/mm/YYYY or YYYY-MM-DD",
        f"{path}:3: DEC: cannot read 'yesterday' as a date; expected dd/mm/YYYY or YYYY-MM-DD",
        f"{path}:4: PLACE: unknown code 'Q9' for 2019/20; expected one of "
        + ", ".join(sorted(codes.valid_codes("PLACE", 2020))),
    ]
    assert [p.kind for p in problems[:2]] == ["bad-date", "bad-date"]
    assert problems[0].value == "31/13/2019"


@pytest.mark.parametrize(
    ("place", "decom", "message"),
    [
        ("K3", "31/03/2024", "code 'K3' is only valid from 2024/25 (episode starts in 2023/24)"),
        ("K3", "01/04/2024", None),
        ("H5", "31/03/2025", None),
        ("H5", "01/04/2025", "code 'H5' is not valid from 2025/26 (episode starts in 2025/26)"),
        ("P2", "01/04/2025", "code 'P2' is not valid from 2025/26 (episode starts in 2025/26)"),
        ("Z1", "31/03/2025", None),
        ("Z1", "01/04/2025", "code 'Z1' is not valid from 2025/26 (episode starts in 2025/26)"),
        ("Z11", "01/04/2025", None),
        ("Z14", "31/03/2025", "code 'Z14' is only valid from 2025/26 (episode starts in 2024/25)"),
    ],
)
def test_place_codes_by_collection_year(validate, place, decom, message):
    problems, path, _ = validate([episode("1", decom, "", PLACE=place, PLACE_PROVIDER="PR1")])
    expected = [] if message is None else [f"{path}:2: PLACE: {message}"]
    assert _lines(problems) == expected


def test_unknown_codes_in_every_coded_column(validate):
    row = episode(
        "1",
        "01/04/2019",
        "01/05/2019",
        RNE="Q",
        LS="C9",
        CIN="N0",
        PLACE_PROVIDER="PR9",
        REC="E99",
        REASON_PLACE_CHANGE="BORED",
        PL_LOCATION="NEAR",
    )
    problems, _, _ = validate([row])
    assert [(p.row, p.column, p.value, p.kind) for p in problems] == [
        (2, "RNE", "Q", "unknown-code"),
        (2, "LS", "C9", "unknown-code"),
        (2, "CIN", "N0", "unknown-code"),
        (2, "PLACE_PROVIDER", "PR9", "unknown-code"),
        (2, "REC", "E99", "unknown-code"),
        (2, "REASON_PLACE_CHANGE", "BORED", "unknown-code"),
        (2, "PL_LOCATION", "NEAR", "unknown-code"),
    ]


def test_episode_checks(validate):
    problems, path, _ = validate(
        [
            episode("1", "01/04/2019", "01/03/2019"),  # 2: DEC before DECOM
            episode("2", "01/04/2019", "01/08/2019", REC="X1"),  # 3: overlaps the next
            episode("2", "01/07/2019", "01/09/2019", RNE="P", REC="X1"),  # 4: X1, gap after
            episode("2", "01/10/2019", "", RNE="S"),  # 5
            episode("3", "01/04/2019", "", RNE="", LS="", PLACE=""),  # 6: blank codes
            episode("3", "01/05/2019", "01/06/2019", REC=""),  # 7: open 6 overlaps; no REC
            episode("10", "01/04/2019", "01/04/2019", LS="V3"),  # 8: zero length, no header
        ]
    )
    assert _lines(problems) == [
        f"{path}:2: DEC: DEC is before DECOM; the episode is left out",
        f"{path}:3: DEC: episode ends after the child's next episode (row 4) starts; "
        "cleaning ends it there",
        f"{path}:4: REC: REC is X1 but no episode of this child starts on DEC: "
        "the next episode (row 5) starts on another day",
        f"{path}:6: RNE: blank; expected a RNE code",
        f"{path}:6: LS: blank; expected a LS code",
        f"{path}:6: PLACE: blank; expected a PLACE code",
        f"{path}:6: DEC: open episode, but the child has a later episode (row 7); "
        "cleaning closes it there",
        f"{path}:7: REC: warning: blank for a closed episode; counted as leaving care",
        f"{path}:8: CHILD: this child (first episode at this row) is not in the header file(s)",
        f"{path}:8: LS: info: 1 short-break episode(s) (LS V3/V4), first at this row; "
        "the indicators leave them out",
        f"{path}:8: DEC: warning: DEC equals DECOM: the episode covers no day",
    ]


def test_x1_as_last_episode(validate):
    problems, path, _ = validate([episode("1", "01/04/2019", "01/05/2019", REC="X1")])
    assert _lines(problems) == [
        f"{path}:2: REC: REC is X1 but no episode of this child starts on DEC: "
        "there is no later episode"
    ]


def test_header_checks(validate):
    problems, episodes, header = validate(
        [episode("1", "01/04/2019"), episode("2", "01/04/2019")],
        header_rows=[
            child("1", "03/04/2019"),  # born after the episode started
            child("2", "31/02/2010", SEX="X"),
            child("2", ""),
            child("", "01/01/2010"),
        ],
    )
    assert _lines(problems) == [
        f"{episodes}:2: DECOM: episode starts before the child's date of birth in the header",
        f"{header}:3: SEX: unknown code 'X'; expected one of 1, 2, F, M, U",
        f"{header}:3: DOB: cannot read as a date; expected dd/mm/YYYY or YYYY-MM-DD",
        f"{header}:4: CHILD: child already listed in this file",
        f"{header}:4: DOB: warning: blank; the child is left out of the long-term stability "
        "measure",
        f"{header}:5: CHILD: blank",
    ]
    assert problems[2].value is None  # a DOB is never kept


def test_multi_year_returns(write_file, tmp_path):
    write_file(
        "r/2019-episodes.csv",
        csv_text(
            EPISODE_COLUMNS,
            [
                episode("1", "01/04/2018", "", REC=""),  # closed in 2020 return: fine
                episode("2", "01/04/2018", "", REC=""),  # never seen again: stale
                episode("3", "01/04/2018", "01/05/2018"),
            ],
        ),
    )
    write_file(
        "r/2020-episodes.csv",
        csv_text(
            EPISODE_COLUMNS,
            [
                episode("1", "01/04/2018", "01/06/2019"),
                episode("3", "01/04/2018", "01/07/2018"),  # disagrees with 2019 return
                episode("3", "01/04/2018", "01/07/2018"),  # duplicate within the file
            ],
        ),
    )
    write_file("r/header.csv", csv_text(HEADER_COLUMNS, [child("1"), child("2"), child("3")]))
    problems = validate_903(tmp_path / "r", tmp_path / "r")
    old, new = str(tmp_path / "r/2019-episodes.csv"), str(tmp_path / "r/2020-episodes.csv")
    assert _lines(problems) == [
        f"{old}:3: DEC: warning: open episode missing from the later return(s): its end is "
        "unknown and it stays open",
        f"{new}:3: DEC: warning: DEC differs from the same episode in {old}:4; cleaning keeps "
        "the most complete row, then the latest return",
        f"{new}:4: DECOM: same CHILD and DECOM as row 3",
        f"{new}:4: DEC: warning: DEC differs from the same episode in {old}:4; cleaning keeps "
        "the most complete row, then the latest return",
    ]


def test_problem_never_keeps_personal_values():
    problem = Problem("f.csv", 3, "CHILD", "blank", value="SECRET")
    assert problem.value is None
    assert str(problem) == "f.csv:3: CHILD: blank"
    assert str(Problem("f.csv", None, None, "no data rows", severity="warning")) == (
        "f.csv: warning: no data rows"
    )


def test_personal_values_never_in_messages(validate):
    rows = [
        episode("ZQ123456", "01/04/2019", "02/04/2019", REC="X1", HOME_POST="ZZ9 9ZZ"),
        episode("ZQ123456", "01/04/2019", "", PLACE="BAD", PL_POST="YY8 8YY"),
        episode("ZQ999999", "31/02/2019", PL_POST="XX7 7XX"),
    ]
    problems, _, _ = validate(rows, header_rows=[child("ZQ123456", "1999-31-12", UPN="A123")])
    text = "\n".join(_lines(problems)) + summary(problems)
    assert problems
    for secret in ("ZQ123456", "ZQ999999", "ZZ9 9ZZ", "YY8 8YY", "XX7 7XX", "1999-31-12", "A123"):
        assert secret not in text


def test_unreadable_input_raises(tmp_path, write_header_csv):
    header = write_header_csv([child("1")])
    with pytest.raises(InputError, match="no such file or folder"):
        validate_903(tmp_path / "missing.csv", header)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="the file is empty"):
        validate_903(empty, header)


def test_sf_sample(sf_combined):
    """The SF returns use valid codes throughout; what is wrong is the sequencing.

    40 closed episodes end after the child's next episode starts (the 40 rows cleaning
    truncates); all 996 open rows carry a REC (X1 or an exit code); 24 episodes open in an
    older return are in no later return (86 left open after merging, 62 of them in the last
    return); each of the 5 returns has short breaks.
    """
    problems = validate_903(sf_combined, sf_combined)
    kinds = Counter((p.severity, p.kind) for p in problems)
    assert kinds == Counter(
        {
            ("error", "overlap"): 40,
            ("warning", "rec-without-dec"): 996,
            ("warning", "open-not-in-later-return"): 24,
            ("info", "short-break"): 5,
        }
    )
    assert all(p.row and p.row >= 2 for p in problems)
    assert summary(problems).splitlines()[0] == (
        "1065 problem(s): 40 error(s), 1020 warning(s), 5 note(s)"
    )


def test_future_dates(validate):
    problems, path, _ = validate([episode("1", "01/04/2019", "01/04/2099")])
    assert _lines(problems) == [f"{path}:2: DEC: warning: date is in the future"]


def test_header_without_child_column_skips_the_link_check(
    validate, write_episodes_csv, write_header_csv
):
    header_rows = [{"CHILD": "", "DOB": "01/01/2010", "SEX": "1"}]
    problems, _, header = validate([episode("1", "01/04/2019")], header_rows=header_rows)
    assert [p.kind for p in problems] == ["not-in-header", "blank-value"]
    header = write_header_csv([{"DOB": "01/01/2010"}], name="h2.csv", columns=["SEX", "DOB"])
    problems = validate_903(write_episodes_csv([episode("1", "01/04/2019")]), header)
    assert [(p.column, p.severity) for p in problems] == [
        ("CHILD", "error"),
        *((c, "warning") for c in ("ETHNIC", "UPN", "MOTHER", "MC_DOB")),
    ]
    assert str(problems[0]).startswith(f"{header}:1: CHILD: missing required column")


def test_values_that_do_not_look_like_codes_or_dates_are_not_echoed(validate):
    # a row shifted by a missing comma puts a postcode and an identifier in other columns
    problems, path, _ = validate(
        [
            episode("1", "01/04/2019", PLACE="AB1 2CD", LS="1234567", RNE="x"),
            episode("2", "QQ12345", REC=""),
        ]
    )
    lines = _lines(problems)
    assert lines[:4] == [
        f"{path}:2: RNE: unknown code 'X' for 2019/20; expected one of B, L, P, S, T, U",
        f"{path}:2: LS: unknown code this value for 2019/20; expected one of "
        + ", ".join(sorted(codes.valid_codes("LS", 2020))),
        f"{path}:2: PLACE: unknown code this value for 2019/20; expected one of "
        + ", ".join(sorted(codes.valid_codes("PLACE", 2020))),
        f"{path}:3: DECOM: cannot read this value as a date; expected dd/mm/YYYY or YYYY-MM-DD",
    ]
    assert [p.value for p in problems[:4]] == ["X", None, None, None]
    assert not any(secret in line for line in lines for secret in ("AB1 2CD", "1234567", "QQ1"))
