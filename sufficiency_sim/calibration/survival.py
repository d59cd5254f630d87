"""Time in care: the model's pathway mixture fitted to periods of care by maximum likelihood.

The model (``_admit_group`` / ``_init_child`` in ``model/processes.py``) draws at entry a route
from ``route_mix_by_age[band]`` and, unless the route is ``long_term``, a lognormal duration
(median, sigma) for that route; the child leaves at the earlier of that duration and the 18th
birthday (``long_term`` children leave at 18). For a period of care of a child of band ``b``
with ``a`` days to the 18th birthday at entry, writing ``S_r`` and ``f_r`` for the survival and
density of route ``r``'s lognormal, ``p`` for the band's route shares, and
``M(x) = p_LT + sum_r p_r S_r(x)`` (still in care at ``x`` days, before 18), the likelihood is:

- an exit by route ``r`` after ``t < a`` days: ``p_r f_r(t)``;
- an exit at 18 (any code): ``M(a)``;
- a period still open (or censored) after ``c`` days: ``M(min(c, a))``;
- a period that started ``l`` days before the window: all of the above divided by ``M(l)``
  (left truncation: it is in the data because it lasted until the window began).

Shares are softmax-parameterised per band (a route never seen to end a period in a band gets
share 0 there), each route has a log-median and a log-sigma; the log-likelihood and its exact
gradient are vectorised with numpy and maximised with L-BFGS-B (a tiny ridge on the logits pins
the softmax's free constant). Periods whose recorded start is not their true start
(``start_known`` False, see `prepare`) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from sufficiency_sim.calibration.optimise import (
    LOG_MEDIAN_BOUNDS,
    LOG_SIGMA_BOUNDS,
    TINY,
    minimize_within,
)
from sufficiency_sim.vocabulary import AGE_BANDS, DURATION_ROUTES, ROUTES, YEAR_DAYS

__all__ = [
    "TimeInCareFit",
    "fit_time_in_care",
    "fitted_survival",
    "median_time_in_care",
    "observations",
]

_LT = ROUTES.index("long_term")
_ROUTE_COLUMN = [ROUTES.index(r) for r in DURATION_ROUTES]  # route r -> column of the mix
_RIDGE = 1e-4
_LOGIT_BOUND = 25.0
_DEFAULT_DURATION = (365.0, 1.0)
_BANDYEAR_DAYSS = {"0": 0.5, "1-4": 3.0, "5-9": 7.5, "10-15": 13.0, "16-17": 17.0}


@dataclass(frozen=True)
class TimeInCareFit:
    """The fitted pathway mixture (module doc).

    ``route_mix_by_age``: band -> {return_home, adoption, sgo, cao, long_term, other} summing to
    1; ``durations``: route -> (median_days, sigma); ``n_periods``: periods used; bands without
    a period take ``fallback_mix`` (or the pooled mix) and routes never seen to end a period
    take ``fallback_durations`` (or 365 days, sigma 1): ``bands_fitted`` / ``routes_fitted``
    say which were estimated.
    """

    route_mix_by_age: dict[str, dict[str, float]]
    durations: dict[str, tuple[float, float]]
    n_periods: int
    log_likelihood: float
    converged: bool
    n_by_band: dict[str, int] = field(default_factory=dict)
    exits_by_band: dict[str, dict[str, int]] = field(default_factory=dict)
    bands_fitted: tuple[str, ...] = ()
    routes_fitted: tuple[str, ...] = ()
    iterations: int = 0


# --------------------------------------------------------------------------------------------
# Observations


def _entry_days(periods: pd.DataFrame, window_start: object | None) -> np.ndarray:
    if window_start is not None:
        ws = pd.Timestamp(window_start)
        return np.maximum((ws - periods["start"]).dt.days.to_numpy(dtype="float64"), 0.0)
    if "entry_days" in periods.columns:
        return periods["entry_days"].to_numpy(dtype="float64")
    return np.zeros(len(periods))


def observations(
    periods: pd.DataFrame, window_end: object, window_start: object | None = None
) -> pd.DataFrame:
    """The periods as survival observations, one row per usable period.

    Columns: ``band``, ``a`` (days to the 18th birthday at entry), ``l`` (days in care before
    the window: left truncation), ``time`` (days to the exit or to censoring: the end of a
    censored period, else the day after ``window_end``), ``event`` (an exit was observed),
    ``route`` (the exit's route: one of `DURATION_ROUTES`, "at18", or "" when censored).
    Periods with an unknown start, no age band, or already 18 at the window's start are left
    out. ``l`` comes from `window_start` when given, else the ``entry_days`` column.
    """
    if len(periods) == 0:
        return pd.DataFrame(
            {
                "band": pd.Series(dtype="object"),
                "a": pd.Series(dtype="float64"),
                "l": pd.Series(dtype="float64"),
                "time": pd.Series(dtype="float64"),
                "event": pd.Series(dtype="bool"),
                "route": pd.Series(dtype="object"),
            }
        )
    end_of_window = pd.Timestamp(window_end) + pd.Timedelta(days=1)
    start = periods["start"]
    end = periods["end"]
    route = periods["route"].astype("object").where(periods["route"].notna(), "")
    route = route.to_numpy(dtype=object)
    event = route != ""
    stop = end.where(end.notna(), end_of_window)
    time = (stop - start).dt.days.to_numpy(dtype="float64")
    a = periods["days_to_18"].to_numpy(dtype="float64")
    entry = _entry_days(periods, window_start)
    band = periods["age_band"].astype("object").to_numpy(dtype=object)
    usable = np.isin(band, AGE_BANDS) & (a > 0) & (entry < a) & (time > 0)
    if "start_known" in periods.columns:
        usable &= periods["start_known"].to_numpy(dtype=bool)
    entry = np.minimum(entry, time)
    return pd.DataFrame(
        {
            "band": band[usable],
            "a": a[usable],
            "l": entry[usable],
            "time": time[usable],
            "event": event[usable],
            "route": route[usable],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The mixture likelihood


class _Problem:
    """Arrays of the mixture likelihood, built once per fit."""

    def __init__(self, obs: pd.DataFrame, bands: list[str], routes: list[int]) -> None:
        band_index = {b: i for i, b in enumerate(bands)}
        self.n_bands = len(bands)
        self.routes = routes  # indexes into DURATION_ROUTES of fitted routes
        band = np.array([band_index[b] for b in obs["band"]], dtype=np.int64)
        route = obs["route"].to_numpy(dtype=object)
        time = obs["time"].to_numpy(dtype="float64")
        a = obs["a"].to_numpy(dtype="float64")
        entry = obs["l"].to_numpy(dtype="float64")
        is_route = np.isin(route, DURATION_ROUTES)
        # Events: an exit by a route before 18.
        self.ev_band, self.ev_route, self.ev_logt = [], [], []
        for k in routes:
            chosen = is_route & (route == DURATION_ROUTES[k])
            self.ev_band.append(band[chosen])
            self.ev_logt.append(np.log(time[chosen]))
            self.ev_route.append(k)
        # Mixture terms: at 18 or censored (numerator), and left truncation (denominator).
        censored = ~is_route
        c_time = np.where(
            route[censored] == "at18", a[censored], np.minimum(time[censored], a[censored])
        )
        self.c_band = band[censored]
        self.c_logt = np.log(np.maximum(c_time, 1e-9))
        truncated = entry > 0
        self.t_band = band[truncated]
        self.t_logt = np.log(entry[truncated])
        # Active (band, mix column) pairs: long_term always; a route where it ends a period.
        active = np.zeros((self.n_bands, len(ROUTES)), dtype=bool)
        active[:, _LT] = True
        for k, b in zip(self.ev_route, self.ev_band, strict=True):
            active[np.unique(b), _ROUTE_COLUMN[k]] = True
        self.active = active
        self.n_logits = int(active.sum())
        self.ev_counts = np.zeros((self.n_bands, len(ROUTES)))
        for k, b in zip(self.ev_route, self.ev_band, strict=True):
            np.add.at(self.ev_counts[:, _ROUTE_COLUMN[k]], b, 1.0)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        logits = np.full((self.n_bands, len(ROUTES)), -np.inf)
        logits[self.active] = x[: self.n_logits]
        n = len(self.routes)
        mu = x[self.n_logits : self.n_logits + n]
        log_sigma = x[self.n_logits + n : self.n_logits + 2 * n]
        return logits, mu, log_sigma

    def shares(self, logits: np.ndarray) -> np.ndarray:
        top = np.max(logits, axis=1, keepdims=True)
        w = np.exp(logits - top)
        return w / w.sum(axis=1, keepdims=True)

    def _mixture(
        self, band: np.ndarray, logt: np.ndarray, p: np.ndarray, mu: np.ndarray, sig: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """M_i, the columns' G (S_k or 1) and phi(z)/sigma, phi(z) z for each fitted route."""
        n = len(band)
        g = np.zeros((len(ROUTES), n))
        g[_LT] = 1.0
        dmu = np.zeros((len(self.routes), n))
        dls = np.zeros((len(self.routes), n))
        for j, k in enumerate(self.routes):
            z = (logt - mu[j]) / sig[j]
            g[_ROUTE_COLUMN[k]] = special.ndtr(-z)
            phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
            dmu[j] = phi / sig[j]
            dls[j] = phi * z
        pb = p[band].T  # (columns, n)
        m = np.maximum((pb * g).sum(axis=0), TINY)
        return m, g, dmu, dls

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        logits, mu, log_sigma = self.unpack(x)
        sig = np.exp(log_sigma)
        p = self.shares(logits)
        with np.errstate(divide="ignore"):
            logp = np.log(p)
        ll = 0.0
        g_logit = np.zeros_like(p)
        g_mu = np.zeros(len(self.routes))
        g_ls = np.zeros(len(self.routes))
        # Events.
        ev_total = np.zeros(self.n_bands)
        for j, (k, b, logt) in enumerate(
            zip(self.ev_route, self.ev_band, self.ev_logt, strict=True)
        ):
            if len(b) == 0:
                continue
            z = (logt - mu[j]) / sig[j]
            ll += float(
                logp[b, _ROUTE_COLUMN[k]].sum()
                - logt.sum()
                - len(b) * (log_sigma[j] + 0.5 * math.log(2.0 * math.pi))
                - 0.5 * (z * z).sum()
            )
            g_mu[j] += float(z.sum() / sig[j])
            g_ls[j] += float((z * z - 1.0).sum())
            ev_total += np.bincount(b, minlength=self.n_bands)
        g_logit += self.ev_counts - ev_total[:, None] * p
        # Mixture terms: + for censored / at 18, - for left truncation.
        for sign, band, logt in ((1.0, self.c_band, self.c_logt), (-1.0, self.t_band, self.t_logt)):
            if len(band) == 0:
                continue
            m, g, dmu, dls = self._mixture(band, logt, p, mu, sig)
            ll += sign * float(np.log(m).sum())
            ratio = g / m  # (columns, n)
            for col in range(len(ROUTES)):
                per_band = np.bincount(band, weights=ratio[col], minlength=self.n_bands)
                count = np.bincount(band, minlength=self.n_bands)
                g_logit[:, col] += sign * p[:, col] * (per_band - count)
            for j, k in enumerate(self.routes):
                weight = p[band, _ROUTE_COLUMN[k]] / m
                g_mu[j] += sign * float((weight * dmu[j]).sum())
                g_ls[j] += sign * float((weight * dls[j]).sum())
        theta = x[: self.n_logits]
        value = -ll + _RIDGE * float(theta @ theta)
        grad = np.concatenate([-g_logit[self.active] + 2.0 * _RIDGE * theta, -g_mu, -g_ls]).astype(
            "float64"
        )
        return value, grad

    def log_likelihood(self, x: np.ndarray) -> float:
        value, _ = self.value_and_grad(x)
        theta = x[: self.n_logits]
        return -(value - _RIDGE * float(theta @ theta))


def fit_time_in_care(
    periods: pd.DataFrame,
    window_end: object,
    window_start: object | None = None,
    fallback_mix: Mapping[str, Mapping[str, float]] | None = None,
    fallback_durations: Mapping[str, tuple[float, float]] | None = None,
) -> TimeInCareFit:
    """Fit the route mix by age band and the lognormal durations (module doc).

    `periods` is `prepare`'s periods frame (columns ``start``, ``end``, ``route``,
    ``age_band``, ``days_to_18``, ``entry_days`` or `window_start`, optionally
    ``start_known``). Bands with no period take `fallback_mix[band]` (else the pooled mix of
    the others); routes never seen take `fallback_durations[route]` (else 365 days, sigma 1).
    """
    obs = observations(periods, window_end, window_start)
    n_by_band = {b: int((obs["band"] == b).sum()) for b in AGE_BANDS}
    exits_by_band = {
        b: {
            r: int(((obs["band"] == b) & (obs["route"] == r)).sum())
            for r in (*DURATION_ROUTES, "at18")
        }
        for b in AGE_BANDS
    }
    bands = [b for b in AGE_BANDS if n_by_band[b] > 0]
    routes = [k for k, r in enumerate(DURATION_ROUTES) if bool((obs["route"] == r).any())]
    mix, durations, log_likelihood, converged, iterations = _fit_mixture(obs, bands, routes)
    for route in DURATION_ROUTES:
        if route not in durations:
            fallback = (fallback_durations or {}).get(route, _DEFAULT_DURATION)
            durations[route] = (float(fallback[0]), float(fallback[1]))
    pooled = _pooled(mix, n_by_band)
    for b in AGE_BANDS:
        if b not in mix:
            source = (fallback_mix or {}).get(b)
            mix[b] = _normalised(source) if source else dict(pooled)
    return TimeInCareFit(
        route_mix_by_age={b: mix[b] for b in AGE_BANDS},
        durations={r: durations[r] for r in DURATION_ROUTES},
        n_periods=len(obs),
        log_likelihood=float(log_likelihood),
        converged=converged,
        n_by_band=n_by_band,
        exits_by_band=exits_by_band,
        bands_fitted=tuple(bands),
        routes_fitted=tuple(DURATION_ROUTES[k] for k in routes),
        iterations=iterations,
    )


def _fit_mixture(
    obs: pd.DataFrame, bands: list[str], routes: list[int]
) -> tuple[dict[str, dict[str, float]], dict[str, tuple[float, float]], float, bool, int]:
    """The mixture's maximum likelihood: (mix of the bands, durations of the routes,
    log-likelihood, converged, iterations)."""
    mix: dict[str, dict[str, float]] = {}
    durations: dict[str, tuple[float, float]] = {}
    if not bands:
        return mix, durations, 0.0, True, 0
    problem = _Problem(obs, bands, routes)
    x0 = _start_values(obs, problem)
    bounds = (
        [(-_LOGIT_BOUND, _LOGIT_BOUND)] * problem.n_logits
        + [LOG_MEDIAN_BOUNDS] * len(routes)
        + [LOG_SIGMA_BOUNDS] * len(routes)
    )
    x, converged, iterations = minimize_within(problem.value_and_grad, x0, bounds)
    log_likelihood = problem.log_likelihood(x)
    logits, mu, log_sigma = problem.unpack(x)
    p = problem.shares(logits)
    for i, b in enumerate(bands):
        mix[b] = {r: float(p[i, c]) for c, r in enumerate(ROUTES)}
    for j, k in enumerate(routes):
        durations[DURATION_ROUTES[k]] = (float(math.exp(mu[j])), float(math.exp(log_sigma[j])))
    return mix, durations, log_likelihood, converged, iterations


def _normalised(mix: Mapping[str, float]) -> dict[str, float]:
    values = {r: max(0.0, float(mix.get(r, 0.0))) for r in ROUTES}
    total = sum(values.values())
    if total <= 0:
        return {r: float(r == "long_term") for r in ROUTES}
    return {r: v / total for r, v in values.items()}


def _pooled(mix: Mapping[str, Mapping[str, float]], n: Mapping[str, int]) -> dict[str, float]:
    total = sum(n[b] for b in mix)
    if not mix or total == 0:
        return {r: float(r == "long_term") for r in ROUTES}
    return _normalised({r: sum(mix[b][r] * n[b] for b in mix) / total for r in ROUTES})


def _start_values(obs: pd.DataFrame, problem: _Problem) -> np.ndarray:
    counts = problem.ev_counts.copy()
    counts[:, _LT] = 0.5 * np.bincount(problem.c_band, minlength=problem.n_bands)
    shares = (counts + 0.5) / (counts + 0.5).sum(axis=1, keepdims=True)
    logits = np.log(shares)
    logits -= logits.mean(axis=1, keepdims=True)
    mu, log_sigma = [], []
    for logt in problem.ev_logt:
        mu.append(float(np.mean(logt)) if len(logt) else math.log(365.0))
        spread = float(np.std(logt)) if len(logt) > 1 else 1.0
        log_sigma.append(math.log(min(max(spread, 0.1), 3.0)))
    x0 = np.concatenate([logits[problem.active], mu, log_sigma])
    low = [-_LOGIT_BOUND] * problem.n_logits + [LOG_MEDIAN_BOUNDS[0]] * len(mu)
    low += [LOG_SIGMA_BOUNDS[0]] * len(mu)
    high = [_LOGIT_BOUND] * problem.n_logits + [LOG_MEDIAN_BOUNDS[1]] * len(mu)
    high += [LOG_SIGMA_BOUNDS[1]] * len(mu)
    return np.clip(x0, low, high)


def _ages(periods_or_ages: pd.DataFrame | np.ndarray | None, band: str) -> np.ndarray:
    if isinstance(periods_or_ages, pd.DataFrame):
        rows = periods_or_ages.loc[periods_or_ages["age_band"].astype("object") == band]
        ages = rows["days_to_18"].to_numpy(dtype="float64")
    elif periods_or_ages is None:
        ages = np.array([])
    else:
        ages = np.asarray(periods_or_ages, dtype="float64").ravel()
    ages = ages[np.isfinite(ages) & (ages > 0)]
    if len(ages) == 0:
        ages = np.array([(18.0 - _BANDYEAR_DAYSS[band]) * YEAR_DAYS])
    return ages


def _mixture_survival(fit: TimeInCareFit, band: str, days: np.ndarray) -> np.ndarray:
    mix = fit.route_mix_by_age[band]
    out = np.full(days.shape, float(mix.get("long_term", 0.0)))
    logd = np.log(np.maximum(days, 1e-9))
    for route in DURATION_ROUTES:
        share = float(mix.get(route, 0.0))
        if share <= 0:
            continue
        median, sigma = fit.durations[route]
        z = (logd - math.log(median)) / max(sigma, 1e-9)
        out += share * special.ndtr(-z)
    return np.where(days <= 0, 1.0, out)


def fitted_survival(
    fit: TimeInCareFit,
    periods_or_ages: pd.DataFrame | np.ndarray | None,
    days: np.ndarray,
    band: str,
) -> np.ndarray:
    """The model's P(still in care ``d`` days after entry) for `band`, averaged over the band's
    children's days to 18 (a periods frame's rows of that band, or an array of days_to_18; the
    band's middle age when there are none): ``M(d) * share of children not yet 18 at d``."""
    days = np.asarray(days, dtype="float64")
    ages = np.sort(_ages(periods_or_ages, band))
    not_18 = 1.0 - np.searchsorted(ages, days, side="right") / len(ages)
    return _mixture_survival(fit, band, days) * np.where(days <= 0, 1.0, not_18)


def median_time_in_care(fit: TimeInCareFit, band: str, days_to_18: np.ndarray) -> float:
    """Days after which half of the band's entrants have left care, by the fitted model."""
    ages = _ages(days_to_18, band)
    lo, hi = 0.0, float(ages.max())
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if fitted_survival(fit, ages, np.array([mid]), band)[0] > 0.5:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
