"""Charts of an options appraisal or a parameter sweep (matplotlib, Agg, no pyplot state).

Two kinds of function:

- chart *figures* from the tidy results frame of `compare` (columns scenario, replication,
  year, then one column per measure, as in results.csv): `placement_types_chart`,
  `measures_by_year_chart`, `out_of_area_chart`, `placements_per_child_chart`,
  `bridging_chart`, `occupancy_chart`, `cost_chart` and `appraisal_figures` (all of them,
  keyed by file name). Each returns a `matplotlib.figure.Figure` for a notebook to show, or
  for `save_png` / `png_bytes`;
- the charts `compare` and `sweep` have always written, which take summary tables and a path
  (`timeseries_chart`, `differences_chart`, `sweep_chart`).

Readable in greyscale: every scenario has its own line style, marker and bar hatch as well as
its colour (the baseline is always solid black), and keeps them in every chart of a run; every
placement type has one colour, line style, marker and hatch in every chart
(`PLACEMENT_STYLES`). Axes say their units. Files are written atomically, so an interrupted run
never leaves half a PNG.
"""

from __future__ import annotations

import io
import itertools
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sufficiency_sim.appraisal.statistics import (
    HORIZON,
    YEAR,
    better_direction,
    year_label,
)
from sufficiency_sim.files.atomic import atomic_open
from sufficiency_sim.report.labels import CHART_UNITS, chart_title, unit_label, unit_scale

KEY_MEASURES: tuple[str, ...] = (
    "pct_out_of_area",
    "pct_3plus_placements",
    "pct_long_term_stable",
    "bridging_31_march",
    "unplanned_endings",
    "inhouse_foster",
    "out_of_area_child_years",
    "cost_gbp",
)
"""The measures charted, in panel order."""

# Okabe-Ito colours (colour-blind safe), without yellow, which vanishes on white.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F")
_LINES = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 3)))
_MARKERS = ("s", "^", "D", "v", "P", "X", "*", "h", "<", ">")
_HATCHES = ("//", "\\\\", "xx", "..", "++", "oo", "--")


@dataclass(frozen=True)
class Style:
    """How one scenario is drawn in every chart: colour, line style and marker for lines,
    hatch for bars."""

    colour: str
    line: object
    marker: str
    hatch: str = ""


BASELINE_STYLE = Style("#000000", "-", "o", "")


@dataclass(frozen=True)
class PlacementStyle:
    """How one placement type is drawn in every chart: its label, colour, line style and
    marker for lines, and hatch for bars and areas."""

    label: str
    colour: str
    line: object
    marker: str
    hatch: str


PLACEMENT_STYLES: Mapping[str, PlacementStyle] = MappingProxyType(
    {
        "kinship_foster": PlacementStyle("Kinship foster care", "#009E73", "-", "o", "//"),
        "inhouse_foster": PlacementStyle("In-house foster care", "#0072B2", "--", "s", ""),
        "ifa_foster": PlacementStyle("Agency (IFA) foster care", "#56B4E9", "-.", "^", ".."),
        "childrens_home": PlacementStyle("Children's homes", "#D55E00", ":", "D", "xx"),
        "secure": PlacementStyle("Secure homes", "#000000", (0, (5, 1)), "v", "++"),
        "supported": PlacementStyle(
            "Supported accommodation", "#CC79A7", (0, (3, 1, 1, 1)), "P", "\\\\"
        ),
        "with_parents": PlacementStyle("Placed with parents", "#E69F00", (0, (1, 1)), "X", "oo"),
        "adoption": PlacementStyle("Placed for adoption", "#7F7F7F", (0, (8, 3)), "*", "--"),
        "other": PlacementStyle("Other placements", "#8B4513", (0, (3, 1, 1, 1, 1, 1)), "h", "||"),
    }
)
"""One style per placement type, keyed by the indicator column (children in care on 31 March
by placement type), used by every chart that shows placement types."""

PLACEMENT_TYPES: tuple[str, ...] = tuple(PLACEMENT_STYLES)
"""The placement-type columns of the results, in chart order."""


def scenario_styles(names: Sequence[str], baseline: str | None = None) -> dict[str, Style]:
    """One consistent style per scenario: the baseline solid black with circles, the others a
    colour, line style and marker each (cycling if there are very many)."""
    styles: dict[str, Style] = {}
    cycle = zip(
        itertools.cycle(_COLOURS),
        itertools.cycle(_LINES),
        itertools.cycle(_MARKERS),
        itertools.cycle(_HATCHES),
        strict=False,
    )
    for name in names:
        if name == baseline:
            styles[name] = BASELINE_STYLE
        else:
            styles[name] = Style(*next(cycle))
    return styles


def clip_to_bounds(
    measure: str, lower: pd.Series, upper: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """A t interval can pass the bounds of the measure with few replications: draw it inside
    them (every measure charted is non-negative; percentages are at most 100)."""
    top = 100.0 if CHART_UNITS.get(measure, ("",))[0].startswith("%") else np.inf
    return (
        np.clip(lower.to_numpy(float), 0.0, top),
        np.clip(upper.to_numpy(float), 0.0, top),
    )


def fill_band(name: str, baseline: str | None, count: int) -> bool:
    """Whether a scenario's band is filled: always with one or two scenarios, else only the
    baseline's."""
    return count <= 2 or name == baseline


def save_png(fig: Figure, path: str | Path) -> Path:
    """Write the figure as a PNG, atomically."""
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=120, metadata={"Software": None})
    return path


def png_bytes(fig: Figure, dpi: int = 120) -> bytes:
    """The figure as PNG bytes (for embedding in a report)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def panel_grid(
    count: int, columns: int = 2, height: float = 3.0, width: float = 6.0
) -> tuple[Figure, list]:
    rows = max(1, -(-count // columns))
    fig = Figure(figsize=(width * columns, height * rows + 1.0), layout="constrained")
    FigureCanvasAgg(fig)  # the Agg backend, without pyplot's global state
    axes = fig.subplots(rows, columns, squeeze=False).ravel().tolist()
    for extra in axes[count:]:
        extra.set_visible(False)
    return fig, axes[:count]


def _present(measures: Sequence[str], available: pd.Series) -> list[str]:
    have = set(available)
    return [m for m in measures if m in have]


def timeseries_chart(
    levels: pd.DataFrame,
    path: str | Path,
    baseline: str | None = None,
    measures: Sequence[str] = KEY_MEASURES,
    title: str = "Key indicators by financial year (mean and 95% interval)",
) -> Path:
    """Each key measure by financial year, one line per scenario with its 95% band, saved.

    `levels` is `appraisal.level_summary` (only the yearly rows are used)."""
    return save_png(timeseries_figure(levels, baseline, measures, title), path)


def timeseries_figure(
    levels: pd.DataFrame,
    baseline: str | None = None,
    measures: Sequence[str] = KEY_MEASURES,
    title: str = "Key indicators by financial year (mean and 95% interval)",
    columns: int = 2,
) -> Figure:
    """Each measure by financial year, one panel per measure and one line per scenario with
    its 95% band, from `appraisal.level_summary` (only the yearly rows are used). Bands are
    drawn inside the measure's possible range (no count below 0, no share above 100%). With
    more than two scenarios only the baseline's band is drawn (overlapping bands of several
    colours cannot be read); the options' uncertainty is in the difference charts."""
    yearly = levels[levels["period"].eq(YEAR)]
    names = list(dict.fromkeys(yearly["scenario"]))
    styles = scenario_styles(names, baseline)
    measures = _present(measures, yearly["measure"])
    fig, axes = panel_grid(len(measures), columns=min(columns, max(1, len(measures))))
    for ax, measure in zip(axes, measures, strict=True):
        rows = yearly[yearly["measure"].eq(measure)]
        for name in names:
            data = rows[rows["scenario"].eq(name)].sort_values("year")
            if data.empty:
                continue
            style, s = styles[name], unit_scale(measure)
            x = data["year"].astype(int).to_numpy()
            lower, upper = clip_to_bounds(measure, data["lower"], data["upper"])
            if fill_band(name, baseline, len(names)):
                ax.fill_between(
                    x,
                    lower / s,
                    upper / s,
                    color=style.colour,
                    alpha=0.15,
                    linewidth=0,
                )
            ax.plot(
                x,
                data["mean"].to_numpy(float) / s,
                color=style.colour,
                linestyle=style.line,
                marker=style.marker,
                markersize=4,
                linewidth=1.5,
                label=name,
            )
        year_axis(ax, sorted(rows["year"].dropna().astype(int).unique()))
        ax.set_title(chart_title(measure), fontsize=10)
        ax.set_ylabel(unit_label(measure), fontsize=8)
    figure_legend(fig, axes, len(names))
    fig.suptitle(title, fontsize=12)
    return fig


def year_axis(ax, years: Sequence[int]) -> None:
    step = max(1, len(years) // 6)
    ticks = list(years)[::step]
    ax.set_xticks(ticks, [year_label(y) for y in ticks], fontsize=8)
    ax.set_xlabel("Financial year (to 31 March)", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, color="#dddddd", linewidth=0.5)


def figure_legend(fig: Figure, axes: list, count: int) -> None:
    if not axes:
        return
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(count, 3), fontsize=8)


def differences_chart(
    differences: pd.DataFrame,
    path: str | Path,
    year: int | None = None,
    baseline: str | None = None,
    measures: Sequence[str] = KEY_MEASURES,
    all_names: Sequence[str] | None = None,
) -> Path:
    """Each option's paired difference from the baseline with its 95% CI as an error bar, one
    panel per key measure: over the whole horizon (year None) or in one financial year; saved.

    `differences` is `appraisal.paired_differences`; `all_names` (scenario names, baseline
    included) keeps each option's style the same as in the other charts."""
    figure = differences_figure(differences, year, baseline, measures, all_names)
    return save_png(figure, path)


def differences_figure(
    differences: pd.DataFrame,
    year: int | None = None,
    baseline: str | None = None,
    measures: Sequence[str] = KEY_MEASURES,
    all_names: Sequence[str] | None = None,
) -> Figure:
    """The figure of `differences_chart`: each option's paired difference from the baseline
    with its 95% CI, one panel per key measure, over the whole horizon (year None) or in one
    financial year, from `appraisal.paired_differences`."""
    if year is None:
        rows = differences[differences["period"].eq(HORIZON)]
        when = "whole horizon"
        period = HORIZON
    else:
        rows = differences[differences["period"].eq(YEAR) & differences["year"].eq(year)]
        when = f"financial year {year_label(year)}"
        period = YEAR
    options = list(dict.fromkeys(rows["option"]))
    styles = scenario_styles(all_names or [baseline, *options], baseline)
    measures = _present(measures, rows["measure"])
    fig, axes = panel_grid(len(measures), height=0.45 * max(len(options), 3) + 1.2)
    positions = np.arange(len(options))[::-1]
    for ax, measure in zip(axes, measures, strict=True):
        data = rows[rows["measure"].eq(measure)].set_index("option")
        s = unit_scale(measure)
        for y, name in zip(positions, options, strict=True):
            if name not in data.index:
                continue
            row, style = data.loc[name], styles[name]
            centre = row["difference"] / s
            err = [[centre - row["paired_lower"] / s], [row["paired_upper"] / s - centre]]
            ax.errorbar(
                [centre],
                [y],
                xerr=None if pd.isna(row["paired_lower"]) else err,
                color=style.colour,
                marker=style.marker,
                markersize=6,
                capsize=4,
                linestyle="none",
                label=name,
            )
        ax.axvline(0.0, color="black", linewidth=0.8)
        _mark_better(ax, measure)
        ax.set_yticks(positions, [short_name(n) for n in options], fontsize=8)
        ax.set_ylim(-0.7, len(options) - 0.3)
        ax.set_title(chart_title(measure), fontsize=10)
        ax.set_xlabel("Difference from baseline, " + unit_label(measure, period), fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(True, axis="x", color="#dddddd", linewidth=0.5)
    base = f" ({baseline})" if baseline else ""
    fig.suptitle(
        f"Difference from baseline{base}, {when}: mean and 95% paired interval", fontsize=12
    )
    return fig


def _mark_better(ax, measure: str) -> None:
    """Write which side of zero is better at the top of a forest-plot panel ("← better" for
    measures where lower is better), with zero kept in view."""
    direction = better_direction(measure)
    if direction is None:
        return
    low, high = ax.get_xlim()
    span = max(abs(low), abs(high), 1e-9)
    ax.set_xlim(min(low, -0.15 * span), max(high, 0.15 * span))
    lower = direction == "lower"
    ax.text(
        0.02 if lower else 0.98,
        0.98,
        "← better" if lower else "better →",
        transform=ax.transAxes,
        ha="left" if lower else "right",
        va="top",
        fontsize=8,
        color="#005a32",
        fontweight="bold",
    )


def short_name(name: str, width: int = 36) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _error_bars(ax, data: pd.DataFrame, scale: float, style, name: str) -> None:
    """One group's means at `_x` with its 95% interval as error bars."""
    mean = data["mean"].to_numpy(float) / scale
    ax.errorbar(
        data["_x"].to_numpy(float),
        mean,
        yerr=[
            mean - data["lower"].to_numpy(float) / scale,
            data["upper"].to_numpy(float) / scale - mean,
        ],
        color=style.colour,
        linestyle=style.line,
        marker=style.marker,
        markersize=5,
        capsize=3,
        label=name or None,
    )


def sweep_chart(
    sweep: pd.DataFrame,
    keys: Sequence[str],
    path: str | Path,
    measures: Sequence[str] = KEY_MEASURES,
    title: str = "Sweep: whole-horizon mean and 95% interval",
) -> Path:
    """Each key measure over the whole horizon against the first grid key, one line per
    combination of the other keys, with 95% CIs as error bars.

    `sweep` is the tidy sweep table: the grid keys as columns, then period, year, measure,
    mean, lower, upper (only the whole-horizon rows are used)."""
    rows = sweep[sweep["period"].eq(HORIZON)]
    x_key, others = keys[0], list(keys[1:])
    x_values = list(dict.fromkeys(rows[x_key]))
    numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in x_values)
    position = {v: (float(v) if numeric else float(i)) for i, v in enumerate(x_values)}
    groups = (
        [((), rows)]
        if not others
        else [(k if isinstance(k, tuple) else (k,), g) for k, g in rows.groupby(others, sort=False)]
    )
    names = [", ".join(f"{o}={v}" for o, v in zip(others, k, strict=True)) for k, _ in groups]
    styles = scenario_styles(names or ["all"], None)
    measures = _present(measures, rows["measure"])
    span = (max(position.values()) - min(position.values())) or 1.0
    dodge = 0.012 * span  # nudge the groups apart so that their error bars do not overlap
    fig, axes = panel_grid(len(measures))
    for ax, measure in zip(axes, measures, strict=True):
        s = unit_scale(measure)
        for index, ((_, group), name) in enumerate(zip(groups, names or ["all"], strict=True)):
            data = group[group["measure"].eq(measure)]
            shift = dodge * (index - (len(groups) - 1) / 2)
            data = data.assign(_x=data[x_key].map(position) + shift).sort_values("_x")
            _error_bars(ax, data, s, styles[name], name)
        if not numeric:
            ax.set_xticks(list(position.values()), [str(v) for v in x_values], fontsize=8)
        ax.set_xlabel(x_key, fontsize=8)
        ax.set_title(chart_title(measure), fontsize=10)
        ax.set_ylabel(unit_label(measure, HORIZON), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(True, color="#dddddd", linewidth=0.5)
    if others:
        figure_legend(fig, axes, len(names))
    fig.suptitle(title, fontsize=12)
    return save_png(fig, path)
