"""Calibrate the model to an SSDA903 extract, from the frames to a runnable scenario, in one
call: clean and prepare the extract over a window, estimate the parameters, take the census of
children looked after at the window's end and build the scenario that starts from it.

Nothing returned or written here carries a CHILD identifier, date of birth or postcode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.census import census_from_extract, starting_from
from sufficiency_sim.calibration.estimate import Estimates, estimate
from sufficiency_sim.calibration.prepare import Extract, prepare
from sufficiency_sim.calibration.refine import refine_endings
from sufficiency_sim.calibration.scenario_writer import Provenance, calibrated_scenario
from sufficiency_sim.calibration.uncertainty import ParameterUncertainty, parameter_uncertainty
from sufficiency_sim.errors import InputError

_PLANNED = "endings.planned_move_rate_per_year"


@dataclass
class Calibration:
    """A calibrated scenario with everything the report needs."""

    data: dict  # the scenario as raw data, `census` naming the census file
    provenance: list[Provenance]
    census: pd.DataFrame
    estimates: Estimates
    extract: Extract
    rules: dict[str, int] = field(default_factory=dict)
    refinement: pd.DataFrame = field(default_factory=pd.DataFrame)
    uncertainty: ParameterUncertainty = field(default_factory=ParameterUncertainty)

    def scenario(self) -> scenario_module.Scenario:
        """The validated scenario, with the census in memory (no file needed)."""
        data = starting_from(
            self.data, self.census, self.data["start_date"], str(self.data["census"])
        )
        return scenario_module.validate(data, "<calibrated scenario>")


def calibrate(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    template: Mapping[str, Any],
    window_start: pd.Timestamp,
    window_end: pd.Timestamp,
    *,
    name: str,
    census_file: str,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
    horizon_years: int | None = None,
    refine: bool = True,
) -> Calibration:
    """Calibrate to the raw (uncleaned) 903 frames over [window_start, window_end].

    With `refine`, the placement-ending parameters are then corrected by simulating the
    window's last years (see `refine.py`)."""
    window_start, window_end = _checked_window(window_start, window_end)
    extract = prepare(episodes, header, window_start, window_end, uasc, exclude_uasc)
    if extract.periods.empty:
        raise InputError(
            f"no period of care overlaps the window {window_start.date()} to "
            f"{window_end.date()}: check --from/--to against the extract's dates"
        )
    estimates = estimate(extract, template)
    census, census_counts = census_from_extract(extract)
    start = (window_end + pd.Timedelta(days=1)).date()
    refine_years = min(3, int(window_end.year - window_start.year) - 1)
    refining = refine and refine_years >= 1
    data, provenance = calibrated_scenario(
        template,
        _used_values(estimates.values, refining),
        estimates.notes,
        name=name,
        start_date=start,
        census_file=census_file,
        inhouse_at_census=int((census["placement"] == "inhouse_foster").sum()),
        local_home_at_census=int((census["placement"] == "local_home").sum()),
    )
    if horizon_years is not None:
        data["horizon_years"] = horizon_years
    refinement = pd.DataFrame()
    if refining:
        data, provenance, refinement = _refined(
            data, provenance, episodes, header, window_end, refine_years, uasc, exclude_uasc
        )
    rules = {**extract.rules, **census_counts}
    calibration = Calibration(
        data,
        provenance,
        census,
        estimates,
        extract,
        rules,
        refinement,
        parameter_uncertainty(estimates, data),
    )
    calibration.scenario()  # fail here, naming the key, if any estimate is out of range
    return calibration


def _used_values(values: Mapping[str, Any], refining: bool) -> dict[str, Any]:
    """The estimates put into the scenario. When refining, not the planned-move rates: planned
    endings in 903 are mostly the model's own moves (a bridging placement ending when the
    search succeeds, step-backs, adoption, supported accommodation), so the template's rate of
    other care-plan moves is kept (the report shows the observed rates)."""
    if not refining:
        return dict(values)
    return {k: v for k, v in values.items() if not k.startswith(_PLANNED)}


def _checked_window(
    window_start: pd.Timestamp, window_end: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window as timestamps; an input error unless it ends on 31 March and is not empty."""
    window_start, window_end = pd.Timestamp(window_start), pd.Timestamp(window_end)
    if (window_end.month, window_end.day) != (3, 31):
        raise InputError(
            f"--to {window_end.date()}: the window must end on 31 March (the end of a "
            "collection year), so that the scenario starts on 1 April"
        )
    if window_start >= window_end:
        raise InputError(
            f"--from {window_start.date()} is not before --to {window_end.date()}: "
            "the window is empty"
        )
    return window_start, window_end


def _refined(
    data: dict,
    provenance: list[Provenance],
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    window_end: pd.Timestamp,
    years: int,
    uasc: pd.DataFrame | None,
    exclude_uasc: bool,
) -> tuple[dict, list[Provenance], pd.DataFrame]:
    """The scenario refined by simulation (`refine.py`), with the provenance of what changed."""
    data, notes, refinement = refine_endings(
        data,
        episodes,
        header,
        window_end,
        years=years,
        uasc=uasc,
        exclude_uasc=exclude_uasc,
    )
    provenance = [
        Provenance(p.key, p.source, notes[p.key]) if p.key in notes else p for p in provenance
    ]
    known = {p.key for p in provenance}
    provenance += [Provenance(k, "data", n) for k, n in notes.items() if k not in known]
    return data, provenance, refinement


def years_between(start: dt.date, end: pd.Timestamp) -> int:
    """Whole collection years from 1 April `start` to 31 March `end`."""
    return int(pd.Timestamp(end).year - start.year)
