"""Single lognormal durations and thinned shares, fitted by maximum likelihood.

`fit_lognormal` fits right-censored, left-truncated durations; `fit_placed_with_parents`
inverts the model's placed-with-parents step from return-home exits; `fit_thinned_share`
fits a share drawn for everyone and thinned by a known chance that it can happen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from sufficiency_sim.calibration.optimise import (
    LOG_MEDIAN_BOUNDS,
    LOG_SIGMA_BOUNDS,
    TINY,
    minimize_within,
)

__all__ = [
    "LognormalFit",
    "ParentsFit",
    "fit_lognormal",
    "fit_placed_with_parents",
    "fit_thinned_share",
]


@dataclass(frozen=True)
class LognormalFit:
    """A lognormal fitted to censored, left-truncated durations."""

    median_days: float
    sigma: float
    n: int
    n_events: int
    log_likelihood: float
    converged: bool


def fit_lognormal(
    durations: np.ndarray, event: np.ndarray, entry: np.ndarray | None = None
) -> LognormalFit | None:
    """Maximum likelihood lognormal of right-censored, left-truncated durations (days).

    `event` marks observed ends (others are censored at their duration); `entry` is the time
    each was first observed (left truncation; 0 when not given). None when there is no event.
    """
    t = np.asarray(durations, dtype="float64")
    d = np.asarray(event, dtype=bool)
    e = np.zeros_like(t) if entry is None else np.asarray(entry, dtype="float64")
    ok = np.isfinite(t) & (t > 0) & np.isfinite(e) & (e >= 0)
    t, d, e = t[ok], d[ok], np.minimum(e[ok], t[ok])
    if not d.any():
        return None
    logt = np.log(t)
    trunc = e > 0
    loge = np.log(e[trunc])

    def negative(x: np.ndarray) -> tuple[float, np.ndarray]:
        mu, log_sigma = x
        sig = math.exp(log_sigma)
        z = (logt - mu) / sig
        ze = (loge - mu) / sig
        zd, zc = z[d], z[~d]
        ll = float(-0.5 * (zd @ zd) - d.sum() * (log_sigma + 0.5 * math.log(2 * math.pi)))
        ll -= float(logt[d].sum())
        ll += float(special.log_ndtr(-zc).sum()) - float(special.log_ndtr(-ze).sum())
        # d/dmu and d/dlog sigma
        g_mu = float(zd.sum() / sig)
        g_ls = float((zd * zd - 1.0).sum())
        hc = _mills(zc)  # phi/S at censoring
        he = _mills(ze)
        g_mu += float(hc.sum() / sig) - float(he.sum() / sig)
        g_ls += float((hc * zc).sum()) - float((he * ze).sum())
        return -ll, -np.array([g_mu, g_ls])

    x0 = np.array([float(np.median(logt[d])), math.log(max(float(np.std(logt[d])), 0.2))])
    x0 = np.clip(x0, [LOG_MEDIAN_BOUNDS[0], LOG_SIGMA_BOUNDS[0]], [30.0, LOG_SIGMA_BOUNDS[1]])
    x, converged, _ = minimize_within(
        negative, x0, [(LOG_MEDIAN_BOUNDS[0], 30.0), LOG_SIGMA_BOUNDS]
    )
    mu, log_sigma = x
    return LognormalFit(
        median_days=float(math.exp(mu)),
        sigma=float(math.exp(log_sigma)),
        n=len(t),
        n_events=int(d.sum()),
        log_likelihood=float(-negative(x)[0]),
        converged=converged,
    )


def _mills(z: np.ndarray) -> np.ndarray:
    """phi(z) / (1 - Phi(z)), stable in the upper tail."""
    return np.exp(-0.5 * z * z - 0.5 * math.log(2 * math.pi) - special.log_ndtr(-z))


@dataclass(frozen=True)
class ParentsFit:
    """Share of return-home children placed with parents first, and how long before exit."""

    share: float
    median_days: float
    sigma: float
    n_exits: int
    n_placed: int
    converged: bool


def fit_placed_with_parents(total_days: np.ndarray, parents_days: np.ndarray) -> ParentsFit | None:
    """Invert the model's placed-with-parents step from return-home exits.

    The model places a return-home child with parents with probability ``share``, a lognormal
    ``D`` days before the exit, and only when ``D`` is shorter than the time in care ``T``. So
    an exit after ``T`` days whose last placement (P1) lasted ``x`` days contributes
    ``share * f(x)``, and one not placed with parents ``1 - share * F(T)``. `total_days` are
    the ``T`` of each return-home exit, `parents_days` the ``x`` (NaN when the last placement
    was not with parents). None when no exit was placed with parents.
    """
    t = np.asarray(total_days, dtype="float64")
    x = np.asarray(parents_days, dtype="float64")
    ok = np.isfinite(t) & (t > 0)
    t, x = t[ok], x[ok]
    placed = np.isfinite(x) & (x > 0)
    if not placed.any():
        return None
    logx = np.log(x[placed])
    logt = np.log(t[~placed])

    def negative(params: np.ndarray) -> float:
        logit, mu, log_sigma = params
        share = special.expit(logit)
        sig = math.exp(log_sigma)
        z = (logx - mu) / sig
        ll = placed.sum() * (math.log(share) - log_sigma - 0.5 * math.log(2 * math.pi))
        ll += float(-logx.sum() - 0.5 * (z @ z))
        cdf = special.ndtr((logt - mu) / sig)
        ll += float(np.log(np.maximum(1.0 - share * cdf, TINY)).sum())
        return -ll

    spread = float(np.std(logx)) if len(logx) > 1 else 0.5
    x0 = np.array([0.0, float(np.median(logx)), math.log(min(max(spread, 0.1), 3.0))])
    x, converged, _ = minimize_within(
        negative,
        x0,
        [(-15.0, 15.0), (LOG_MEDIAN_BOUNDS[0], 20.0), LOG_SIGMA_BOUNDS],
        jac=False,
    )
    logit, mu, log_sigma = x
    return ParentsFit(
        share=float(special.expit(logit)),
        median_days=float(math.exp(mu)),
        sigma=float(math.exp(log_sigma)),
        n_exits=len(t),
        n_placed=int(placed.sum()),
        converged=converged,
    )


def fit_thinned_share(happened: np.ndarray, chance: np.ndarray) -> float | None:
    """Maximum likelihood ``s`` when case ``i`` happens with probability ``s * chance[i]``
    (a share drawn for everyone, thinned by a known chance that it can happen). None when no
    case could happen."""
    y = np.asarray(happened, dtype=bool)
    pi = np.clip(np.asarray(chance, dtype="float64"), 0.0, 1.0)
    if not (pi > 0).any():
        return None
    y, pi = y[pi > 0], pi[pi > 0]

    def negative(s: float) -> float:
        return -float(
            np.log(np.maximum(s * pi[y], TINY)).sum()
            + np.log(np.maximum(1.0 - s * pi[~y], TINY)).sum()
        )

    result = optimize.minimize_scalar(negative, bounds=(0.0, 1.0), method="bounded")
    return float(min(1.0, max(0.0, result.x)))
