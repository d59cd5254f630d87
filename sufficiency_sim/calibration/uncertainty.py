"""The calibrated parameters' estimation error, drawn per replication so that a forecast's
prediction band holds it beside the system's own chance.

Each replication gets its own scenario: the entry rate at the forecast's start (lognormal
around the calibrated rate, with its relative standard error allowing for over-dispersion),
the entry trend (normal around the calibrated, shrunk, trend with its standard error, when a
trend is used), and the time in care of each route (the lognormal's median scaled by a
lognormal factor with the median's standard error from the fit, sigma / sqrt(periods that
ended by that route)), and the route mix of each age band whose mix was fitted (a Dirichlet
draw with the band's periods as its concentration, so a band's long-term share, which sets
how many stay to 18, varies as a sample of that size would). The draws come from their own
random stream, keyed by the seed, so the replications' own streams are untouched (common
random numbers hold)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sufficiency_sim.calibration.estimate import Estimates
from sufficiency_sim.calibration.parts import MIN_MIX_N
from sufficiency_sim.scenario import Scenario
from sufficiency_sim.vocabulary import DURATION_ROUTES


@dataclass(frozen=True)
class ParameterUncertainty:
    """Standard errors of the calibrated parameters a forecast depends on most."""

    rate_cv: float = 0.0
    """Relative standard error of the entry rate at the forecast's start."""
    trend_se_pct: float = 0.0
    """Standard error of the trend (% a year); 0 when no trend is used."""
    duration_log_se: dict[str, float] = field(default_factory=dict)
    """Route -> standard error of the log median time in care."""
    route_mix_n: dict[str, float] = field(default_factory=dict)
    """Age band -> periods behind its fitted route mix (the Dirichlet's concentration)."""
    inflate: float = 1.0
    """Multiplier on every standard error (1: as estimated)."""

    def is_zero(self) -> bool:
        """Whether nothing would be drawn."""
        return not (
            self.rate_cv
            or self.trend_se_pct
            or any(self.duration_log_se.values())
            or any(self.route_mix_n.values())
        )

    def draw(self, scenario: Scenario, rng: np.random.Generator) -> Scenario:
        """A copy of `scenario` with its entry rate, trend and durations drawn once from their
        sampling distributions (the calibrated values are the draws' medians)."""
        k = self.inflate
        entries = scenario.entries
        update: dict = {}
        if self.rate_cv:
            cv = self.rate_cv * k
            update["rate_per_year"] = entries.rate_per_year * math.exp(rng.normal(-(cv**2) / 2, cv))
        if self.trend_se_pct:
            update["trend_pct_per_year"] = float(
                entries.trend_pct_per_year + rng.normal(0.0, self.trend_se_pct * k)
            )
        changes: dict = {}
        if update:
            changes["entries"] = entries.model_copy(update=update)
        pathways_update: dict = {}
        if self.duration_log_se:
            durations = dict(scenario.pathways.durations)
            for route, se in self.duration_log_se.items():
                if route in durations and se > 0:
                    d = durations[route]
                    factor = math.exp(rng.normal(0.0, se * k))
                    durations[route] = d.model_copy(update={"median_days": d.median_days * factor})
            pathways_update["durations"] = durations
        if any(self.route_mix_n.values()):
            pathways_update["route_mix_by_age"] = self._route_mix(scenario, rng)
        if pathways_update:
            changes["pathways"] = scenario.pathways.model_copy(update=pathways_update)
        return scenario.model_copy(update=changes) if changes else scenario

    def _route_mix(self, scenario: Scenario, rng: np.random.Generator) -> dict:
        """Each fitted band's route mix drawn from a Dirichlet around it (concentration: the
        band's periods, divided by the inflation squared); other bands as they are."""
        mixes = {}
        for band, mix in scenario.pathways.route_mix_by_age.items():
            n = float(self.route_mix_n.get(band, 0.0)) / self.inflate**2
            shares = {route: float(share) for route, share in mix.items()}
            if n > 0:
                draws = {r: rng.gamma(n * p) if p > 0 else 0.0 for r, p in shares.items()}
                total = sum(draws.values())
                if total > 0:
                    shares = {r: v / total for r, v in draws.items()}
            mixes[band] = shares
        return mixes


def duration_log_se(durations: dict[str, tuple[float, float]], exits: dict[str, int]) -> dict:
    """Route -> standard error of the log median: sigma / sqrt(periods ended by the route)
    (the log-scale mean's standard error of a lognormal sample; censoring makes it larger,
    so this is a lower bound)."""
    out = {}
    for route in DURATION_ROUTES:
        if route not in durations:
            continue
        n = int(exits.get(route, 0))
        sigma = float(durations[route][1])
        out[route] = sigma / math.sqrt(n) if n > 0 else 0.0
    return out


def entry_rate_cv(entries_by_year: pd.DataFrame) -> float:
    """Relative standard error of the calibrated entry rate: yearly starts are Poisson, allowing
    for over-dispersion (sibling groups, surges) estimated from the years' own spread."""
    per_year = entries_by_year.groupby("year")["starts"].sum().to_numpy(dtype=float)
    total = float(per_year.sum())
    if total <= 0:
        return 0.0
    dispersion = 1.0
    if len(per_year) >= 3 and per_year.mean() > 0:
        dispersion = max(1.0, float(per_year.var(ddof=1) / per_year.mean()))
    return float(np.sqrt(dispersion / total))


def parameter_uncertainty(estimates: Estimates, data: dict) -> ParameterUncertainty:
    """The calibration's `ParameterUncertainty`: the entry rate's and trend's standard errors
    from the entry-rate choice (``estimates.diagnostics["entry_rate_choice"]``, or the yearly
    starts' Poisson error allowing for over-dispersion), the durations' from the time-in-care
    fit of the routes whose durations were estimated."""
    diag = estimates.diagnostics
    choice = getattr(estimates, "entry_choice", None)
    if choice is not None:
        rate_cv, trend_se = choice.rate_cv, choice.trend_se_pct
    elif "entries_by_year" in diag:
        rate_cv, trend_se = entry_rate_cv(diag["entries_by_year"]), 0.0
    else:
        rate_cv, trend_se = 0.0, 0.0
    fit = estimates.time_in_care
    exits: dict[str, int] = {}
    for by_route in fit.exits_by_band.values():
        for route, n in by_route.items():
            exits[route] = exits.get(route, 0) + int(n)
    fitted = {
        r: d for r, d in fit.durations.items() if f"pathways.durations.{r}" in estimates.values
    }
    mixed = "pathways.route_mix_by_age" in estimates.values
    route_mix_n = {
        band: float(n)
        for band, n in fit.n_by_band.items()
        if mixed and band in fit.bands_fitted and n >= MIN_MIX_N
    }
    return ParameterUncertainty(
        rate_cv, trend_se, duration_log_se(fitted, exits), route_mix_n=route_mix_n
    )
