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
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sufficiency_sim.appraisal.statistics import (
    HORIZON,
    YEAR,
    better_direction,
    horizon_rule,
    level_summary,
    paired_differences,
    scenario_order,
    year_label,
)
from sufficiency_sim.files.atomic import atomic_open

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
    "pct_over_20_miles": "Placed more than 20 miles from home",
    "mean_days_bridging": "Length of bridging placements",
    "inhouse_occupancy_pct": "Occupancy of in-house foster places",
    "local_home_occupancy_pct": "Occupancy of local children's homes",
    "pct_1_placement": "One placement in the year",
    "pct_2_placements": "Two placements in the year",
}
_UNITS: dict[str, tuple[str, float]] = {
    # measure: (axis unit, divisor)
    "pct_out_of_area": ("% of children in care at 31 March", 1.0),
    "pct_3plus_placements": ("% of children in care at 31 March", 1.0),
    "pct_long_term_stable": ("% of eligible children under 16", 1.0),
    "pct_over_20_miles": ("% of children in care at 31 March", 1.0),
    "bridging_31_march": ("children at 31 March", 1.0),
    "unplanned_endings": ("placements ended per year", 1.0),
    "placement_moves": ("moves per year", 1.0),
    "placements_started": ("placements started per year", 1.0),
    "inhouse_foster": ("children at 31 March", 1.0),
    "out_of_area_child_years": ("child-years per year", 1.0),
    "cost_gbp": ("£ million per year", 1e6),
    "cla_31_march": ("children at 31 March", 1.0),
    "mean_days_bridging": ("days (placements ended in the year)", 1.0),
    "inhouse_occupancy_pct": ("% of approved in-house places filled", 1.0),
    "local_home_occupancy_pct": ("% of local home beds filled", 1.0),
    "pct_1_placement": ("% of children in care at 31 March", 1.0),
    "pct_2_placements": ("% of children in care at 31 March", 1.0),
}

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


def _clip(measure: str, lower: pd.Series, upper: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A t interval can pass the bounds of the measure with few replications: draw it inside
    them (every measure charted is non-negative; percentages are at most 100)."""
    top = 100.0 if _UNITS.get(measure, ("",))[0].startswith("%") else np.inf
    return (
        np.clip(lower.to_numpy(float), 0.0, top),
        np.clip(upper.to_numpy(float), 0.0, top),
    )


def _title(measure: str) -> str:
    return _TITLES.get(measure, measure.replace("_", " ").capitalize())


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


def _grid(
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
    fig, axes = _grid(len(measures), columns=min(columns, max(1, len(measures))))
    for ax, measure in zip(axes, measures, strict=True):
        rows = yearly[yearly["measure"].eq(measure)]
        for name in names:
            data = rows[rows["scenario"].eq(name)].sort_values("year")
            if data.empty:
                continue
            style, s = styles[name], _scale(measure)
            x = data["year"].astype(int).to_numpy()
            lower, upper = _clip(measure, data["lower"], data["upper"])
            if _fill_band(name, baseline, len(names)):
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
        _year_axis(ax, sorted(rows["year"].dropna().astype(int).unique()))
        ax.set_title(_title(measure), fontsize=10)
        ax.set_ylabel(unit_label(measure), fontsize=8)
    _legend(fig, axes, len(names))
    fig.suptitle(title, fontsize=12)
    return fig


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
        _mark_better(ax, measure)
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
    fig, axes = _grid(
        len(names), columns=1 if single else 2, height=3.4, width=8.0 if single else 6.0
    )
    top = float(rows["upper"].max()) if len(rows) else 1.0
    for ax, name in zip(axes, names, strict=True):
        mine = rows[rows["scenario"].eq(name)]
        for kind in used:
            style = PLACEMENT_STYLES[kind]
            data = mine[mine["measure"].eq(kind)].sort_values("year")
            x = data["year"].astype(int).to_numpy()
            lower, upper = _clip(kind, data["lower"], data["upper"])
            ax.fill_between(
                x,
                lower,
                upper,
                facecolor=style.colour,
                alpha=0.15,
                linewidth=0,
            )
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
        _year_axis(ax, sorted(mine["year"].dropna().astype(int).unique()))
        ax.set_ylim(0, top * 1.05 if top > 0 else 1.0)
        ax.set_title(_short(name, 60), fontsize=10)
        ax.set_ylabel("children in care at 31 March", fontsize=8)
    _legend(fig, axes, min(len(used), 3) if used else 1)
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
    fig, axes = _grid(2 if with_diff else 1, columns=2 if with_diff else 1, height=3.6)
    yearly = levels[levels["period"].eq(YEAR)]
    years = sorted(yearly["year"].dropna().astype(int).unique())
    for name in names:
        data = yearly[yearly["scenario"].eq(name)].sort_values("year")
        lower, upper = _clip("cost_gbp", data["lower"], data["upper"])
        data = data.assign(lower=lower, upper=upper)
        fill = _fill_band(name, baseline, len(names))
        _band_line(axes[0], data, styles[name], name, "mean", "lower", "upper", 1e6, fill)
    _year_axis(axes[0], years)
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
        _year_axis(axes[1], years)
        axes[1].set_title(f"Difference from baseline ({baseline})", fontsize=10)
        axes[1].set_ylabel("£ million per year (option − baseline)", fontsize=8)
    _legend(fig, axes[:1], len(names))
    title = "Cost by option" if len(names) > 1 else "Cost"
    fig.suptitle(f"{title} ({_band_words('ci', confidence)})", fontsize=12)
    return fig


def _fill_band(name: str, baseline: str | None, count: int) -> bool:
    """Whether a scenario's band is filled: always with one or two scenarios, else only the
    baseline's."""
    return count <= 2 or name == baseline


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
    if year is None:
        rows = levels[levels["period"].eq(HORIZON)]
        when = f"mean of the years {year_label(int(results['year'].min()))} to " + year_label(
            int(results["year"].max())
        )
    else:
        rows = levels[levels["period"].eq(YEAR) & levels["year"].eq(year)]
        if rows.empty:
            raise ValueError(f"no results for the year {year}")
        when = f"financial year {year_label(year)}"
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


APPRAISAL_CHARTS: tuple[tuple[str, str], ...] = (
    ("placement_types.png", "Children in care by placement type"),
    ("out_of_area.png", "Placed out of area"),
    ("placements_per_child.png", "Placements per child in the year"),
    ("bridging.png", "Bridging placements"),
    ("occupancy.png", "Occupancy of in-house carers and local homes"),
    ("cost_by_year.png", "Cost by option"),
)
"""The file names and captions of `appraisal_figures`, in order."""


def appraisal_figures(
    results: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> dict[str, Figure]:
    """Every chart above for a comparison's tidy results, keyed by the file names of
    `APPRAISAL_CHARTS`. The placement types are shown for every scenario."""
    return {
        "placement_types.png": placement_types_chart(results, confidence=confidence),
        "out_of_area.png": out_of_area_chart(results, baseline, confidence),
        "placements_per_child.png": placements_per_child_chart(
            results, baseline, confidence=confidence
        ),
        "bridging.png": bridging_chart(results, baseline, confidence),
        "occupancy.png": occupancy_chart(results, baseline, confidence),
        "cost_by_year.png": cost_chart(results, baseline, confidence),
    }
