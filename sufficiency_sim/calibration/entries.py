"""Entries into care: the rate and trend, the age mix, the share of girls and the legal status
at entry, of the periods of care started in the window.

``entries.rate_per_year`` and ``entries.trend_pct_per_year``
    `entry_rate.choose_entry_rate` over the window's complete collection years (the level,
    the mean over those years, unless a Poisson log-linear trend forecast the window's own
    later years better in rolling-origin validation and lies at least two standard errors
    from zero; such a trend is shrunk towards zero by 1 - (2/z)^2).
``entries.age_mix``, ``female_share``, ``legal_status_mix``
    Of the periods started in the window; LS C2, J1-J3, D1, E1 count as C1, L3 as L2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sufficiency_sim.calibration.entry_rate import EntryRateChoice, choose_entry_rate
from sufficiency_sim.calibration.extract import Extract
from sufficiency_sim.calibration.parts import (
    MIN_MIX_N,
    MIN_SHARE_N,
    Part,
    combine,
    estimated,
    evidence,
    kept,
    mix_text,
    shares,
)
from sufficiency_sim.calibration.window import Window, collection_year_series
from sufficiency_sim.vocabulary import AGE_BANDS

__all__ = ["LEGAL_KEYS", "LEGAL_NEAREST", "estimate_entries"]

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

_RATE = "entries.rate_per_year"
_TREND = "entries.trend_pct_per_year"


def estimate_entries(
    extract: Extract, template: Mapping[str, Any]
) -> tuple[Part, EntryRateChoice | None]:
    """The entries section's values, with the starts by year and age band as evidence, and the
    entry-rate choice (None when the window holds no complete collection year)."""
    window = Window.of(extract)
    periods = extract.periods
    starts = periods.loc[window.contains(periods["start"])]
    years = window.complete_years()
    year = collection_year_series(starts["start"])
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
    per_year = by_year.groupby("year").size().reindex(years, fill_value=0)
    rate, choice = _rate_and_trend(template, per_year)
    part = combine(
        evidence("entries_by_year", table),
        rate,
        _age_mix(template, starts),
        _female_share(template, starts),
        _legal(template, starts),
    )
    return part, choice


def _rate_and_trend(
    template: Mapping[str, Any], per_year: pd.Series
) -> tuple[Part, EntryRateChoice | None]:
    years = list(per_year.index)
    if not years:
        why = "the window holds no complete collection year"
        return combine(kept(template, _RATE, why), kept(template, _TREND, why)), None
    choice = choose_entry_rate(per_year)
    listed = ", ".join(f"{y - 1}-{str(y)[2:]}: {n}" for y, n in per_year.items())
    how = (
        "the shrunk trend's rate at the window's end"
        if choice.chosen == "trend"
        else "the mean over the window, as no trend is used"
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
    part = combine(
        evidence("entry_rate_choice", choice.evidence),
        estimated(
            _RATE,
            round(choice.rate, 1),
            f"children starting a period of care per year: {how} ({listed})",
        ),
        estimated(_TREND, choice.trend_pct, fitted + choice.reason),
    )
    return part, choice


def _age_mix(template: Mapping[str, Any], starts: pd.DataFrame) -> Part:
    n = len(starts)
    if n < MIN_MIX_N:
        why = f"only {n} period(s) of care started in the window (fewer than {MIN_MIX_N})"
        return kept(template, "entries.age_mix", why)
    mix = shares(starts["age_band"].value_counts().to_dict(), AGE_BANDS)
    return estimated(
        "entries.age_mix",
        mix,
        f"age at entry of the {n} periods of care started in the window: {mix_text(mix)}",
    )


def _female_share(template: Mapping[str, Any], starts: pd.DataFrame) -> Part:
    sex = starts["sex"].dropna()
    if len(sex) < MIN_SHARE_N:
        return kept(
            template, "entries.female_share", f"sex known for only {len(sex)} children starting"
        )
    female = float((sex == 2).mean())
    return estimated(
        "entries.female_share",
        round(female, 4),
        f"share of girls (SEX 2 or F) among the {len(sex)} entrants of known sex",
    )


def _legal(template: Mapping[str, Any], starts: pd.DataFrame) -> Part:
    key = "entries.legal_status_mix"
    ls = starts["legal_at_entry"].astype("object").fillna("")
    mapped = ls.map(LEGAL_NEAREST)
    known = mapped.notna()
    n = int(known.sum())
    unknown = int((~known).sum())
    if n < MIN_MIX_N:
        return kept(template, key, f"legal status at entry known for only {n} entrants")
    mix = shares(mapped[known].value_counts().to_dict(), LEGAL_KEYS)
    moved = {code: int((ls == code).sum()) for code in ("C2", "J1", "J2", "J3", "D1", "E1", "L3")}
    moved_text = ", ".join(f"{c} {k}" for c, k in moved.items() if k)
    note = (
        f"LS of the first episode of the {n} periods started in the window: {mix_text(mix)}; "
        "C2, remand and PACE (J1-J3) and freeing or placement orders (D1, E1) counted as C1 "
        "(a court order), child assessment orders (L3) as L2"
    )
    if moved_text:
        note += f" ({moved_text})"
    if unknown:
        note += f"; {unknown} with a blank or unknown LS left out"
    return estimated(key, mix, note)
