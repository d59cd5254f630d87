"""Property and consistency tests of ``sufficiency_sim.measure.indicators``.

Random small histories are built with numpy, deliberately crowded with boundary dates (31 March,
1 April, 30 September), X1 chains, overlaps, temporary spells, short breaks and odd codes. The
vectorised implementation is checked against a plain loop-per-child reading of indicators.md
and against invariances that any correct implementation must satisfy.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sufficiency_sim.measure.indicators import (
    INDICATOR_COLUMNS,
    compute_indicators,
    placements_from_episodes,
)

YEARS = list(range(2015, 2026))
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
PROPERTY = settings(max_examples=60, deadline=None, database=None)

PLACES = ["U1", "U3", "U4", "U5", "U6", "K2", "R1", "K1", "H5", "P1", "A3", "A5", "Z1", None]
TEMPORARY = ["T0", "T2", "T4"]
RNES = ["S", "P", "L", "L", "L", "B", "T", "U", None, "Z"]
PROVIDERS = ["PR0", "PR1", "PR3", "PR4", "PR5", None, "PRX"]
REASONS = [None, None, "CREQB", "CHILD", "CLOSE", "CARPL", "OTHER"]
RECS = ["E11", "E13", "E41", None]
EPISODE_COLUMNS = [
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
    "PL_POST",
    "URN",
    "PL_LOCATION",
    "PL_DISTANCE",
]


# --------------------------------------------------------------------------------------------
# Random histories
# --------------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, values: list):
    return values[rng.integers(len(values))]


def _near_boundary(rng: np.random.Generator, day: dt.date) -> dt.date:
    """Move a date onto a nearby collection-year boundary, often."""
    if rng.random() < 0.5:
        return day
    year = day.year + int(rng.integers(-1, 2))
    return _pick(
        rng,
        [dt.date(year, 3, 31), dt.date(year, 4, 1), dt.date(year, 9, 30), dt.date(year, 10, 1)],
    )


def random_history(
    seed: int,
    *,
    overlaps: bool = True,
    temporary: bool = True,
    short_breaks: bool = True,
    exact_ties: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A plainly built (object columns, datetime64 dates) episodes table and its header."""
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    header: list[dict] = []
    # Half the histories draw from a narrow palette, so that rare combinations (an adoption
    # placement after a temporary spell, a return differing only by URN...) come up often.
    narrow = rng.random() < 0.5
    places = ["A3", "U4"] if narrow else PLACES
    places = places + ((TEMPORARY[:1] if narrow else TEMPORARY * 2) if temporary else [])
    providers = ["PR1", "PR4"] if narrow else PROVIDERS
    for c in range(int(rng.integers(1, 9))):
        child = f"C{c}"
        start = dt.date(2012, 1, 1) + dt.timedelta(days=int(rng.integers(0, 12 * 365)))
        start = _near_boundary(rng, start)
        last_key = None
        k = int(rng.integers(1, 8))
        for j in range(k):
            end = start + dt.timedelta(days=int(rng.integers(1, 1100)))
            end = max(_near_boundary(rng, end), start + dt.timedelta(days=1))
            is_open = j == k - 1 and rng.random() < 0.5
            place = _pick(rng, places)
            key = (
                place,
                _pick(rng, providers),
                _pick(rng, ["1", "2", None]),
                _pick(rng, ["A", None]),
            )
            if last_key is not None and rng.random() < 0.4:
                key = last_key  # the same placement again, e.g. back after a temporary spell
                if rng.random() < 0.3:  # ... or nearly: one of the four fields differs
                    i = int(rng.integers(1, 4))
                    key = (*key[:i], _pick(rng, ["X", None]), *key[i + 1 :])
            if place not in TEMPORARY:
                last_key = key
            follow = rng.random()
            if j == k - 1:
                rec = None if is_open else _pick(rng, RECS)
            elif follow < 0.75:
                rec = "X1" if rng.random() < 0.9 else _pick(rng, RECS)
            else:
                rec = _pick(rng, ["X1", *RECS])
            rows.append(
                {
                    "CHILD": child,
                    "DECOM": start,
                    "RNE": _pick(rng, RNES),
                    "LS": _pick(
                        rng, ["C2", "C2", "C2", "J2"] + (["V3", "V4"] if short_breaks else [])
                    ),
                    "CIN": "N1",
                    "PLACE": key[0],
                    "PLACE_PROVIDER": key[1],
                    "DEC": None if is_open else end,
                    "REC": rec,
                    "REASON_PLACE_CHANGE": _pick(rng, REASONS),
                    "HOME_POST": "H1",
                    "PL_POST": key[3],
                    "URN": key[2],
                    "PL_LOCATION": _pick(rng, ["IN", "OUT", None]),
                    "PL_DISTANCE": _pick(rng, [3.0, 20.0, 20.5, 40.0, np.nan]),
                }
            )
            if follow < 0.75:
                start = end  # contiguous
            elif follow < 0.9 or not overlaps:
                start = end + dt.timedelta(days=int(rng.integers(1, 400)))
            else:  # overlapping the episode just written, or starting on the same day
                span = (end - start).days
                start = start + dt.timedelta(days=int(rng.integers(0, span + 1)))
        born = dt.date(2000, 1, 1) + dt.timedelta(days=int(rng.integers(0, 22 * 365)))
        dob = _pick(rng, [born, born, born, dt.date(born.year, 3, 31), None])
        header.append({"CHILD": child, "SEX": "1", "DOB": dob})
    episodes = pd.DataFrame(rows, columns=EPISODE_COLUMNS).astype(object)
    if not exact_ties:
        episodes = episodes.drop_duplicates(["CHILD", "DECOM", "DEC"]).reset_index(drop=True)
    for col in ("DECOM", "DEC"):
        episodes[col] = pd.to_datetime(episodes[col])
    frame = pd.DataFrame(header).astype(object)
    frame["DOB"] = pd.to_datetime(frame["DOB"])
    return episodes, frame


# --------------------------------------------------------------------------------------------
# Reference: a plain, loop-per-child reading of indicators.md
# --------------------------------------------------------------------------------------------

NEW_RNE = {"S", "P", "B", "T", "U"}
UNPLANNED = {"CREQB", "CREQO", "CHILD", "ALLEG", "STAND", "CLOSE", "APPRR"}
FAR = dt.date(9999, 1, 1)


def _code(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().upper()
    return text or None


def _date(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def reference_indicators(
    episodes: pd.DataFrame, header: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    by_child: dict[str, list[dict]] = {}
    for rec in episodes.to_dict("records"):
        ep = {k: _code(v) for k, v in rec.items() if k not in ("DECOM", "DEC", "PL_DISTANCE")}
        ep["DECOM"], ep["DEC"] = _date(rec["DECOM"]), _date(rec["DEC"]) or FAR
        ep["PL_DISTANCE"] = rec.get("PL_DISTANCE")
        if ep["LS"] in {"V3", "V4"} or ep["CHILD"] is None or ep["DECOM"] is None:
            continue
        by_child.setdefault(ep["CHILD"], []).append(ep)
    dob = {_code(r["CHILD"]): _date(r["DOB"]) for r in header.to_dict("records")}

    periods: list[dict] = []  # child, start, end, ceased
    placements: list[dict] = []  # child, start, end, seq, place_at(day)->str, reason
    episodes_of: dict[str, list[dict]] = {}
    for child, eps in by_child.items():
        eps.sort(key=lambda e: (e["DECOM"], e["DEC"]))
        eps = [
            e for i, e in enumerate(eps) if i + 1 == len(eps) or eps[i + 1]["DECOM"] != e["DECOM"]
        ]
        for e, nxt in itertools.pairwise(eps):
            e["DEC"] = min(e["DEC"], nxt["DECOM"])
        episodes_of[child] = eps
        groups: list[list[dict]] = []
        for i, e in enumerate(eps):
            prev = eps[i - 1] if i else None
            if prev and prev["REC"] == "X1" and prev["DEC"] == e["DECOM"]:
                groups[-1].append(e)
            else:
                groups.append([e])
        for g in groups:
            period = {"child": child, "start": g[0]["DECOM"], "end": g[-1]["DEC"]}
            period["ceased"] = g[-1]["DEC"] != FAR and g[-1]["REC"] != "X1"
            periods.append(period)
            current: dict | None = None
            last_real: dict | None = None
            in_spell = False
            seq = 0
            for e in g:
                if e["PLACE"] in {"T0", "T1", "T2", "T3", "T4"}:
                    in_spell = True
                    continue
                key = (e["PLACE"], e["PLACE_PROVIDER"], e["URN"], e["PL_POST"])
                if current is None:
                    new = True
                elif in_spell:
                    new = key != last_real["key"]
                else:
                    new = e["RNE"] in NEW_RNE
                in_spell = False
                if new:
                    seq += 1
                    current = {"child": child, "period": period, "seq": seq, "eps": []}
                    placements.append(current)
                current["eps"].append(e)
                last_real = {"key": key}
    for p in placements:
        p["start"], p["end"] = p["eps"][0]["DECOM"], p["eps"][-1]["DEC"]
        p["reason"] = p["eps"][-1]["REASON_PLACE_CHANGE"]

    out = []
    for year in years:
        first, last = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        row: dict = {"year": year}

        def inside(day, first=first, last=last):
            return day is not None and first <= day <= last

        row["starts"] = sum(inside(p["start"]) for p in periods)
        row["ceased"] = sum(p["ceased"] and inside(p["end"]) for p in periods)
        row["placements_started"] = sum(inside(p["start"]) for p in placements)
        row["placement_moves"] = sum(inside(p["start"]) and p["seq"] > 1 for p in placements)
        row["unplanned_endings"] = sum(
            p["end"] != FAR and inside(p["end"]) and p["reason"] in UNPLANNED for p in placements
        )
        cla = 0
        three = den = num = 0
        loc_known = loc_out = dist_known = dist_over = 0
        mix = dict.fromkeys(INDICATOR_COLUMNS[10:], 0)
        for child, eps in episodes_of.items():
            cover = [e for e in eps if e["DECOM"] <= last < e["DEC"]]
            if not cover:
                continue
            (e,) = cover
            cla += 1
            mine = [p for p in placements if p["child"] == child]
            overlapping = [
                p for p in mine if p["start"] < last + dt.timedelta(1) and p["end"] > first
            ]
            three += len(overlapping) >= 3
            period = next(
                p for p in periods if p["child"] == child and p["start"] <= last < p["end"]
            )
            born = dob.get(child)
            if (
                born is not None
                and born > dt.date(year - 16, 3, 31)
                and period["start"] <= dt.date(year - 3, 9, 30)
            ):
                den += 1
                now = [p for p in mine if p["start"] <= last < p["end"]]
                back = dt.date(year - 2, 3, 31)
                if now:
                    (p,) = now
                    latest = [x for x in p["eps"] if x["DECOM"] <= last][-1]
                    before = [
                        q for q in mine if q["period"] is p["period"] and q["seq"] == p["seq"] - 1
                    ]
                    if p["start"] <= back or (
                        latest["PLACE"] in {"A3", "A4", "A5", "A6"}
                        and before
                        and before[0]["start"] <= back
                    ):
                        num += 1
            if e["PL_LOCATION"] in {"IN", "OUT"}:
                loc_known += 1
                loc_out += e["PL_LOCATION"] == "OUT"
            if not pd.isna(e["PL_DISTANCE"]):
                dist_known += 1
                dist_over += e["PL_DISTANCE"] > 20
            place, provider = e["PLACE"], e["PLACE_PROVIDER"]
            if place in {"U1", "U2", "U3"}:
                cat = "kinship_foster"
            elif place in {"U4", "U5", "U6"} and provider in {"PR0", "PR1", "PR2", "PR3"}:
                cat = "inhouse_foster"
            elif place in {"U4", "U5", "U6"} and provider in {"PR4", "PR5"}:
                cat = "ifa_foster"
            elif place in {"K2", "R1"}:
                cat = "childrens_home"
            elif place == "K1":
                cat = "secure"
            elif place in {"H5", "P2", "K3"}:
                cat = "supported"
            elif place == "P1":
                cat = "with_parents"
            elif place in {"A3", "A4", "A5", "A6"}:
                cat = "adoption"
            else:
                cat = "other"
            mix[cat] += 1

        def pct(a, b):
            return 100.0 * a / b if b else math.nan

        row["cla_31_march"] = cla
        row["pct_3plus_placements"] = pct(three, cla)
        row["pct_long_term_stable"] = pct(num, den)
        row["pct_out_of_area"] = pct(loc_out, loc_known)
        row["pct_over_20_miles"] = pct(dist_over, dist_known)
        row.update(mix)
        out.append(row)
    frame = pd.DataFrame(out, columns=["year", *INDICATOR_COLUMNS])
    return frame.astype({c: float for c in INDICATOR_COLUMNS if c.startswith("pct_")}).astype(
        {c: "int64" for c in ["year", *INDICATOR_COLUMNS] if not c.startswith("pct_")}
    )


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True), right.reset_index(drop=True), check_exact=False, rtol=1e-12
    )


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(SEEDS)
def test_matches_loop_reference(seed: int) -> None:
    episodes, header = random_history(seed)
    assert_same(
        compute_indicators(episodes, header, YEARS), reference_indicators(episodes, header, YEARS)
    )


@PROPERTY
@given(SEEDS)
def test_shape_types_and_ranges(seed: int) -> None:
    episodes, header = random_history(seed)
    years = [2024, 2016, 2020, 2016]
    result = compute_indicators(episodes, header, years)
    assert list(result.columns) == ["year", *INDICATOR_COLUMNS]
    assert result["year"].tolist() == years
    for col in INDICATOR_COLUMNS:
        values = result[col]
        if col.startswith("pct_"):
            assert values.dtype == np.float64
            assert ((values >= 0) & (values <= 100) | values.isna()).all()
        else:
            assert values.dtype == np.int64
            assert (values >= 0).all()
    assert (result["pct_3plus_placements"].isna() == (result["cla_31_march"] == 0)).all()


@PROPERTY
@given(SEEDS)
def test_mix_sums_to_cla(seed: int) -> None:
    result = compute_indicators(*random_history(seed), YEARS)
    mix = result[list(INDICATOR_COLUMNS[10:])].sum(axis=1)
    assert (mix == result["cla_31_march"]).all()
    assert (result["placement_moves"] <= result["placements_started"]).all()


@PROPERTY
@given(SEEDS)
def test_moves_are_placements_less_first_placements(seed: int) -> None:
    episodes, header = random_history(seed)
    result = compute_indicators(episodes, header, YEARS)
    placements = placements_from_episodes(episodes)
    firsts = placements.loc[placements["placement_seq"] == 1, "start"]
    for row in result.itertuples():
        year = int(row.year)
        first_in_year = firsts.between(
            pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
        ).sum()
        assert row.placement_moves == row.placements_started - first_in_year
        ends = placements["end"].between(pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31))
        assert row.unplanned_endings == (ends & placements["unplanned_end"]).sum()
    assert not (placements["unplanned_end"] & placements["end"].isna()).any()


@PROPERTY
@given(SEEDS)
def test_without_temporary_codes_first_placements_are_starts(seed: int) -> None:
    # With no T0-T4 episode, every period's first placement starts with the period (FP 1).
    result = compute_indicators(*random_history(seed, temporary=False), YEARS)
    assert (result["placements_started"] - result["placement_moves"] == result["starts"]).all()


@PROPERTY
@given(SEEDS, SEEDS)
def test_splitting_an_episode_with_l_and_x1_changes_nothing(seed: int, split_seed: int) -> None:
    episodes, header = random_history(seed, overlaps=False)
    rng = np.random.default_rng(split_seed)
    rows = []
    for rec in episodes.to_dict("records"):
        decom, dec = rec["DECOM"], rec["DEC"]
        length = 1000 if pd.isna(dec) else (dec - decom).days
        if length >= 2 and rng.random() < 0.5:
            cut = decom + pd.Timedelta(days=int(rng.integers(1, length)))
            junk = _pick(rng, REASONS)  # reasons on episodes not ending a placement are ignored
            rows.append({**rec, "DEC": cut, "REC": "X1", "REASON_PLACE_CHANGE": junk})
            rows.append({**rec, "DECOM": cut, "RNE": "L"})
        else:
            rows.append(rec)
    split = pd.DataFrame(rows, columns=episodes.columns)
    assert len(split) >= len(episodes)
    assert_same(
        compute_indicators(split, header, YEARS), compute_indicators(episodes, header, YEARS)
    )


@PROPERTY
@given(SEEDS, SEEDS)
def test_row_and_column_order_do_not_matter(seed: int, shuffle_seed: int) -> None:
    episodes, header = random_history(seed, exact_ties=True)
    rng = np.random.default_rng(shuffle_seed)
    shuffled = episodes.iloc[rng.permutation(len(episodes))]
    shuffled = shuffled[list(rng.permutation(shuffled.columns))]
    header_shuffled = header.iloc[rng.permutation(len(header))]
    assert_same(
        compute_indicators(shuffled, header_shuffled, YEARS),
        compute_indicators(episodes, header, YEARS),
    )
    pd.testing.assert_frame_equal(
        placements_from_episodes(shuffled), placements_from_episodes(episodes)
    )


@PROPERTY
@given(SEEDS, SEEDS)
def test_renaming_children_changes_nothing(seed: int, rename_seed: int) -> None:
    episodes, header = random_history(seed)
    rng = np.random.default_rng(rename_seed)
    ids = sorted(header["CHILD"])
    new_ids = rng.choice(10**6, size=len(ids), replace=False)
    mapping = dict(zip(ids, new_ids.tolist(), strict=True))  # ints, in a scrambled order
    renamed = episodes.assign(CHILD=episodes["CHILD"].map(mapping))
    renamed_header = header.assign(CHILD=header["CHILD"].map(lambda c: f" {mapping[c]}.0 "))
    assert_same(
        compute_indicators(renamed, renamed_header, YEARS),
        compute_indicators(episodes, header, YEARS),
    )


@PROPERTY
@given(SEEDS, SEEDS)
def test_adding_short_breaks_changes_nothing(seed: int, extra_seed: int) -> None:
    episodes, header = random_history(seed, short_breaks=False)
    rng = np.random.default_rng(extra_seed)
    extra = episodes.sample(n=min(3, len(episodes)), random_state=rng.integers(2**31)).copy()
    extra["LS"] = [_pick(rng, ["V3", " v4", "V3 "]) for _ in range(len(extra))]
    extra["DECOM"] = extra["DECOM"] + pd.to_timedelta(rng.integers(-30, 30, len(extra)), unit="D")
    extra["RNE"] = "P"
    extra["PLACE"] = "K2"
    with_breaks = pd.concat([episodes, extra], ignore_index=True)
    assert_same(
        compute_indicators(with_breaks, header, YEARS), compute_indicators(episodes, header, YEARS)
    )


@PROPERTY
@given(SEEDS)
def test_messy_plain_frames_read_like_canonical_ones(seed: int) -> None:
    episodes, header = random_history(seed)
    rng = np.random.default_rng(seed)
    canonical = episodes.copy()
    for col in EPISODE_COLUMNS:
        if col not in ("DECOM", "DEC", "PL_DISTANCE"):
            canonical[col] = canonical[col].astype("string")
    canonical["PL_DISTANCE"] = canonical["PL_DISTANCE"].astype(float)

    messy = episodes.copy()
    for col in (
        "RNE",
        "LS",
        "PLACE",
        "PLACE_PROVIDER",
        "REC",
        "REASON_PLACE_CHANGE",
        "PL_LOCATION",
    ):
        messy[col] = [None if pd.isna(v) else f" {v.lower()} " for v in messy[col]]
    messy["URN"] = ["  " if pd.isna(v) else {"1": 1.0, "2": "2.0"}.get(v, v) for v in messy["URN"]]
    messy["PL_POST"] = [None if pd.isna(v) else f"{v}  " for v in messy["PL_POST"]]
    for col in ("DECOM", "DEC"):
        fmt = ["%d/%m/%Y", "%Y-%m-%d"]
        messy[col] = [
            None if pd.isna(v) else v.strftime(fmt[int(rng.integers(2))]) for v in messy[col]
        ]
    messy_header = header.assign(
        DOB=[None if pd.isna(v) else v.strftime("%d/%m/%Y") for v in header["DOB"]]
    )
    expected = compute_indicators(canonical, header, YEARS)
    assert_same(compute_indicators(messy, messy_header, YEARS), expected)
    assert_same(expected, reference_indicators(episodes, header, YEARS))


def test_absent_optional_columns_read_as_blank() -> None:
    episodes, header = random_history(7)
    optional = [
        "CIN",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
        "PL_LOCATION",
        "PL_DISTANCE",
    ]
    blanked = episodes.assign(**dict.fromkeys(optional, None))
    blanked["PL_DISTANCE"] = np.nan
    assert_same(
        compute_indicators(episodes.drop(columns=optional), header, YEARS),
        compute_indicators(blanked, header, YEARS),
    )


@PROPERTY
@given(SEEDS)
def test_inputs_are_not_mutated(seed: int) -> None:
    episodes, header = random_history(seed, exact_ties=True)
    episodes.loc[0, "PLACE"] = " u4 "
    before_e, before_h = episodes.copy(deep=True), header.copy(deep=True)
    compute_indicators(episodes, header, YEARS)
    placements_from_episodes(episodes)
    pd.testing.assert_frame_equal(episodes, before_e)
    pd.testing.assert_frame_equal(header, before_h)


def test_rows_without_child_or_decom_are_dropped() -> None:
    episodes, header = random_history(11)
    bad = episodes.iloc[:2].copy()
    bad.loc[bad.index[0], "CHILD"] = None
    bad.loc[bad.index[1], "DECOM"] = pd.NaT
    assert_same(
        compute_indicators(pd.concat([episodes, bad], ignore_index=True), header, YEARS),
        compute_indicators(episodes, header, YEARS),
    )


@pytest.mark.parametrize("years", [[], [2020]])
def test_empty_episodes(years: list[int]) -> None:
    empty = pd.DataFrame({"CHILD": [], "DECOM": pd.to_datetime([]), "DEC": pd.to_datetime([])})
    result = compute_indicators(empty, pd.DataFrame({"CHILD": [], "DOB": []}), years)
    assert len(result) == len(years)
    if years:
        assert result.loc[0, "cla_31_march"] == 0
        assert math.isnan(result.loc[0, "pct_long_term_stable"])
    assert placements_from_episodes(empty).empty


def _episode(child: str, decom: str, dec: str | None, place: str, **codes: str | None) -> dict:
    row = dict.fromkeys(EPISODE_COLUMNS)
    row.update(CHILD=child, DECOM=pd.Timestamp(decom), DEC=pd.Timestamp(dec) if dec else pd.NaT)
    row.update(PLACE=place, RNE="P", LS="C2", REC="X1" if dec else None, PLACE_PROVIDER="PR1")
    row.update(codes)
    return row


def _rare_paths() -> pd.DataFrame:
    """Histories reaching the rarest branches, each with a comment on what it exercises."""
    rows = [
        # On 31 March 2022 in a temporary spell, back to the same adoption placement afterwards:
        # the current placement is the adoption one (FP 5), read from its episode (FP 7).
        _episode("A", "2018-01-01", "2021-01-01", "U4", RNE="S"),
        _episode("A", "2021-01-01", "2022-03-01", "A3"),
        _episode("A", "2022-03-01", "2022-04-10", "T0"),
        _episode("A", "2022-04-10", None, "A3", RNE="S"),
        # The same, but coming back to a placement that differs by URN only: no placement on
        # 31 March 2022 (FP 5), so in the stability denominator only.
        _episode("B", "2018-01-01", "2021-01-01", "U4", RNE="S"),
        _episode("B", "2021-01-01", "2022-03-01", "A3", URN="1"),
        _episode("B", "2022-03-01", "2022-04-10", "T0"),
        _episode("B", "2022-04-10", None, "A3", URN="2", RNE="L"),
        # An adoption placement that is the first of its period (the period opened with a long
        # temporary spell): there is no earlier placement in the period to add.
        _episode("C", "2010-01-01", "2017-01-01", "U4", RNE="S", REC="E11"),
        _episode("C", "2018-01-01", "2020-06-01", "T0", RNE="S"),
        _episode("C", "2020-06-01", None, "A3"),
        # Three-placements window edges: a placement ending on 1 April 2020 is out of 2021's
        # window but ended in 2021; one starting on 31 March 2021 is in.
        _episode("D", "2019-01-01", "2020-04-01", "P1", RNE="S", REASON_PLACE_CHANGE="CHILD"),
        _episode("D", "2020-04-01", "2021-03-31", "U4"),
        _episode("D", "2021-03-31", None, "U1"),
    ]
    return pd.DataFrame(rows, columns=EPISODE_COLUMNS).astype({"PL_DISTANCE": float})


def test_rare_paths_match_reference() -> None:
    episodes = _rare_paths()
    header = pd.DataFrame(
        {"CHILD": ["A", "B", "C", "D"], "DOB": pd.to_datetime(["2015-01-01"] * 4)}
    )
    years = [2021, 2022]
    result = compute_indicators(episodes, header, years)
    assert_same(result, reference_indicators(episodes, header, years))
    alone = {
        child: compute_indicators(episodes[episodes["CHILD"] == child], header, years)
        for child in "ABCD"
    }
    assert alone["A"]["pct_long_term_stable"].tolist()[1] == 100.0
    assert alone["B"]["pct_long_term_stable"].tolist()[1] == 0.0
    assert alone["C"]["pct_long_term_stable"].tolist()[1] == 0.0
    assert alone["D"]["pct_3plus_placements"].tolist()[0] == 0.0
    assert alone["D"]["unplanned_endings"].tolist() == [1, 0]
