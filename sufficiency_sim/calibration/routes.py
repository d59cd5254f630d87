"""Routes out of care and time in care: the pathway mixture fitted to the window's periods.

``pathways.route_mix_by_age``, ``pathways.durations.<route>``
    `survival.fit_time_in_care` (a band with fewer than `MIN_MIX_N` periods keeps the
    template's mix inside the estimated mapping; a route with fewer than `MIN_EVENTS` exits
    keeps the template's duration). The evidence is the Kaplan-Meier curve of each band with
    the fitted model's survival beside it, and the exits by band and route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sufficiency_sim.calibration.extract import EXIT_ROUTES, Extract
from sufficiency_sim.calibration.kaplan_meier import kaplan_meier
from sufficiency_sim.calibration.parts import (
    MIN_EVENTS,
    MIN_MIX_N,
    Part,
    combine_all,
    estimated,
    kept,
    lognormal_value,
    shares,
)
from sufficiency_sim.calibration.survival import TimeInCareFit, fit_time_in_care, fitted_survival
from sufficiency_sim.calibration.window import Window
from sufficiency_sim.scenario.keys import get_key
from sufficiency_sim.vocabulary import AGE_BANDS, DURATION_ROUTES, ROUTES

__all__ = ["estimate_routes", "fit_routes", "time_in_care_evidence"]

_SURVIVAL_GRID = np.arange(0.0, 18 * 365.0 + 1, 30.0)
_MIX = "pathways.route_mix_by_age"


def fit_routes(extract: Extract, template: Mapping[str, Any]) -> TimeInCareFit:
    """The time-in-care fit of the window, with the template's values for what is unseen."""
    window = Window.of(extract)
    template_durations = get_key(template, "pathways.durations", None) or {}
    fallback_durations = {
        r: (float(d["median_days"]), float(d.get("sigma", 1.0)))
        for r, d in template_durations.items()
        if isinstance(d, Mapping) and "median_days" in d
    }
    return fit_time_in_care(
        extract.periods,
        window.end,
        window_start=window.start,
        fallback_mix=get_key(template, _MIX, None) or {},
        fallback_durations=fallback_durations,
    )


def estimate_routes(fit: TimeInCareFit, template: Mapping[str, Any]) -> Part:
    """The route mix by age band and each route's duration from the fit."""
    return combine_all([_route_mix(fit, template), *_durations(fit, template)])


def _route_mix(fit: TimeInCareFit, template: Mapping[str, Any]) -> Part:
    template_mix = get_key(template, _MIX, None) or {}
    value: dict[str, dict[str, float]] = {}
    fitted, kept_bands = [], []
    for band in AGE_BANDS:
        n = fit.n_by_band.get(band, 0)
        if n >= MIN_MIX_N and band in fit.bands_fitted:
            value[band] = shares(fit.route_mix_by_age[band], ROUTES)
            fitted.append(f"{band} (n={n})")
        elif band in (template_mix or {}):
            value[band] = dict(template_mix[band])
            kept_bands.append(f"{band} (n={n})")
        else:
            value[band] = shares(fit.route_mix_by_age[band], ROUTES)
            fitted.append(f"{band} (n={n}, pooled)")
    if not fitted:
        return kept(
            template, _MIX, f"fewer than {MIN_MIX_N} usable periods of care in every age band"
        )
    note = (
        "maximum likelihood fit of the model's pathway mixture to the periods of care in "
        f"the window ({fit.n_periods} periods; exits, exits at 18, periods still open and "
        "periods started before the window conditioned on lasting into it): bands "
        + ", ".join(fitted)
    )
    if kept_bands:
        note += f"; template kept for band(s) with fewer than {MIN_MIX_N}: " + ", ".join(kept_bands)
    if not fit.converged:
        note += "; the optimiser did not report convergence: check the fit in the report"
    return estimated(_MIX, value, note)


def _durations(fit: TimeInCareFit, template: Mapping[str, Any]) -> list[Part]:
    exits = {r: sum(fit.exits_by_band.get(b, {}).get(r, 0) for b in AGE_BANDS) for r in ROUTES}
    parts = []
    for route in DURATION_ROUTES:
        key = f"pathways.durations.{route}"
        n = exits.get(route, 0)
        if route not in fit.routes_fitted or n < MIN_EVENTS:
            parts.append(kept(template, key, f"only {n} exit(s) by this route in the window"))
            continue
        median, sigma = fit.durations[route]
        parts.append(
            estimated(
                key,
                lognormal_value(median, sigma),
                f"lognormal time from entry to leaving care by {route}, fitted jointly with the "
                f"route mix ({n} exits by this route)",
            )
        )
    return parts


def time_in_care_evidence(fit: TimeInCareFit, extract: Extract) -> dict[str, pd.DataFrame]:
    """Kaplan-Meier curves (``km``), the fitted survival (``fitted_survival``) and the exits
    by band and route (``exits``) of the window."""
    window = Window.of(extract)
    periods = extract.periods
    km_frames, fitted_frames = [], []
    for band in AGE_BANDS:
        km = kaplan_meier(periods, window.end, band=band)
        if km.empty:
            continue
        km_frames.append(km.assign(band=band))
        survival = fitted_survival(fit, periods, _SURVIVAL_GRID, band)
        fitted_frames.append(
            pd.DataFrame({"band": band, "day": _SURVIVAL_GRID, "survival": survival})
        )
    columns = ["band", "day", "survival", "lower", "upper"]
    found = {
        "km": pd.concat(km_frames, ignore_index=True)[columns]
        if km_frames
        else pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}),
        "fitted_survival": pd.concat(fitted_frames, ignore_index=True)
        if fitted_frames
        else pd.DataFrame({c: pd.Series(dtype="float64") for c in ("band", "day", "survival")}),
    }
    exits = periods.loc[periods["route"].notna() & window.contains(periods["end"])]
    found["exits"] = (
        exits.groupby([exits["age_band"].astype("object"), exits["route"].astype("object")])
        .size()
        .reindex(pd.MultiIndex.from_product([AGE_BANDS, EXIT_ROUTES], names=["age_band", "route"]))
        .fillna(0)
        .astype("int64")
        .rename("n")
        .reset_index()
    )
    return found
