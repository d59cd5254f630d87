"""Charts of an options appraisal or a parameter sweep, as PNG files (matplotlib, Agg).

Readable in greyscale: every scenario has its own line style and marker as well as its colour
(the baseline is always solid black), and keeps them in every chart of a run. Axes say their
units. Files are written atomically, so an interrupted run never leaves half a PNG.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sufficiency_sim.appraisal import HORIZON, YEAR, horizon_rule, year_label
from sufficiency_sim.atomic import atomic_open

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

_TITLES: dict[str, str] = {
    "pct_out_of_area": "Placed outside the boundary",
    "pct_3plus_placements": "Three or more placements in the year",
    "pct_long_term_stable": "Long-term stability",
    "bridging_31_march": "Children in bridging placements",
    "unplanned_endings": "Unplanned placement endings",
    "inhouse_foster": "In in-house foster care",
    "out_of_area_child_years": "Time placed out of area",
    "cost_gbp": "Cost",
    "cla_31_march": "Children looked after",
}
_UNITS: dict[str, tuple[str, float]] = {
    # measure: (axis unit, divisor)
    "pct_out_of_area": ("% of children in care at 31 March", 1.0),
    "pct_3plus_placements": ("% of children in care at 31 March", 1.0),
    "pct_long_term_stable": ("% of eligible children under 16", 1.0),
    "pct_over_20_miles": ("% of children in care at 31 March", 1.0),
    "bridging_31_march": ("children at 31 March", 1.0),
    "unplanned_endings": ("placements ended per year", 1.0),
    "inhouse_foster": ("children at 31 March", 1.0),
    "out_of_area_child_years": ("child-years per year", 1.0),
    "cost_gbp": ("£ million per year", 1e6),
    "cla_31_march": ("children at 31 March", 1.0),
}

# Okabe-Ito colours (colour-blind safe), without yellow, which vanishes on white.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F")
_LINES = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 3)))
_MARKERS = ("s", "^", "D", "v", "P", "X", "*", "h", "<", ">")


@dataclass(frozen=True)
class Style:
    """How one scenario is drawn in every chart."""

    colour: str
    line: object
    marker: str


BASELINE_STYLE = Style("#000000", "-", "o")


def scenario_styles(names: Sequence[str], baseline: str | None = None) -> dict[str, Style]:
    """One consistent style per scenario: the baseline solid black with circles, the others a
    colour, line style and marker each (cycling if there are very many)."""
    styles: dict[str, Style] = {}
    cycle = zip(
        itertools.cycle(_COLOURS), itertools.cycle(_LINES), itertools.cycle(_MARKERS), strict=False
    )
    for name in names:
        if name == baseline:
            styles[name] = BASELINE_STYLE
        else:
            colour, line, marker = next(cycle)
            styles[name] = Style(colour, line, marker)
    return styles


def unit_label(measure: str, period: str = YEAR) -> str:
    """The axis label of a measure (a yearly value, or its whole-horizon sum or mean)."""
    unit, _ = _UNITS.get(measure, ("", 1.0))
    if period == HORIZON and measure in _UNITS:
        if horizon_rule(measure) == "sum":
            unit = unit.replace(" per year", "").replace("per year", "") + " (total)"
        else:
            unit = unit + " (mean of years)"
    return unit.strip()


def _scale(measure: str) -> float:
    return _UNITS.get(measure, ("", 1.0))[1]


def _title(measure: str) -> str:
    return _TITLES.get(measure, measure.replace("_", " ").capitalize())


def save_png(fig: Figure, path: str | Path) -> Path:
    """Write the figure as a PNG, atomically."""
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=120, metadata={"Software": None})
    return path


def _grid(count: int, columns: int = 2, height: float = 3.0) -> tuple[Figure, list]:
    rows = max(1, -(-count // columns))
    fig = Figure(figsize=(6.0 * columns, height * rows + 1.0), layout="constrained")
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
    """Each key measure by financial year, one line per scenario with its 95% band.

    `levels` is `appraisal.level_summary` (only the yearly rows are used)."""
    yearly = levels[levels["period"].eq(YEAR)]
    names = list(dict.fromkeys(yearly["scenario"]))
    styles = scenario_styles(names, baseline)
    measures = _present(measures, yearly["measure"])
    fig, axes = _grid(len(measures))
    for ax, measure in zip(axes, measures, strict=True):
        rows = yearly[yearly["measure"].eq(measure)]
        for name in names:
            data = rows[rows["scenario"].eq(name)].sort_values("year")
            if data.empty:
                continue
            style, s = styles[name], _scale(measure)
            x = data["year"].astype(int).to_numpy()
            ax.fill_between(
                x,
                data["lower"].to_numpy(float) / s,
                data["upper"].to_numpy(float) / s,
                color=style.colour,
                alpha=0.12,
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
        _year_axis(ax, sorted(rows["year"].dropna().astype(int).unique()))
        ax.set_title(_title(measure), fontsize=10)
        ax.set_ylabel(unit_label(measure), fontsize=8)
    _legend(fig, axes, len(names))
    fig.suptitle(title, fontsize=12)
    return save_png(fig, path)


def _year_axis(ax, years: Sequence[int]) -> None:
    step = max(1, len(years) // 6)
    ticks = list(years)[::step]
    ax.set_xticks(ticks, [year_label(y) for y in ticks], fontsize=8)
    ax.set_xlabel("Financial year (to 31 March)", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, color="#dddddd", linewidth=0.5)


def _legend(fig: Figure, axes: list, count: int) -> None:
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
    panel per key measure: over the whole horizon (year None) or in one financial year.

    `differences` is `appraisal.paired_differences`; `all_names` (scenario names, baseline
    included) keeps each option's style the same as in the other charts."""
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
    fig, axes = _grid(len(measures), height=0.45 * max(len(options), 3) + 1.2)
    positions = np.arange(len(options))[::-1]
    for ax, measure in zip(axes, measures, strict=True):
        data = rows[rows["measure"].eq(measure)].set_index("option")
        s = _scale(measure)
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
        ax.set_yticks(positions, [_short(n) for n in options], fontsize=8)
        ax.set_ylim(-0.7, len(options) - 0.3)
        ax.set_title(_title(measure), fontsize=10)
        ax.set_xlabel("Difference from baseline, " + unit_label(measure, period), fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(True, axis="x", color="#dddddd", linewidth=0.5)
    base = f" ({baseline})" if baseline else ""
    fig.suptitle(
        f"Difference from baseline{base}, {when}: mean and 95% paired interval", fontsize=12
    )
    return save_png(fig, path)


def _short(name: str, width: int = 36) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


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
    fig, axes = _grid(len(measures))
    for ax, measure in zip(axes, measures, strict=True):
        s = _scale(measure)
        for index, ((_, group), name) in enumerate(zip(groups, names or ["all"], strict=True)):
            data = group[group["measure"].eq(measure)]
            shift = dodge * (index - (len(groups) - 1) / 2)
            data = data.assign(_x=data[x_key].map(position) + shift).sort_values("_x")
            style = styles[name]
            mean = data["mean"].to_numpy(float) / s
            ax.errorbar(
                data["_x"].to_numpy(float),
                mean,
                yerr=[
                    mean - data["lower"].to_numpy(float) / s,
                    data["upper"].to_numpy(float) / s - mean,
                ],
                color=style.colour,
                linestyle=style.line,
                marker=style.marker,
                markersize=5,
                capsize=3,
                label=name or None,
            )
        if not numeric:
            ax.set_xticks(list(position.values()), [str(v) for v in x_values], fontsize=8)
        ax.set_xlabel(x_key, fontsize=8)
        ax.set_title(_title(measure), fontsize=10)
        ax.set_ylabel(unit_label(measure, HORIZON), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(True, color="#dddddd", linewidth=0.5)
    if others:
        _legend(fig, axes, len(names))
    fig.suptitle(title, fontsize=12)
    return save_png(fig, path)
