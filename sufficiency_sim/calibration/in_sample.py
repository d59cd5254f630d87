"""The in-sample check of a calibration: simulate the calibrated parameters from the census a
few years before the window's end and set the bands beside the extract's own indicators."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.backtest import (
    compare_with_observed,
    observed_indicators,
    simulate_bands,
)
from sufficiency_sim.calibration.census import census_on, starting_from
from sufficiency_sim.calibration.pipeline import Calibration
from sufficiency_sim.calibration.reading import cleaned_without


def in_sample_check(
    calibration: Calibration,
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    uasc: pd.DataFrame | None,
    exclude_uasc: bool,
    years: int,
    **run: Any,
) -> pd.DataFrame:
    """Simulate the calibrated parameters from the census `years` before the window's end and
    compare with the extract's indicators for those years."""
    extract = calibration.extract
    end = pd.Timestamp(extract.window_end)
    census_day = pd.Timestamp(end.year - years, 3, 31)
    census = census_on(episodes, header, census_day, uasc, exclude_uasc, extract.window_start)
    data = starting_from(calibration.data, census, census_day + pd.Timedelta(days=1), years=years)
    sc = scenario_module.validate(data, "<in-sample check>")
    bands = simulate_bands(sc, uncertainty=calibration.uncertainty, **run)
    clean, head = cleaned_without(episodes, header, uasc, exclude_uasc)
    observed = observed_indicators(clean, head, list(range(end.year - years + 1, end.year + 1)))
    return compare_with_observed(bands, observed)
