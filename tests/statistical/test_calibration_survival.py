"""calibration.survival: the time-in-care mixture recovers known parameters from simulated
periods (censored at the window's end, left-truncated at its start), its gradient is exact,
Kaplan-Meier honours left truncation, and the small fits are right on hand-worked cases."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from sufficiency_sim.calibration import lognormal
from sufficiency_sim.calibration import survival as sv
from sufficiency_sim.calibration.kaplan_meier import kaplan_meier
from sufficiency_sim.vocabulary import DURATION_ROUTES

WS, WE = pd.Timestamp("2019-04-01"), pd.Timestamp("2029-03-31")
BANDS = ("0", "1-4", "5-9", "10-15", "16-17")
BAND_YEARS = {"0": (0, 0), "1-4": (1, 4), "5-9": (5, 9), "10-15": (10, 15), "16-17": (16, 17)}
AGE_MIX = {"0": 0.22, "1-4": 0.20, "5-9": 0.20, "10-15": 0.28, "16-17": 0.10}
TRUE_MIX = {
    "0": {"return_home": .22, "adoption": .40, "sgo": .16, "cao": .04, "long_term": .13,
          "other": .05},
    "1-4": {"return_home": .34, "adoption": .16, "sgo": .20, "cao": .06, "long_term": .19,
            "other": .05},
    "5-9": {"return_home": .45, "adoption": .02, "sgo": .15, "cao": .05, "long_term": .27,
            "other": .06},
    "10-15": {"return_home": .47, "adoption": 0.0, "sgo": .05, "cao": .03, "long_term": .37,
              "other": .08},
    "16-17": {"return_home": .28, "adoption": 0.0, "sgo": 0.0, "cao": 0.0, "long_term": .64,
              "other": .08},
}  # fmt: skip
TRUE_DURATIONS = {
    "return_home": (260.0, 1.2),
    "adoption": (820.0, 0.35),
    "sgo": (620.0, 0.6),
    "cao": (520.0, 0.7),
    "other": (200.0, 1.3),
}


def simulate_periods(n_entries: int, seed: int, years_before: int = 18) -> pd.DataFrame:
    """Periods of care drawn as the model draws them, entering uniformly from `years_before`
    years before the window to its end; those that ended before the window are not seen, those
    still in care at its end are open."""
    rng = np.random.default_rng(seed)
    window_days = (WE - WS).days + 1
    offset = rng.integers(-years_before * 365, window_days, n_entries)
    bands = rng.choice(BANDS, n_entries, p=list(AGE_MIX.values()))
    low = np.array([BAND_YEARS[b][0] for b in bands]) * 365
    high = (np.array([BAND_YEARS[b][1] for b in bands]) + 1) * 365 - 1
    age = rng.integers(low, high)
    to_18 = 18 * 365 - age
    u = rng.random(n_entries)
    route = np.empty(n_entries, dtype=object)
    for band in BANDS:
        chosen = bands == band
        cumulative = np.cumsum(list(TRUE_MIX[band].values()))
        index = np.minimum(np.searchsorted(cumulative, u[chosen], side="right"), 5)
        route[chosen] = np.array(list(TRUE_MIX[band]), dtype=object)[index]
    duration = np.full(n_entries, np.inf)
    for name, (median, sigma) in TRUE_DURATIONS.items():
        chosen = route == name
        z = rng.standard_normal(chosen.sum())
        duration[chosen] = np.maximum(1, np.round(median * np.exp(sigma * z)))
    stay = np.minimum(duration, to_18)
    exit_route = np.where(duration < to_18, route, "at18")
    end = offset + stay
    seen = end > 0
    still = end >= window_days
    start = WS + pd.to_timedelta(offset, unit="D")
    ends = WS + pd.to_timedelta(np.where(still, 0, end).astype("int64"), unit="D")
    frame = pd.DataFrame(
        {
            "start": start,
            "end": pd.Series(ends).where(~still),
            "route": pd.array(np.where(still, None, exit_route), dtype="string"),
            "age_band": bands,
            "days_to_18": to_18.astype("int64"),
            "left_truncated": offset < 0,
            "entry_days": np.maximum(-offset, 0).astype("int64"),
            "start_known": True,
        }
    )
    return frame.loc[seen].reset_index(drop=True)


@pytest.fixture(scope="module")
def periods() -> pd.DataFrame:
    return simulate_periods(13_000, seed=11)


@pytest.fixture(scope="module")
def fit(periods) -> sv.TimeInCareFit:
    return sv.fit_time_in_care(periods, WE)


def test_the_simulated_extract_looks_like_a_real_one(periods):
    assert 5_500 <= len(periods) <= 6_500
    assert 0.2 < periods["left_truncated"].mean() < 0.4
    assert 0.15 < periods["end"].isna().mean() < 0.35


def test_recovers_the_route_mix_and_durations(periods, fit):
    assert fit.converged
    assert fit.n_periods == len(periods)
    for band in BANDS:
        mix = fit.route_mix_by_age[band]
        assert math.isclose(sum(mix.values()), 1.0, abs_tol=1e-9)
        for route, share in TRUE_MIX[band].items():
            assert abs(mix[route] - share) < 0.05, (band, route, mix[route], share)
    for route, (median, sigma) in TRUE_DURATIONS.items():
        got_median, got_sigma = fit.durations[route]
        tolerance = 0.10 if route != "cao" else 0.2  # cao: ~100 exits
        assert abs(got_median / median - 1) < tolerance, (route, got_median, median)
        assert abs(got_sigma / sigma - 1) < 0.2, (route, got_sigma, sigma)


def test_a_route_never_seen_in_a_band_gets_share_zero(fit):
    assert fit.route_mix_by_age["10-15"]["adoption"] == 0.0
    assert fit.route_mix_by_age["16-17"]["sgo"] == 0.0
    assert fit.exits_by_band["16-17"]["adoption"] == 0


def test_fast_enough(periods):
    began = time.perf_counter()
    sv.fit_time_in_care(periods, WE)
    assert time.perf_counter() - began < 5.0


def test_gradient_is_exact(periods):
    obs = sv.observations(periods.iloc[:1500], WE)
    bands = sorted(set(obs["band"]), key=BANDS.index)
    problem = sv._Problem(obs, bands, list(range(5)))
    x = sv._start_values(obs, problem)
    x = x + np.random.default_rng(1).normal(0, 0.3, len(x))
    numeric = optimize.approx_fprime(x, lambda v: problem.value_and_grad(v)[0], 1e-6)
    exact = problem.value_and_grad(x)[1]
    assert np.allclose(exact, numeric, rtol=1e-4, atol=1e-2)


def test_left_truncation_matters(periods):
    """Ignoring that the periods started before the window were selected for lasting into it
    overstates long stays: the conditioned fit is the right one."""
    ignored = periods.assign(entry_days=0)
    naive = sv.fit_time_in_care(ignored, WE)
    right = sv.fit_time_in_care(periods, WE)
    truth = TRUE_MIX["10-15"]["long_term"]
    naive_error = abs(naive.route_mix_by_age["10-15"]["long_term"] - truth)
    assert abs(right.route_mix_by_age["10-15"]["long_term"] - truth) < naive_error


def test_empty_bands_and_unseen_routes_fall_back():
    frame = simulate_periods(3000, seed=2)
    frame = frame.loc[frame["age_band"] == "10-15"]
    fallback = {b: {"long_term": 1.0} for b in BANDS}
    fit = sv.fit_time_in_care(
        frame, WE, fallback_mix=fallback, fallback_durations={"adoption": (800.0, 0.3)}
    )
    assert fit.bands_fitted == ("10-15",)
    assert fit.route_mix_by_age["0"] == {
        "return_home": 0.0, "adoption": 0.0, "sgo": 0.0, "cao": 0.0, "long_term": 1.0,
        "other": 0.0,
    }  # fmt: skip
    assert "adoption" not in fit.routes_fitted
    assert fit.durations["adoption"] == (800.0, 0.3)
    none = sv.fit_time_in_care(frame.iloc[:0], WE)
    assert none.n_periods == 0 and none.route_mix_by_age["0"]["long_term"] == 1.0


def test_observations_are_hand_worked():
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime(["2019-01-01", "2019-06-01", "2020-01-01", "2020-01-01"]),
            "end": pd.to_datetime(["2019-07-01", None, "2020-02-01", "2020-03-01"]),
            "route": pd.array(["return_home", None, "at18", None], dtype="string"),
            "age_band": ["5-9", "0", "16-17", "1-4"],
            "days_to_18": [3000, 6000, 31, 4000],
            "entry_days": [90, 0, 0, 0],
            "start_known": [True, True, True, False],
        }
    )
    obs = sv.observations(frame, pd.Timestamp("2019-12-31"))
    assert obs["band"].tolist() == ["5-9", "0", "16-17"]
    assert obs["l"].tolist() == [90.0, 0.0, 0.0]
    assert obs["time"].tolist() == [181.0, 214.0, 31.0]
    assert obs["event"].tolist() == [True, False, True]
    assert obs["route"].tolist() == ["return_home", "", "at18"]


# --- curves -----------------------------------------------------------------------------------


def test_kaplan_meier_with_left_truncation_matches_a_known_curve():
    """One route, lognormal(300, 1) for everyone, entering over 15 years before a 5-year
    window: the KM curve, built from truncated and censored periods, follows the truth."""
    rng = np.random.default_rng(5)
    n = 12_000
    offset = rng.integers(-15 * 365, 5 * 365, n)
    duration = np.maximum(1, np.round(300 * np.exp(rng.standard_normal(n))))
    end = offset + duration
    window_days = 5 * 365
    seen = end > 0
    still = end >= window_days
    ws = pd.Timestamp("2019-04-01")
    frame = pd.DataFrame(
        {
            "start": ws + pd.to_timedelta(offset, unit="D"),
            "end": (ws + pd.to_timedelta(np.where(still, 0, end), unit="D")).where(~still),
            "route": pd.array(np.where(still, None, "return_home"), dtype="string"),
            "age_band": "5-9",
            "days_to_18": 10**6,
            "entry_days": np.maximum(-offset, 0),
        }
    ).loc[seen]
    window_end = ws + pd.Timedelta(days=window_days - 1)
    km = kaplan_meier(frame, window_end, band="5-9")
    assert list(km.columns) == ["day", "survival", "lower", "upper"]
    assert km["day"].iloc[0] == 0 and km["survival"].iloc[0] == 1.0
    truth = stats.norm.sf((np.log(np.maximum(km["day"], 0.5)) - np.log(300)) / 1.0)
    inside = km["day"] <= 3000
    assert np.max(np.abs(km["survival"] - truth)[inside]) < 0.02
    covered = ((km["lower"] <= truth + 1e-3) & (truth - 1e-3 <= km["upper"]))[inside]
    assert covered.mean() > 0.85
    # the same periods without the truncation would be biased upwards (long stays oversampled)
    naive = kaplan_meier(frame.assign(entry_days=0), window_end, band="5-9")
    at_300 = lambda curve: float(np.interp(300, curve["day"], curve["survival"]))  # noqa: E731
    assert at_300(naive) > at_300(km) + 0.05
    assert kaplan_meier(frame, window_end, band="0").empty


def test_fitted_survival_is_hand_worked():
    fit = sv.TimeInCareFit(
        route_mix_by_age={
            b: {"return_home": 0.5, "adoption": 0.0, "sgo": 0.0, "cao": 0.0, "long_term": 0.5,
                "other": 0.0}
            for b in BANDS
        },
        durations={r: (100.0, 1.0) for r in DURATION_ROUTES},
        n_periods=0,
        log_likelihood=0.0,
        converged=True,
    )  # fmt: skip
    days = np.array([0.0, 100.0, 1000.0, 2000.0])
    ages = np.array([500.0, 1500.0, 5000.0, 5000.0])
    # P(in care at d) = (0.5 + 0.5 S(d)) * share of children not yet 18 at d
    s1000 = stats.norm.sf(np.log(10.0))
    expected = [1.0, 0.75 * 1.0, (0.5 + 0.5 * s1000) * 0.75, (0.5 + 0.5 * stats.norm.sf(np.log(20)))
                * 0.5]  # fmt: skip
    assert np.allclose(sv.fitted_survival(fit, ages, days, "5-9"), expected)
    periods = pd.DataFrame({"age_band": ["5-9"] * 4 + ["0"], "days_to_18": [*ages, 10.0]})
    assert np.allclose(sv.fitted_survival(fit, periods, days, "5-9"), expected)
    # half stay to 18 (all 5000 days away), half leave with median 100: the median of time in
    # care is where 0.5 + 0.5 S(d) = 0.5, i.e. never before 18 -> 5000 days
    assert sv.median_time_in_care(fit, "5-9", np.array([5000.0])) == pytest.approx(5000, rel=1e-6)
    no_long = sv.TimeInCareFit(
        route_mix_by_age={b: {"return_home": 1.0} for b in BANDS},
        durations={r: (100.0, 1.0) for r in DURATION_ROUTES},
        n_periods=0,
        log_likelihood=0.0,
        converged=True,
    )
    assert sv.median_time_in_care(no_long, "0", np.array([6000.0])) == pytest.approx(100, 1e-6)


# --- one lognormal and the pathway steps -------------------------------------------------------


def test_lognormal_fit_uncensored_is_the_closed_form():
    t = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
    fit = lognormal.fit_lognormal(t, np.ones(5, dtype=bool))
    logs = np.log(t)
    assert fit.median_days == pytest.approx(math.exp(logs.mean()), rel=1e-4)
    assert fit.sigma == pytest.approx(logs.std(), rel=1e-4)
    assert fit.n == 5 and fit.n_events == 5
    assert lognormal.fit_lognormal(t, np.zeros(5, dtype=bool)) is None


def test_lognormal_fit_recovers_with_censoring_and_truncation():
    rng = np.random.default_rng(8)
    n = 8000
    t = 270 * np.exp(0.3 * rng.standard_normal(n))
    entry = rng.uniform(0, 400, n) * (rng.random(n) < 0.3)
    seen = t > entry
    censor = rng.uniform(50, 600, n)
    event = t <= censor
    fit = lognormal.fit_lognormal(np.minimum(t, censor)[seen], event[seen], entry[seen])
    assert fit.median_days == pytest.approx(270, rel=0.03)
    assert fit.sigma == pytest.approx(0.3, rel=0.05)


def test_placed_with_parents_inverts_the_model_step():
    rng = np.random.default_rng(4)
    n = 6000
    total = np.maximum(1, np.round(260 * np.exp(1.2 * rng.standard_normal(n))))
    drawn = np.maximum(1, np.round(300 * np.exp(0.6 * rng.standard_normal(n))))
    placed = (rng.random(n) < 0.55) & (drawn < total)
    fit = lognormal.fit_placed_with_parents(total, np.where(placed, drawn, np.nan))
    assert placed.mean() < 0.3  # the raw share understates the model's
    assert fit.share == pytest.approx(0.55, abs=0.04)
    assert fit.median_days == pytest.approx(300, rel=0.08)
    assert fit.sigma == pytest.approx(0.6, rel=0.1)
    assert lognormal.fit_placed_with_parents(total, np.full(n, np.nan)) is None


def test_thinned_share():
    assert lognormal.fit_thinned_share(np.array([1, 0, 1, 0], bool), np.ones(4)) == pytest.approx(
        0.5, 1e-4
    )
    rng = np.random.default_rng(2)
    chance = rng.uniform(0, 1, 20_000)
    happened = rng.random(20_000) < 0.3 * chance
    assert lognormal.fit_thinned_share(happened, chance) == pytest.approx(0.3, abs=0.02)
    assert lognormal.fit_thinned_share(np.array([False]), np.array([0.0])) is None


def test_kaplan_meier_where_the_product_limit_is_undefined():
    """Only periods that entered the window late, one of them ending the day it is first
    seen: the product-limit estimate drops to 0 for good, so the Nelson-Aalen-based estimate
    stands in (same columns, a proper survival curve)."""
    ws = pd.Timestamp("2019-04-01")
    frame = pd.DataFrame(
        {
            "start": [ws - pd.Timedelta(days=100), ws - pd.Timedelta(days=200)],
            "end": [ws, ws + pd.Timedelta(days=100)],
            "route": pd.array(["return_home", "other"], dtype="string"),
            "age_band": "5-9",
            "days_to_18": 4000,
            "entry_days": [100, 200],
        }
    )
    km = kaplan_meier(frame, pd.Timestamp("2020-03-31"))
    assert list(km.columns) == ["day", "survival", "lower", "upper"]
    assert km["survival"].notna().all() and (np.diff(km["survival"]) <= 1e-12).all()
    assert ((km["lower"] <= km["survival"] + 1e-12) & (km["survival"] <= km["upper"] + 1e-12)).all()
    assert km["day"].iloc[0] == 0 and km["survival"].iloc[0] == 1.0
