"""The steps of a pathway inside a period of care, each by inverting the model's own step.

``pathways.adoption_order_after_placement``
    Lognormal from the start of a period's first placement for adoption (A3-A6, not only
    A5/A6: A3/A4 are the same step with consent) to an adoption order; censored otherwise.
``pathways.placed_with_parents_share`` / ``_before_exit``
    Not the raw share of return-home exits from P1: the model only places a child with parents
    when the drawn time is shorter than the time in care, so both are fitted jointly
    (`lognormal.fit_placed_with_parents`); with fewer than `MIN_EVENTS` such exits the share is
    fitted with the template's duration.
``pathways.staying_put_share``
    E17 among exits at 18 from foster or kinship care.
``pathways.supported_move_share``
    Planned moves into supported accommodation from 16 among leavers at 18, fitted with each
    leaver's chance of being in care when the model would move them (`fit_thinned_share`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.lognormal import (
    fit_lognormal,
    fit_placed_with_parents,
    fit_thinned_share,
)
from sufficiency_sim.calibration.parts import (
    MIN_EVENTS,
    MIN_SHARE_N,
    Part,
    combine,
    days,
    estimated,
    kept,
    lognormal_value,
)
from sufficiency_sim.calibration.window import Window
from sufficiency_sim.scenario.keys import get_key
from sufficiency_sim.vocabulary import YEAR_DAYS

__all__ = ["STAYING_PUT_KINDS", "estimate_pathway_steps"]

STAYING_PUT_KINDS = frozenset({"kinship", "inhouse_foster", "ifa"})
"""Kinds a leaver at 18 can stay put in (foster and kinship care; not emergency carers)."""

_SHARE = "pathways.placed_with_parents_share"
_PARENT_DAYS = "pathways.placed_with_parents_before_exit"


def estimate_pathway_steps(extract: Extract, template: Mapping[str, Any]) -> Part:
    """Adoption orders after placement, placement with parents, staying put, supported moves."""
    window = Window.of(extract)
    periods, placements = extract.periods, extract.placements
    exits = periods.loc[periods["route"].notna() & window.contains(periods["end"])]
    at18 = exits.loc[exits["route"] == "at18"]
    return combine(
        _adoption_order(template, periods, placements, window),
        _parents(template, exits, placements),
        _staying_put(template, at18, placements),
        _supported_moves(template, at18, placements),
    )


def _adoption_order(
    template: Mapping[str, Any], periods: pd.DataFrame, placements: pd.DataFrame, window: Window
) -> Part:
    """From the first adoption placement of a period to an adoption order."""
    key = "pathways.adoption_order_after_placement"
    what = "adoption orders (E11/E12) after a placement for adoption (A3-A6)"
    pid = periods.set_index("period_id")
    adoption = placements.loc[placements["kind"] == "adoption"].drop_duplicates("period_id")
    if len(adoption):
        period = pid.loc[adoption["period_id"]].reset_index(drop=True)
        begin = adoption["start"].reset_index(drop=True)
        stop = period["end"].where(period["end"].notna(), window.stop)
        t = days(stop - begin)
        event = (period["route"].astype("object") == "adoption").to_numpy(dtype=bool)
        entry = np.maximum(days(window.start - begin), 0.0)
    else:
        t = event = entry = np.array([])
    n_events = int(np.sum(event))
    if n_events < MIN_EVENTS:
        return kept(template, key, f"only {n_events} {what} observed in the window")
    fit = fit_lognormal(t, event, entry)
    if fit is None:
        return kept(template, key, f"no {what} observed in the window")
    return estimated(
        key,
        lognormal_value(fit.median_days, fit.sigma),
        f"lognormal maximum likelihood fit: {fit.n_events} {what} of {fit.n} cases, the others "
        "censored at their end or the window's end, those started before the window "
        "conditioned on lasting into it",
    )


def _staying_put(template: Mapping[str, Any], at18: pd.DataFrame, placements: pd.DataFrame) -> Part:
    key = "pathways.staying_put_share"
    last = placements.drop_duplicates("period_id", keep="last").set_index("period_id")["kind"]
    foster = at18.loc[at18["period_id"].map(last).isin(STAYING_PUT_KINDS)]
    if len(foster) < MIN_SHARE_N:
        return kept(template, key, f"only {len(foster)} exit(s) at 18 from foster or kinship care")
    stayed = foster["exit_code"].astype("object") == "E17"
    return estimated(
        key,
        round(float(stayed.mean()), 4),
        f"share staying put (E17) among the {len(foster)} exits at 18 from foster or "
        f"kinship care in the window: {int(stayed.sum())}",
    )


def _parents(template: Mapping[str, Any], exits: pd.DataFrame, placements: pd.DataFrame) -> Part:
    """Placed with parents before a return home: share and duration, by inverting the model's
    step (it happens only when the drawn stay with parents is shorter than the time in care)."""
    home = exits.loc[(exits["route"] == "return_home") & exits["start_known"]]
    if len(home) < MIN_SHARE_N:
        why = f"only {len(home)} return-home exit(s) in the window"
        return combine(kept(template, _SHARE, why), kept(template, _PARENT_DAYS, why))
    last = placements.drop_duplicates("period_id", keep="last").set_index("period_id")
    last = last.reindex(home["period_id"])  # a period of temporary placements only has none
    with_parents = ((last["kind"] == "placed_with_parents") & (last["ending"] == "exit")).to_numpy(
        dtype=bool, na_value=False
    )
    total = days(home["end"] - home["start"])
    length = np.where(with_parents, days(last["end"] - last["start"]), np.nan)
    n_placed = int(with_parents.sum())
    raw = n_placed / len(home)
    intro = (
        f"{n_placed} of the {len(home)} return-home exits (E4A, E13) in the window ({raw:.0%}) "
        "left care from a placement with parents (P1). The model places a share of "
        "return-home children with parents a lognormal time before they leave, but only when "
        "that time is shorter than their time in care, so the raw share understates it: "
    )
    fit = fit_placed_with_parents(total, length) if n_placed >= MIN_EVENTS else None
    if fit is not None:
        return combine(
            estimated(
                _SHARE,
                round(fit.share, 4),
                intro + "share and duration fitted jointly by maximum likelihood (an exit placed "
                "with parents for x days contributes share * f(x), one not placed with parents "
                "after T days in care 1 - share * F(T))",
            ),
            estimated(
                _PARENT_DAYS,
                lognormal_value(fit.median_days, fit.sigma),
                f"lognormal length of the placement with parents before a return home, fitted "
                f"jointly with the share from {fit.n_placed} such placements and "
                f"{fit.n_exits - fit.n_placed} return-home exits without one",
            ),
        )
    why = f"only {n_placed} return-home exit(s) from a placement with parents"
    return combine(
        kept(template, _PARENT_DAYS, why),
        _parents_share_alone(template, with_parents, total, n_placed, intro),
    )


def _parents_share_alone(
    template: Mapping[str, Any],
    with_parents: np.ndarray,
    total: np.ndarray,
    n_placed: int,
    intro: str,
) -> Part:
    """The share with the template's duration, when too few placements with parents ended."""
    current = get_key(template, _PARENT_DAYS, None) or {}
    median = float(current.get("median_days", 120.0)) if isinstance(current, Mapping) else 120.0
    sigma = float(current.get("sigma", 0.5)) if isinstance(current, Mapping) else 0.5
    chance = stats.norm.cdf((np.log(total) - math.log(median)) / max(sigma, 1e-6))
    share = fit_thinned_share(with_parents, chance) if n_placed else 0.0
    if share is None:
        return kept(
            template, _SHARE, "no return-home exit could have been placed with parents first"
        )
    return estimated(
        _SHARE,
        round(share, 4),
        intro + f"the share is fitted with the template's duration (median {median:g} days, "
        f"sigma {sigma:g}) giving the chance each exit had of a placement with parents first",
    )


def _planned_moves_to_supported(at18: pd.DataFrame, placements: pd.DataFrame) -> np.ndarray:
    """Whether each leaver at 18 made a planned move into supported accommodation from 16."""
    ordered = placements.sort_values(["period_id", "seq"])
    previous_kind = ordered.groupby("period_id")["kind"].shift()
    previous_ending = ordered.groupby("period_id")["ending"].shift()
    moves = ordered.loc[
        (ordered["kind"] == "supported")
        & previous_kind.notna()
        & (previous_kind != "supported")
        & (previous_ending == "planned"),
        ["period_id", "start"],
    ]
    move_16 = (
        moves["start"].to_numpy()
        >= moves["period_id"]
        .map(at18.set_index("period_id")["dob"] + pd.DateOffset(years=16))
        .to_numpy()
    )
    return at18["period_id"].isin(set(moves.loc[move_16, "period_id"])).to_numpy()


def _supported_moves(
    template: Mapping[str, Any], at18: pd.DataFrame, placements: pd.DataFrame
) -> Part:
    """Planned moves to supported accommodation from 16, by inverting the model's step."""
    key = "pathways.supported_move_share"
    if len(at18) < MIN_SHARE_N:
        return kept(template, key, f"only {len(at18)} exit(s) at 18 in the window")
    sixteen = at18["dob"] + pd.DateOffset(years=16)
    # The model moves a share of children who will leave at 18 on a day drawn uniformly in the
    # 18 months after their 16th birthday, if they are then in care and not in their last 30.
    span = 1.5 * YEAR_DAYS
    low = np.maximum(days(at18["start"] - sixteen), 0.0)
    high = np.minimum(days(at18["end"] - sixteen) - 30.0, span)
    chance = np.clip(high - low, 0.0, span) / span
    moved = _planned_moves_to_supported(at18, placements)
    had_any = placements.loc[placements["kind"] == "supported", "period_id"]
    raw = float(at18["period_id"].isin(set(had_any)).mean())
    if float(chance.sum()) < MIN_EVENTS:
        return kept(
            template, key, "leavers at 18 in the window spent too little time in care after 16"
        )
    share = fit_thinned_share(moved, chance)
    if share is None:
        return kept(template, key, "no leaver at 18 was in care in the 18 months after turning 16")
    return estimated(
        key,
        round(share, 4),
        f"{int(moved.sum())} of the {len(at18)} leavers at 18 in the window made a planned move "
        f"into supported accommodation (H5, P2, K3) from 16 ({raw:.0%} had such a placement at "
        "all, including those placed there directly). The model moves a share of them on a "
        "day drawn in the 18 months after their 16th birthday when they are in care then, so "
        "the share is fitted by maximum likelihood with each leaver's chance of being in care "
        f"on that day (mean {float(chance.mean()):.2f})",
    )
