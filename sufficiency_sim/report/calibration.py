"""The calibration report: markdown with PNG charts, written beside a calibrated scenario.

It shows what the extract said against what the calibrated model does: entries by year against
the fitted rate, time in care (Kaplan-Meier with 95% band) against the fitted model by age band
at entry, how children left, placement endings by type, and an in-sample check (the calibrated
model simulated from the census some years before the window's end against the extract's own
indicators for those years). Also the data rules and their counts, and which scenario values
came from the data and which from the template. Counts and rates only: no identifiers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sufficiency_sim.calibration.backtest import (
    coverage,
)
from sufficiency_sim.calibration.in_sample import in_sample_check
from sufficiency_sim.calibration.pipeline import Calibration
from sufficiency_sim.files import atomic
from sufficiency_sim.report.charts import save_png
from sufficiency_sim.report.text import LABELS
from sufficiency_sim.scenario.keys import get_key
from sufficiency_sim.tables import markdown_table
from sufficiency_sim.vocabulary import AGE_BANDS, YEAR_DAYS

CHECK_MEASURES = (
    "cla_31_march",
    "starts",
    "ceased",
    "pct_out_of_area",
    "pct_3plus_placements",
    "pct_long_term_stable",
)
_GREYS = ("#000000", "#444444", "#777777", "#999999", "#bbbbbb")
_LINES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))


def _table(frame: pd.DataFrame, floatfmt: str = "{:.1f}") -> str:
    """A markdown table of a frame (floats as `floatfmt` says, NaN as "-"), "_(none)_" when
    it is empty; with a final newline."""
    if frame.empty:
        return "_(none)_\n"

    def cell(value) -> str:
        if isinstance(value, float | np.floating):
            return "-" if math.isnan(value) else floatfmt.format(value)
        return str(value)

    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False)]
    return markdown_table([str(c) for c in frame.columns], rows) + "\n"


def _summary_value(value) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_summary_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def entries_chart(diag: pd.DataFrame, rate: float, trend: float, path: Path) -> None:
    """Children starting care per collection year (bars by age band) and the fitted rate."""
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    table = diag.pivot_table(index="year", columns="age_band", values="starts", aggfunc="sum")
    table = table.reindex(columns=[b for b in AGE_BANDS if b in table.columns]).fillna(0)
    bottom = np.zeros(len(table))
    hatches = ("", "//", "..", "xx", "\\\\")
    for i, band in enumerate(table.columns):
        ax.bar(
            table.index,
            table[band],
            bottom=bottom,
            color=_GREYS[i % 5],
            alpha=0.55,
            hatch=hatches[i % 5],
            edgecolor="black",
            label=f"aged {band} at entry",
        )
        bottom += table[band].to_numpy()
    if len(table):
        last = int(table.index.max())
        years = np.arange(int(table.index.min()), last + 2)
        fitted = rate * (1 + trend / 100.0) ** (years - (last + 1))
        ax.plot(years, fitted, "k-", marker="o", label="calibrated entry rate")
    ax.set_xlabel("collection year ending 31 March")
    ax.set_ylabel("children starting care per year")
    ax.set_title("Entries: observed by age band, and the calibrated rate")
    ax.legend(fontsize=7, loc="lower left")
    save_png(fig, path)


def survival_chart(km: pd.DataFrame, fitted: pd.DataFrame, path: Path) -> None:
    """Kaplan-Meier time in care with its 95% band against the fitted model, by band."""
    bands = [b for b in AGE_BANDS if b in set(km["band"])]
    fig = Figure(figsize=(10, 6))
    axes = fig.subplots(2, 3, sharex=True, sharey=True).ravel()
    for ax, band in zip(axes, bands, strict=False):
        k = km[km["band"] == band]
        f = fitted[fitted["band"] == band]
        ax.step(k["day"] / YEAR_DAYS, k["survival"], where="post", color="black", label="observed")
        ax.fill_between(
            k["day"] / YEAR_DAYS, k["lower"], k["upper"], step="post", color="0.8", label="95% band"
        )
        ax.plot(f["day"] / YEAR_DAYS, f["survival"], "k--", label="calibrated model")
        ax.set_title(f"aged {band} at entry")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[len(bands) :]:
        ax.set_visible(False)
    for ax in axes[::3]:
        ax.set_ylabel("share still in care")
    for ax in axes[3:]:
        ax.set_xlabel("years since entering care")
    axes[0].legend(fontsize=7)
    fig.suptitle("Time in care: Kaplan-Meier (left-truncated, censored) against the model")
    save_png(fig, path)


def endings_chart(endings: pd.DataFrame, path: Path) -> None:
    """Unplanned and planned placement endings per placement-year, by placement type."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    frame = endings[endings["placement_years"] > 0]
    x = np.arange(len(frame))
    ax.bar(x - 0.2, frame["unplanned_per_year"], 0.4, color="0.2", label="unplanned")
    ax.bar(
        x + 0.2,
        frame["planned_per_year"],
        0.4,
        color="0.75",
        hatch="//",
        edgecolor="black",
        label="planned",
    )
    ax.set_xticks(x, frame["kind"], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("endings per placement-year")
    ax.set_title("Placement endings in the window, by placement type")
    ax.legend()
    fig.tight_layout()
    save_png(fig, path)


def check_chart(table: pd.DataFrame, path: Path) -> None:
    """Observed indicators against the simulated mean and 95% band, one panel per measure."""
    measures = [m for m in CHECK_MEASURES if m in set(table["measure"])]
    fig = Figure(figsize=(10, 6))
    axes = fig.subplots(2, 3).ravel()
    for ax, measure in zip(axes, measures, strict=False):
        t = table[table["measure"] == measure].sort_values("year")
        ax.fill_between(t["year"], t["lower"], t["upper"], color="0.85", label="95% band")
        ax.plot(t["year"], t["mean"], "k--", marker="s", label="calibrated model")
        ax.plot(t["year"], t["observed"], "k-", marker="o", label="observed")
        ax.set_title(LABELS.get(measure, measure), fontsize=9)
        ax.set_xticks(list(t["year"]))
        ax.grid(alpha=0.3)
    for ax in axes[len(measures) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle("In-sample check: the calibrated model against the extract (year ending 31 March)")
    fig.tight_layout()
    save_png(fig, path)


def write_report(
    calibration: Calibration,
    directory: Path,
    *,
    template_file: Path,
    replications: int = 20,
    seed: int = 2019,
    jobs: int | None = 1,
    quiet: bool = True,
    episodes: pd.DataFrame | None = None,
    header: pd.DataFrame | None = None,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
) -> str:
    """Write report.md and its charts into `directory`; return a one-paragraph summary."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    extract = calibration.extract
    start, end = pd.Timestamp(extract.window_start), pd.Timestamp(extract.window_end)
    name = calibration.data["name"]
    values = calibration.estimates.values
    rate = float(values.get("entries.rate_per_year", calibration.data["entries"]["rate_per_year"]))
    trend = float(values.get("entries.trend_pct_per_year", 0.0))
    sections = _opening(calibration, template_file, start, end)
    sections += _entries_sections(calibration, directory, rate, trend)
    sections += _fit_sections(calibration, directory)
    summary = (
        f"{name}: {len(extract.periods)} periods of care in the window, "
        f"{len(calibration.census)} children in care at {end.date()}, "
        f"entry rate {rate:.1f} a year."
    )
    years = min(3, int(end.year - start.year) - 1)
    if replications > 0 and years >= 1 and episodes is not None and header is not None:
        table = in_sample_check(
            calibration,
            episodes,
            header,
            uasc,
            exclude_uasc,
            years,
            replications=replications,
            seed=seed,
            jobs=jobs,
            quiet=quiet,
        )
        sections += _check_sections(table, directory, replications, years, end)
        summary += (
            f" In-sample check over {years} year(s): observed in the 95% band in "
            f"{100 * coverage(table):.0f}% of {len(table)} cells."
        )
    atomic.write_text(directory / "report.md", "\n".join(sections))
    return summary


def _opening(
    calibration: Calibration, template_file: Path, start: pd.Timestamp, end: pd.Timestamp
) -> list[str]:
    """The title, the window, the data rules and where each value came from."""
    return [
        f"# Calibration report: {calibration.data['name']}\n",
        f"Calibrated by `sufficiency-sim calibrate` on the window {start:%d %B %Y} to "
        f"{end:%d %B %Y}; the scenario starts on {end + pd.Timedelta(days=1):%d %B %Y} from "
        f"the census of the {len(calibration.census)} children looked after on {end:%d %B %Y}. "
        f"Template for what SSDA903 does not hold (capacity, costs, needs, matching, carers): "
        f"`{template_file}`. This report, the scenario and the census hold counts, rates and "
        "ages only: no child's identifier, date of birth or postcode.\n",
        "## Data rules applied\n",
        "Each rule is documented in `sufficiency_sim/calibration/prepare.py` and "
        "`sufficiency_sim/calibration/census.py`.\n",
        _table(
            pd.DataFrame(
                {"rule": list(calibration.rules), "count": list(calibration.rules.values())}
            )
        ),
        "## Where each value came from\n",
        _table(
            pd.DataFrame(
                [
                    {
                        "key": p.key,
                        "source": p.source,
                        "value": _summary_value(get_key(calibration.data, p.key, None))
                        if p.source != "template"
                        else "",
                        "how": p.note,
                    }
                    for p in sorted(calibration.provenance, key=lambda p: (p.source, p.key))
                ]
            )
        ),
    ]


def _entries_sections(
    calibration: Calibration, directory: Path, rate: float, trend: float
) -> list[str]:
    """Entries by year against the rate, and the level-or-trend choice with its evidence."""
    diag = calibration.estimates.diagnostics
    sections: list[str] = []
    if "entries_by_year" in diag:
        entries_chart(diag["entries_by_year"], rate, trend, directory / "entries.png")
        by_year = diag["entries_by_year"].groupby("year", as_index=False)["starts"].sum()
        sections += [
            "## Entries\n",
            f"Calibrated entry rate: **{rate:.1f} a year**, trend {trend:+.1f}% a year after the "
            "start date.\n",
            "![Entries by year](entries.png)\n",
            _table(by_year, "{:.0f}"),
        ]
    choice = calibration.estimates.entry_choice
    if choice is not None:
        sections += [
            "### Level or trend\n",
            f"Chosen: **{choice.chosen}** ({choice.trend_pct:+.2f}% a year used; fitted "
            f"{choice.fitted_trend_pct:+.2f}%, 95% CI {choice.trend_low_pct:+.1f}% to "
            f"{choice.trend_high_pct:+.1f}%, {abs(choice.z):.1f} standard errors from zero). "
            f"Why: {choice.reason}. Rolling-origin validation inside the window (each "
            "candidate fitted to the years before an origin, forecasting up to three years "
            "after it; see `sufficiency_sim/calibration/entry_rate.py`):\n",
            _table(choice.evidence),
            f"The forecast's band draws the entry rate per replication with a relative standard "
            f"error of {100 * choice.rate_cv:.1f}% and the trend with {choice.trend_se_pct:.1f}% "
            "a year, with the time in care by route (`uncertainty.py`).\n",
        ]
    return sections


def _fit_sections(calibration: Calibration, directory: Path) -> list[str]:
    """Time in care, exits, endings (and their refinement), first placements, locations."""
    diag = calibration.estimates.diagnostics
    sections: list[str] = []
    if "km" in diag and "fitted_survival" in diag:
        survival_chart(diag["km"], diag["fitted_survival"], directory / "time_in_care.png")
        sections += [
            "## Time in care\n",
            "Kaplan-Meier estimate by age band at entry (open periods censored at the window's "
            "end; periods that began before the window counted from the window's start), "
            "against the calibrated model's survival curve.\n",
            "![Time in care](time_in_care.png)\n",
        ]
    if "exits" in diag:
        sections += ["## How children left care (exits in the window)\n", _table(diag["exits"])]
    if "endings" in diag:
        endings_chart(diag["endings"], directory / "endings.png")
        sections += [
            "## Placement endings\n",
            "![Placement endings](endings.png)\n",
            _table(diag["endings"], "{:.3f}"),
        ]
    if not calibration.refinement.empty:
        sections += [
            "## Placement endings refined by simulation\n",
            "The model makes placements end in ways the direct estimates cannot see (bridging "
            "placements ending when a search succeeds, step-backs, carers leaving). So the "
            "calibrated model was simulated over the window's last years from the census at "
            "their start, measured with the same estimator as the extract, and each ending "
            "median and planned-move rate corrected by the gap (see "
            "`sufficiency_sim/calibration/refine.py`). Rates per placement-year:\n",
            _table(calibration.refinement, "{:.3f}"),
        ]
    if "first_placement" in diag:
        sections += ["## First placements by age band\n", _table(diag["first_placement"], "{:.3f}")]
    if "locations" in diag:
        sections += ["## Placement locations\n", _table(diag["locations"], "{:.3f}")]
    return sections


def _check_sections(
    table: pd.DataFrame, directory: Path, replications: int, years: int, end: pd.Timestamp
) -> list[str]:
    """The in-sample check's chart, table and coverage (its CSV written beside them)."""
    check = table[table["measure"].isin(CHECK_MEASURES)]
    check_chart(check, directory / "in_sample_check.png")
    atomic.write_csv(directory / "in_sample_check.csv", table)
    return [
        "## In-sample check: the extract's last years against the calibrated model\n",
        f"The calibrated model simulated ({replications} replications) from the census of "
        f"31 March {end.year - years}, against the extract's own indicators for the "
        f"{years} years after it. The observed value lies in the 95% prediction band in "
        f"{int(table['inside'].sum())} of {len(table)} year-indicator cells "
        f"({100 * coverage(table):.0f}%).\n",
        "![In-sample check](in_sample_check.png)\n",
        _table(table),
    ]
