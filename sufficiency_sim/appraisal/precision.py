"""How many replications: run until the key intervals are narrow enough."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sufficiency_sim.appraisal.paired import (
    HORIZON,
    level_summary,
    paired_differences,
    scenario_order,
)


@dataclass(frozen=True)
class PrecisionTarget:
    """The widest acceptable CI half-width of one measure over the whole horizon.

    `absolute` is in the measure's units (e.g. 1.0 percentage point); `relative` is a share of
    the mean (the scenario's own mean for levels, the baseline mean for differences). Give one.
    `applies_to` says whether the target is for each scenario's level, for each option's paired
    difference from the baseline, or both.
    """

    measure: str
    absolute: float | None = None
    relative: float | None = None
    applies_to: Literal["level", "difference", "both"] = "both"

    def threshold(self, reference_mean: float) -> float:
        """The half-width allowed given the reference mean."""
        if self.absolute is not None:
            return self.absolute
        if self.relative is not None:
            return self.relative * abs(reference_mean)
        raise ValueError(f"precision target for {self.measure} needs absolute or relative")

    def describe(self) -> str:
        """E.g. "pct_out_of_area ±1 (level, difference)" for reports."""
        size = f"±{self.absolute:g}" if self.absolute is not None else f"±{self.relative:.0%}"
        kinds = "level, difference" if self.applies_to == "both" else self.applies_to
        return f"{self.measure} {size} ({kinds})"


DEFAULT_TARGETS: tuple[PrecisionTarget, ...] = (
    PrecisionTarget("pct_out_of_area", absolute=1.0),
    PrecisionTarget("pct_3plus_placements", absolute=1.0),
    PrecisionTarget("pct_long_term_stable", absolute=1.5),
    PrecisionTarget("cla_31_march", relative=0.02),
    PrecisionTarget("unplanned_endings", relative=0.05),
    PrecisionTarget("cost_gbp", relative=0.05, applies_to="level"),
    PrecisionTarget("cost_gbp", relative=0.02, applies_to="difference"),
)
"""Whole-horizon targets: out-of-area and 3+ placements within ±1 percentage point, long-term
stability ±1.5 points, children looked after ±2% of the mean, unplanned endings ±5%, total cost
±5% (level) and the cost difference ±2% of the baseline's total cost."""


@dataclass
class PrecisionCheck:
    """Whether every target is met, with one row per scenario/option and target."""

    met: bool
    replications: int
    detail: pd.DataFrame

    def worst(self) -> str:
        """The target furthest from being met, for progress messages."""
        if self.detail.empty:
            return ""
        ratio = self.detail["half_width"] / self.detail["threshold"]
        row = self.detail.loc[ratio.fillna(np.inf).idxmax()]
        return (
            f"{row['measure']} {row['kind']} of {row['scenario']}: ±{row['half_width']:.3g} "
            f"(target ±{row['threshold']:.3g})"
        )


def precision_check(
    results: pd.DataFrame,
    baseline: str,
    targets: Sequence[PrecisionTarget] = DEFAULT_TARGETS,
    confidence: float = 0.95,
) -> PrecisionCheck:
    """Whether the whole-horizon CI half-widths of the key measures are within their targets,
    for every scenario's level and every option's paired difference from the baseline.
    A blank half-width (fewer than two replications) is not met; targets for measures that
    are not in the results are skipped."""
    levels = level_summary(results, confidence)
    levels = levels[levels["period"].eq(HORIZON)].set_index(["scenario", "measure"])
    diffs = paired_differences(results, baseline, confidence)
    diffs = diffs[diffs["period"].eq(HORIZON)].set_index(["option", "measure"])
    rows = []
    for target in targets:
        if target.measure not in results.columns:
            continue
        base_mean = levels.loc[(baseline, target.measure), "mean"]
        for name in scenario_order(results):
            if target.applies_to in ("level", "both"):
                level = levels.loc[(name, target.measure)]
                half = level["half_width"]
                rows.append(_check_row(name, target, "level", half, level["mean"]))
            if target.applies_to in ("difference", "both") and name != baseline:
                half = diffs.loc[(name, target.measure), "paired_half_width"]
                rows.append(_check_row(name, target, "difference", half, base_mean))
    detail = pd.DataFrame(
        rows, columns=["scenario", "measure", "kind", "half_width", "threshold", "met"]
    )
    replications = int(results.groupby("scenario")["replication"].nunique().min())
    return PrecisionCheck(bool(detail["met"].all()), replications, detail)


def _check_row(
    name: str, target: PrecisionTarget, kind: str, half: float, reference: float
) -> dict:
    threshold = target.threshold(reference)
    met = bool(not pd.isna(half) and half <= threshold)
    return {
        "scenario": name,
        "measure": target.measure,
        "kind": kind,
        "half_width": float(half),
        "threshold": float(threshold),
        "met": met,
    }


@dataclass
class AutoResult:
    """The results of a `--replications auto` run and how it stopped."""

    results: pd.DataFrame
    replications: int
    check: PrecisionCheck
    history: list[tuple[int, bool]] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """Whether the precision targets were met (False: stopped at the maximum)."""
        return self.check.met


def run_until_precise(
    run_batch: Callable[[Sequence[int]], pd.DataFrame],
    baseline: str,
    targets: Sequence[PrecisionTarget] = DEFAULT_TARGETS,
    batch: int = 10,
    maximum: int = 200,
    confidence: float = 0.95,
    on_check: Callable[[PrecisionCheck], None] | None = None,
) -> AutoResult:
    """Add batches of replications until every precision target is met, or `maximum` is reached.

    `run_batch(numbers)` returns the tidy results of all scenarios for those replication
    numbers (0..batch-1 first, then batch..2*batch-1, ...), so the same seed always stops at the
    same count. The first check is after the first batch (at least two replications).
    """
    if batch < 1 or maximum < 2:
        raise ValueError("batch must be at least 1 and maximum at least 2")
    parts: list[pd.DataFrame] = []
    done = 0
    history: list[tuple[int, bool]] = []
    while True:
        size = min(max(batch, 2 - done), maximum - done)
        parts.append(run_batch(range(done, done + size)))
        done += size
        results = _sorted(pd.concat(parts, ignore_index=True))
        check = precision_check(results, baseline, targets, confidence)
        history.append((done, check.met))
        if on_check is not None:
            on_check(check)
        if check.met or done >= maximum:
            return AutoResult(results, done, check, history)


def _sorted(results: pd.DataFrame) -> pd.DataFrame:
    """Results in scenario (first-seen), replication, year order."""
    rank = {name: i for i, name in enumerate(scenario_order(results))}
    order = results.assign(_s=results["scenario"].map(rank))
    order = order.sort_values(["_s", "replication", "year"], kind="stable")
    return order.drop(columns="_s").reset_index(drop=True)
