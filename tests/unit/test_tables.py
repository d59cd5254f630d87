"""The two table printers (`sufficiency_sim.tables`): plain text and markdown."""

from __future__ import annotations

import pytest

from sufficiency_sim.tables import markdown_table, text_table

HEADER = ["Indicator", "2024", "2025"]
ROWS = [["Children looked after", "286", "1181"], ["3+ placements (%)", "23.4", "-"]]


def test_text_first_column_left_the_others_right() -> None:
    assert text_table(HEADER, ROWS).splitlines() == [
        "Indicator              2024  2025",
        "Children looked after   286  1181",
        "3+ placements (%)      23.4     -",
    ]


def test_text_alignment_per_column() -> None:
    text = text_table(["n", "name"], [["1", "a"], ["10", "bcd"]], align="><")
    assert text.splitlines() == [" n  name", " 1  a", "10  bcd"]
    assert text_table(["n", "name"], [["10", "a"]], align=[">", "<"]) == " n  name\n10  a"


def test_text_rule_under_the_header_as_wide_as_the_table_and_a_title() -> None:
    lines = text_table(HEADER, ROWS, rule=True, title="York").splitlines()
    assert lines[0] == "York"
    assert lines[1] == "Indicator              2024  2025"
    assert lines[2] == "-" * len(lines[1])
    assert lines[3:] == text_table(HEADER, ROWS).splitlines()[1:]


def test_text_rule_spans_a_left_aligned_last_column_and_lines_are_stripped() -> None:
    lines = text_table(["a", "name"], [["1", "longer"]], align="<<", rule=True).splitlines()
    assert lines == ["a  name", "-" * len("a  longer"), "1  longer"]


def test_text_empty_tables() -> None:
    assert text_table(HEADER, []) == "Indicator  2024  2025"
    assert text_table(HEADER, [], rule=True) == "Indicator  2024  2025\n" + "-" * 21
    assert text_table([], []) == ""
    assert text_table([], [], title="Nothing") == "Nothing"


def test_text_refuses_a_wrong_alignment_or_row() -> None:
    with pytest.raises(ValueError, match="align"):
        text_table(HEADER, ROWS, align="<>")
    with pytest.raises(ValueError, match="align"):
        text_table(HEADER, ROWS, align="<^>")
    with pytest.raises(ValueError, match="row 1"):
        text_table(HEADER, [["only one"]])


def test_markdown_table() -> None:
    assert markdown_table(HEADER, ROWS).splitlines() == [
        "| Indicator | 2024 | 2025 |",
        "|---|---|---|",
        "| Children looked after | 286 | 1181 |",
        "| 3+ placements (%) | 23.4 | - |",
    ]


def test_markdown_escapes_pipes_in_every_cell() -> None:
    text = markdown_table(["a|b", "c"], [["x | y", "z"]])
    assert text == "| a\\|b | c |\n|---|---|\n| x \\| y | z |"


def test_markdown_empty_tables() -> None:
    assert markdown_table(["a", "b"], []) == "| a | b |\n|---|---|"
    assert markdown_table([], []) == ""


def test_markdown_refuses_a_row_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="row 2"):
        markdown_table(["a", "b"], [["1", "2"], ["3"]])
