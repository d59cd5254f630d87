"""Charts of a comparison's tidy results (results.csv of `compare`): placement types, out of
area, placements per child, bridging, occupancy and cost, each with its interval band; and
`APPRAISAL_CHARTS`, the one list of them with their file names and captions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sufficiency_sim.appraisal.statistics import (
    HORIZON,
    YEAR,
    level_summary,
    paired_differences,
    scenario_order,
    year_label,
)
from sufficiency_sim.report.charts.base import (
    BASELINE_STYLE,
    PLACEMENT_STYLES,
    PLACEMENT_TYPES,
    Style,
    clip_to_bounds,
    figure_legend,
    fill_band,
    panel_grid,
    scenario_styles,
    short_name,
    timeseries_figure,
    year_axis,
)
from sufficiency_sim.report.labels import unit_label

# ---------------------------------------------------------------------------------------------
# Charts from the tidy results frame (results.csv of `compare`). `baseline` defaults to the
# first scenario in the results, which is where `compare` puts the baseline.

Band = Literal["ci", "range"]
_KEYS = ["scenario", "replication", "year"]


def _check_results(results: pd.DataFrame, measures: Sequence[str] = ()) -> None:
    missing = [c for c in (*_KEYS, *measures) if c not in results.columns]
    if missing:
        raise ValueError(
            f"the results have no column(s) {', '.join(missing)}: expected the tidy results of "
            "`compare` (scenario, replication, year, then one column per measure)"
        )


def _baseline(results: pd.DataFrame, baseline: str | None) -> str | None:
    """The baseline's name: as given, else the first scenario of the results (`compare` writes
    the baseline first)."""
    if baseline is not None:
        if baseline not in set(results["scenario"]):
            raise ValueError(f"no scenario {baseline!r} (the baseline) in the results")
        return baseline
    names = scenario_order(results)
    return names[0] if names else None


def _levels(results: pd.DataFrame, measures: Sequence[str], confidence: float) -> pd.DataFrame:
    """`appraisal.level_summary` of the chosen measures only."""
    present = [m for m in measures if m in results.columns]
    return level_summary(results[[*_KEYS, *present]], confidence)


def _band_rows(
    results: pd.DataFrame, measures: Sequence[str], band: Band, confidence: float
) -> pd.DataFrame:
    """Yearly mean with a band per scenario and measure: the CI of the mean ("ci") or the
    central `confidence` range of the replications themselves ("range")."""
    if band == "ci":
        levels = _levels(results, measures, confidence)
        return levels[levels["period"].eq(YEAR)]
    if band != "range":
        raise ValueError(f"band must be 'ci' or 'range', not {band!r}")
    long = results[[*_KEYS, *measures]].melt(id_vars=_KEYS, var_name="measure")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    grouped = long.groupby(["scenario", "year", "measure"], sort=False)["value"]
    tail = (1.0 - confidence) / 2
    table = grouped.agg(mean="mean").reset_index()
    table["lower"] = grouped.quantile(tail).to_numpy()
    table["upper"] = grouped.quantile(1.0 - tail).to_numpy()
    return table


def _band_words(band: Band, confidence: float) -> str:
    pct = f"{confidence:.0%}"
    if band == "range":
        return f"mean and central {pct} of replications"
    return f"mean and {pct} confidence interval"


def _placement_line(ax, kind: str, data: pd.DataFrame) -> None:
    """One placement type's mean by year, in its style, over its shaded band."""
    style = PLACEMENT_STYLES[kind]
    x = data["year"].astype(int).to_numpy()
    lower, upper = clip_to_bounds(kind, data["lower"], data["upper"])
    ax.fill_between(x, lower, upper, facecolor=style.colour, alpha=0.15, linewidth=0)
    ax.plot(
        x,
        data["mean"].to_numpy(float),
        color=style.colour,
        linestyle=style.line,
        marker=style.marker,
        markersize=4,
        linewidth=1.5,
        label=style.label,
    )


def placement_types_chart(
    results: pd.DataFrame,
    scenarios: Sequence[str] | None = None,
    band: Band = "ci",
    confidence: float = 0.95,
    types: Sequence[str] = PLACEMENT_TYPES,
) -> Figure:
    """Children in care on 31 March by placement type, by financial year: one panel per
    scenario (all of them, or those named in `scenarios`), one line per placement type in its
    `PLACEMENT_STYLES` style with a shaded band: the 95% confidence interval of the mean over
    replications (`band="ci"`) or the central 95% of the replications themselves
    (`band="range"`). Placement types with no child in any scenario and year are left out."""
    _check_results(results)
    names = list(scenarios) if scenarios is not None else scenario_order(results)
    unknown = [n for n in names if n not in set(results["scenario"])]
    if unknown:
        raise ValueError(f"no scenario {', '.join(map(repr, unknown))} in the results")
    chosen = results[results["scenario"].isin(names)]
    columns = [t for t in types if t in chosen.columns]
    used = [t for t in columns if pd.to_numeric(chosen[t], errors="coerce").fillna(0).gt(0).any()]
    rows = _band_rows(chosen, used, band, confidence)
    single = len(names) == 1
    fig, axes = panel_grid(
        len(names), columns=1 if single else 2, height=3.4, width=8.0 if single else 6.0
    )
    top = float(rows["upper"].max()) if len(rows) else 1.0
    for ax, name in zip(axes, names, strict=True):
        mine = rows[rows["scenario"].eq(name)]
        for kind in used:
            _placement_line(ax, kind, mine[mine["measure"].eq(kind)].sort_values("year"))
        year_axis(ax, sorted(mine["year"].dropna().astype(int).unique()))
        ax.set_ylim(0, top * 1.05 if top > 0 else 1.0)
        ax.set_title(short_name(name, 60), fontsize=10)
        ax.set_ylabel("children in care at 31 March", fontsize=8)
    figure_legend(fig, axes, min(len(used), 3) if used else 1)
    fig.suptitle(
        f"Children in care by placement type{chr(10) if single else ' '}"
        f"({_band_words(band, confidence)})",
        fontsize=12,
    )
    return fig


def measures_by_year_chart(
    results: pd.DataFrame,
    measures: Sequence[str],
    baseline: str | None = None,
    title: str | None = None,
    confidence: float = 0.95,
) -> Figure:
    """Any measures by financial year: one panel per measure, one line per scenario (the
    baseline solid black) with the 95% confidence interval of its mean over replications.
    Measures not in the results are left out."""
    _check_results(results)
    baseline = _baseline(results, baseline)
    levels = _levels(results, measures, confidence)
    words = _band_words("ci", confidence)
    return timeseries_figure(
        levels,
        baseline,
        measures,
        title or f"By financial year ({words})",
        columns=min(2, max(1, len(measures))),
    )


def out_of_area_chart(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> Figure:
    """Share of children in care on 31 March placed outside the boundary, and more than
    20 miles from home, by financial year and option (mean and 95% confidence interval)."""
    return measures_by_year_chart(
        results,
        ("pct_out_of_area", "pct_over_20_miles"),
        baseline,
        f"Placed out of area, by option ({_band_words('ci', confidence)})",
        confidence,
    )


def bridging_chart(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> Figure:
    """Mean days in bridging placements (those that ended in the year) and children in a
    bridging placement on 31 March, by financial year and option (mean and 95% CI)."""
    return measures_by_year_chart(
        results,
        ("mean_days_bridging", "bridging_31_march"),
        baseline,
        f"Bridging placements, by option ({_band_words('ci', confidence)})",
        confidence,
    )


def occupancy_chart(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> Figure:
    """Occupancy of the council's approved in-house foster places and of local children's
    home beds (time-weighted over each financial year), by option (mean and 95% CI)."""
    return measures_by_year_chart(
        results,
        ("inhouse_occupancy_pct", "local_home_occupancy_pct"),
        baseline,
        f"Occupancy of in-house carers and local homes ({_band_words('ci', confidence)})",
        confidence,
    )


def cost_chart(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> Figure:
    """Cost per financial year by option (£ million, mean and 95% CI) and, when there is a
    baseline and at least one option, each option's cost difference from the baseline per
    year with the 95% interval of the paired difference (negative is a saving)."""
    _check_results(results, ["cost_gbp"])
    baseline = _baseline(results, baseline)
    names = scenario_order(results)
    styles = scenario_styles(names, baseline)
    levels = _levels(results, ["cost_gbp"], confidence)
    with_diff = baseline is not None and baseline in names and len(names) > 1
    fig, axes = panel_grid(2 if with_diff else 1, columns=2 if with_diff else 1, height=3.6)
    yearly = levels[levels["period"].eq(YEAR)]
    years = sorted(yearly["year"].dropna().astype(int).unique())
    for name in names:
        data = yearly[yearly["scenario"].eq(name)].sort_values("year")
        lower, upper = clip_to_bounds("cost_gbp", data["lower"], data["upper"])
        data = data.assign(lower=lower, upper=upper)
        fill = fill_band(name, baseline, len(names))
        _band_line(axes[0], data, styles[name], name, "mean", "lower", "upper", 1e6, fill)
    year_axis(axes[0], years)
    axes[0].set_title("Cost per year", fontsize=10)
    axes[0].set_ylabel(unit_label("cost_gbp"), fontsize=8)
    if with_diff:
        diffs = paired_differences(results[[*_KEYS, "cost_gbp"]], baseline, confidence)
        diffs = diffs[diffs["period"].eq(YEAR)]
        for name in names:
            if name == baseline:
                continue
            data = diffs[diffs["option"].eq(name)].sort_values("year")
            _band_line(
                axes[1],
                data,
                styles[name],
                name,
                "difference",
                "paired_lower",
                "paired_upper",
                1e6,
                len(names) <= 3,
            )
        axes[1].axhline(0.0, color="black", linewidth=0.8)
        year_axis(axes[1], years)
        axes[1].set_title(f"Difference from baseline ({baseline})", fontsize=10)
        axes[1].set_ylabel("£ million per year (option − baseline)", fontsize=8)
    figure_legend(fig, axes[:1], len(names))
    title = "Cost by option" if len(names) > 1 else "Cost"
    fig.suptitle(f"{title} ({_band_words('ci', confidence)})", fontsize=12)
    return fig


def _band_line(
    ax,
    data: pd.DataFrame,
    style: Style,
    name: str,
    mid: str,
    lo: str,
    hi: str,
    scale: float,
    fill: bool = True,
) -> None:
    if data.empty:
        return
    x = data["year"].astype(int).to_numpy()
    if fill:
        ax.fill_between(
            x,
            data[lo].to_numpy(float) / scale,
            data[hi].to_numpy(float) / scale,
            color=style.colour,
            alpha=0.15,
            linewidth=0,
        )
    ax.plot(
        x,
        data[mid].to_numpy(float) / scale,
        color=style.colour,
        linestyle=style.line,
        marker=style.marker,
        markersize=4,
        linewidth=1.5,
        label=name,
    )


PLACEMENT_COUNT_MEASURES: tuple[tuple[str, str], ...] = (
    ("pct_1_placement", "1 placement"),
    ("pct_2_placements", "2 placements"),
    ("pct_3plus_placements", "3 or more"),
)
"""The measures of `placements_per_child_chart` and their labels."""


def _bar_face(style: Style) -> str:
    """A lighter fill for bars, so that the hatch and the edge show (grey for the baseline)."""
    if style.colour == BASELINE_STYLE.colour:
        return "#9a9a9a"
    red, green, blue = (int(style.colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c + (255 - c) * 0.45) for c in (red, green, blue)))


def _rows_of_year(
    levels: pd.DataFrame, results: pd.DataFrame, year: int | None
) -> tuple[pd.DataFrame, str]:
    """The level rows of one financial year (or of the whole horizon when `year` is None),
    and the words for that period."""
    if year is None:
        rows = levels[levels["period"].eq(HORIZON)]
        when = f"mean of the years {year_label(int(results['year'].min()))} to " + year_label(
            int(results["year"].max())
        )
        return rows, when
    rows = levels[levels["period"].eq(YEAR) & levels["year"].eq(year)]
    if rows.empty:
        raise ValueError(f"no results for the year {year}")
    return rows, f"financial year {year_label(year)}"


def placements_per_child_chart(
    results: pd.DataFrame,
    baseline: str | None = None,
    year: int | None = None,
    confidence: float = 0.95,
) -> Figure:
    """How many placements the children in care on 31 March had in the year: the shares with
    1, 2 and 3 or more placements, one bar per option in each group, with the 95% confidence
    interval of the mean over replications. For one financial year (`year`, labelled by the
    year it ends), or by default the mean of the yearly shares over the whole horizon."""
    measures = [m for m, _ in PLACEMENT_COUNT_MEASURES]
    _check_results(results, measures)
    baseline = _baseline(results, baseline)
    names = scenario_order(results)
    styles = scenario_styles(names, baseline)
    levels = _levels(results, measures, confidence)
    rows, when = _rows_of_year(levels, results, year)
    fig = Figure(figsize=(9.0, 4.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    width = 0.8 / max(len(names), 1)
    groups = np.arange(len(measures))
    for index, name in enumerate(names):
        style = styles[name]
        mine = rows[rows["scenario"].eq(name)].set_index("measure").reindex(measures)
        mean = mine["mean"].to_numpy(float)
        lower, upper = mine["lower"].to_numpy(float), mine["upper"].to_numpy(float)
        x = groups - 0.4 + width * (index + 0.5)
        ax.bar(
            x,
            mean,
            width=width * 0.95,
            facecolor=_bar_face(style),
            edgecolor=style.colour,
            hatch=style.hatch,
            linewidth=1.0,
            label=name,
        )
        ax.errorbar(
            x,
            mean,
            yerr=[mean - np.clip(lower, 0, 100), np.clip(upper, 0, 100) - mean],
            fmt="none",
            ecolor="black",
            capsize=3,
            linewidth=1.0,
        )
    ax.set_xticks(groups, [label for _, label in PLACEMENT_COUNT_MEASURES], fontsize=9)
    ax.set_xlabel("Placements during the year", fontsize=9)
    ax.set_ylabel("% of children in care at 31 March", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(
        f"Placements per child in care, {when} ({_band_words('ci', confidence)})", fontsize=11
    )
    return fig


@dataclass(frozen=True)
class AppraisalChart:
    """One chart of a comparison's results: its file name in the compare folder, its caption,
    the measures it shows and how to draw it from the tidy results."""

    file: str
    caption: str
    measures: tuple[str, ...]
    draw: Callable[[pd.DataFrame, str | None, float], Figure]


APPRAISAL_CHARTS: tuple[AppraisalChart, ...] = (
    AppraisalChart(
        "placement_types.png",
        "Children in care by placement type",
        ("inhouse_foster", "ifa_foster", "childrens_home"),
        lambda results, baseline, confidence: placement_types_chart(results, confidence=confidence),
    ),
    AppraisalChart(
        "out_of_area.png",
        "Placed out of area",
        ("pct_out_of_area", "pct_over_20_miles"),
        out_of_area_chart,
    ),
    AppraisalChart(
        "placements_per_child.png",
        "Placements per child in the year",
        ("pct_1_placement", "pct_3plus_placements"),
        lambda results, baseline, confidence: placements_per_child_chart(
            results, baseline, confidence=confidence
        ),
    ),
    AppraisalChart(
        "bridging.png",
        "Bridging placements",
        ("mean_days_bridging", "bridging_31_march"),
        bridging_chart,
    ),
    AppraisalChart(
        "occupancy.png",
        "Occupancy of in-house carers and local homes",
        ("inhouse_occupancy_pct", "local_home_occupancy_pct"),
        occupancy_chart,
    ),
    AppraisalChart("cost_by_year.png", "Cost by option", ("cost_gbp",), cost_chart),
)
"""The charts of a comparison beyond the key measures and differences, in order: written by
`compare` (`appraisal_figures`) and drawn again by the HTML report, from this one list."""


def appraisal_figures(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> dict[str, Figure]:
    """Every chart of `APPRAISAL_CHARTS` for a comparison's tidy results, keyed by file name.
    The placement types are shown for every scenario."""
    return {chart.file: chart.draw(results, baseline, confidence) for chart in APPRAISAL_CHARTS}
