"""Hand-worked SSDA903 histories checked against the indicator definitions.

Every expected value below is worked out by hand from `shared/reference/indicators.md` (the rules
table and its 15 numbered "fine points", cited as FP1..FP15), never from the implementation.

Unless a test says otherwise the year is Y = 2020, i.e. the window 01/04/2019 - 31/03/2020, so:
  * "looked after on 31 March" means an episode with DECOM <= 31/03/2020 < DEC (or DEC blank);
  * the long-term stability cut-offs are: period of care started on or before 30/09/2017, placement
    started on or before 31/03/2018, aged under 16 on 31/03/2020;
  * a placement overlaps the year when start < 01/04/2020 and (open or end > 01/04/2019).

Histories are written as compact tuples, in this column order (trailing fields may be left off):
  CHILD, DECOM, RNE, LS, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, URN, PL_POST,
  PL_LOCATION, PL_DISTANCE
Dates are dd/mm/YYYY; "" means blank. Every child gets DOB 01/01/2010 unless a test says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sufficiency_sim.measure.indicators import INDICATOR_COLUMNS, compute_indicators

NAN = float("nan")

TUPLE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "URN",
    "PL_POST",
    "PL_LOCATION",
    "PL_DISTANCE",
)
TUPLE_DEFAULTS = ("", "", "", "", "", "", NAN)  # DEC .. PL_DISTANCE, after the 6 required fields
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "URN",
    "PL_POST",
    "PL_LOCATION",
    "PL_DISTANCE",
)

COUNT_COLUMNS = (
    "cla_31_march",
    "starts",
    "ceased",
    "placements_started",
    "placement_moves",
    "unplanned_endings",
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "secure",
    "supported",
    "with_parents",
    "adoption",
    "other",
)
PCT_COLUMNS = (
    "pct_3plus_placements",
    "pct_long_term_stable",
    "pct_out_of_area",
    "pct_over_20_miles",
)
MIX_COLUMNS = (
    "kinship_foster",
    "inhouse_foster",
    "ifa_foster",
    "childrens_home",
    "secure",
    "supported",
    "with_parents",
    "adoption",
    "other",
)

DEFAULT_DOB = "01/01/2010"
NO_HEADER_ROW = object()  # marker: leave the child out of the header table altogether
UNPLANNED = ("CREQB", "CREQO", "CHILD", "ALLEG", "STAND", "CLOSE", "APPRR")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _date(text):
    if text is None or text == "":
        return pd.NaT
    return pd.to_datetime(text, format="%d/%m/%Y")


def _blank(value):
    return None if value == "" else value


def episodes(*rows):
    """Turn compact tuples into an SSDA903 episodes frame (dates as datetime64)."""
    records = []
    for row in rows:
        assert 6 <= len(row) <= len(TUPLE_COLUMNS), row
        full = tuple(row) + TUPLE_DEFAULTS[len(row) - 6 :]
        rec = dict(zip(TUPLE_COLUMNS, full, strict=True))
        records.append(
            {
                "CHILD": _blank(rec["CHILD"]),
                "DECOM": _date(rec["DECOM"]),
                "RNE": _blank(rec["RNE"]),
                "LS": _blank(rec["LS"]),
                "CIN": "N1",
                "PLACE": _blank(rec["PLACE"]),
                "PLACE_PROVIDER": _blank(rec["PLACE_PROVIDER"]),
                "DEC": _date(rec["DEC"]),
                "REC": _blank(rec["REC"]),
                "REASON_PLACE_CHANGE": _blank(rec["REASON_PLACE_CHANGE"]),
                "HOME_POST": None,
                "URN": _blank(rec["URN"]),
                "PL_POST": _blank(rec["PL_POST"]),
                "PL_LOCATION": _blank(rec["PL_LOCATION"]),
                "PL_DISTANCE": float(rec["PL_DISTANCE"]),
            }
        )
    frame = pd.DataFrame(records, columns=list(EPISODE_COLUMNS))
    frame["DECOM"] = pd.to_datetime(frame["DECOM"])
    frame["DEC"] = pd.to_datetime(frame["DEC"])
    frame["PL_DISTANCE"] = frame["PL_DISTANCE"].astype(float)
    return frame


def header(eps, dobs=None):
    """One header row per child in `eps`; DOB 01/01/2010 unless `dobs` says otherwise."""
    dobs = dobs or {}
    children = [c for c in dict.fromkeys(eps["CHILD"].tolist()) if isinstance(c, str) and c]
    rows = []
    for child in children:
        dob = dobs.get(child, DEFAULT_DOB)
        if dob is NO_HEADER_ROW:
            continue
        rows.append({"CHILD": child, "DOB": _date(dob)})
    frame = pd.DataFrame(rows, columns=["CHILD", "DOB"])
    frame["DOB"] = pd.to_datetime(frame["DOB"])
    return frame


def run(rows, years=(2020,), dobs=None):
    eps = episodes(*rows)
    return compute_indicators(eps, header(eps, dobs), years=list(years))


def check(result, year, **expected):
    """Assert the named columns of `year`'s row; counts exactly (as ints), percentages to 1e-9."""
    assert "year" in result.columns
    matching = result.loc[result["year"] == year]
    assert len(matching) == 1, f"expected exactly one row for year {year}"
    problems = []
    for col, want in expected.items():
        got = matching[col].iloc[0]  # per column: a whole row would upcast ints to float
        if col in COUNT_COLUMNS:
            if isinstance(got, bool | np.bool_) or not isinstance(got, int | np.integer):
                problems.append(f"{col}: expected int {want}, got {got!r} ({type(got).__name__})")
            elif int(got) != want:
                problems.append(f"{col}: expected {want}, got {got}")
        else:
            if isinstance(want, float) and math.isnan(want):
                if not pd.isna(got):
                    problems.append(f"{col}: expected NaN, got {got!r}")
            elif pd.isna(got) or not math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-9):
                problems.append(f"{col}: expected {want}, got {got!r}")
    assert not problems, f"year {year}: " + "; ".join(problems)


def mix(**nonzero):
    """Expected placement-mix counts: the named categories, zero for the rest."""
    assert set(nonzero) <= set(MIX_COLUMNS)
    return {col: nonzero.get(col, 0) for col in MIX_COLUMNS}


# --------------------------------------------------------------------------------------------
# interface, zero denominators (FP8), exact ints
# --------------------------------------------------------------------------------------------
def test_interface_one_row_per_year_all_columns_exact_types():
    rows = [("c1", "01/05/2019", "S", "C2", "U4", "PR1")]  # open, in-house foster
    df = run(rows, years=[2019, 2020])
    assert list(df.columns) == ["year", *INDICATOR_COLUMNS]
    assert set(INDICATOR_COLUMNS) == set(COUNT_COLUMNS) | set(PCT_COLUMNS)
    assert df["year"].tolist() == [2019, 2020]
    for col in COUNT_COLUMNS:
        assert pd.api.types.is_integer_dtype(df[col]), col
    for col in PCT_COLUMNS:
        assert pd.api.types.is_float_dtype(df[col]), col
    # Y2019 (01/04/2018-31/03/2019): nothing has happened yet; every denominator is zero (FP8).
    check(
        df,
        2019,
        cla_31_march=0,
        starts=0,
        ceased=0,
        placements_started=0,
        placement_moves=0,
        unplanned_endings=0,
        pct_3plus_placements=NAN,
        pct_long_term_stable=NAN,
        pct_out_of_area=NAN,
        pct_over_20_miles=NAN,
        **mix(),
    )
    # Y2020: period and first placement start 01/05/2019; looked after on 31/03/2020;
    # one placement overlapping -> 0/1 = 0.0 with 3+; period started after 30/09/2017 -> no
    # stability denominator -> NaN; no PL_LOCATION / PL_DISTANCE -> NaN; U4+PR1 = in-house.
    check(
        df,
        2020,
        cla_31_march=1,
        starts=1,
        ceased=0,
        placements_started=1,
        placement_moves=0,
        unplanned_endings=0,
        pct_3plus_placements=0.0,
        pct_long_term_stable=NAN,
        pct_out_of_area=NAN,
        pct_over_20_miles=NAN,
        **mix(inhouse_foster=1),
    )


def test_flows_without_anyone_looked_after_on_31_march_give_nan_percentages():
    # Starts 01/05/2019 and ceases 01/02/2020 (E11): 1 start, 1 ceased, 1 placement started, its
    # ending has no reason code -> not unplanned. Nobody looked after on 31/03/2020 -> all four
    # percentages have a zero denominator -> NaN (FP8); mix all zero.
    rows = [("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/02/2020", "E11")]
    check(
        run(rows),
        2020,
        cla_31_march=0,
        starts=1,
        ceased=1,
        placements_started=1,
        placement_moves=0,
        unplanned_endings=0,
        pct_3plus_placements=NAN,
        pct_long_term_stable=NAN,
        pct_out_of_area=NAN,
        pct_over_20_miles=NAN,
        **mix(),
    )


def test_empty_history_gives_zero_counts_and_nan_percentages():
    rows = [("c1", "01/05/2010", "S", "C2", "U4", "PR1", "01/06/2010", "E13")]
    expected = dict.fromkeys(COUNT_COLUMNS, 0) | dict.fromkeys(PCT_COLUMNS, NAN)
    check(run(rows, years=[2020]), 2020, **expected)


# --------------------------------------------------------------------------------------------
# periods of care: X1 chains, FP11, ceased with blank REC
# --------------------------------------------------------------------------------------------
def test_x1_chain_is_one_period_of_care():
    rows = [
        ("c1", "01/04/2018", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "L", "E1", "U4", "PR1", "01/01/2020", "X1"),
        ("c1", "01/01/2020", "P", "E1", "K2", "PR4", "15/06/2020", "E11"),
    ]
    df = run(rows, years=[2019, 2020, 2021])
    # One period 01/04/2018 - 15/06/2020. Placements: A = ep1+ep2 (RNE L continues) from
    # 01/04/2018 to 01/01/2020; B = ep3 (RNE P) from 01/01/2020.
    # Y2019: period starts 01/04/2018 (first day of the year) -> starts 1; A started -> 1
    # placement, first of its period -> 0 moves; looked after on 31/03/2019 in U4/PR1.
    check(
        df,
        2019,
        cla_31_march=1,
        starts=1,
        ceased=0,
        placements_started=1,
        placement_moves=0,
        **mix(inhouse_foster=1),
    )
    # Y2020: the X1 endings 01/06/2019 and 01/01/2020 are not period endings -> starts 0,
    # ceased 0; B starts 01/01/2020 -> 1 placement, 1 move; A and B overlap -> 2 -> 0.0 with 3+.
    check(
        df,
        2020,
        cla_31_march=1,
        starts=0,
        ceased=0,
        placements_started=1,
        placement_moves=1,
        pct_3plus_placements=0.0,
        **mix(childrens_home=1),
    )
    # Y2021: the period ceases 15/06/2020 (E11) -> ceased 1; nobody looked after 31/03/2021.
    check(
        df,
        2021,
        cla_31_march=0,
        starts=0,
        ceased=1,
        placements_started=0,
        placement_moves=0,
        **mix(),
    )


def test_x1_without_follow_on_episode_ends_period_without_counting_as_ceased():
    rows = [
        # c1: X1 on 01/08/2019 but the next episode starts 10/08/2019 -> two periods (FP11).
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1"),
        ("c1", "10/08/2019", "S", "C2", "U6", "PR1", "01/12/2019", "E11"),
        # c2: X1 and nothing ever follows -> period ends 01/09/2019, not ceased.
        ("c2", "01/06/2019", "S", "V2", "K2", "PR4", "01/09/2019", "X1"),
        # c3: gap of one day; the next episode (RNE L) starts a new period and its first
        # placement (FP1).
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1"),
        ("c3", "02/08/2019", "L", "C2", "U4", "PR1"),
    ]
    # starts: c1 2 + c2 1 + c3 2 = 5. ceased: only c1's E11 on 01/12/2019 = 1.
    # placements_started: one per period = 5, none a move. Looked after 31/03/2020: c3 only.
    check(
        run(rows),
        2020,
        starts=5,
        ceased=1,
        placements_started=5,
        placement_moves=0,
        cla_31_march=1,
        **mix(inhouse_foster=1),
    )


def test_dec_with_blank_rec_counts_as_ceased():
    rows = [
        ("c1", "01/01/2019", "S", "C2", "U4", "PR1", "01/09/2019", ""),  # blank REC -> ceased
        ("c2", "01/01/2019", "S", "C2", "U4", "PR1", "01/10/2019", "E4A"),  # ceased
        ("c3", "01/01/2019", "S", "C2", "U4", "PR1"),  # open
        # c4: blank REC then an episode on the same day: REC is not X1, so the first period
        # ceases 01/11/2019 and a new one starts 01/11/2019 with its own first placement.
        ("c4", "01/01/2019", "S", "C2", "U4", "PR1", "01/11/2019", ""),
        ("c4", "01/11/2019", "L", "C2", "U4", "PR1"),
    ]
    # ceased: c1, c2, c4's first period = 3. starts in Y2020: c4's second period = 1 (the others
    # started 01/01/2019, in Y2019). placements_started: c4's new period's first placement = 1,
    # not a move. Looked after 31/03/2020: c3, c4.
    check(
        run(rows),
        2020,
        ceased=3,
        starts=1,
        placements_started=1,
        placement_moves=0,
        cla_31_march=2,
    )


# --------------------------------------------------------------------------------------------
# placements: RNE, FP1, FP2
# --------------------------------------------------------------------------------------------
def test_rne_l_continues_placement_p_b_t_u_start_one():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),  # placement 1
        ("c1", "01/06/2019", "L", "E1", "U4", "PR1", "01/07/2019", "X1"),  # continues 1
        ("c1", "01/07/2019", "P", "E1", "U6", "PR4", "01/08/2019", "X1"),  # placement 2
        ("c1", "01/08/2019", "B", "C2", "K2", "PR4", "01/09/2019", "X1"),  # placement 3
        ("c1", "01/09/2019", "T", "C2", "R1", "PR4", "01/10/2019", "X1"),  # placement 4
        ("c1", "01/10/2019", "U", "E1", "U4", "PR1", "01/11/2019", "X1"),  # placement 5
        ("c1", "01/11/2019", "L", "C2", "U4", "PR1"),  # continues 5
    ]
    # 5 placements started in Y2020, 4 of them moves; one period (starts 1, ceased 0);
    # 5 placements overlap the year -> 1/1 with 3+ = 100.0.
    check(
        run(rows),
        2020,
        starts=1,
        ceased=0,
        placements_started=5,
        placement_moves=4,
        pct_3plus_placements=100.0,
        cla_31_march=1,
        **mix(inhouse_foster=1),
    )


def test_blank_or_invalid_rne_continues_the_placement():
    rows = [
        # c1: placement since 01/01/2016; later episodes have RNE blank, "Z" and "  " (FP2).
        ("c1", "01/01/2016", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "", "E1", "U4", "PR1", "01/07/2019", "X1"),
        ("c1", "01/07/2019", "Z", "E1", "U4", "PR1", "01/08/2019", "X1"),
        ("c1", "01/08/2019", "  ", "E1", "U4", "PR1"),
        # c2: same start, then RNE P on 01/06/2019 -> a new placement.
        ("c2", "01/01/2016", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c2", "01/06/2019", "P", "E1", "U6", "PR1"),
    ]
    # placements_started Y2020: only c2's 01/06/2019 -> 1, a move.
    # Stability: both periods from 01/01/2016 (<= 30/09/2017), age 10 -> denominator 2.
    # c1's placement started 01/01/2016 (<= 31/03/2018) -> numerator; c2's 01/06/2019 -> not.
    # 50.0. 3+: c1 1 placement, c2 2 -> 0.0.
    check(
        run(rows),
        2020,
        placements_started=1,
        placement_moves=1,
        pct_long_term_stable=50.0,
        pct_3plus_placements=0.0,
        cla_31_march=2,
    )


def test_first_non_temporary_episode_starts_first_placement_whatever_its_rne():
    rows = [
        # c1: a short break (V3, dropped) first, then RNE L. After dropping, the L episode is
        # the first of a period starting 01/06/2019, and starts its first placement (FP1).
        ("c1", "01/03/2019", "S", "V3", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "L", "C2", "U4", "PR1"),
        # c2: the very first episode has RNE L.
        ("c2", "01/07/2019", "L", "C2", "K2", "PR4"),
        # c3: the very first episode has RNE P: still the first placement, not a move.
        ("c3", "01/08/2019", "P", "C2", "U6", "PR4"),
    ]
    df = run(rows, years=[2019, 2020])
    # Y2019: the only thing before 01/04/2019 is c1's dropped short break.
    check(df, 2019, cla_31_march=0, starts=0, placements_started=0, placement_moves=0)
    check(
        df,
        2020,
        cla_31_march=3,
        starts=3,
        ceased=0,
        placements_started=3,
        placement_moves=0,
        **mix(inhouse_foster=1, childrens_home=1, ifa_foster=1),
    )


# --------------------------------------------------------------------------------------------
# short breaks
# --------------------------------------------------------------------------------------------
def test_short_breaks_v3_v4_are_dropped():
    rows = [
        ("c1", "01/05/2019", "S", "V3", "U4", "PR1", "03/05/2019", "E8"),
        ("c2", "01/03/2020", "S", "V4", "K2", "PR4"),  # open over 31/03/2020
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1"),  # ordinary, open
    ]
    # Only c3 remains: 1 start, 1 placement, looked after in U4/PR1; c2 is not a children's
    # home placement on 31/03/2020 because its episode is gone.
    check(
        run(rows),
        2020,
        cla_31_march=1,
        starts=1,
        ceased=0,
        placements_started=1,
        placement_moves=0,
        **mix(inhouse_foster=1),
    )


def test_short_break_in_the_middle_leaves_an_x1_without_follow_on():
    rows = [
        ("c1", "01/01/2019", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "B", "V4", "K2", "PR4", "05/06/2019", "X1"),
        ("c1", "05/06/2019", "B", "C2", "U4", "PR1"),
    ]
    # The V4 episode is dropped before anything else, so ep1's X1 on 01/06/2019 has no episode
    # starting on its DEC: its period ends there, not ceased (FP11); ep3 starts a new period
    # on 05/06/2019 with its own first placement. Y2020: starts 1, ceased 0, placements 1,
    # moves 0 (first placement of the new period).
    check(
        run(rows),
        2020,
        starts=1,
        ceased=0,
        placements_started=1,
        placement_moves=0,
        cla_31_march=1,
    )


# --------------------------------------------------------------------------------------------
# temporary placements T0-T4: FP3, FP4, FP5, FP6
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rne", ["P", "B", "T", "U", "L", "S"])
def test_temporary_spell_returning_to_same_carer_continues_placement_whatever_rne(rne):
    rows = [
        ("c1", "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1", "AB1 2CD"),
        ("c1", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
        ("c1", "10/07/2019", rne, "C2", "U4", "PR1", "", "", "", "SC1", "AB1 2CD"),
    ]
    # Same PLACE, PLACE_PROVIDER, URN, PL_POST as before the spell -> the 2016 placement
    # continues even with RNE P/B/T/U/S (FP3): no placement started in Y2020, no move.
    # Stability: period and placement since 01/01/2016 -> 1/1 = 100.0.
    check(
        run(rows),
        2020,
        placements_started=0,
        placement_moves=0,
        pct_long_term_stable=100.0,
        cla_31_march=1,
        **mix(inhouse_foster=1),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("PLACE", "U6"), ("PLACE_PROVIDER", "PR2"), ("URN", "SC2"), ("PL_POST", "AB1 2CE")],
)
def test_temporary_spell_to_a_different_carer_starts_new_placement_even_with_rne_l(field, value):
    after = {"PLACE": "U4", "PLACE_PROVIDER": "PR1", "URN": "SC1", "PL_POST": "AB1 2CD"}
    after[field] = value
    rows = [
        ("c1", "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1", "AB1 2CD"),
        ("c1", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
        (
            "c1",
            "10/07/2019",
            "L",
            "C2",
            after["PLACE"],
            after["PLACE_PROVIDER"],
            "",
            "",
            "",
            after["URN"],
            after["PL_POST"],
        ),
    ]
    # One of the four fields differs -> new placement from 10/07/2019 despite RNE L (FP3):
    # 1 placement started, a move. Stability: placement started 10/07/2019 -> 0/1 = 0.0.
    check(
        run(rows),
        2020,
        placements_started=1,
        placement_moves=1,
        pct_long_term_stable=0.0,
        cla_31_march=1,
    )


def test_back_to_back_temporary_episodes_compare_with_episode_before_whole_spell():
    rows = [
        # c1: U4/SC1, then T0 and T4 (the T4 has some URN of its own), then U4/SC1 again.
        ("c1", "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1"),
        ("c1", "01/07/2019", "P", "C2", "T0", "", "05/07/2019", "X1"),
        ("c1", "05/07/2019", "P", "C2", "T4", "PR4", "09/07/2019", "X1", "", "XX9"),
        ("c1", "09/07/2019", "P", "C2", "U4", "PR1", "", "", "", "SC1"),
        # c2: same but returns to a different URN -> new placement on 09/07/2019.
        ("c2", "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1"),
        ("c2", "01/07/2019", "P", "C2", "T0", "", "05/07/2019", "X1"),
        ("c2", "05/07/2019", "P", "C2", "T4", "PR4", "09/07/2019", "X1", "", "XX9"),
        ("c2", "09/07/2019", "P", "C2", "U4", "PR1", "", "", "", "SC9"),
    ]
    # The T0+T4 spell is one spell, compared with ep1 (FP4). c1 continues its 2016 placement;
    # c2 starts one on 09/07/2019. placements_started 1, moves 1; stability 1/2 = 50.0.
    check(
        run(rows),
        2020,
        placements_started=1,
        placement_moves=1,
        pct_long_term_stable=50.0,
        cla_31_march=2,
        **mix(inhouse_foster=2),
    )


def test_period_opening_with_temporary_episodes_has_no_placement_until_first_real_one():
    rows = [
        # c1: period opens 25/03/2019 with a T4 episode; the placement starts 03/04/2019.
        ("c1", "25/03/2019", "S", "V2", "T4", "", "03/04/2019", "X1"),
        ("c1", "03/04/2019", "L", "V2", "U4", "PR1"),
        # c2: two temporary episodes then a children's home, RNE P, all in Y2020.
        ("c2", "01/05/2019", "S", "C2", "T1", "", "03/05/2019", "X1"),
        ("c2", "03/05/2019", "P", "C2", "T4", "", "06/05/2019", "X1"),
        ("c2", "06/05/2019", "P", "C2", "K2", "PR4"),
    ]
    df = run(rows, years=[2019, 2020])
    # Y2019: c1's period starts (25/03/2019) but it has no placement yet (FP4): 0 placements
    # started. On 31/03/2019 c1 is looked after in a T4 episode -> 'other' (FP6); it has 0
    # placements overlapping Y2019 -> 0/1 = 0.0 with 3+.
    check(
        df,
        2019,
        starts=1,
        placements_started=0,
        placement_moves=0,
        cla_31_march=1,
        pct_3plus_placements=0.0,
        **mix(other=1),
    )
    # Y2020: c1's first placement (03/04/2019) and c2's (06/05/2019) start; neither is a move.
    # c2's period starts 01/05/2019.
    check(
        df,
        2020,
        starts=1,
        placements_started=2,
        placement_moves=0,
        cla_31_march=2,
        **mix(inhouse_foster=1, childrens_home=1),
    )


def test_child_in_open_temporary_spell_on_31_march():
    rows = [
        # c1: fostered since 01/01/2017, in hospital (T1) from 01/03/2020, spell still open.
        ("c1", "01/01/2017", "S", "C2", "U4", "PR1", "01/03/2020", "X1", "", "SC1", "", "IN", 5.0),
        ("c1", "01/03/2020", "P", "C2", "T1", "", "", "", "", "", "", "OUT", 30.0),
        # c2: fostered since 01/01/2017, same carer throughout.
        ("c2", "01/01/2017", "S", "C2", "U4", "PR1", "", "", "", "SC2", "", "IN", 5.0),
    ]
    # Both looked after; both periods started 01/01/2017 (<= 30/09/2017), age 10 -> stability
    # denominator 2. c1 has no placement on 31/03/2020 (open spell, FP5) -> not numerator;
    # c2's placement from 01/01/2017 -> numerator. 1/2 = 50.0.
    # Mix from the covering episode (FP6): c1 T1 -> other, c2 U4/PR1 -> in-house.
    # Location/distance also from the covering episode: c1 OUT/30.0, c2 IN/5.0 -> 50.0, 50.0.
    # 3+: c1 1 placement ([01/01/2017, 01/03/2020)), c2 1 -> 0.0. Nothing started in Y2020.
    check(
        run(rows),
        2020,
        cla_31_march=2,
        pct_long_term_stable=50.0,
        pct_out_of_area=50.0,
        pct_over_20_miles=50.0,
        pct_3plus_placements=0.0,
        placements_started=0,
        placement_moves=0,
        **mix(inhouse_foster=1, other=1),
    )


def test_temporary_spell_over_31_march_counts_earlier_placement_only_if_child_returns():
    rows = [
        # c1: holiday (T2) 20/03/2020 - 10/04/2020, then back to the same carer.
        ("c1", "01/01/2017", "S", "C2", "U4", "PR1", "20/03/2020", "X1", "", "SC1"),
        ("c1", "20/03/2020", "P", "C2", "T2", "", "10/04/2020", "X1"),
        ("c1", "10/04/2020", "P", "C2", "U4", "PR1", "", "", "", "SC1"),
        # c2: same, but after the spell goes to another carer (URN SC2).
        ("c2", "01/01/2017", "S", "C2", "U4", "PR1", "20/03/2020", "X1", "", "SC1"),
        ("c2", "20/03/2020", "P", "C2", "T2", "", "10/04/2020", "X1"),
        ("c2", "10/04/2020", "P", "C2", "U4", "PR1", "", "", "", "SC2"),
    ]
    df = run(rows, years=[2020, 2021])
    # Y2020: both in a T2 episode on 31/03/2020 -> mix 'other' 2 (FP6). Stability denominator
    # 2; c1 returns, so its placement that day is the one from 01/01/2017 -> numerator; c2 has
    # none (FP5). 50.0. No placement started in Y2020.
    check(
        df,
        2020,
        cla_31_march=2,
        pct_long_term_stable=50.0,
        placements_started=0,
        placement_moves=0,
        **mix(other=2),
    )
    # Y2021 (cut-offs 30/09/2018 and 31/03/2019): c2's new placement 10/04/2020 is a move;
    # c1's return is not. Stability: c1 placement 2017 -> yes; c2 10/04/2020 -> no -> 50.0.
    check(
        df,
        2021,
        cla_31_march=2,
        placements_started=1,
        placement_moves=1,
        pct_long_term_stable=50.0,
        **mix(inhouse_foster=2),
    )


def test_placement_not_resumed_after_temporary_spell_ends_when_the_spell_begins():
    rows = [
        # c1: A [01/01/2019, 01/03/2019); T0 spell 01/03/2019-05/04/2019; B (other URN) from
        # 05/04/2019; C from 01/08/2019.
        ("c1", "01/01/2019", "S", "C2", "U4", "PR1", "01/03/2019", "X1", "", "SC1"),
        ("c1", "01/03/2019", "P", "C2", "T0", "", "05/04/2019", "X1"),
        ("c1", "05/04/2019", "P", "C2", "U4", "PR1", "01/08/2019", "X1", "", "SC2"),
        ("c1", "01/08/2019", "P", "C2", "K2", "PR4"),
        # c2: same A, but the spell returns to A (SC1) until 01/08/2019; then C, then D.
        ("c2", "01/01/2019", "S", "C2", "U4", "PR1", "01/03/2019", "X1", "", "SC1"),
        ("c2", "01/03/2019", "P", "C2", "T0", "", "05/04/2019", "X1"),
        ("c2", "05/04/2019", "P", "C2", "U4", "PR1", "01/08/2019", "X1", "", "SC1"),
        ("c2", "01/08/2019", "P", "C2", "K2", "PR4", "01/10/2019", "X1"),
        ("c2", "01/10/2019", "P", "C2", "K2", "PR4"),
    ]
    # c1: A ends at its last episode's DEC, 01/03/2019, which is not > 01/04/2019 -> does not
    # overlap Y2020; B and C do -> 2 -> not 3+.
    # c2: A continues to 01/08/2019 -> overlaps; C, D -> 3 -> 3+.  pct = 1/2 = 50.0.
    # placements_started Y2020: c1 B, C; c2 C, D -> 4, all moves.
    check(
        run(rows),
        2020,
        cla_31_march=2,
        pct_3plus_placements=50.0,
        placements_started=4,
        placement_moves=4,
    )


# --------------------------------------------------------------------------------------------
# year boundaries: 31 March / 1 April, FP12
# --------------------------------------------------------------------------------------------
def test_episode_ending_31_march_and_starting_1_april():
    rows = [
        ("c1", "01/01/2018", "S", "C2", "U4", "PR1", "31/03/2020", "E11"),  # not LA on 31/03
        ("c2", "01/04/2020", "S", "C2", "U4", "PR1"),  # starts in Y2021
        ("c3", "31/03/2020", "S", "C2", "K2", "PR4"),  # starts and is LA on 31/03/2020
        ("c4", "01/01/2018", "S", "C2", "U6", "PR4", "01/04/2020", "E11"),  # LA 31/03/2020
        ("c5", "01/04/2019", "S", "C2", "P1", "PR0"),  # starts on the first day of Y2020
    ]
    df = run(rows, years=[2020, 2021])
    # Y2020: LA on 31/03/2020 = c3, c4, c5; starts c3, c5; ceased c1 (DEC 31/03/2020 in Y2020);
    # placements started c3, c5.
    check(
        df,
        2020,
        cla_31_march=3,
        starts=2,
        ceased=1,
        placements_started=2,
        placement_moves=0,
        **mix(childrens_home=1, ifa_foster=1, with_parents=1),
    )
    # Y2021: LA on 31/03/2021 = c2, c3, c5; starts c2; ceased c4 (DEC 01/04/2020).
    check(
        df,
        2021,
        cla_31_march=3,
        starts=1,
        ceased=1,
        placements_started=1,
        placement_moves=0,
        **mix(inhouse_foster=1, childrens_home=1, with_parents=1),
    )


def test_dec_on_1_april_counts_as_ending_in_year_but_does_not_overlap_it():
    rows = [
        # c1: A ends 01/04/2019 (CREQB), then B, C.
        ("c1", "01/01/2018", "S", "C2", "U4", "PR1", "01/04/2019", "X1", "CREQB"),
        ("c1", "01/04/2019", "P", "C2", "U6", "PR4", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "P", "C2", "K2", "PR4"),
        # c2: A ends 02/04/2019 (CREQO), then B, C.
        ("c2", "01/01/2018", "S", "C2", "U4", "PR1", "02/04/2019", "X1", "CREQO"),
        ("c2", "02/04/2019", "P", "C2", "U6", "PR4", "01/06/2019", "X1"),
        ("c2", "01/06/2019", "P", "C2", "K2", "PR4"),
        # c3: ceases on 01/04/2019.
        ("c3", "01/01/2019", "S", "C2", "U4", "PR1", "01/04/2019", "E11"),
    ]
    df = run(rows, years=[2019, 2020])
    # Y2019 (to 31/03/2019): nothing ends inside it; all three LA on 31/03/2019; c3 starts.
    check(df, 2019, ceased=0, unplanned_endings=0, cla_31_march=3, starts=1)
    # Y2020: c3 ceased (DEC 01/04/2019, FP12); unplanned: c1's A (01/04/2019) and c2's A
    # (02/04/2019) -> 2; placements started: B, C of each -> 4, all moves.
    # 3+: c1's A has end 01/04/2019, not > 01/04/2019 -> B, C = 2 -> no; c2's A ends
    # 02/04/2019 -> overlaps -> 3 -> yes. LA: c1, c2 -> 1/2 = 50.0.
    check(
        df,
        2020,
        ceased=1,
        unplanned_endings=2,
        placements_started=4,
        placement_moves=4,
        starts=0,
        cla_31_march=2,
        pct_3plus_placements=50.0,
    )


# --------------------------------------------------------------------------------------------
# three or more placements
# --------------------------------------------------------------------------------------------
def test_three_plus_placements_count_every_period_overlapping_the_year():
    rows = [
        # c1: period 1 A [01/06/2017, 10/04/2019) ceased E13; period 2 B from 01/09/2019, C from
        # 01/12/2019. A overlaps (10/04/2019 > 01/04/2019) -> 3 -> yes.
        ("c1", "01/06/2017", "S", "C2", "U4", "PR1", "10/04/2019", "E13"),
        ("c1", "01/09/2019", "S", "C2", "U6", "PR4", "01/12/2019", "X1"),
        ("c1", "01/12/2019", "P", "C2", "K2", "PR4"),
        # c2: one period, 2 placements -> no.
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1"),
        ("c2", "01/08/2019", "P", "C2", "U5", "PR1"),
        # c3: 3 placements but ceased 01/03/2020 -> not LA on 31/03/2020 -> not in denominator.
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c3", "01/06/2019", "P", "C2", "U5", "PR1", "01/07/2019", "X1"),
        ("c3", "01/07/2019", "P", "C2", "K2", "PR4", "01/03/2020", "E11"),
        # c4: A [01/01/2016, 01/02/2020), B [01/02/2020, 31/03/2020), C from 31/03/2020
        # (start < 01/04/2020 -> overlaps) -> 3 -> yes.
        ("c4", "01/01/2016", "S", "C2", "U4", "PR1", "01/02/2020", "X1"),
        ("c4", "01/02/2020", "P", "C2", "U5", "PR1", "31/03/2020", "X1"),
        ("c4", "31/03/2020", "P", "C2", "K2", "PR4"),
        # c5: period 1 A [01/01/2018, 01/03/2019) ended before the year -> no overlap; period 2
        # B, C -> 2 -> no.
        ("c5", "01/01/2018", "S", "C2", "U4", "PR1", "01/03/2019", "E13"),
        ("c5", "01/06/2019", "S", "C2", "U4", "PR1", "01/09/2019", "X1"),
        ("c5", "01/09/2019", "P", "C2", "U5", "PR1"),
    ]
    # LA on 31/03/2020: c1, c2, c4, c5 -> 3+: c1, c4 -> 2/4 = 50.0.
    # starts: c1 (01/09/2019), c2, c3, c5 (01/06/2019) = 4. ceased: c1 (10/04/2019), c3 = 2.
    # placements started: c1 B, C; c2 2; c3 3; c4 B, C; c5 B, C = 11.
    # moves (not first of their period): c1 C; c2 1; c3 2; c4 B, C; c5 C = 7.
    check(
        run(rows),
        2020,
        cla_31_march=4,
        pct_3plus_placements=50.0,
        starts=4,
        ceased=2,
        placements_started=11,
        placement_moves=7,
        unplanned_endings=0,
        **mix(inhouse_foster=2, childrens_home=2),
    )


def test_three_plus_placements_exact_fraction():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "P", "C2", "U5", "PR1", "01/07/2019", "X1"),
        ("c1", "01/07/2019", "P", "C2", "K2", "PR4"),
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1"),
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1"),
    ]
    # 1 of 3 LA children has 3 placements: 100 * 1 / 3, unrounded.
    check(run(rows), 2020, cla_31_march=3, pct_3plus_placements=100.0 / 3.0)


def test_temporary_spell_is_not_a_placement_for_three_plus():
    rows = [
        # c1: A, T1 spell, B (different carer) -> 2 placements, not 3.
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1"),
        ("c1", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
        ("c1", "10/07/2019", "P", "C2", "U4", "PR1", "", "", "", "SC2"),
        # c2: A, T1 spell, A again, then B -> 2 placements.
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1"),
        ("c2", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
        ("c2", "10/07/2019", "P", "C2", "U4", "PR1", "01/09/2019", "X1", "", "SC1"),
        ("c2", "01/09/2019", "P", "C2", "K2", "PR4"),
        # c3: A, T0, B, T4, C -> 3 placements -> 3+.
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", "SC1"),
        ("c3", "01/07/2019", "P", "C2", "T0", "", "10/07/2019", "X1"),
        ("c3", "10/07/2019", "P", "C2", "U4", "PR1", "01/09/2019", "X1", "", "SC2"),
        ("c3", "01/09/2019", "P", "C2", "T4", "", "05/09/2019", "X1"),
        ("c3", "05/09/2019", "P", "C2", "K2", "PR4"),
    ]
    # 3+: c3 only -> 1/3. placements started: c1 2, c2 2, c3 3 = 7; moves 1 + 1 + 2 = 4.
    check(
        run(rows),
        2020,
        cla_31_march=3,
        pct_3plus_placements=100.0 / 3.0,
        placements_started=7,
        placement_moves=4,
        starts=3,
    )


# --------------------------------------------------------------------------------------------
# long-term stability
# --------------------------------------------------------------------------------------------
def test_long_term_stability_period_start_boundary():
    rows = [
        ("c1", "30/09/2017", "S", "C2", "U4", "PR1"),  # in denominator and numerator
        ("c2", "01/10/2017", "S", "C2", "U4", "PR1"),  # period too recent -> out
        # c3: looked after since 2016 but moved 01/04/2018 -> denominator only.
        ("c3", "01/01/2016", "S", "C2", "U4", "PR1", "01/04/2018", "X1"),
        ("c3", "01/04/2018", "P", "C2", "U6", "PR4"),
    ]
    # denominator c1, c3; numerator c1 -> 50.0.
    check(run(rows), 2020, cla_31_march=3, pct_long_term_stable=50.0)


def test_long_term_stability_placement_start_boundary():
    rows = [
        ("c1", "01/01/2015", "S", "C2", "K2", "PR4", "31/03/2018", "X1"),
        ("c1", "31/03/2018", "P", "C2", "U4", "PR1"),  # placement from 31/03/2018 -> numerator
        ("c2", "01/01/2015", "S", "C2", "K2", "PR4", "01/04/2018", "X1"),
        ("c2", "01/04/2018", "P", "C2", "U4", "PR1"),  # placement from 01/04/2018 -> not
    ]
    # denominator 2 (periods from 2015), numerator c1 -> 50.0.
    check(run(rows), 2020, cla_31_march=2, pct_long_term_stable=50.0)


def test_long_term_stability_uses_current_period_and_placement_start():
    rows = [
        # c1: X1 chain since 01/01/2016, RNE L only -> period and placement from 01/01/2016,
        # although the episode covering 31/03/2020 began 01/01/2020 -> numerator.
        ("c1", "01/01/2016", "S", "V2", "U4", "PR1", "01/06/2016", "X1"),
        ("c1", "01/06/2016", "L", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c1", "01/01/2020", "L", "E1", "U4", "PR1"),
        # c2: an earlier period ceased; the current one began 01/01/2018 -> not in denominator.
        ("c2", "01/01/2015", "S", "C2", "U4", "PR1", "01/06/2017", "E13"),
        ("c2", "01/01/2018", "S", "C2", "U4", "PR1"),
        # c3: X1 with no follow-on (FP11): the current period began 05/12/2017 -> out.
        ("c3", "01/01/2015", "S", "C2", "U4", "PR1", "01/12/2017", "X1"),
        ("c3", "05/12/2017", "S", "C2", "U4", "PR1"),
        # c4: period since 2016, moved 01/05/2019 -> denominator only.
        ("c4", "01/01/2016", "S", "C2", "U4", "PR1", "01/05/2019", "X1"),
        ("c4", "01/05/2019", "B", "C2", "U6", "PR4"),
    ]
    # denominator c1, c4; numerator c1 -> 50.0.
    check(run(rows), 2020, cla_31_march=4, pct_long_term_stable=50.0)


def test_long_term_stability_age_16_on_31_march_is_excluded():
    rows = [
        ("c1", "01/01/2015", "S", "C2", "U4", "PR1"),  # stable, but 16 on 31/03/2020
        ("c2", "01/01/2015", "S", "C2", "U4", "PR1", "01/05/2019", "X1"),  # 15, moved
        ("c2", "01/05/2019", "P", "C2", "U6", "PR4"),
        ("c3", "01/01/2015", "S", "C2", "U4", "PR1"),  # 15, stable
    ]
    dobs = {"c1": "31/03/2004", "c2": "01/04/2004", "c3": "01/04/2004"}
    # c1 born 31/03/2004 is 16 on 31/03/2020 -> out (FP15). c2, c3 are 15 -> in.
    # numerator c3 -> 1/2 = 50.0. c1 still counts as looked after.
    check(run(rows, dobs=dobs), 2020, cla_31_march=3, pct_long_term_stable=50.0)


def test_missing_dob_only_leaves_child_out_of_stability_denominator():
    rows = [
        ("c1", "01/01/2015", "S", "C2", "U4", "PR1"),  # no DOB, stable
        ("c2", "01/01/2015", "S", "C2", "U4", "PR1", "01/05/2019", "X1"),  # DOB, moved
        ("c2", "01/05/2019", "P", "C2", "U6", "PR4"),
        # c3: no DOB, three placements overlapping Y2020.
        ("c3", "01/01/2015", "S", "C2", "U4", "PR1", "01/05/2019", "X1"),
        ("c3", "01/05/2019", "P", "C2", "U6", "PR4", "01/09/2019", "X1"),
        ("c3", "01/09/2019", "P", "C2", "K2", "PR4"),
    ]
    dobs = {"c1": "", "c3": ""}
    # Stability denominator: c2 only (FP10) -> 0/1 = 0.0.
    # Everything else still counts c1 and c3: LA 3; 3+ = c3 -> 1/3; mix in-house c1, IFA c2,
    # children's home c3; placements started c2 1 + c3 2 = 3, all moves.
    check(
        run(rows, dobs=dobs),
        2020,
        cla_31_march=3,
        pct_long_term_stable=0.0,
        pct_3plus_placements=100.0 / 3.0,
        placements_started=3,
        placement_moves=3,
        **mix(inhouse_foster=1, ifa_foster=1, childrens_home=1),
    )


def test_child_absent_from_header_has_no_usable_dob():
    rows = [
        ("c1", "01/01/2015", "S", "C2", "U4", "PR1"),  # no header row, stable
        ("c2", "01/01/2015", "S", "C2", "U4", "PR1", "01/05/2019", "X1"),  # DOB, moved
        ("c2", "01/05/2019", "P", "C2", "U6", "PR4"),
    ]
    # c1 has no DOB at all -> out of the stability denominator (FP10) but looked after.
    check(
        run(rows, dobs={"c1": NO_HEADER_ROW}),
        2020,
        cla_31_march=2,
        pct_long_term_stable=0.0,
        **mix(inhouse_foster=1, ifa_foster=1),
    )


def test_long_term_stability_placement_for_adoption_after_fostering():
    rows = [
        # c1: K2 since 2015, U4 from 01/03/2018, A5 from 01/01/2020: the placement before the
        # adoption one started 01/03/2018 <= 31/03/2018 -> numerator.
        ("c1", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c1", "01/03/2018", "P", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c1", "01/01/2020", "P", "E1", "A5", "PR1"),
        # c2: U4 from 01/04/2018 -> not (the K2 from 2015 is not the one immediately before).
        ("c2", "01/01/2015", "S", "C2", "K2", "PR4", "01/04/2018", "X1"),
        ("c2", "01/04/2018", "P", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c2", "01/01/2020", "P", "E1", "A5", "PR1"),
        # c3: same as c1 but the last placement is U6 (not adoption) -> not.
        ("c3", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c3", "01/03/2018", "P", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c3", "01/01/2020", "P", "E1", "U6", "PR4"),
        # c4: previous placement started exactly 31/03/2018 -> numerator.
        ("c4", "01/01/2015", "S", "C2", "K2", "PR4", "31/03/2018", "X1"),
        ("c4", "31/03/2018", "P", "C2", "U5", "PR1", "01/02/2020", "X1"),
        ("c4", "01/02/2020", "P", "E1", "A6", "PR1"),
    ]
    # denominator 4 (periods from 2015, age 10); numerator c1, c4 -> 50.0.
    check(
        run(rows),
        2020,
        cla_31_march=4,
        pct_long_term_stable=50.0,
        **mix(adoption=3, ifa_foster=1),
    )


def test_adoption_placement_read_through_a_temporary_spell_on_31_march():
    rows = [
        # c1: U4 from 01/03/2018, A4 from 01/01/2020, T2 spell 25/03/2020-05/04/2020, back to
        # the same adopters. On 31/03/2020 the placement is the A4 one (FP5), its PLACE is that
        # of its latest non-temporary episode begun by 31/03/2020 = A4 (FP7), and the placement
        # before it started 01/03/2018 -> numerator.
        ("c1", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c1", "01/03/2018", "P", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c1", "01/01/2020", "P", "E1", "A4", "PR1", "25/03/2020", "X1", "", "AD1"),
        ("c1", "25/03/2020", "P", "E1", "T2", "", "05/04/2020", "X1"),
        ("c1", "05/04/2020", "P", "E1", "A4", "PR1", "", "", "", "AD1"),
        # c2: same, but after the spell the adopters differ (AD2) -> no placement on 31/03.
        ("c2", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c2", "01/03/2018", "P", "C2", "U4", "PR1", "01/01/2020", "X1"),
        ("c2", "01/01/2020", "P", "E1", "A4", "PR1", "25/03/2020", "X1", "", "AD1"),
        ("c2", "25/03/2020", "P", "E1", "T2", "", "05/04/2020", "X1"),
        ("c2", "05/04/2020", "P", "E1", "A4", "PR1", "", "", "", "AD2"),
    ]
    # denominator 2, numerator c1 -> 50.0; both in a T2 episode on 31/03/2020 -> other 2.
    check(
        run(rows),
        2020,
        cla_31_march=2,
        pct_long_term_stable=50.0,
        **mix(other=2),
    )


def test_adoption_read_from_latest_episode_of_the_placement_begun_by_31_march():
    rows = [
        # c1: U4 from 01/03/2018; U5 (new carers, RNE P) from 01/06/2019; on 01/02/2020 an RNE L
        # episode (same placement) records A5. The placement on 31/03/2020 started 01/06/2019;
        # its PLACE is read from its latest episode begun by 31/03/2020 = A5 (FP7), and the
        # placement before it started 01/03/2018 <= 31/03/2018 -> numerator.
        ("c1", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c1", "01/03/2018", "P", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c1", "01/06/2019", "P", "C2", "U5", "PR1", "01/02/2020", "X1"),
        ("c1", "01/02/2020", "L", "E1", "A5", "PR1"),
        # c2: same, but the A5 episode begins 01/04/2020: on 31/03/2020 the placement is U5 ->
        # not for adoption, started 01/06/2019 -> not numerator.
        ("c2", "01/01/2015", "S", "C2", "K2", "PR4", "01/03/2018", "X1"),
        ("c2", "01/03/2018", "P", "C2", "U4", "PR1", "01/06/2019", "X1"),
        ("c2", "01/06/2019", "P", "C2", "U5", "PR1", "01/04/2020", "X1"),
        ("c2", "01/04/2020", "L", "E1", "A5", "PR1"),
    ]
    # denominator 2 (periods from 2015), numerator c1 -> 50.0. Mix: c1 A5 adoption, c2 U5/PR1
    # in-house. Placements started in Y2020: U5 of each (the L episodes continue) -> 2 moves.
    check(
        run(rows),
        2020,
        cla_31_march=2,
        pct_long_term_stable=50.0,
        placements_started=2,
        placement_moves=2,
        **mix(adoption=1, inhouse_foster=1),
    )


# --------------------------------------------------------------------------------------------
# unplanned endings: FP13
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "expected"),
    [(code, 1) for code in UNPLANNED] + [("CARPL", 0), ("OTHER", 0), ("", 0)],
)
def test_unplanned_ending_codes(code, expected):
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1", code),
        ("c1", "01/08/2019", "P", "C2", "U6", "PR4"),
    ]
    # The first placement ends 01/08/2019 (in Y2020) with `code` on its last episode.
    check(
        run(rows),
        2020,
        unplanned_endings=expected,
        placements_started=2,
        placement_moves=1,
    )


def test_reason_codes_on_episodes_that_do_not_end_a_placement_are_ignored():
    rows = [
        # c1: CREQB on an episode followed by RNE L (same placement); the placement's last
        # episode says CARPL -> planned.
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "CREQB"),
        ("c1", "01/07/2019", "L", "E1", "U4", "PR1", "01/10/2019", "X1", "CARPL"),
        ("c1", "01/10/2019", "P", "E1", "K2", "PR4"),
        # c2: ALLEG before a temporary spell that returns to the same carer -> the placement
        # did not end; STAND on the temporary episode is ignored too.
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "ALLEG", "SC1"),
        ("c2", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1", "STAND"),
        ("c2", "10/07/2019", "P", "C2", "U4", "PR1", "", "", "", "SC1"),
        # c3: as c2 but the child goes elsewhere (SC2): the placement ended 01/07/2019 and its
        # last episode says ALLEG -> 1; STAND on the temporary episode still ignored.
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "ALLEG", "SC1"),
        ("c3", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1", "STAND"),
        ("c3", "10/07/2019", "L", "C2", "U4", "PR1", "", "", "", "SC2"),
        # c4: a reason code on an open episode: the placement has not ended.
        ("c4", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "CREQB"),
    ]
    # unplanned: c3 only = 1. placements started: c1 2, c2 1, c3 2, c4 1 = 6; moves c1, c3 = 2.
    check(
        run(rows),
        2020,
        unplanned_endings=1,
        placements_started=6,
        placement_moves=2,
        cla_31_march=4,
    )


def test_unplanned_ending_at_the_end_of_a_period_of_care():
    rows = [
        ("c1", "01/05/2018", "S", "C2", "U4", "PR1", "01/09/2019", "E13", "CLOSE"),
        ("c2", "01/05/2018", "S", "C2", "U4", "PR1", "01/10/2019", "E11", "CARPL"),
        ("c3", "01/05/2018", "S", "C2", "K2", "PR4", "31/03/2020", "E4A", "APPRR"),
        ("c4", "01/05/2018", "S", "C2", "K2", "PR4", "01/04/2020", "E4A", "CHILD"),
    ]
    df = run(rows, years=[2020, 2021])
    # Y2020: periods (and their only placements) end for c1, c2, c3 -> ceased 3; unplanned
    # c1 (CLOSE), c3 (APPRR, DEC 31/03/2020) = 2. c4 ends 01/04/2020 -> Y2021.
    check(df, 2020, ceased=3, unplanned_endings=2, cla_31_march=1)
    check(df, 2021, ceased=1, unplanned_endings=1, cla_31_march=0)


# --------------------------------------------------------------------------------------------
# location and distance
# --------------------------------------------------------------------------------------------
def test_out_of_area_and_over_20_miles():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "OUT", 20.0),
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "IN", 20.01),
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "IN", NAN),
        ("c4", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "", 35.0),
        ("c5", "01/05/2019", "S", "C2", "U4", "PR1", "01/03/2020", "E11", "", "", "", "OUT", 50),
    ]
    # LA: c1..c4 (c5 ceased). Known location: c1 OUT, c2 IN, c3 IN (c4 blank, excluded)
    # -> 1/3 OUT = 33.33... Known distance: c1 20.0 (not > 20), c2 20.01, c4 35.0 (c3 NaN
    # excluded) -> 2/3 = 66.66...
    check(
        run(rows),
        2020,
        cla_31_march=4,
        pct_out_of_area=100.0 / 3.0,
        pct_over_20_miles=200.0 / 3.0,
    )


def test_no_known_location_or_distance_gives_nan():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1"),
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "", NAN),
        # a location known only on a child not looked after on 31 March does not count
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/03/2020", "E11", "", "", "", "OUT", 30),
    ]
    check(run(rows), 2020, cla_31_march=2, pct_out_of_area=NAN, pct_over_20_miles=NAN)


def test_location_and_distance_come_from_the_episode_covering_31_march():
    rows = [
        # c1: OUT/40 until 01/01/2020, then (RNE L) IN/3 -> IN, 3.
        ("c1", "01/01/2018", "S", "C2", "U4", "PR1", "01/01/2020", "X1", "", "", "", "OUT", 40.0),
        ("c1", "01/01/2020", "L", "E1", "U4", "PR1", "", "", "", "", "", "IN", 3.0),
        # c2: IN/2, then a T0 episode OUT/25 over 31/03/2020 -> OUT, 25 (FP6).
        ("c2", "01/01/2018", "S", "C2", "U4", "PR1", "01/03/2020", "X1", "", "", "", "IN", 2.0),
        ("c2", "01/03/2020", "P", "C2", "T0", "", "", "", "", "", "", "OUT", 25.0),
        # c3: IN/10 over 31/03/2020; the OUT/30 episode begins 01/04/2020 -> IN, 10.
        ("c3", "01/01/2018", "S", "C2", "U4", "PR1", "01/04/2020", "X1", "", "", "", "IN", 10.0),
        ("c3", "01/04/2020", "P", "C2", "K2", "PR4", "", "", "", "", "", "OUT", 30.0),
    ]
    # OUT: c2 -> 1/3; > 20 miles: c2 -> 1/3.
    check(
        run(rows),
        2020,
        cla_31_march=3,
        pct_out_of_area=100.0 / 3.0,
        pct_over_20_miles=100.0 / 3.0,
        **mix(inhouse_foster=2, other=1),
    )


def test_location_codes_are_trimmed_and_upper_cased():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", " out", NAN),
        ("c2", "01/05/2019", "S", "C2", "U4", "PR1", "", "", "", "", "", "in ", NAN),
    ]
    # " out" reads as OUT and "in " as IN (FP14) -> 1/2 = 50.0.
    check(run(rows), 2020, cla_31_march=2, pct_out_of_area=50.0)


# --------------------------------------------------------------------------------------------
# placement mix (FP6, FP9)
# --------------------------------------------------------------------------------------------
MIX_CASES = [
    ("U1", "PR1", "kinship_foster"),
    ("U2", "PR4", "kinship_foster"),
    ("U3", "", "kinship_foster"),
    ("U4", "PR0", "inhouse_foster"),
    ("U5", "PR1", "inhouse_foster"),
    ("U6", "PR2", "inhouse_foster"),
    ("U4", "PR3", "inhouse_foster"),
    ("U4", "PR4", "ifa_foster"),
    ("U5", "PR5", "ifa_foster"),
    ("U6", "PR4", "ifa_foster"),
    ("U4", "", "other"),  # FP9 blank provider
    ("U5", "PR9", "other"),  # FP9 unknown provider
    ("K2", "PR4", "childrens_home"),
    ("R1", "PR1", "childrens_home"),
    ("K1", "PR1", "secure"),
    ("H5", "PR4", "supported"),
    ("P2", "", "supported"),
    ("K3", "PR5", "supported"),
    ("P1", "PR0", "with_parents"),
    ("A3", "PR1", "adoption"),
    ("A4", "PR1", "adoption"),
    ("A5", "PR2", "adoption"),
    ("A6", "PR5", "adoption"),
    ("Z1", "", "other"),
    ("R2", "PR3", "other"),
    ("S1", "PR4", "other"),
    ("R5", "PR3", "other"),
    ("P3", "PR4", "other"),
    ("R3", "PR1", "other"),
    ("T0", "", "other"),  # a period that opens with a temporary episode
]


def test_placement_mix_every_category():
    rows = [
        (f"c{i:02d}", "01/01/2019", "S", "C2", place, provider)
        for i, (place, provider) in enumerate((p, pr) for p, pr, _ in MIX_CASES)
    ]
    expected = {col: 0 for col in MIX_COLUMNS}
    for _, _, category in MIX_CASES:
        expected[category] += 1
    # kinship 3, in-house 4, IFA 3, children's home 2, secure 1, supported 3, with parents 1,
    # adoption 4, other 9 = 30 looked after.
    assert expected == mix(
        kinship_foster=3,
        inhouse_foster=4,
        ifa_foster=3,
        childrens_home=2,
        secure=1,
        supported=3,
        with_parents=1,
        adoption=4,
        other=9,
    )
    check(run(rows), 2020, cla_31_march=len(MIX_CASES), **expected)


@pytest.mark.parametrize(("place", "provider", "category"), MIX_CASES)
def test_placement_mix_single_code(place, provider, category):
    rows = [("c1", "01/01/2019", "S", "C2", place, provider)]
    check(run(rows), 2020, cla_31_march=1, **mix(**{category: 1}))


def test_placement_mix_codes_with_spaces_and_lower_case():
    rows = [
        ("c1", "01/01/2019", "S", "C2", " u4 ", "pr4 ", "", "", "", "", "", "", NAN),  # IFA
        ("c2", "01/01/2019", "S", "C2", "k2", " pr4", "", "", "", "", "", "", NAN),  # home
        ("c3", "01/01/2019", "S", "C2", " a5", "pr1", "", "", "", "", "", "", NAN),  # adoption
        ("c4", "01/01/2019", "S", "C2", "u5", " pr1 ", "", "", "", "", "", "", NAN),  # in-house
        ("c5", "01/01/2019", "S", "C2", "u1 ", "", "", "", "", "", "", "", NAN),  # kinship
        ("c6", "01/01/2019", "S", "C2", " t1", "", "", "", "", "", "", "", NAN),  # other
    ]
    check(
        run(rows),
        2020,
        cla_31_march=6,
        **mix(
            ifa_foster=1, childrens_home=1, adoption=1, inhouse_foster=1, kinship_foster=1, other=1
        ),
    )


def test_overlapping_episodes_latest_starting_wins():
    rows = [
        # ep1 runs 01/01/2019 - 15/04/2020 (U4, IN, 2 miles); ep2 starts 01/03/2020 (K2, OUT,
        # 40 miles) and is open. On 31/03/2020 both cover the day; it belongs to ep2 (FP14).
        ("c1", "01/01/2019", "S", "C2", "U4", "PR1", "15/04/2020", "E11", "", "", "", "IN", 2.0),
        ("c1", "01/03/2020", "P", "C2", "K2", "PR4", "", "", "", "", "", "OUT", 40.0),
    ]
    # One child looked after (not two), in a children's home, out of area, over 20 miles.
    check(
        run(rows),
        2020,
        cla_31_march=1,
        pct_out_of_area=100.0,
        pct_over_20_miles=100.0,
        **mix(childrens_home=1),
    )


# --------------------------------------------------------------------------------------------
# code normalisation and input hygiene (FP14)
# --------------------------------------------------------------------------------------------
def test_codes_are_trimmed_and_upper_cased_everywhere():
    rows = [
        # c1: " x1 " joins the episodes into one period; " s "/"p" start placements, " l"
        # continues; " creqb" on the first placement's last episode is unplanned.
        ("c1", "01/05/2019", " s ", "c2", " u4 ", "pr1 ", "01/07/2019", " x1 ", " creqb"),
        ("c1", "01/07/2019", "p", "c2", "k2", "pr4", "01/09/2019", "x1 "),
        ("c1", "01/09/2019", " l", "e1", "K2 ", " PR4"),
        # c2: " v3 " is a short break -> dropped.
        ("c2", "01/05/2019", "S", " v3 ", "U4", "PR1"),
        # c3: lower-case temporary code " t1"; returns to the same carer (u4/ pr1 == U4/PR1).
        ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1", "", "SC1"),
        ("c3", "01/08/2019", "P", "C2", " t1", "", "05/08/2019", "X1"),
        ("c3", "05/08/2019", "P", "C2", "u4", " pr1", "", "", "", "SC1"),
    ]
    # LA: c1, c3. starts: c1 1 (one period), c3 1 = 2; ceased 0.
    # placements: c1 2 (1 move), c3 1 -> 3 started, 1 move. unplanned: c1's first = 1.
    check(
        run(rows),
        2020,
        cla_31_march=2,
        starts=2,
        ceased=0,
        placements_started=3,
        placement_moves=1,
        unplanned_endings=1,
        **mix(childrens_home=1, inhouse_foster=1),
    )


def test_urn_and_postcode_comparison_trims_and_reads_123_0_as_123():
    def spell(child, before, after):
        urn_b, post_b = before
        urn_a, post_a = after
        return [
            (child, "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "", urn_b, post_b),
            (child, "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
            (child, "10/07/2019", "P", "C2", "U4", "PR1", "", "", "", urn_a, post_a),
        ]

    rows = [
        *spell("c1", ("123", "AB1 2CD"), ("123.0", "AB1 2CD")),  # same carer
        *spell("c2", ("SC1", "AB1 2CD"), ("SC1", " AB1 2CD ")),  # same carer
        *spell("c3", ("", ""), ("  ", "   ")),  # blank equals blank -> same carer
        *spell("c4", ("123", "AB1 2CD"), ("124", "AB1 2CD")),  # different carer
    ]
    # Only c4 starts a placement in Y2020 (a move). Stability: all from 2016; c1-c3 keep the
    # 2016 placement -> 3/4 = 75.0.
    check(
        run(rows),
        2020,
        cla_31_march=4,
        placements_started=1,
        placement_moves=1,
        pct_long_term_stable=75.0,
    )


def test_rows_without_child_or_decom_are_dropped():
    rows = [
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1"),
        ("", "01/05/2019", "S", "C2", "K2", "PR4"),  # no CHILD
        ("c2", "", "S", "C2", "K2", "PR4"),  # no DECOM
    ]
    # Only c1 remains: 1 LA, 1 start, 1 placement, in-house.
    check(
        run(rows),
        2020,
        cla_31_march=1,
        starts=1,
        placements_started=1,
        **mix(inhouse_foster=1),
    )


def test_dates_as_mixed_format_strings():
    eps = episodes(
        ("c1", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1"),
        ("c1", "01/08/2019", "P", "C2", "K2", "PR4"),
    )
    eps["DECOM"] = pd.Series(["01/05/2019", "2019-08-01"], dtype=object)
    eps["DEC"] = pd.Series(["2019-08-01", ""], dtype=object)
    hdr = pd.DataFrame({"CHILD": ["c1"], "DOB": pd.Series(["2010-01-01"], dtype=object)})
    # Dates may be dd/mm/YYYY or ISO, mixed (FP14): X1 on 01/08/2019 joins to the episode
    # starting 01/08/2019 -> one period, two placements.
    df = compute_indicators(eps, hdr, years=[2020])
    check(
        df,
        2020,
        cla_31_march=1,
        starts=1,
        ceased=0,
        placements_started=2,
        placement_moves=1,
        **mix(childrens_home=1),
    )


# --------------------------------------------------------------------------------------------
# open episodes, several years, row order
# --------------------------------------------------------------------------------------------
def test_open_episode_over_several_years():
    rows = [("c1", "01/01/2015", "S", "C2", "U4", "PR1")]
    df = run(rows, years=[2015, 2016, 2017, 2018])
    assert df["year"].tolist() == [2015, 2016, 2017, 2018]
    # Y2015 = 01/04/2014-31/03/2015: start and first placement.
    check(df, 2015, cla_31_march=1, starts=1, ceased=0, placements_started=1)
    check(df, 2016, cla_31_march=1, starts=0, ceased=0, placements_started=0)
    # Y2017: the period must have started by 30/09/2014 (Y-3) -> 01/01/2015 is too late -> NaN.
    check(df, 2017, cla_31_march=1, ceased=0, pct_long_term_stable=NAN)
    # Y2018: cut-offs 30/09/2015 (period) and 31/03/2016 (placement) -> in both -> 100.0.
    check(df, 2018, cla_31_march=1, ceased=0, pct_long_term_stable=100.0)


ALL_HISTORY = [
    ("c1", "01/04/2018", "S", "C2", "U4", "PR1", "01/06/2019", "X1", "", "SC1", "", "IN", 3.0),
    ("c1", "01/06/2019", "L", "E1", "U4", "PR1", "01/01/2020", "X1", "CREQB", "SC1", "", "IN", 3.0),
    ("c1", "01/01/2020", "P", "E1", "K2", "PR4", "15/06/2020", "E11", "", "", "", "OUT", 30.0),
    ("c2", "01/01/2016", "S", "C2", "U4", "PR1", "01/07/2019", "X1", "ALLEG", "SC1"),
    ("c2", "01/07/2019", "P", "C2", "T1", "", "10/07/2019", "X1"),
    ("c2", "10/07/2019", "P", "C2", "U4", "PR1", "01/02/2020", "X1", "CREQO", "SC1"),
    ("c2", "01/02/2020", "B", "C2", "U6", "PR4", "", "", "", "SC7", "", "OUT", 25.0),
    ("c3", "01/05/2019", "S", "C2", "U4", "PR1", "01/08/2019", "X1"),
    ("c3", "10/08/2019", "S", "C2", "K1", "PR1", "01/12/2019", "E11", "STAND"),
    ("c4", "01/03/2019", "S", "V3", "U4", "PR1", "01/06/2019", "X1"),
    ("c4", "01/06/2019", "L", "C2", "A5", "PR1"),
    ("c5", "01/01/2015", "S", "C2", "K2", "PR4", "31/03/2018", "X1"),
    ("c5", "31/03/2018", "P", "C2", "U4", "PR1", "01/04/2020", "E13", "CLOSE"),
    ("c6", "25/03/2019", "S", "V2", "T4", "", "03/04/2019", "X1"),
    ("c6", "03/04/2019", "L", "V2", "P1", "PR0", "31/03/2020", "E13", "CARPL"),
]


def test_full_history_year_2020():
    # c1: one period from 01/04/2018; A = U4 01/04/2018-01/01/2020 (its last episode says
    #     CREQB -> unplanned in Y2020); B = K2 from 01/01/2020 (move). LA, children's home,
    #     OUT, 30 miles. 2 placements overlap -> not 3+. Period too recent for stability.
    # c2: period from 2016; U4/SC1 from 2016, T1 spell returns to SC1 (the ALLEG is ignored);
    #     that placement ends 01/02/2020 (CREQO -> unplanned); U6/PR4 from 01/02/2020 (move).
    #     LA, IFA, OUT, 25 miles; 2 placements -> not 3+; stability: denominator, not numerator.
    # c3: two periods (X1 without follow-on): starts 2, ceased 1 (E11 01/12/2019); the K1
    #     placement ends with STAND -> unplanned. Not LA.
    # c4: short break dropped; period and first placement from 01/06/2019 (RNE L). LA, A5
    #     (adoption); no location/distance.
    # c5: period from 2015, U4 from 31/03/2018, ends 01/04/2020 -> LA on 31/03/2020, in-house;
    #     stability numerator (placement started 31/03/2018). No location.
    # c6: period from 25/03/2019 (Y2019) opening with T4; P1 placement from 03/04/2019 ends
    #     31/03/2020 (CARPL, planned) -> ceased in Y2020, not LA.
    # LA: c1, c2, c4, c5 = 4. starts: c3 2, c4 1 = 3. ceased: c3 1, c6 1 = 2.
    # placements started: c1 B, c2 U6, c3 2, c4 1, c6 1 = 6; moves: c1 B, c2 U6 = 2.
    # unplanned: c1 A, c2 U4, c3 K1 = 3. 3+: none of 4 -> 0.0.
    # stability: c2, c5 in (c1, c4 periods too recent) -> c5 only -> 50.0.
    # out of area: known c1 OUT, c2 OUT -> 100.0; distance c1 30, c2 25 -> 100.0.
    df = run(ALL_HISTORY, years=[2020])
    check(
        df,
        2020,
        cla_31_march=4,
        starts=3,
        ceased=2,
        placements_started=6,
        placement_moves=2,
        unplanned_endings=3,
        pct_3plus_placements=0.0,
        pct_long_term_stable=50.0,
        pct_out_of_area=100.0,
        pct_over_20_miles=100.0,
        **mix(childrens_home=1, ifa_foster=1, adoption=1, inhouse_foster=1),
    )


def test_several_years_at_once_match_single_year_calls():
    years = [2019, 2020, 2021]
    together = run(ALL_HISTORY, years=years).reset_index(drop=True)
    assert together["year"].tolist() == years
    separately = pd.concat(
        [run(ALL_HISTORY, years=[y]) for y in years], ignore_index=True
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(together, separately)
    # Y2019: LA on 31/03/2019: c1 (U4), c5 (U4), c6 (T4 -> other), c2 (U4) -> 4.
    #   starts: c1 01/04/2018, c6 25/03/2019 = 2 (c4's V3 is dropped). placements started:
    #   c1 A = 1 (c6 has none yet). ceased 0. c6 has no placement overlapping Y2019.
    check(
        together,
        2019,
        cla_31_march=4,
        starts=2,
        ceased=0,
        placements_started=1,
        placement_moves=0,
        **mix(inhouse_foster=3, other=1),
    )
    # Y2021: c1 ceases 15/06/2020 (E11), c5 ceases 01/04/2020 with CLOSE (unplanned).
    #   LA on 31/03/2021: c2 (IFA), c4 (adoption).
    check(
        together,
        2021,
        cla_31_march=2,
        starts=0,
        ceased=2,
        placements_started=0,
        placement_moves=0,
        unplanned_endings=1,
        **mix(ifa_foster=1, adoption=1),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_order_is_irrelevant(seed):
    eps = episodes(*ALL_HISTORY)
    hdr = header(eps)
    reference = compute_indicators(eps, hdr, years=[2019, 2020, 2021])
    shuffled = eps.sample(frac=1.0, random_state=seed)
    hdr_shuffled = hdr.sample(frac=1.0, random_state=seed)
    result = compute_indicators(shuffled, hdr_shuffled, years=[2019, 2020, 2021])
    pd.testing.assert_frame_equal(reference.reset_index(drop=True), result.reset_index(drop=True))
    reversed_result = compute_indicators(eps.iloc[::-1], hdr.iloc[::-1], years=[2019, 2020, 2021])
    pd.testing.assert_frame_equal(
        reference.reset_index(drop=True), reversed_result.reset_index(drop=True)
    )
