"""What an estimator returns, and the small helpers the estimators share.

Each estimator (`entries`, `routes`, `pathway_steps`, `placement_mix`, `locations`,
`endings`) is a function of the prepared extract and the template that returns a `Part`: the
scenario values it estimated (dotted key -> value in the scenario's own format), a note per key
saying how it was estimated or why the template's value was kept, and its evidence for the
report (tidy aggregate tables). `combine` joins parts in order; nothing is shared or mutated.

Shares are rounded to 4 decimals with the rounding put on the largest, so they sum to 1.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sufficiency_sim.scenario.keys import get_key, set_key

__all__ = [
    "MIN_EVENTS",
    "MIN_MIX_N",
    "MIN_SHARE_N",
    "Part",
    "apply_estimates",
    "combine",
    "days",
    "estimated",
    "kept",
    "mix_text",
    "shares",
]

MIN_SHARE_N = 10
"""Fewest cases for a share (or a band's share) to be estimated rather than kept."""
MIN_MIX_N = 20
"""Fewest cases for a mix over several categories (age mix, reasons, a band's routes)."""
MIN_EVENTS = 5
"""Fewest observed events for a duration or an ending rate."""


@dataclass(frozen=True)
class Part:
    """One estimator's share of the scenario: values, notes and evidence for the report."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)


def estimated(key: str, value: Any, note: str) -> Part:
    """A value estimated from the data, with the note saying how."""
    return Part({key: value}, {key: note})


def kept(template: Mapping[str, Any], key: str, why: str) -> Part:
    """No value (the template's stands), with a note showing the template's value and why."""
    current = get_key(template, key, None)
    shown = "" if current is None else f" ({_short(current)})"
    return Part(notes={key: f"template value kept{shown}: {why}"})


def evidence(name: str, table: Any) -> Part:
    """Evidence only: a table for the report."""
    return Part(evidence={name: table})


def combine(*parts: Part) -> Part:
    """The parts joined in order (a later part's key replaces an earlier one's in place)."""
    return combine_all(parts)


def combine_all(parts: Iterable[Part]) -> Part:
    """`combine` over an iterable of parts."""
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    found: dict[str, Any] = {}
    for part in parts:
        values.update(part.values)
        notes.update(part.notes)
        found.update(part.evidence)
    return Part(values, notes, found)


def apply_estimates(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """A deep copy of the raw scenario `template` with each value set at its dotted key."""
    data = copy.deepcopy(dict(template))
    for key, value in values.items():
        set_key(data, key, copy.deepcopy(value))
    return data


def shares(counts: Mapping[str, float], keys: tuple[str, ...] | list[str]) -> dict[str, float]:
    """Counts as shares over `keys`, rounded to 4 decimals, summing to 1 (largest absorbs)."""
    total = float(sum(max(0.0, float(counts.get(k, 0.0))) for k in keys))
    if total <= 0:
        raise ValueError("no counts to share")
    raw = {k: max(0.0, float(counts.get(k, 0.0))) / total for k in keys}
    rounded = {k: round(v, 4) for k, v in raw.items()}
    largest = max(raw, key=lambda k: raw[k])
    rounded[largest] = round(1.0 - math.fsum(v for k, v in rounded.items() if k != largest), 6)
    if rounded[largest] < 0:  # cannot happen with 4-decimal rounding, but never go negative
        rounded[largest] = 0.0
        return shares(rounded, keys)
    return rounded


def mix_text(mix: Mapping[str, float]) -> str:
    """A mix as text: ``in 50%, near 30%, far 20%``."""
    return ", ".join(f"{k} {v:.0%}" for k, v in mix.items())


def days(delta: pd.Series) -> np.ndarray:
    """A timedelta series as float days."""
    return delta.dt.days.to_numpy(dtype="float64")


def lognormal_value(median_days: float, sigma: float) -> dict[str, float]:
    """A lognormal duration in the scenario's format (median at least one day)."""
    return {"median_days": max(1.0, round(median_days, 1)), "sigma": round(sigma, 3)}


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
