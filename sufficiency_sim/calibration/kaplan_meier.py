"""Kaplan-Meier curves of time in care, honouring left truncation (lifelines)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import BreslowFlemingHarringtonFitter, KaplanMeierFitter
from lifelines.exceptions import StatError

from sufficiency_sim.calibration.survival import observations

__all__ = ["kaplan_meier"]


def kaplan_meier(
    periods: pd.DataFrame,
    window_end: object,
    band: str | None = None,
    window_start: object | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier estimate of P(still in care ``day`` days after entry), honouring left
    truncation (periods started before the window enter the risk set at their ``l``).

    Columns ``day``, ``survival``, ``lower``, ``upper`` (95%, lifelines' exponential Greenwood
    interval); empty when no period is usable. Exits at 18 are exits.
    """

    obs = observations(periods, window_end, window_start)
    if band is not None:
        obs = obs.loc[obs["band"] == band]
    columns = ["day", "survival", "lower", "upper"]
    if obs.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})

    fitter = KaplanMeierFitter(alpha=0.05)
    try:
        fitter.fit(
            obs["time"].to_numpy(),
            event_observed=obs["event"].to_numpy(dtype=bool),
            entry=obs["l"].to_numpy(),
        )
    except StatError:
        # Too few periods at risk early on (a short window of long-truncated periods): the
        # product-limit estimate is undefined there; the Nelson-Aalen-based estimate is not.

        fitter = BreslowFlemingHarringtonFitter(alpha=0.05)
        fitter.fit(
            obs["time"].to_numpy(),
            event_observed=obs["event"].to_numpy(dtype=bool),
            entry=obs["l"].to_numpy(),
        )
    curve = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_survival_function_
    survival = curve.to_numpy(dtype="float64")
    first = interval.iloc[:, 0].to_numpy(dtype="float64")
    second = interval.iloc[:, 1].to_numpy(dtype="float64")
    first = np.where(np.isnan(first), survival, first)
    second = np.where(np.isnan(second), survival, second)
    out = pd.DataFrame(
        {
            "day": curve.index.to_numpy(dtype="float64"),
            "survival": survival,
            # lifelines' Breslow-Fleming-Harrington interval comes with its bounds swapped
            "lower": np.clip(np.minimum(first, second), 0.0, 1.0),
            "upper": np.clip(np.maximum(first, second), 0.0, 1.0),
        }
    )
    if out.empty or out["day"].iloc[0] > 0:  # everyone is in care on the day they enter
        start = pd.DataFrame({"day": [0.0], "survival": [1.0], "lower": [1.0], "upper": [1.0]})
        out = pd.concat([start, out], ignore_index=True)
    return out
