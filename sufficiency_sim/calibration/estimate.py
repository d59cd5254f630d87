"""Estimate scenario parameters from the window of a prepared 903 extract: the assembly step.

`estimate` runs each estimator on the prepared extract and joins their parts into
`Estimates`: ``values`` maps dotted scenario keys to values in the scenario's own format
(``entries.rate_per_year``, ``pathways.durations.return_home`` ...), ``notes`` says for each
key how it was estimated (or why the template's value was kept), ``diagnostics`` holds tidy
aggregate tables for the calibration report. A key whose estimate rests on too few cases is
left out of ``values`` (so the template's value stands) and its note says so. Mixes of several
bands or kinds come as whole mappings; where one band has too few cases the template's value
for that band is used inside the estimated mapping, and the note names the band.

The estimators, each in its module with what its keys mean:

- `entries`: ``entries.rate_per_year``, ``trend_pct_per_year``, ``age_mix``,
  ``female_share``, ``legal_status_mix``;
- `routes`: ``pathways.route_mix_by_age``, ``pathways.durations.<route>``;
- `pathway_steps`: ``pathways.adoption_order_after_placement``,
  ``placed_with_parents_share`` / ``_before_exit``, ``staying_put_share``,
  ``supported_move_share``;
- `placement_mix`: ``provision.kinship.available_by_age``,
  ``provision.adoption.with_current_carers_share``;
- `locations`: ``provision.<kind>.location_mix``;
- `endings`: ``endings.median_days.<kind>``, ``endings.planned_move_rate_per_year.<kind>``,
  ``endings.reason_mix``.

"In the window" means a start, or an end, between ``window_start`` and ``window_end``
inclusive. Nothing returned holds a CHILD value, a date of birth or a postcode: only counts,
shares, durations and code names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sufficiency_sim.calibration.endings import estimate_endings
from sufficiency_sim.calibration.entries import estimate_entries
from sufficiency_sim.calibration.entry_rate import EntryRateChoice
from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.locations import estimate_locations
from sufficiency_sim.calibration.parts import Part, combine
from sufficiency_sim.calibration.pathway_steps import estimate_pathway_steps
from sufficiency_sim.calibration.placement_mix import (
    estimate_adoption_with_carers,
    estimate_kinship,
)
from sufficiency_sim.calibration.routes import estimate_routes, fit_routes, time_in_care_evidence
from sufficiency_sim.calibration.survival import TimeInCareFit

__all__ = ["Estimates", "estimate"]


@dataclass(frozen=True)
class Estimates:
    """Estimated scenario values (dotted key -> value), notes, diagnostics, the time-in-care fit."""

    values: dict[str, Any]
    notes: dict[str, str]
    diagnostics: dict[str, pd.DataFrame]
    time_in_care: TimeInCareFit
    entry_choice: EntryRateChoice | None = None


def estimate(extract: Extract, template: Mapping[str, Any]) -> Estimates:
    """Estimate the scenario values of the module doc from `extract`'s window.

    `template` is the raw scenario dict (``scenario.load_raw`` or ``to_jsonable``): its values
    stand wherever the data are too thin, and its multipliers, Weibull shape and needs_by_age
    are used to turn observed ending rates into the model's medians.
    """
    entries, choice = estimate_entries(extract, template)
    fit = fit_routes(extract, template)
    part = combine(
        entries,
        estimate_routes(fit, template),
        estimate_pathway_steps(extract, template),
        estimate_kinship(extract, template),
        estimate_locations(extract, template),
        estimate_adoption_with_carers(extract, template),
        estimate_endings(extract, template),
        Part(evidence=time_in_care_evidence(fit, extract)),
    )
    return Estimates(part.values, part.notes, part.evidence, fit, choice)
