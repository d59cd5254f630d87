"""The forecast's entry rate (level or trend, `entry_rate.py`), the naive forecasts the backtest
sets beside the model, and the per-replication parameter draws (`uncertainty.py`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.backtest import (
    error_summary,
    format_backtest,
    naive_forecasts,
    with_naive,
)
from sufficiency_sim.calibration.entry_rate import choose_entry_rate, poisson_trend
from sufficiency_sim.calibration.uncertainty import ParameterUncertainty, duration_log_se

YEARS = list(range(2017, 2024))


def test_constant_counts_choose_the_level_and_its_mean():
    counts = pd.Series([93, 88, 101, 95, 90, 97, 92], index=YEARS)
    choice = choose_entry_rate(counts)
    assert choice.chosen == "level"
    assert choice.trend_pct == 0.0
    assert choice.rate == pytest.approx(counts.mean())
    # Poisson level error: sqrt(1 / total) (no over-dispersion in these counts)
    assert choice.rate_cv == pytest.approx(math.sqrt(1 / counts.sum()), rel=1e-6)
    assert "not used" in choice.reason


def test_noise_at_the_end_is_not_extrapolated():
    # The case: a constant 93 a year whose last years happened to run high.
    counts = pd.Series([92, 86, 95, 90, 105, 117, 111], index=YEARS)
    choice = choose_entry_rate(counts)
    assert choice.trend_pct < choice.fitted_trend_pct  # shrunk or dropped
    assert choice.trend_pct <= 2.0


def test_a_clear_trend_is_chosen_and_barely_shrunk():
    counts = pd.Series(np.round(400 * 1.08 ** np.arange(7)), index=YEARS)
    choice = choose_entry_rate(counts)
    assert choice.chosen == "trend"
    assert choice.shrinkage == pytest.approx(1 - (2 / choice.z) ** 2)
    assert choice.shrinkage > 0.9
    assert choice.trend_pct == pytest.approx(8.0 * choice.shrinkage, rel=0.05)
    # About the rate half a year after the last year's middle (635 * 1.08 ** 0.5)
    assert choice.rate == pytest.approx(400 * 1.08**6.5, rel=0.03)
    mape = dict(zip(choice.evidence["candidate"], choice.evidence["mape"], strict=True))
    assert mape["trend"] < mape["level"]


def test_poisson_trend_recovers_an_exact_log_linear_series():
    years = np.arange(2010, 2020, dtype=float)
    counts = np.exp(5.0 + 0.05 * (years - years.mean()))
    intercept, slope, se, dispersion = poisson_trend(years, counts)
    assert intercept == pytest.approx(5.0, abs=1e-6)
    assert slope == pytest.approx(0.05, abs=1e-6)
    # The slope's variance from the Fisher information [[S0, S1], [S1, S2]], Sk = sum(mu x^k)
    x = years - years.mean()
    s0, s1, s2 = counts.sum(), np.sum(counts * x), np.sum(counts * x**2)
    assert se == pytest.approx(1 / math.sqrt(s2 - s1**2 / s0), rel=1e-6)
    assert dispersion == 1.0


def test_too_few_years_give_the_level():
    choice = choose_entry_rate(pd.Series([10, 30], index=[2022, 2023]))
    assert (choice.chosen, choice.trend_pct, choice.rate) == ("level", 0.0, 20.0)


def test_naive_forecasts_hand_worked():
    observed = pd.DataFrame(
        {
            "year": [2019, 2020, 2021, 2022, 2023, 2019, 2020, 2021],
            "measure": ["x"] * 5 + ["y"] * 3,
            "observed": [10.0, 20.0, 33.0, 30.0, 40.0, 5.0, np.nan, 7.0],
        }
    )
    naive = naive_forecasts(observed, 2021, [2022, 2023]).set_index(["measure", "year"])
    assert naive.loc[("x", 2022), "carry_forward"] == 33.0
    assert naive.loc[("x", 2023), "recent_mean"] == pytest.approx(21.0)  # (10 + 20 + 33) / 3
    assert naive.loc[("y", 2022), "recent_mean"] == pytest.approx(6.0)  # the blank year skipped
    model = pd.DataFrame(
        {
            "year": [2022, 2023],
            "measure": ["x", "x"],
            "observed": [30.0, 40.0],
            "pct_error": [5.0, -10.0],
            "inside": [True, False],
        }
    )
    table = with_naive(model, naive.reset_index())
    assert table["carry_forward_pct_error"].tolist() == pytest.approx([10.0, -17.5])
    assert table["recent_mean_pct_error"].tolist() == pytest.approx([-30.0, -47.5])
    table["horizon"] = table["year"] - 2021
    summary = error_summary(table).set_index("horizon")
    assert summary.loc[2, "model_mape"] == 10.0 and summary.loc[2, "carry_forward_mape"] == 17.5
    assert summary.loc[1, "in_band"] == 1.0 and summary.loc[2, "in_band"] == 0.0


def test_backtest_text_aligns_its_columns():
    """The backtest's plain-text tables (`tables.text_table`): the indicator left, every number
    right, two spaces apart; the cut date first when there are several."""
    row = {
        "measure": "cla_31_march",
        "observed": 251.0,
        "mean": 248.2,
        "lower": 230.1,
        "upper": 270.9,
        "error": -2.8,
        "pct_error": -1.1,
        "carry_forward": 251.0,
        "recent_mean": 249.0,
        "carry_forward_pct_error": 0.0,
        "recent_mean_pct_error": -0.8,
    }
    table = pd.DataFrame(
        [{**row, "origin": 2021, "horizon": h, "year": 2021 + h, "inside": h == 1} for h in (1, 2)]
    )
    lines = format_backtest(table).splitlines()
    assert lines[:3] == [
        "indicator     year  observed  simulated        95% band  in band  error  carried  mean 3",
        "cla_31_march  2022     251.0      248.2  [230.1, 270.9]      yes   -2.8    251.0   249.0",
        "cla_31_march  2023     251.0      248.2  [230.1, 270.9]       NO   -2.8    251.0   249.0",
    ]
    assert lines[3] == "observed value in the 95% band in 1 of 2 year-indicator cells (50%)"
    assert lines[-4:] == [
        "indicator     years on  cells   model  carried    mean  in band",
        "                               MAPE %  forward  last 3",
        "cla_31_march         1      1     1.1      0.0     0.8     100%",
        "cla_31_march         2      1     1.1      0.0     0.8       0%",
    ]
    several = pd.concat([table, table.assign(origin=2020, year=table["year"] - 1)])
    assert format_backtest(several).splitlines()[:2] == [
        " cut  indicator     year  observed  simulated        95% band  in band  error  carried"
        "  mean 3",
        "2020  cla_31_march  2021     251.0      248.2  [230.1, 270.9]      yes   -2.8    251.0"
        "   249.0",
    ]


def test_parameter_draws_centre_on_the_calibrated_values():
    sc = scenario_module.load("scenarios/york_baseline.yaml")
    durations = {r: (d.median_days, d.sigma) for r, d in sc.pathways.durations.items()}
    se = duration_log_se(durations, {"return_home": 100, "adoption": 0})
    assert se["return_home"] == pytest.approx(1.2 / 10) and se["adoption"] == 0.0
    u = ParameterUncertainty(rate_cv=0.1, trend_se_pct=1.0, duration_log_se=se)
    rng = np.random.default_rng(1)
    draws = [u.draw(sc, rng) for _ in range(400)]
    rates = np.array([d.entries.rate_per_year for d in draws])
    assert rates.mean() == pytest.approx(64, rel=0.02)  # lognormal with its mean kept
    assert np.std(np.log(rates)) == pytest.approx(0.1, rel=0.15)
    home = np.array([d.pathways.durations["return_home"].median_days for d in draws])
    assert np.std(np.log(home)) == pytest.approx(0.12, rel=0.15)
    assert {d.pathways.durations["adoption"].median_days for d in draws} == {820}
    assert sc.entries.rate_per_year == 64  # the scenario itself is unchanged


def test_route_mix_draws_are_dirichlet_around_the_fitted_mix():
    """A fitted band's route mix is drawn with the band's periods as concentration: the draws
    sum to 1, centre on the mix, spread as a sample of that size, and keep zero shares at 0;
    bands without a count stay as they are."""
    sc = scenario_module.load("scenarios/york_baseline.yaml")
    mix = dict(sc.pathways.route_mix_by_age["10-15"])
    u = ParameterUncertainty(route_mix_n={"10-15": 200.0})
    rng = np.random.default_rng(3)
    draws = [u.draw(sc, rng).pathways.route_mix_by_age for _ in range(400)]
    for route, share in mix.items():
        values = np.array([d["10-15"][route] for d in draws])
        assert values.mean() == pytest.approx(share, abs=0.01)
        if share == 0:
            assert (values == 0).all()
        else:
            assert values.std() == pytest.approx(math.sqrt(share * (1 - share) / 201), rel=0.2)
    assert all(math.fsum(d["10-15"].values()) == pytest.approx(1.0) for d in draws)
    assert all(d["0"] == dict(sc.pathways.route_mix_by_age["0"]) for d in draws)
