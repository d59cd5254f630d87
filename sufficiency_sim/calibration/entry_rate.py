"""Choose the entry rate to forecast with: a level, or a trend that has earned its keep.

A trend fitted to a few years of counts mostly fits their noise, and extrapolated for years
it runs away. So, from the yearly starts of the window's complete years:

1. Fit the Poisson log-linear trend (quasi-Poisson when over-dispersed): slope ``b`` with
   standard error ``se``, ``z = b / se``.
2. Rolling-origin validation inside the window: from every origin with at least
   `MIN_TRAIN_YEARS` years behind it, forecast the next (up to) three years with the level
   (the mean of the years so far) and with the trend fitted to those years; score each by its
   mean absolute percentage error over all those forecasts.
3. The trend is used only when it forecast better than the level in that validation *and*
   ``|z| >= Z_MIN`` (a penalised criterion: the trend must be clearly away from zero); the
   slope is then shrunk towards zero by ``1 - (Z_MIN / z)^2`` (a positive-part James-Stein
   factor with the threshold's penalty: nothing at two standard errors, so the forecast does
   not jump as a trend crosses it; half at 2.8, 84% at five, 96% at ten). Otherwise a
   level with no trend: the mean over the window (the most precise estimate when the rate
   is constant), or the mean of its last `RECENT_YEARS` years when that forecast better in
   the same validation (a drift too slow to pass as a trend still moves the level).

`choose_entry_rate` returns the choice with its evidence (each candidate's validation error,
the slope's interval, the shrinkage) for the calibration report, and the standard errors of
the rate at the window's end and of the trend, which the forecast's band draws from
(`uncertainty.py`). The model's trend is a constant percentage a year; a damped trend is not
offered, since the shrunk trend already tempers it over a forecast of a few years."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

MIN_TREND_YEARS = 3
"""Fewest complete years for a trend to be fitted at all."""
MIN_TRAIN_YEARS = 3
"""Fewest years behind a validation origin."""
VALIDATION_HORIZON = 3
"""Years forecast from each validation origin."""
Z_MIN = 2.0
"""Least |slope / standard error| for a trend to be used."""
RECENT_YEARS = 3
"""Years averaged by the "recent level" candidate."""


@dataclass(frozen=True)
class EntryRateChoice:
    """The entry rate chosen for the forecast, and why."""

    chosen: str  # "level", "recent level" or "trend"
    rate: float  # per year at the window's end
    trend_pct: float  # % a year used (0 for the level)
    fitted_trend_pct: float  # before shrinkage
    trend_low_pct: float
    trend_high_pct: float
    z: float
    shrinkage: float  # share of the fitted slope kept
    dispersion: float
    rate_cv: float  # relative standard error of the rate at the window's end
    trend_se_pct: float  # standard error of the trend, % a year
    evidence: pd.DataFrame  # candidate, origins, forecasts, mape
    reason: str


def poisson_trend(years: np.ndarray, counts: np.ndarray) -> tuple[float, float, float, float]:
    """Log-linear Poisson regression of counts on year (IRLS): intercept at the mean year, the
    slope, its standard error and the dispersion (Pearson, floored at 1: quasi-Poisson)."""
    x = np.column_stack([np.ones(len(years)), years - years.mean()])
    y = counts.astype("float64")
    beta = np.array([math.log(max(y.mean(), 0.5)), 0.0])
    for _ in range(100):
        eta = x @ beta
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        xtwx = x.T @ (x * mu[:, None])
        new = np.linalg.solve(xtwx, x.T @ (mu * z))
        done = np.max(np.abs(new - beta)) < 1e-10
        beta = new
        if done:
            break
    mu = np.exp(x @ beta)
    cov = np.linalg.inv(x.T @ (x * mu[:, None]))
    df = len(y) - 2
    dispersion = float(np.sum((y - mu) ** 2 / mu) / df) if df > 0 else 1.0
    scale = max(1.0, dispersion)
    return float(beta[0]), float(beta[1]), math.sqrt(cov[1, 1] * scale), scale


def _level_forecast(counts: np.ndarray, steps: int) -> np.ndarray:
    return np.full(steps, counts.mean())


def _recent_forecast(counts: np.ndarray, steps: int) -> np.ndarray:
    return np.full(steps, counts[-RECENT_YEARS:].mean())


def _trend_forecast(years: np.ndarray, counts: np.ndarray, steps: int) -> np.ndarray:
    if counts.sum() <= 0:
        return np.zeros(steps)
    intercept, slope, _, _ = poisson_trend(years, counts)
    ahead = years[-1] + np.arange(1, steps + 1) - years.mean()
    return np.exp(intercept + slope * ahead)


def rolling_origin(years: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    """Each candidate's mean absolute percentage error forecasting up to
    `VALIDATION_HORIZON` years ahead from every origin inside the window."""
    errors: dict[str, list[float]] = {"level": [], "recent level": [], "trend": []}
    origins = 0
    for t in range(MIN_TRAIN_YEARS, len(counts)):
        train_y, train_c = years[:t], counts[:t]
        truth = counts[t : t + VALIDATION_HORIZON].astype(float)
        steps = len(truth)
        origins += 1
        for name, forecast in (
            ("level", _level_forecast(train_c, steps)),
            ("recent level", _recent_forecast(train_c, steps)),
            ("trend", _trend_forecast(train_y, train_c, steps)),
        ):
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = np.abs(forecast - truth) / np.maximum(truth, 1.0)
            errors[name] += list(100 * pct)
    return pd.DataFrame(
        [
            {
                "candidate": name,
                "origins": origins,
                "forecasts": len(values),
                "mape": float(np.mean(values)) if values else float("nan"),
            }
            for name, values in errors.items()
        ]
    )


def _pct(b: float) -> float:
    return 100.0 * (math.exp(b) - 1.0)


def _level_only(n: int, total: float) -> EntryRateChoice:
    """The window's mean, when there are too few years (or starts) to test a trend."""
    why = (
        f"only {n} complete year(s), at least {MIN_TREND_YEARS} are needed for a trend"
        if total > 0
        else "no period of care started in the complete years"
    )
    cv = math.sqrt(1.0 / total) if total > 0 else 0.0
    rate = total / n if n else 0.0
    empty = pd.DataFrame(columns=["candidate", "origins", "forecasts", "mape"])
    return EntryRateChoice("level", rate, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, cv, 0.0, empty, why)


def _level_choice(
    evidence: pd.DataFrame, mape: dict[str, float], validated: bool, z: float, n: int
) -> tuple[str, str]:
    """The level chosen when no trend is used ("level" or "recent level"), and why."""
    tested = evidence["forecasts"].min() > 0
    recent = tested and n > RECENT_YEARS and bool(mape["recent level"] < mape["level"])
    why = []
    if not tested:
        why.append(
            f"the window has too few complete years to test a trend on its own later years "
            f"(at least {MIN_TRAIN_YEARS + 1} are needed)"
        )
    elif not validated:
        why.append(
            f"it forecast the window's own later years no better than the level (rolling "
            f"origin: {mape['trend']:.1f}% against {mape['level']:.1f}% mean absolute error)"
        )
    if abs(z) < Z_MIN:
        why.append(f"it lies only {abs(z):.1f} standard errors from zero (at least {Z_MIN:g})")
    level = (
        f"the mean of the last {RECENT_YEARS} years, which forecast the window's later years "
        f"better than the mean of all ({mape['recent level']:.1f}% against "
        f"{mape['level']:.1f}%)"
        if recent
        else "the window's mean"
    )
    chosen = "recent level" if recent else "level"
    return chosen, "the trend is not used: " + " and ".join(why) + f"; the level is {level}"


def choose_entry_rate(per_year: pd.Series) -> EntryRateChoice:
    """The entry rate (at the window's end) and trend to forecast with, from the starts of each
    complete collection year (`per_year`: year -> count, in order)."""
    years = per_year.index.to_numpy(dtype="float64")
    counts = per_year.to_numpy(dtype="float64")
    total = float(counts.sum())
    n = len(counts)
    if n < MIN_TREND_YEARS or total <= 0:
        return _level_only(n, total)
    _, slope, se, dispersion = poisson_trend(years, counts)
    quantile = float(stats.t.ppf(0.975, n - 2)) if dispersion > 1.0 else 1.959964
    z = slope / se if se > 0 else 0.0
    evidence = rolling_origin(years, counts)
    mape = dict(zip(evidence["candidate"], evidence["mape"], strict=True))
    validated = bool(mape["trend"] < mape["level"]) if evidence["forecasts"].min() > 0 else False
    if validated and abs(z) >= Z_MIN:
        shrink = max(0.0, 1.0 - (Z_MIN / z) ** 2)
        used = slope * shrink
        chosen = "trend"
        reason = (
            f"the trend forecast the window's own later years better than the level "
            f"(rolling origin: {mape['trend']:.1f}% against {mape['level']:.1f}% mean absolute "
            f"error) and lies {abs(z):.1f} standard errors from zero, so it is used, shrunk "
            f"towards the level by 1 - ({Z_MIN:g}/z)^2 = {shrink:.2f}"
        )
    else:
        shrink, used = 0.0, 0.0
        chosen, reason = _level_choice(evidence, mape, validated, z, n)
    # The rate at the window's end: the fitted log-linear rate of the last year (fitted values
    # sum to the observed total), carried half a year on; the mean when no trend is used.
    weights = np.exp(used * (years - years[-1]))
    rate = total / float(weights.sum()) * math.exp(used / 2)
    if chosen == "recent level":
        total = float(counts[-RECENT_YEARS:].sum())
        rate = total / RECENT_YEARS
    # Its relative standard error: the level's (Poisson, over-dispersed) plus, with a trend,
    # the slope's error carried from the window's middle year to its end.
    at_end = years[-1] + 0.5 - years.mean()
    var = dispersion / total + ((at_end * se * shrink) ** 2 if chosen == "trend" else 0.0)
    return EntryRateChoice(
        chosen=chosen,
        rate=float(rate),
        trend_pct=round(_pct(used), 2),
        fitted_trend_pct=_pct(slope),
        trend_low_pct=_pct(slope - quantile * se),
        trend_high_pct=_pct(slope + quantile * se),
        z=float(z),
        shrinkage=float(shrink),
        dispersion=float(dispersion),
        rate_cv=float(math.sqrt(var)),
        trend_se_pct=100.0 * se,
        evidence=evidence,
        reason=reason,
    )
