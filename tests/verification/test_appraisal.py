"""The appraisal arithmetic on hand-made results frames: paired and unpaired intervals, the
whole-horizon rules, NPV against a hand computation, discounted payback, cost per outcome
avoided, the committee table and the `--replications auto` stopping rule."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sufficiency_sim.appraisal import statistics as ap
from sufficiency_sim.report import markdown as report_markdown

YEARS = (2020, 2021, 2022)
BASE = "Baseline"
OPTION = "Option"


def frame(values: dict[str, dict[str, np.ndarray]], years: Sequence[int] = YEARS) -> pd.DataFrame:
    """A tidy results frame from {scenario: {measure: array (replications x years)}}."""
    rows = []
    for name, measures in values.items():
        reps = next(iter(measures.values())).shape[0]
        for rep in range(reps):
            for j, year in enumerate(years):
                row = {"scenario": name, "replication": rep, "year": year}
                row.update({m: float(a[rep, j]) for m, a in measures.items()})
                rows.append(row)
    return pd.DataFrame(rows)


def known_pair() -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Baseline and option with per-replication differences chosen by hand."""
    base = {
        "pct_out_of_area": np.array(
            [[40.0, 42.0, 41.0], [35.0, 36.0, 38.0], [45.0, 44.0, 47.0], [38.0, 40.0, 39.0]]
        ),
        "unplanned_endings": np.array([[60, 62, 58], [55, 57, 61], [70, 66, 64], [59, 60, 63]]),
        "cost_gbp": np.full((4, 3), 10e6) + np.arange(4)[:, None] * 1e6,
        "out_of_area_child_years": np.array(
            [[90, 92, 91], [80, 85, 88], [99, 97, 96], [88, 90, 89]]
        ),
        "bridging_31_march": np.array([[1, 2, 0], [0, 1, 1], [2, 2, 3], [1, 0, 1]]),
    }
    diff = {
        "pct_out_of_area": np.array(
            [[-1.0, -2.0, -1.5], [-0.5, -1.0, -2.5], [-2.0, -1.0, -1.0], [-1.5, -0.5, -2.0]]
        ),
        "unplanned_endings": np.array([[-2, 0, -1], [-1, -3, 0], [0, -2, -2], [-1, -1, 1]]),
        "cost_gbp": np.array([[1.0e6, -0.3e6, -0.8e6]] * 4)
        + np.array([0.0, 0.1e6, -0.1e6, 0.0])[:, None],
        "out_of_area_child_years": np.array(
            [[-3, -4, -3], [-2, -3, -5], [-4, -2, -3], [-3, -3, -2]], dtype=float
        ),
        "bridging_31_march": np.zeros((4, 3)),
    }
    option = {m: base[m] + diff[m] for m in base}
    return frame({BASE: base, OPTION: option}), diff


def row(table: pd.DataFrame, measure: str, year: int | None = None) -> pd.Series:
    if year is None:
        hit = table[table["period"].eq("horizon") & table["measure"].eq(measure)]
    else:
        hit = table[
            table["period"].eq("year") & table["year"].eq(year) & table["measure"].eq(measure)
        ]
    assert len(hit) == 1
    return hit.iloc[0]


# ---------------------------------------------------------------------------------------------
# Paired differences


def test_paired_difference_and_interval_match_a_hand_t_interval() -> None:
    results, diff = known_pair()
    table = ap.paired_differences(results, BASE)
    for j, year in enumerate(YEARS):
        d = diff["pct_out_of_area"][:, j]
        got = row(table, "pct_out_of_area", year)
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
        assert got["difference"] == pytest.approx(d.mean(), abs=1e-12)
        assert got["paired_lower"] == pytest.approx(d.mean() - half, abs=1e-12)
        assert got["paired_upper"] == pytest.approx(d.mean() + half, abs=1e-12)
        assert got["n"] == 4


def test_unpaired_interval_is_welch() -> None:
    results, _ = known_pair()
    table = ap.paired_differences(results, BASE)
    got = row(table, "pct_out_of_area", 2021)
    a = results.query("scenario == @OPTION and year == 2021")["pct_out_of_area"]
    b = results.query("scenario == @BASE and year == 2021")["pct_out_of_area"]
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert got["unpaired_lower"] == pytest.approx(welch.low, abs=1e-9)
    assert got["unpaired_upper"] == pytest.approx(welch.high, abs=1e-9)
    # common random numbers: the paired interval is far narrower than the unpaired one
    assert got["paired_half_width"] < got["unpaired_half_width"] / 3


def test_a_constant_difference_has_a_zero_width_paired_interval() -> None:
    base = {"cost_gbp": np.array([[5.0, 6.0, 7.0], [9.0, 3.0, 4.0], [1.0, 8.0, 2.0]])}
    results = frame({BASE: base, OPTION: {"cost_gbp": base["cost_gbp"] + 2.0}})
    got = row(ap.paired_differences(results, BASE), "cost_gbp", 2020)
    assert got["difference"] == pytest.approx(2.0)
    assert got["paired_lower"] == got["paired_upper"] == pytest.approx(2.0)
    assert got["unpaired_half_width"] > 1.0


def test_whole_horizon_sums_flows_and_averages_the_rest() -> None:
    results, diff = known_pair()
    table = ap.paired_differences(results, BASE)
    endings = row(table, "unplanned_endings")
    assert endings["horizon_rule"] == "sum"
    assert endings["difference"] == pytest.approx(diff["unplanned_endings"].sum(axis=1).mean())
    base_total = results.query("scenario == @BASE").groupby("replication")["unplanned_endings"]
    assert endings["baseline_mean"] == pytest.approx(base_total.sum().mean())
    out = row(table, "pct_out_of_area")
    assert out["horizon_rule"] == "mean"
    per_rep = diff["pct_out_of_area"].mean(axis=1)
    half = stats.t.ppf(0.975, 3) * per_rep.std(ddof=1) / 2
    assert out["difference"] == pytest.approx(per_rep.mean())
    assert out["paired_upper"] - out["difference"] == pytest.approx(half)
    assert row(table, "bridging_31_march")["horizon_rule"] == "mean"
    assert row(table, "cost_gbp")["horizon_rule"] == "sum"
    assert pd.isna(out["year"])


def test_blank_values_are_left_out_of_the_pairs() -> None:
    results, _ = known_pair()
    blank = results["scenario"].eq(OPTION) & results["replication"].eq(1)
    results.loc[blank & results["year"].eq(2020), "pct_out_of_area"] = np.nan
    got = row(ap.paired_differences(results, BASE), "pct_out_of_area", 2020)
    assert got["n"] == 3
    assert not math.isnan(got["paired_half_width"])


def test_unknown_baseline_is_an_error() -> None:
    results, _ = known_pair()
    with pytest.raises(ValueError, match="not among the scenarios"):
        ap.paired_differences(results, "Nobody")


def test_levels_include_the_baseline_and_the_horizon() -> None:
    results, _ = known_pair()
    levels = ap.level_summary(results)
    got = levels[
        levels["scenario"].eq(BASE)
        & levels["period"].eq("horizon")
        & levels["measure"].eq("cost_gbp")
    ].iloc[0]
    assert got["mean"] == pytest.approx(3 * (10e6 + 1.5e6))
    assert got["n"] == 4


# ---------------------------------------------------------------------------------------------
# Costs: NPV, payback, cost per outcome avoided


def test_npv_matches_a_hand_computation() -> None:
    results, diff = known_pair()
    costs = ap.cost_appraisal(results, BASE, discount_rate=0.035).iloc[0]
    by_rep = [
        d[0] + d[1] / 1.035 + d[2] / 1.035**2 for d in diff["cost_gbp"]
    ]  # year 0 undiscounted
    assert costs["npv_cost_difference_gbp"] == pytest.approx(np.mean(by_rep), rel=1e-12)
    # replications 0 and 3 have exactly 1.0m, -0.3m, -0.8m
    assert by_rep[0] == pytest.approx(1.0e6 - 0.3e6 / 1.035 - 0.8e6 / 1.035**2)
    half = stats.t.ppf(0.975, 3) * np.std(by_rep, ddof=1) / 2
    assert costs["npv_upper"] - costs["npv_cost_difference_gbp"] == pytest.approx(half)
    assert costs["cost_difference_gbp"] == pytest.approx(diff["cost_gbp"].sum(axis=1).mean())
    assert ap.npv([100.0, 100.0, 100.0], 0.0) == 300.0
    assert ap.npv([0.0, 103.5], 0.035) == pytest.approx(100.0)


def test_other_discount_rates() -> None:
    results, diff = known_pair()
    flat = ap.cost_appraisal(results, BASE, discount_rate=0.0).iloc[0]
    assert flat["npv_cost_difference_gbp"] == pytest.approx(flat["cost_difference_gbp"])
    steep = ap.cost_appraisal(results, BASE, discount_rate=0.10).iloc[0]
    expected = np.mean([d @ (1.1 ** -np.arange(3)) for d in diff["cost_gbp"]])
    assert steep["npv_cost_difference_gbp"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("saving", "expected"),
    [
        ([-100.0, -50.0, 10.0, 20.0], (2021, "2020-21")),
        ([-100.0, 10.0, -5.0, 20.0], (2022, "2021-22")),  # must stay non-negative
        ([0.0, 0.0, 0.0, 0.0], (None, ap.NO_EXTRA_COST)),
        ([5.0, 10.0, 20.0, 30.0], (None, ap.NO_EXTRA_COST)),
        ([-1.0, -2.0, -3.0, -0.6], (None, ap.NOT_WITHIN_HORIZON)),
        ([-10.0, 0.0, 0.0, 0.0], (2020, "2019-20")),
    ],
)
def test_payback_rule(saving: list[float], expected: tuple) -> None:
    assert ap.payback(saving, [2019, 2020, 2021, 2022]) == expected


def test_payback_is_discounted() -> None:
    """Spend 100k now and save 100k next year: undiscounted that breaks even in year 2, but the
    discounted saving (96.6k) does not repay the spending within the horizon."""
    base = {"cost_gbp": np.full((3, 2), 1e6)}
    option = {"cost_gbp": base["cost_gbp"] + np.array([100e3, -100e3])}
    results = frame({BASE: base, OPTION: option}, years=(2020, 2021))
    got = ap.cost_appraisal(results, BASE).iloc[0]
    assert got["payback"] == ap.NOT_WITHIN_HORIZON
    assert pd.isna(got["payback_year"])
    assert got["payback_share"] == 0.0
    assert got["npv_cost_difference_gbp"] == pytest.approx(100e3 - 100e3 / 1.035)
    # save 110k instead: the discounted saving (106.3k) repays it in the second year
    option = {"cost_gbp": base["cost_gbp"] + np.array([100e3, -110e3])}
    results = frame({BASE: base, OPTION: option}, years=(2020, 2021))
    got = ap.cost_appraisal(results, BASE).iloc[0]
    assert (got["payback_year"], got["payback"], got["payback_share"]) == (2021, "2020-21", 1.0)


def test_payback_of_the_hand_made_option() -> None:
    results, _ = known_pair()
    got = ap.cost_appraisal(results, BASE).iloc[0]
    # mean cost difference 1.0m, -0.3m, -0.8m: cumulative discounted saving -1.0m, -0.71m, +0.04m
    assert got["payback_year"] == 2022
    assert got["payback"] == "2021-22"


def test_cost_per_outcome_avoided() -> None:
    results, diff = known_pair()
    got = ap.cost_appraisal(results, BASE).iloc[0]
    cost = diff["cost_gbp"].sum(axis=1).mean()
    avoided = -diff["out_of_area_child_years"].sum(axis=1).mean()
    assert got["out_of_area_years_avoided"] == pytest.approx(avoided)
    assert got["cost_per_out_of_area_year_avoided_gbp"] == pytest.approx(cost / avoided)
    endings = -diff["unplanned_endings"].sum(axis=1).mean()
    assert got["cost_per_unplanned_ending_avoided_gbp"] == pytest.approx(cost / endings)


def test_nothing_avoided_leaves_cost_per_avoided_blank() -> None:
    results, _ = known_pair()
    swapped = results.assign(
        scenario=results["scenario"].map({BASE: OPTION, OPTION: BASE})
    ).sort_values("scenario", key=lambda s: s.eq(OPTION))  # baseline first
    got = ap.cost_appraisal(swapped, BASE).iloc[0]
    assert got["out_of_area_years_avoided"] < 0
    assert math.isnan(got["cost_per_out_of_area_year_avoided_gbp"])
    assert math.isnan(got["cost_per_unplanned_ending_avoided_gbp"])


def test_an_identical_option_differs_by_exactly_nothing() -> None:
    results, _ = known_pair()
    same = results[results["scenario"].eq(BASE)].assign(scenario="Same")
    results = pd.concat([results, same], ignore_index=True)
    table = ap.paired_differences(results, BASE)
    mine = table[table["option"].eq("Same")]
    assert (mine["difference"] == 0).all()
    assert (mine["paired_lower"] == 0).all() and (mine["paired_upper"] == 0).all()
    cost = ap.cost_appraisal(results, BASE).set_index("option").loc["Same"]
    assert cost["npv_cost_difference_gbp"] == 0.0
    assert cost["payback"] == ap.NO_EXTRA_COST
    assert math.isnan(cost["cost_per_out_of_area_year_avoided_gbp"])


# ---------------------------------------------------------------------------------------------
# Outputs


def test_appraisal_table_and_markdown() -> None:
    results, _ = known_pair()
    appraisal = ap.appraise(results, BASE, seed=77, discount_rate=0.035)
    table = ap.appraisal_table(appraisal)
    assert set(table["option"]) == {OPTION}
    assert {"npv_cost_difference_gbp", "payback_year", "cost_per_out_of_area_year_avoided_gbp"} <= (
        set(table["measure"])
    )
    assert row(table, "payback_year")["difference"] == 2022
    text = report_markdown.appraisal_markdown(appraisal)
    assert "4 replications" in text and "seed 77" in text and "3.5% a year" in text
    assert "Whole horizon, 2019-20 to 2021-22" in text and "Final year, 2021-22" in text
    assert f"**{BASE}** (baseline)" in text
    option_rows = [line for line in text.splitlines() if line.startswith(f"| {OPTION} |")]
    assert len(option_rows) == 2  # one row in each table
    assert "2021-22 (75% of runs pay back)" in option_rows[0]  # replication 1 does not
    assert "*" in option_rows[0]  # the out-of-area difference excludes zero


# ---------------------------------------------------------------------------------------------
# --replications auto


def noisy_runner(sd: float, shift: float = -2.0, calls: list | None = None):
    """A fake batch runner: each replication's values depend only on its number."""

    def run(numbers: Sequence[int]) -> pd.DataFrame:
        numbers = list(numbers)
        if calls is not None:
            calls.append(numbers)
        rows = []
        for rep in numbers:
            rng = np.random.default_rng(rep)
            level = 40 + sd * rng.standard_normal(len(YEARS))
            paired = shift + 0.3 * sd * rng.standard_normal(len(YEARS))
            for name, values in ((BASE, level), (OPTION, level + paired)):
                for year, value in zip(YEARS, values, strict=True):
                    rows.append(
                        {
                            "scenario": name,
                            "replication": rep,
                            "year": year,
                            "pct_out_of_area": value,
                        }
                    )
        return pd.DataFrame(rows)

    return run


def test_auto_replications_stop_as_soon_as_precise() -> None:
    targets = [ap.PrecisionTarget("pct_out_of_area", absolute=1.0)]
    calls: list = []
    auto = ap.run_until_precise(noisy_runner(4.0, calls=calls), BASE, targets, batch=10)
    assert auto.met
    assert auto.replications == len(auto.results) // (2 * len(YEARS))
    assert calls == [list(range(i, i + 10)) for i in range(0, auto.replications, 10)]
    # the rule: met now, not met one batch earlier
    assert ap.precision_check(auto.results, BASE, targets).met
    earlier = auto.results[auto.results["replication"] < auto.replications - 10]
    assert not ap.precision_check(earlier, BASE, targets).met
    assert auto.history[-1] == (auto.replications, True)
    assert all(not met for _, met in auto.history[:-1])
    assert 20 <= auto.replications <= 200


def test_auto_replications_give_up_at_the_maximum() -> None:
    targets = [ap.PrecisionTarget("pct_out_of_area", absolute=0.01)]
    auto = ap.run_until_precise(noisy_runner(4.0), BASE, targets, batch=10, maximum=35)
    assert not auto.met
    assert auto.replications == 35  # last batch cut to fit
    assert [n for n, _ in auto.history] == [10, 20, 30, 35]


def test_auto_replications_with_no_noise_stop_after_one_batch() -> None:
    auto = ap.run_until_precise(noisy_runner(0.0), BASE, batch=10)
    assert auto.met and auto.replications == 10


def test_precision_targets_cover_levels_and_differences() -> None:
    results = noisy_runner(4.0)(range(30))
    target = ap.PrecisionTarget("pct_out_of_area", absolute=1.2)
    check = ap.precision_check(results, BASE, [target])
    kinds = check.detail.groupby("scenario")["kind"].apply(set).to_dict()
    assert kinds == {BASE: {"level"}, OPTION: {"level", "difference"}}
    # the level of a mean over 3 years with sd 4: half-width about 2*4/sqrt(3)/sqrt(30) = 0.84
    levels = check.detail[check.detail["kind"].eq("level")]
    assert levels["half_width"].between(0.5, 1.2).all()
    # a relative target for differences is a share of the baseline mean (40)
    relative = ap.PrecisionTarget("pct_out_of_area", relative=0.01, applies_to="difference")
    detail = ap.precision_check(results, BASE, [relative]).detail
    assert list(detail["kind"]) == ["difference"]
    assert detail["threshold"].iloc[0] == pytest.approx(0.4, rel=0.05)
    assert "pct_out_of_area" in check.worst()


def test_default_targets_name_real_measures() -> None:
    from sufficiency_sim.experiment.runner import RESULT_COLUMNS

    assert {t.measure for t in ap.DEFAULT_TARGETS} <= set(RESULT_COLUMNS)
    assert all((t.absolute is None) != (t.relative is None) for t in ap.DEFAULT_TARGETS)


# ---------------------------------------------------------------------------------------------
# Honest intervals


def test_level_intervals_stay_within_what_is_possible() -> None:
    # a percentage near 100 and a count near 0, with few noisy replications: the t interval
    # passes the bounds; the reported interval is truncated to them
    full = np.array([[99.0, 100.0, 100.0], [90.0, 100.0, 99.0], [100.0, 85.0, 100.0]])
    few = np.array([[0.0, 0.0, 3.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    results = frame({BASE: {"local_home_occupancy_pct": full, "bridging_31_march": few}})
    levels = ap.level_summary(results)
    occ = levels[levels["measure"].eq("local_home_occupancy_pct")]
    bridging = levels[levels["measure"].eq("bridging_31_march")]
    assert (occ["upper"] <= 100).all() and (occ["lower"] >= 0).all()
    assert (bridging["lower"] >= 0).all()
    # the truncation is real: untruncated, some interval passes a bound
    assert ((occ["mean"] + occ["half_width"]) > 100).any()
    assert ((bridging["mean"] - bridging["half_width"]) < 0).any()


def test_cost_per_avoided_has_a_bootstrap_interval_around_it() -> None:
    results, _ = known_pair()
    got = ap.cost_appraisal(results, BASE).iloc[0]
    value = got["cost_per_out_of_area_year_avoided_gbp"]
    lo = got["cost_per_out_of_area_year_avoided_lower_gbp"]
    hi = got["cost_per_out_of_area_year_avoided_upper_gbp"]
    assert lo <= value <= hi and lo < hi
    assert (
        ap.cost_appraisal(results, BASE).iloc[0]["cost_per_out_of_area_year_avoided_lower_gbp"]
        == lo
    )


def test_cost_per_avoided_is_blank_when_the_effect_is_not_measurable() -> None:
    results, _ = known_pair()
    option = results["scenario"].eq(OPTION)
    # out-of-area child-years avoided +1, -1, +1, -1 (summed over years): interval includes 0
    base = results[~option].set_index(["replication", "year"])["out_of_area_child_years"]
    shift = np.where(results.loc[option, "replication"] % 2 == 0, -1 / 3, 1 / 3)
    keys = zip(results.loc[option, "replication"], results.loc[option, "year"], strict=True)
    noisy = base.loc[list(keys)]
    results.loc[option, "out_of_area_child_years"] = noisy.to_numpy() + shift
    got = ap.cost_appraisal(results, BASE).iloc[0]
    assert got["out_of_area_years_avoided"] == pytest.approx(0.0)
    assert math.isnan(got["cost_per_out_of_area_year_avoided_gbp"])
    assert report_markdown.ratio_cell(got.to_dict(), "out_of_area_year") == "–"
