"""Estimate scenario parameters from the window of a prepared 903 extract.

`estimate` returns `Estimates`: ``values`` maps dotted scenario keys to values in the scenario's
own format (``entries.rate_per_year``, ``pathways.durations.return_home`` ...), ``notes`` says
for each key how it was estimated (or why the template's value was kept), ``diagnostics`` holds
tidy aggregate tables for the calibration report. A key whose estimate rests on too few cases is
left out of ``values`` (so the template's value stands) and its note says so. Mixes of several
bands or kinds come as whole mappings; where one band has too few cases the template's value for
that band is used inside the estimated mapping, and the note names the band.

Conventions used throughout (all dates from `prepare`):

- "In the window" means a start, or an end, between ``window_start`` and ``window_end``
  inclusive; exposure (placement-years) counts the days of each placement inside the window.
- Shares are rounded to 4 decimals with the rounding put on the largest, so they sum to 1.
- Nothing returned holds a CHILD value, a date of birth or a postcode: only counts, shares,
  durations and code names.

What each key is, in short (the notes say it with the numbers):

``entries.rate_per_year``
    Periods of care started per collection year at the window's end, and
    ``entries.trend_pct_per_year``: `entry_rate.choose_entry_rate` (the level, the mean over
    the window's complete years, unless a Poisson log-linear trend forecast the window's own
    later years better in rolling-origin validation and lies at least two standard errors
    from zero; such a trend is shrunk towards zero by 1 - (2/z)^2).
``entries.age_mix``, ``female_share``, ``legal_status_mix``
    Of the periods started in the window; LS C2, J1-J3, D1, E1 count as C1, L3 as L2.
``pathways.route_mix_by_age``, ``pathways.durations.<route>``
    `survival.fit_time_in_care` (a band with fewer than `MIN_MIX_N` periods keeps the
    template's mix inside the estimated mapping).
``pathways.adoption_order_after_placement``
    Lognormal from the start of a period's first placement for adoption (A3-A6, not only
    A5/A6: A3/A4 are the same step with consent) to an adoption order; censored otherwise.
``pathways.placed_with_parents_share`` / ``_before_exit``
    Not the raw share of return-home exits from P1: the model only places a child with parents
    when the drawn time is shorter than the time in care, so both are fitted jointly
    (`survival.fit_placed_with_parents`); with fewer than `MIN_EVENTS` such exits the share is
    fitted with the template's duration.
``pathways.staying_put_share``
    E17 among exits at 18 from foster or kinship care.
``pathways.supported_move_share``
    Planned moves into supported accommodation from 16 among leavers at 18, fitted with each
    leaver's chance of being in care when the model would move them (`fit_thinned_share`).
``provision.kinship.available_by_age``, ``provision.<kind>.location_mix``,
``provision.adoption.with_current_carers_share``
    Shares of first placements in kinship care by band; locations of placements of each kind
    started in the window; A5 (and A3) among placements for adoption.
``endings.median_days.<kind>``, ``endings.reason_mix``
    Weibull scale with the template's shape, breakdowns as events, then multiplied by the
    exposure-weighted mean of the template's age x needs x location multipliers to the power
    1/shape. CLOSE and APPRR endings of in-house foster care and local homes are not
    breakdowns: the model makes them itself (carers deregistering, homes closing).
``endings.planned_move_rate_per_year.<kind>``
    Planned endings per placement-year, leaving out those the model makes by itself (pathway
    steps, ends of bridging placements, step-backs: `_model_moves`); still an upper bound.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sufficiency_sim.calibration.entry_rate import EntryRateChoice, choose_entry_rate
from sufficiency_sim.calibration.prepare import AGE_BANDS, Extract
from sufficiency_sim.calibration.survival import (
    DURATION_ROUTES,
    MIX_ROUTES,
    TimeInCareFit,
    fit_lognormal,
    fit_placed_with_parents,
    fit_thinned_share,
    fit_time_in_care,
    fitted_survival,
    kaplan_meier,
)
from sufficiency_sim.scenario.census import CENSUS_PLACEMENTS

__all__ = ["Estimates", "apply_estimates", "estimate", "get_dotted"]

MIN_SHARE_N = 10
"""Fewest cases for a share (or a band's share) to be estimated rather than kept."""
MIN_MIX_N = 20
"""Fewest cases for a mix over several categories (age mix, reasons, a band's routes)."""
MIN_LOCATION_N = 20
"""Fewest placements of a kind with a known location for its location mix."""
MIN_EVENTS = 5
"""Fewest observed events for a duration or an ending rate."""
MIN_PLACEMENT_YEARS = 5.0
"""Least exposure for a planned-move rate."""
BRIDGING_DAYS = 28
"""Placements shorter than this ending in a planned move are taken as bridging placements."""

LOCATIONS: tuple[str, ...] = ("in", "near", "far")
REASONS: tuple[str, ...] = ("CREQB", "CREQO", "CHILD", "ALLEG", "STAND")
REASON_NEAREST: dict[str, str] = {"CLOSE": "CREQO", "APPRR": "STAND"}
"""Unplanned reasons the scenario has no key for, and the key they are counted under."""
LEGAL_KEYS: tuple[str, ...] = ("V2", "C1", "L1", "L2")
LEGAL_NEAREST: dict[str, str] = {
    "V2": "V2",
    "C1": "C1",
    "C2": "C1",
    "J1": "C1",
    "J2": "C1",
    "J3": "C1",
    "D1": "C1",
    "E1": "C1",
    "L1": "L1",
    "L2": "L2",
    "L3": "L2",
}
"""Legal status at entry -> the scenario's key (V2, C1, L1, L2)."""
LOCATION_SECTIONS: dict[str, str] = {
    "kinship": "kinship",
    "inhouse_foster": "inhouse_foster",
    "ifa": "ifa",
    "external_home": "external_homes",
    "supported": "supported",
    "placed_with_parents": "placed_with_parents",
    "adoption": "adoption",
}
"""Placement kind -> section of ``provision`` whose ``location_mix`` it estimates."""
ENDING_KINDS: tuple[str, ...] = CENSUS_PLACEMENTS
"""Kinds whose unplanned-ending median is estimated (emergency kinds are not told apart)."""
PLANNED_MOVE_KINDS: tuple[str, ...] = (
    "kinship",
    "inhouse_foster",
    "ifa",
    "local_home",
    "external_home",
    "supported",
)
"""Kinds whose planned-move rate is estimated (placed with parents and adoption placements
end by the pathway's own steps in the model)."""
FOSTER_KINDS = frozenset({"kinship", "inhouse_foster", "ifa"})
CARER_REASONS = frozenset({"CLOSE", "APPRR"})
CARER_KINDS = frozenset({"inhouse_foster", "local_home"})
"""Kinds whose CLOSE / APPRR endings the model makes itself (carers deregistering, homes
closing): not counted as breakdowns of those kinds."""
_YEAR = 365.25
_SURVIVAL_GRID = np.arange(0.0, 18 * 365.0 + 1, 30.0)


@dataclass(frozen=True)
class Estimates:
    """Estimated scenario values (dotted key -> value), notes, diagnostics, the time-in-care fit."""

    values: dict[str, Any]
    notes: dict[str, str]
    diagnostics: dict[str, pd.DataFrame]
    time_in_care: TimeInCareFit
    entry_choice: EntryRateChoice | None = None


# --------------------------------------------------------------------------------------------
# Small helpers


def get_dotted(data: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The value at a dotted key of nested mappings (numeric-looking parts also tried as int)."""
    node: Any = data
    for part in key.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, Mapping) and part.isdigit() and int(part) in node:
            node = node[int(part)]
        else:
            return default
    return node


def apply_estimates(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """A deep copy of the raw scenario `template` with each value set at its dotted key."""
    data = copy.deepcopy(dict(template))
    for key, value in values.items():
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = copy.deepcopy(value)
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


def _mix_text(mix: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in mix.items())


def _days(delta: pd.Series) -> np.ndarray:
    return delta.dt.days.to_numpy(dtype="float64")


class _Book:
    """Collects values and notes; keeps the template's value (no entry) on a fallback."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.template = template
        self.values: dict[str, Any] = {}
        self.notes: dict[str, str] = {}

    def put(self, key: str, value: Any, note: str) -> None:
        self.values[key] = value
        self.notes[key] = note

    def keep(self, key: str, why: str) -> None:
        current = get_dotted(self.template, key)
        shown = "" if current is None else f" ({_short(current)})"
        self.notes[key] = f"template value kept{shown}: {why}"


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --------------------------------------------------------------------------------------------
# Window arithmetic


@dataclass(frozen=True)
class _Window:
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive

    @property
    def stop(self) -> pd.Timestamp:
        return self.end + pd.Timedelta(days=1)

    def contains(self, days: pd.Series) -> pd.Series:
        return (days >= self.start) & (days <= self.end)

    def complete_years(self) -> list[int]:
        first = self.start.year + (1 if self.start.month >= 4 else 0)
        if (self.start.month, self.start.day) != (4, 1):
            first += 1
        last = self.end.year + (1 if self.end.month >= 4 else 0)
        if (self.end.month, self.end.day) != (3, 31):
            last -= 1
        return list(range(first, last + 1))


def _collection_year(days: pd.Series) -> pd.Series:
    return (days.dt.year + np.where(days.dt.month >= 4, 1, 0)).astype("Int64")


# --------------------------------------------------------------------------------------------
# Entries


def _entries(
    book: _Book, periods: pd.DataFrame, window: _Window, diag: dict
) -> EntryRateChoice | None:
    starts = periods.loc[window.contains(periods["start"])]
    years = window.complete_years()
    year = _collection_year(starts["start"])
    by_year = starts.assign(year=year).loc[lambda f: f["year"].isin(years)]
    table = (
        by_year.groupby(["year", "age_band"], observed=True)
        .size()
        .reindex(pd.MultiIndex.from_product([years, AGE_BANDS], names=["year", "age_band"]))
        .fillna(0)
        .astype("int64")
        .rename("starts")
        .reset_index()
    )
    diag["entries_by_year"] = table
    per_year = by_year.groupby("year").size().reindex(years, fill_value=0)
    choice = None
    if not years:
        book.keep("entries.rate_per_year", "the window holds no complete collection year")
        book.keep("entries.trend_pct_per_year", "the window holds no complete collection year")
    else:
        choice = choose_entry_rate(per_year)
        diag["entry_rate_choice"] = choice.evidence
        listed = ", ".join(f"{y - 1}-{str(y)[2:]}: {n}" for y, n in per_year.items())
        how = (
            "the shrunk trend's rate at the window's end"
            if choice.chosen == "trend"
            else "the mean over the window, as no trend is used"
        )
        book.put(
            "entries.rate_per_year",
            round(choice.rate, 1),
            f"children starting a period of care per year: {how} ({listed})",
        )
        fitted = (
            f"Poisson log-linear regression of starts on the year over {len(years)} complete "
            f"years: {choice.fitted_trend_pct:+.1f}% a year (95% CI "
            f"{choice.trend_low_pct:+.1f}% to {choice.trend_high_pct:+.1f}%"
            + (f", dispersion {choice.dispersion:.2f} allowed for" if choice.dispersion > 1 else "")
            + "); "
            if len(years) >= 3 and per_year.sum() > 0
            else ""
        )
        book.put("entries.trend_pct_per_year", choice.trend_pct, fitted + choice.reason)

    n = len(starts)
    if n < MIN_MIX_N:
        why = f"only {n} period(s) of care started in the window (fewer than {MIN_MIX_N})"
        book.keep("entries.age_mix", why)
    else:
        counts = starts["age_band"].value_counts()
        mix = shares(counts.to_dict(), AGE_BANDS)
        book.put(
            "entries.age_mix",
            mix,
            f"age at entry of the {n} periods of care started in the window: {_mix_text(mix)}",
        )
    sex = starts["sex"].dropna()
    if len(sex) < MIN_SHARE_N:
        book.keep("entries.female_share", f"sex known for only {len(sex)} children starting")
    else:
        female = float((sex == 2).mean())
        book.put(
            "entries.female_share",
            round(female, 4),
            f"share of girls (SEX 2 or F) among the {len(sex)} entrants of known sex",
        )
    _legal(book, starts)
    return choice


def _legal(book: _Book, starts: pd.DataFrame) -> None:
    key = "entries.legal_status_mix"
    ls = starts["legal_at_entry"].astype("object").fillna("")
    mapped = ls.map(LEGAL_NEAREST)
    known = mapped.notna()
    n = int(known.sum())
    unknown = int((~known).sum())
    if n < MIN_MIX_N:
        book.keep(key, f"legal status at entry known for only {n} entrants")
        return
    mix = shares(mapped[known].value_counts().to_dict(), LEGAL_KEYS)
    moved = {code: int((ls == code).sum()) for code in ("C2", "J1", "J2", "J3", "D1", "E1", "L3")}
    moved_text = ", ".join(f"{c} {k}" for c, k in moved.items() if k)
    note = (
        f"LS of the first episode of the {n} periods started in the window: {_mix_text(mix)}; "
        "C2, remand and PACE (J1-J3) and freeing or placement orders (D1, E1) counted as C1 "
        "(a court order), child assessment orders (L3) as L2"
    )
    if moved_text:
        note += f" ({moved_text})"
    if unknown:
        note += f"; {unknown} with a blank or unknown LS left out"
    book.put(key, mix, note)


# --------------------------------------------------------------------------------------------
# Pathways


def _route_mix(book: _Book, fit: TimeInCareFit, template_mix: Mapping[str, Any]) -> None:
    key = "pathways.route_mix_by_age"
    value: dict[str, dict[str, float]] = {}
    fitted, kept = [], []
    for band in AGE_BANDS:
        n = fit.n_by_band.get(band, 0)
        if n >= MIN_MIX_N and band in fit.bands_fitted:
            value[band] = shares(fit.route_mix_by_age[band], MIX_ROUTES)
            fitted.append(f"{band} (n={n})")
        elif band in (template_mix or {}):
            value[band] = dict(template_mix[band])
            kept.append(f"{band} (n={n})")
        else:
            value[band] = shares(fit.route_mix_by_age[band], MIX_ROUTES)
            fitted.append(f"{band} (n={n}, pooled)")
    if not fitted:
        book.keep(key, f"fewer than {MIN_MIX_N} usable periods of care in every age band")
        return
    note = (
        "maximum likelihood fit of the model's pathway mixture to the periods of care in "
        f"the window ({fit.n_periods} periods; exits, exits at 18, periods still open and "
        "periods started before the window conditioned on lasting into it): bands "
        + ", ".join(fitted)
    )
    if kept:
        note += f"; template kept for band(s) with fewer than {MIN_MIX_N}: " + ", ".join(kept)
    if not fit.converged:
        note += "; the optimiser did not report convergence: check the fit in the report"
    book.put(key, value, note)


def _durations(book: _Book, fit: TimeInCareFit) -> None:
    exits = {r: sum(fit.exits_by_band.get(b, {}).get(r, 0) for b in AGE_BANDS) for r in MIX_ROUTES}
    for route in DURATION_ROUTES:
        key = f"pathways.durations.{route}"
        n = exits.get(route, 0)
        if route not in fit.routes_fitted or n < MIN_EVENTS:
            book.keep(key, f"only {n} exit(s) by this route in the window")
            continue
        median, sigma = fit.durations[route]
        book.put(
            key,
            {"median_days": max(1.0, round(median, 1)), "sigma": round(sigma, 3)},
            f"lognormal time from entry to leaving care by {route}, fitted jointly with the "
            f"route mix ({n} exits by this route)",
        )


def _lognormal_put(
    book: _Book, key: str, t: np.ndarray, event: np.ndarray, entry: np.ndarray, what: str
) -> None:
    n_events = int(np.sum(event))
    if n_events < MIN_EVENTS:
        book.keep(key, f"only {n_events} {what} observed in the window")
        return
    fit = fit_lognormal(t, event, entry)
    if fit is None:
        book.keep(key, f"no {what} observed in the window")
        return
    book.put(
        key,
        {"median_days": max(1.0, round(fit.median_days, 1)), "sigma": round(fit.sigma, 3)},
        f"lognormal maximum likelihood fit: {fit.n_events} {what} of {fit.n} cases, the others "
        "censored at their end or the window's end, those started before the window "
        "conditioned on lasting into it",
    )


def _pathway_steps(
    book: _Book, periods: pd.DataFrame, placements: pd.DataFrame, window: _Window
) -> None:
    pid = periods.set_index("period_id")
    exits = periods.loc[periods["route"].notna() & window.contains(periods["end"])]
    last = placements.drop_duplicates("period_id", keep="last").set_index("period_id")["kind"]

    # Adoption: from the first adoption placement of a period to an adoption order.
    adoption = placements.loc[placements["kind"] == "adoption"].drop_duplicates("period_id")
    if len(adoption):
        period = pid.loc[adoption["period_id"]].reset_index(drop=True)
        begin = adoption["start"].reset_index(drop=True)
        stop = period["end"].where(period["end"].notna(), window.stop)
        t = _days(stop - begin)
        event = (period["route"].astype("object") == "adoption").to_numpy(dtype=bool)
        entry = np.maximum(_days(window.start - begin), 0.0)
    else:
        t = event = entry = np.array([])
    _lognormal_put(
        book,
        "pathways.adoption_order_after_placement",
        t,
        event,
        entry,
        "adoption orders (E11/E12) after a placement for adoption (A3-A6)",
    )

    _parents(book, exits, placements)

    at18 = exits.loc[exits["route"] == "at18"]
    foster = at18.loc[at18["period_id"].map(last).isin(FOSTER_KINDS)]
    key = "pathways.staying_put_share"
    if len(foster) < MIN_SHARE_N:
        book.keep(key, f"only {len(foster)} exit(s) at 18 from foster or kinship care")
    else:
        stayed = foster["exit_code"].astype("object") == "E17"
        book.put(
            key,
            round(float(stayed.mean()), 4),
            f"share staying put (E17) among the {len(foster)} exits at 18 from foster or "
            f"kinship care in the window: {int(stayed.sum())}",
        )

    _supported_moves(book, at18, placements)


def _parents(book: _Book, exits: pd.DataFrame, placements: pd.DataFrame) -> None:
    """Placed with parents before a return home: share and duration, by inverting the model's
    step (it happens only when the drawn stay with parents is shorter than the time in care)."""
    share_key = "pathways.placed_with_parents_share"
    days_key = "pathways.placed_with_parents_before_exit"
    home = exits.loc[(exits["route"] == "return_home") & exits["start_known"]]
    if len(home) < MIN_SHARE_N:
        why = f"only {len(home)} return-home exit(s) in the window"
        book.keep(share_key, why)
        book.keep(days_key, why)
        return
    last = placements.drop_duplicates("period_id", keep="last").set_index("period_id")
    last = last.reindex(home["period_id"])  # a period of temporary placements only has none
    with_parents = ((last["kind"] == "placed_with_parents") & (last["ending"] == "exit")).to_numpy(
        dtype=bool, na_value=False
    )
    total = _days(home["end"] - home["start"])
    length = np.where(with_parents, _days(last["end"] - last["start"]), np.nan)
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
        book.put(
            share_key,
            round(fit.share, 4),
            intro + "share and duration fitted jointly by maximum likelihood (an exit placed "
            "with parents for x days contributes share * f(x), one not placed with parents "
            "after T days in care 1 - share * F(T))",
        )
        book.put(
            days_key,
            {"median_days": max(1.0, round(fit.median_days, 1)), "sigma": round(fit.sigma, 3)},
            f"lognormal length of the placement with parents before a return home, fitted "
            f"jointly with the share from {fit.n_placed} such placements and "
            f"{fit.n_exits - fit.n_placed} return-home exits without one",
        )
        return
    book.keep(days_key, f"only {n_placed} return-home exit(s) from a placement with parents")
    current = get_dotted(book.template, days_key) or {}
    median = float(current.get("median_days", 120.0)) if isinstance(current, Mapping) else 120.0
    sigma = float(current.get("sigma", 0.5)) if isinstance(current, Mapping) else 0.5
    chance = stats.norm.cdf((np.log(total) - math.log(median)) / max(sigma, 1e-6))
    share = fit_thinned_share(with_parents, chance) if n_placed else 0.0
    if share is None:
        book.keep(share_key, "no return-home exit could have been placed with parents first")
        return
    book.put(
        share_key,
        round(share, 4),
        intro + f"the share is fitted with the template's duration (median {median:g} days, "
        f"sigma {sigma:g}) giving the chance each exit had of a placement with parents first",
    )


def _supported_moves(book: _Book, at18: pd.DataFrame, placements: pd.DataFrame) -> None:
    """Planned moves to supported accommodation from 16, by inverting the model's step."""
    key = "pathways.supported_move_share"
    if len(at18) < MIN_SHARE_N:
        book.keep(key, f"only {len(at18)} exit(s) at 18 in the window")
        return
    dob = at18["dob"]
    sixteen = dob + pd.DateOffset(years=16)
    # The model moves a share of children who will leave at 18 on a day drawn uniformly in the
    # 18 months after their 16th birthday, if they are then in care and not in their last 30.
    span = 1.5 * _YEAR
    low = np.maximum(_days(at18["start"] - sixteen), 0.0)
    high = np.minimum(_days(at18["end"] - sixteen) - 30.0, span)
    chance = np.clip(high - low, 0.0, span) / span
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
    moved = at18["period_id"].isin(set(moves.loc[move_16, "period_id"])).to_numpy()
    had_any = placements.loc[placements["kind"] == "supported", "period_id"]
    raw = float(at18["period_id"].isin(set(had_any)).mean())
    if float(chance.sum()) < MIN_EVENTS:
        book.keep(key, "leavers at 18 in the window spent too little time in care after 16")
        return
    share = fit_thinned_share(moved, chance)
    if share is None:
        book.keep(key, "no leaver at 18 was in care in the 18 months after turning 16")
        return
    book.put(
        key,
        round(share, 4),
        f"{int(moved.sum())} of the {len(at18)} leavers at 18 in the window made a planned move "
        f"into supported accommodation (H5, P2, K3) from 16 ({raw:.0%} had such a placement at "
        "all, including those placed there directly). The model moves a share of them on a "
        "day drawn in the 18 months after their 16th birthday when they are in care then, so "
        "the share is fitted by maximum likelihood with each leaver's chance of being in care "
        f"on that day (mean {float(chance.mean()):.2f})",
    )


# --------------------------------------------------------------------------------------------
# Provision


def _provision(
    book: _Book, periods: pd.DataFrame, placements: pd.DataFrame, window: _Window, diag: dict
) -> None:
    started = periods.loc[window.contains(periods["start"])]
    first = placements.loc[placements["seq"] == 1].set_index("period_id")["kind"]
    kind = started["period_id"].map(first)
    frame = pd.DataFrame({"age_band": started["age_band"].to_numpy(), "kind": kind.to_numpy()})
    frame = frame.dropna()
    counts = frame.groupby(["age_band", "kind"]).size().rename("n").reset_index()
    totals = counts.groupby("age_band")["n"].transform("sum")
    counts["share"] = counts["n"] / totals
    diag["first_placement"] = counts[["age_band", "kind", "share", "n"]].astype(
        {"age_band": "object", "kind": "object", "n": "int64", "share": "float64"}
    )

    key = "provision.kinship.available_by_age"
    template = get_dotted(book.template, key) or {}
    value, used, kept = {}, [], []
    for band in AGE_BANDS:
        rows = frame.loc[frame["age_band"] == band]
        if len(rows) >= MIN_SHARE_N:
            value[band] = round(float((rows["kind"] == "kinship").mean()), 4)
            used.append(f"{band} {value[band]:.0%} of {len(rows)}")
        elif band in template:
            value[band] = float(template[band])
            kept.append(f"{band} (n={len(rows)})")
        else:
            value[band] = 0.0
            kept.append(f"{band} (n={len(rows)}, none in the template: 0)")
    if not used:
        book.keep(key, f"fewer than {MIN_SHARE_N} first placements in every age band")
    else:
        note = (
            "share of periods of care started in the window whose first placement was with "
            "family or friends (U1-U3), by age band: " + ", ".join(used)
        )
        if kept:
            note += f"; template kept for band(s) with fewer than {MIN_SHARE_N}: " + ", ".join(kept)
        note += (
            "; the model offers kinship first except to children with specialist needs, so "
            "this is slightly below the availability it implies"
        )
        book.put(key, value, note)

    new = placements.loc[window.contains(placements["start"])]
    rows = []
    for kind_name, section in LOCATION_SECTIONS.items():
        of_kind = new.loc[(new["kind"] == kind_name) & new["location"].notna()]
        counts = of_kind["location"].value_counts()
        for location in LOCATIONS:
            n = int(counts.get(location, 0))
            rows.append(
                {
                    "kind": kind_name,
                    "location": location,
                    "share": n / len(of_kind) if len(of_kind) else float("nan"),
                    "n": n,
                }
            )
        key = f"provision.{section}.location_mix"
        if len(of_kind) < MIN_LOCATION_N:
            unknown = int(((new["kind"] == kind_name) & new["location"].isna()).sum())
            why = (
                f"only {len(of_kind)} {kind_name} placement(s) started in the window with a "
                "known location"
            )
            if unknown:
                why += f" ({unknown} more without PL_LOCATION)"
            book.keep(key, why)
            continue
        mix = shares(counts.to_dict(), LOCATIONS)
        book.put(
            key,
            mix,
            f"location of the {len(of_kind)} {kind_name} placements started in the window "
            f"(in: PL_LOCATION IN; near: OUT and 20 miles or less or no distance; far: OUT and "
            f"over 20 miles): {_mix_text(mix)}",
        )
    diag["locations"] = pd.DataFrame(rows, columns=["kind", "location", "share", "n"])

    adoption = new.loc[new["kind"] == "adoption"]
    key = "provision.adoption.with_current_carers_share"
    if len(adoption) < MIN_SHARE_N:
        book.keep(key, f"only {len(adoption)} placement(s) for adoption started in the window")
    else:
        with_carers = adoption["place"].astype("object").isin(["A3", "A5"])
        book.put(
            key,
            round(float(with_carers.mean()), 4),
            f"share of the {len(adoption)} placements for adoption started in the window that "
            f"were with the current foster carers (A5, or A3 with consent): "
            f"{int(with_carers.sum())}",
        )


# --------------------------------------------------------------------------------------------
# Endings


def _mean_needs_multiplier(template: Mapping[str, Any]) -> dict[str, float]:
    needs_by_age = get_dotted(template, "entries.needs_by_age") or {}
    multiplier = get_dotted(template, "endings.needs_multiplier") or {}
    out = {}
    for band in AGE_BANDS:
        mix = needs_by_age.get(band) or {}
        total = sum(float(v) for v in mix.values())
        if total <= 0:
            out[band] = 1.0
        else:
            out[band] = sum(float(v) * float(multiplier.get(k, 1.0)) for k, v in mix.items())
            out[band] /= total
    return out


def _location_multiplier(template: Mapping[str, Any], kind: str) -> dict[str, float]:
    multiplier = get_dotted(template, "endings.location_multiplier") or {}
    by_location = {loc: float(multiplier.get(loc, 1.0)) for loc in LOCATIONS}
    section = LOCATION_SECTIONS.get(kind)
    mix = get_dotted(template, f"provision.{section}.location_mix") if section else None
    if kind == "local_home":
        homes = get_dotted(template, "provision.local_homes") or []
        locations = [h.get("location", "in") for h in homes if isinstance(h, Mapping)]
        mix = {loc: locations.count(loc) for loc in LOCATIONS} if locations else {"in": 1}
    if mix and sum(float(v) for v in mix.values()) > 0:
        total = sum(float(v) for v in mix.values())
        unknown = sum(by_location.get(k, 1.0) * float(v) for k, v in mix.items()) / total
    else:
        unknown = 1.0
    by_location["unknown"] = unknown
    return by_location


def _endings(book: _Book, placements: pd.DataFrame, window: _Window, diag: dict) -> None:
    template = book.template
    shape = float(get_dotted(template, "endings.weibull_shape", 0.7) or 0.7)
    age_multiplier = get_dotted(template, "endings.age_multiplier") or {}
    needs = _mean_needs_multiplier(template)

    end = placements["end"].where(placements["end"].notna(), window.stop)
    enter = placements["start"].where(placements["start"] > window.start, window.start)
    overlap = (end > window.start) & (end > enter)
    p = placements.loc[overlap].copy()
    p["e"] = np.maximum(_days(window.start - p["start"]), 0.0)
    p["c"] = _days(end[overlap] - p["start"])
    p["years"] = (p["c"] - p["e"]) / _YEAR
    p["w"] = p["c"] ** shape - p["e"] ** shape
    ended_in = p["end"].notna() & window.contains(p["end"])
    p["unplanned"] = ended_in & (p["ending"] == "unplanned")
    carer = p["kind"].isin(CARER_KINDS) & p["reason"].astype("object").isin(CARER_REASONS)
    p["breakdown"] = p["unplanned"] & ~carer
    p["planned"] = ended_in & (p["ending"] == "planned")
    p["care_plan"] = p["planned"] & ~_model_moves(template, placements).loc[p.index]

    rows = []
    for kind in (*ENDING_KINDS, "other"):
        of_kind = p.loc[p["kind"] == kind]
        years = float(of_kind["years"].sum())
        unplanned = int(of_kind["unplanned"].sum())
        planned = int(of_kind["planned"].sum())
        care_plan = int(of_kind["care_plan"].sum())
        row = {
            "kind": kind,
            "placements": len(of_kind),
            "placement_years": years,
            "unplanned": unplanned,
            "breakdowns": int(of_kind["breakdown"].sum()),
            "planned": planned,
            "care_plan_moves": care_plan,
            "unplanned_per_year": unplanned / years if years > 0 else float("nan"),
            "planned_per_year": planned / years if years > 0 else float("nan"),
            "median_observed": float("nan"),
            "mean_multiplier": float("nan"),
            "median_model": float("nan"),
        }
        if kind != "other":
            _ending_median(book, kind, of_kind, shape, age_multiplier, needs, row)
            if kind in PLANNED_MOVE_KINDS:
                _planned_rate(book, kind, years, planned, care_plan, len(of_kind))
        rows.append(row)
    diag["endings"] = pd.DataFrame(rows)
    for kind in ("emergency_foster", "emergency_residential"):
        book.keep(
            f"endings.median_days.{kind}",
            "bridging placements cannot be told apart in a 903 extract (they are U6 with "
            "the authority or K2 with a private provider), so they are counted with "
            "in-house foster care and external homes",
        )

    unplanned = p.loc[p["breakdown"]]
    reason = unplanned["reason"].astype("object")
    mapped = reason.map(lambda r: REASON_NEAREST.get(r, r))
    key = "endings.reason_mix"
    if len(mapped) < MIN_MIX_N:
        book.keep(key, f"only {len(mapped)} unplanned ending(s) in the window")
    else:
        mix = shares(mapped.value_counts().to_dict(), REASONS)
        moved = {r: int((reason == r).sum()) for r in REASON_NEAREST}
        moved_text = ", ".join(f"{r} {k} as {REASON_NEAREST[r]}" for r, k in moved.items() if k)
        book.put(
            key,
            mix,
            f"reasons of the {len(mapped)} unplanned endings in the window that the model "
            f"makes as breakdowns: {_mix_text(mix)}"
            + (f" ({moved_text}: the scenario has no key for them)" if moved_text else ""),
        )


def _ending_median(
    book: _Book,
    kind: str,
    rows: pd.DataFrame,
    shape: float,
    age_multiplier: Mapping[str, Any],
    needs: Mapping[str, float],
    out: dict,
) -> None:
    key = f"endings.median_days.{kind}"
    events = int(rows["breakdown"].sum())
    carer = int(rows["unplanned"].sum()) - events
    if events < MIN_EVENTS:
        book.keep(key, f"only {events} unplanned ending(s) of {kind} placements in the window")
        return
    location = _location_multiplier(book.template, kind)
    band = rows["age_band"].astype("object")
    m_age = band.map(lambda b: float(age_multiplier.get(b, 1.0))).to_numpy(dtype="float64")
    m_needs = band.map(lambda b: needs.get(b, 1.0)).to_numpy(dtype="float64")
    loc = rows["location"].astype("object").fillna("unknown")
    m_loc = loc.map(lambda x: location.get(x, location["unknown"])).to_numpy(dtype="float64")
    multiplier = m_age * m_needs * m_loc
    w = rows["w"].to_numpy(dtype="float64")
    total = float(w.sum())
    ln2 = math.log(2.0) ** (1.0 / shape)
    observed = (total / events) ** (1.0 / shape) * ln2
    mean_multiplier = float((multiplier * w).sum() / total) if total > 0 else 1.0
    model = observed * mean_multiplier ** (1.0 / shape)
    out.update(median_observed=observed, mean_multiplier=mean_multiplier, median_model=model)
    book.put(
        key,
        max(1.0, round(model, 0)),
        f"Weibull (shape {shape:g}, the template's) maximum likelihood scale from {len(rows)} "
        f"{kind} placements in the window: {events} unplanned endings (CREQB, CREQO, CHILD, "
        "ALLEG, STAND"
        + (
            f"; not the {carer} CLOSE or APPRR endings, which the model makes itself when "
            "carers leave or homes close"
            if kind in CARER_KINDS
            else ", CLOSE, APPRR"
        )
        + ") are events, every other ending and placements still open are censored, "
        "placements started before the window are conditioned on lasting into it; observed "
        f"median {observed:,.0f} days. The model multiplies this hazard by "
        "age, needs and location multipliers, so the observed median is multiplied by the "
        f"exposure-weighted mean multiplier {mean_multiplier:.2f} (the template's age and "
        "location multipliers at each placement's age and location, needs averaged by the "
        f"template's needs_by_age) to the power 1/shape: {model:,.0f} days",
    )


def _model_moves(template: Mapping[str, Any], placements: pd.DataFrame) -> pd.Series:
    """Planned endings that the model makes by mechanisms of its own, not care-plan moves:

    - a pathway step: the next placement is for adoption, with parents, or in supported
      accommodation (the model's adoption, placed-with-parents and supported-move steps);
    - the end of a bridging placement: one that lasted under `BRIDGING_DAYS` days;
    - a step-back: a move from a placement at a step-back location (the template's
      ``matching.step_back.from_locations``, "far" by default) into in-house foster care or a
      local home, when the template's step-back is enabled.
    """
    ordered = placements.sort_values(["period_id", "seq"])
    next_kind = ordered.groupby("period_id")["kind"].shift(-1).reindex(placements.index)
    step = next_kind.isin(["adoption", "placed_with_parents", "supported"])
    length = _days(placements["end"] - placements["start"])
    bridging = pd.Series(length < BRIDGING_DAYS, index=placements.index)
    step_back = get_dotted(template, "matching.step_back") or {}
    if step_back.get("enabled", True):
        far = (
            placements["location"]
            .astype("object")
            .isin(list(step_back.get("from_locations", ["far"])))
        )
        back = far & next_kind.isin(["inhouse_foster", "local_home"])
    else:
        back = pd.Series(False, index=placements.index)
    return (step | bridging | back).fillna(False).astype(bool)


def _planned_rate(
    book: _Book, kind: str, years: float, planned: int, care_plan: int, n: int
) -> None:
    key = f"endings.planned_move_rate_per_year.{kind}"
    if years < MIN_PLACEMENT_YEARS:
        book.keep(key, f"only {years:.1f} placement-years of {kind} care in the window")
        return
    rate = care_plan / years
    book.put(
        key,
        round(rate, 4),
        f"{care_plan} care-plan moves in {years:,.1f} placement-years of {kind} care in the "
        f"window ({n} placements): of its {planned} planned endings (not unplanned, not "
        "leaving care), those the model makes by itself are left out (moves into a placement "
        "for adoption, with parents or supported accommodation; ends of placements shorter "
        f"than {BRIDGING_DAYS} days, as bridging placements are; moves from a far placement "
        "into in-house foster care or a local home, as step-backs are). Still an upper "
        "bound: status-only changes recorded as new placements count here",
    )


# --------------------------------------------------------------------------------------------
# Time in care diagnostics


def _time_in_care_frames(
    fit: TimeInCareFit, periods: pd.DataFrame, window: _Window, diag: dict
) -> None:
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
    diag["km"] = (
        pd.concat(km_frames, ignore_index=True)[columns]
        if km_frames
        else pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    )
    diag["fitted_survival"] = (
        pd.concat(fitted_frames, ignore_index=True)
        if fitted_frames
        else pd.DataFrame({c: pd.Series(dtype="float64") for c in ("band", "day", "survival")})
    )
    exits = periods.loc[periods["route"].notna() & window.contains(periods["end"])]
    routes = ("return_home", "adoption", "sgo", "cao", "other", "at18")
    diag["exits"] = (
        exits.groupby([exits["age_band"].astype("object"), exits["route"].astype("object")])
        .size()
        .reindex(pd.MultiIndex.from_product([AGE_BANDS, routes], names=["age_band", "route"]))
        .fillna(0)
        .astype("int64")
        .rename("n")
        .reset_index()
    )


# --------------------------------------------------------------------------------------------
# estimate


def estimate(extract: Extract, template: Mapping[str, Any]) -> Estimates:
    """Estimate the scenario values of the module doc from `extract`'s window.

    `template` is the raw scenario dict (``scenario.load_raw`` or ``to_jsonable``): its values
    stand wherever the data are too thin, and its multipliers, Weibull shape and needs_by_age
    are used to turn observed ending rates into the model's medians.
    """
    window = _Window(pd.Timestamp(extract.window_start), pd.Timestamp(extract.window_end))
    periods, placements = extract.periods, extract.placements
    book = _Book(template)
    diag: dict[str, pd.DataFrame] = {}

    choice = _entries(book, periods, window, diag)

    template_mix = get_dotted(template, "pathways.route_mix_by_age") or {}
    template_durations = get_dotted(template, "pathways.durations") or {}
    fallback_durations = {
        r: (float(d["median_days"]), float(d.get("sigma", 1.0)))
        for r, d in template_durations.items()
        if isinstance(d, Mapping) and "median_days" in d
    }
    fit = fit_time_in_care(
        periods,
        window.end,
        window_start=window.start,
        fallback_mix=template_mix,
        fallback_durations=fallback_durations,
    )
    _route_mix(book, fit, template_mix)
    _durations(book, fit)
    _pathway_steps(book, periods, placements, window)
    _provision(book, periods, placements, window, diag)
    _endings(book, placements, window, diag)
    _time_in_care_frames(fit, periods, window, diag)
    return Estimates(book.values, book.notes, diag, fit, choice)
