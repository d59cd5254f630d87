"""A prepared extract: the periods of care and placements of one window, and the counts of the
rules applied to get them (see `prepare`). The frames' columns and types are fixed here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sufficiency_sim.scenario.census import CENSUS_PLACEMENTS
from sufficiency_sim.vocabulary import DURATION_ROUTES

__all__ = [
    "ENDINGS",
    "EXIT_ROUTES",
    "PERIOD_COLUMNS",
    "PLACEMENT_COLUMNS",
    "PLACEMENT_KINDS",
    "RULES",
    "Extract",
    "empty_extract",
    "typed_periods",
    "typed_placements",
]

EXIT_ROUTES: tuple[str, ...] = (*DURATION_ROUTES, "at18")
"""Routes out of care of a period that ended (NA while open or censored): the model's routes
with a duration, and leaving at 18 (``long_term`` is not seen, only its exit at 18)."""

PLACEMENT_KINDS: tuple[str, ...] = (*CENSUS_PLACEMENTS, "other")
"""Provision kinds of placements, inverting the model's PLACE / PLACE_PROVIDER coding: the
kinds a census child can be in, and "other" for settings the model does not have."""

ENDINGS: tuple[str, ...] = ("unplanned", "planned", "exit", "open")

PERIOD_COLUMNS: tuple[str, ...] = (
    "period_id",
    "child_key",
    "start",
    "end",
    "exit_code",
    "route",
    "dob",
    "age_at_entry_days",
    "age_band",
    "sex",
    "legal_at_entry",
    "days_to_18",
    "left_truncated",
    "entry_days",
    "start_known",
    "censored",
    "uasc",
    "n_placements",
)
PLACEMENT_COLUMNS: tuple[str, ...] = (
    "period_id",
    "child_key",
    "seq",
    "start",
    "end",
    "kind",
    "place",
    "provider",
    "location",
    "distance",
    "reason",
    "ending",
    "age_band",
)

RULES: tuple[tuple[str, str], ...] = (
    ("episodes_in", "episode rows given"),
    ("short_breaks", "episode rows dropped: short breaks (LS V3/V4)"),
    ("missing_child_or_decom", "episode rows dropped: no CHILD or no DECOM"),
    ("dec_before_decom", "episode rows dropped: DEC before DECOM"),
    ("duplicates", "episode rows dropped: same episode in several returns"),
    ("open_truncated", "open episodes closed at the child's next DECOM"),
    ("overlaps_truncated", "episodes cut back to the child's next DECOM"),
    ("zero_length", "episode rows dropped: zero length after cutting"),
    ("header_missing_child", "header rows dropped: no CHILD"),
    ("header_duplicates", "header rows dropped: child in a later return"),
    ("stale_open_closed", "open episodes of children absent from later returns: censored"),
    ("episodes_after_window", "episode rows dropped: start after the window"),
    ("ends_after_window", "episodes ending after the window made open"),
    ("periods_before_window", "periods dropped: ended before the window"),
    ("dob_missing", "periods dropped: no usable DOB"),
    ("dob_impossible", "periods dropped: DOB after the start or 18+ years before it"),
    ("uasc_children", "children in the UASC table with periods in the window"),
    ("uasc_periods_excluded", "periods dropped: UASC children excluded"),
    ("left_truncated", "periods started before the window (kept)"),
    ("start_unknown", "left-truncated periods whose first episode is not RNE S"),
    ("x1_gap", "periods ending with REC X1 and no next episode: censored"),
    ("rec_unknown", "periods ending with a blank or unknown REC: route other"),
    ("ls_unknown", "periods whose first LS is blank or unknown"),
    ("place_unknown", "placements with a blank or unknown PLACE: kind other"),
    ("location_unknown", "placements with no PL_LOCATION"),
    ("periods_out", "periods of care in the extract"),
    ("placements_out", "placements in the extract"),
    ("children_out", "children in the extract"),
)


@dataclass(frozen=True)
class Extract:
    """The periods of care and placements of one window of an extract (see the module doc).

    ``periods`` columns: `PERIOD_COLUMNS`; ``placements`` columns: `PLACEMENT_COLUMNS`.
    ``rules``: rule name (`RULES`) -> rows, periods or children it touched.
    """

    periods: pd.DataFrame
    placements: pd.DataFrame
    rules: dict[str, int]
    window_start: pd.Timestamp
    window_end: pd.Timestamp

    def rules_frame(self) -> pd.DataFrame:
        """The rule counts as a table: ``rule``, ``description``, ``count``."""
        described = dict(RULES)
        names = [name for name, _ in RULES] + [n for n in self.rules if n not in described]
        return pd.DataFrame(
            {
                "rule": names,
                "description": [described.get(n, "") for n in names],
                "count": [int(self.rules.get(n, 0)) for n in names],
            }
        )


def empty_extract(rules: dict[str, int], ws: pd.Timestamp, we: pd.Timestamp) -> Extract:
    """An extract with no period, its rules counted so far."""
    periods = pd.DataFrame({c: pd.Series(dtype="object") for c in PERIOD_COLUMNS})
    placements = pd.DataFrame({c: pd.Series(dtype="object") for c in PLACEMENT_COLUMNS})
    ordered = {name: int(rules.get(name, 0)) for name, _ in RULES}
    return Extract(typed_periods(periods), typed_placements(placements), ordered, ws, we)


def typed_periods(periods: pd.DataFrame) -> pd.DataFrame:
    """The periods frame with `PERIOD_COLUMNS` in order and typed."""
    return periods.astype(
        {
            "period_id": "int64",
            "child_key": "int64",
            "start": "datetime64[ns]",
            "end": "datetime64[ns]",
            "exit_code": "string",
            "route": "string",
            "dob": "datetime64[ns]",
            "age_at_entry_days": "int64",
            "age_band": "string",
            "sex": "Int64",
            "legal_at_entry": "string",
            "days_to_18": "int64",
            "left_truncated": "bool",
            "entry_days": "int64",
            "start_known": "bool",
            "censored": "bool",
            "uasc": "bool",
            "n_placements": "int64",
        }
    )[list(PERIOD_COLUMNS)]


def typed_placements(placements: pd.DataFrame) -> pd.DataFrame:
    """The placements frame with `PLACEMENT_COLUMNS` in order and typed."""
    return placements.astype(
        {
            "period_id": "int64",
            "child_key": "int64",
            "seq": "int64",
            "start": "datetime64[ns]",
            "end": "datetime64[ns]",
            "kind": "string",
            "place": "string",
            "provider": "string",
            "location": "string",
            "distance": "float64",
            "reason": "string",
            "ending": "string",
            "age_band": "string",
        }
    )[list(PLACEMENT_COLUMNS)]
