"""A self-contained HTML report of a `compare` run, built from its output folder.

`load_run(folder)` reads and checks `run.json` (the resolved scenarios, seed, discount rate) and
`results.csv` (one row per scenario, replication and year); `build_html(run)` appraises the
results with `sufficiency_sim.appraisal.statistics` (the same functions, and so the same numbers, as
`appraisal.md`), draws the charts again from the results with `sufficiency_sim.report.charts` and
returns one HTML page; `write_report(folder, out)` does both and writes the page atomically.

The page needs nothing from the network or from other files: the charts are PNG data URIs, the
style sheet is inline (system fonts, print styles), there is no script, and a Content Security
Policy forbids loading anything else. Every piece of text is escaped. The page carries no
identifier of a child: `compare` outputs hold none (they are yearly measures of simulated runs).
Bad input raises `errors.InputError` naming the file and what was expected.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import importlib.resources
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pandas as pd

from sufficiency_sim import __version__
from sufficiency_sim.appraisal.statistics import (
    GREEN_BOOK_RATE,
    KEYS,
    Appraisal,
    appraise,
    horizon_rule,
    year_label,
)
from sufficiency_sim.errors import InputError
from sufficiency_sim.files import atomic, outputs
from sufficiency_sim.files.csvcheck import check_structure
from sufficiency_sim.report import charts
from sufficiency_sim.report.changes import (
    describe_changes,
    long_date,
    scenario_changes,
    value_lines,
)
from sufficiency_sim.report.folder import RESULTS_FILE, RUN_FILE
from sufficiency_sim.report.headline import headline_intro, headlines
from sufficiency_sim.report.labels import REPORT_LABELS, chart_title, unit_label, unit_scale
from sufficiency_sim.report.markdown import (
    FINAL_YEAR_COLUMNS,
    HORIZON_COLUMNS,
    Column,
    cost_cells,
    difference_cell,
    format_number,
    level_cell,
    ratio_cell,
    rows_by_name,
)
from sufficiency_sim.scenario.keys import get_key

REQUIRED_MEASURES: tuple[str, ...] = tuple(
    dict.fromkeys(c.measure for c in (*HORIZON_COLUMNS, *FINAL_YEAR_COLUMNS))
)
"""Measures results.csv must have: those of the committee tables (cost among them)."""

STATUS_MEANINGS: dict[str, str] = {
    "P": "published figure",
    "D": "derived from published figures",
    "E": "estimate or assumption",
    "T": "tuned so that the model reproduces York's published 2018-19 position",
}
"""The status codes of docs/york_baseline.md."""

LIMITATIONS: tuple[tuple[str, str], ...] = (
    (
        "Placed with parents and over 20 miles are too low",
        "For York the model places 1.0% of children in care with parents against 10%, and 10% "
        "more than 20 miles away against 18%; the other headline indicators sit on York's "
        "figures.",
    ),
    (
        "Siblings",
        "Siblings are placed together at entry where a household has room; after that each "
        "child's journey is separate (a breakdown moves one child, not the group). With "
        "split_siblings false a group that no household can take at once goes to bridging "
        "placements (one each) until the agency search ends, and the agency then places the "
        "children separately.",
    ),
    (
        "Hazards are fixed at a placement's start",
        "A change in who else lives in a home, or a child's birthday, does not change a "
        "placement's chance of breaking down until the next move.",
    ),
    (
        "Options act from the start date",
        "The warm-up runs on the scenario at the root of the extends chain (without overrides), "
        "so an option starts from its baseline's children, carers and homes. A sensitivity "
        "change says how York would behave from 2019 on, not what a York that had always been "
        "different would look like; values drawn when a child enters care or a placement "
        "starts apply to children and placements from then on.",
    ),
    (
        "Capacity keeps its level",
        "unless a lever changes it: York recruits foster carers to keep its 80 households "
        "rather than from its one-year enquiry figures, and a dedicated emergency carer who "
        "leaves is replaced.",
    ),
    (
        "One local authority, no neighbours",
        "The market's offers (agencies, spot homes) are independent draws; there is no "
        "competition with other councils for the same places.",
    ),
    (
        "No unregistered or secure placements, no UASC, no short breaks",
        "None of these is in the simulated histories (the indicators handle all of them in "
        "real data).",
    ),
    (
        "Simulated 903 returns have no postcodes",
        "so the DfE validator's postcode rules fail on them; the header's ethnicity, UPN and "
        "motherhood fields are synthetic draws that change no simulated event.",
    ),
    (
        "Costs",
        "Weekly prices at 2024-25 levels with no inflation; one-off and recurring costs are "
        "what the scenario declares.",
    ),
    (
        "Calibration",
        "The defaults describe a York-like authority from published figures; calibration to an "
        "authority's own 903 extract, starting from its census of children in care, is "
        "separate work.",
    ),
    (
        "What the intervals cover",
        "Confidence intervals describe the random variation between replications of the model "
        "for the given parameters. They do not include the uncertainty in the parameters "
        "themselves (see the assumptions and their status) or in the model's structure.",
    ),
)
"""Known limits, from the README's "Known limits" (tests check each title is still there), and
what the intervals mean."""


# ---------------------------------------------------------------------------------------------
# Reading a compare output folder


@dataclass
class CompareRun:
    """A checked `compare` output folder: its run.json and results."""

    folder: Path
    meta: dict
    results: pd.DataFrame
    scenarios: list[dict] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """The baseline's name (compare lists the baseline first)."""
        return self.scenarios[0]["name"]

    @property
    def names(self) -> list[str]:
        return [s["name"] for s in self.scenarios]


_EXPECTED = "the output folder of `sufficiency-sim compare` (run.json, results.csv ...)"


def _read_meta(folder: Path) -> dict:
    path = folder / RUN_FILE
    if not path.is_file():
        raise InputError(f"{path}: not found; expected {_EXPECTED}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc}); expected the run.json of compare"
        ) from None
    if not isinstance(meta, dict):
        raise InputError(f"{path}: expected a JSON object (the run.json of compare)")
    command = meta.get("command")
    if command != "compare":
        made_by = f"`sufficiency-sim {command}`" if command else "another command"
        if command is None and "scenario" in meta:
            made_by = "`sufficiency-sim run`"
        raise InputError(
            f"{path}: written by {made_by}, not `compare`; expected {_EXPECTED}, "
            "e.g. from `sufficiency-sim compare BASELINE.yaml OPTION.yaml --out DIR`"
        )
    scenarios = meta.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        raise InputError(f"{path}: key 'scenarios' missing or empty; expected a list of scenarios")
    for index, item in enumerate(scenarios):
        ok = isinstance(item, dict) and isinstance(item.get("name"), str)
        if not ok or not isinstance(item.get("resolved"), dict):
            raise InputError(
                f"{path}: scenarios[{index}] needs a 'name' and the 'resolved' scenario"
            )
    for key, kind in (("seed", int), ("discount_rate", int | float), ("confidence", int | float)):
        value = meta.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            what = "a whole number" if kind is int else "a number"
            raise InputError(f"{path}: key {key!r} is {value!r}; expected {what}")
    return meta


def _read_results(folder: Path, names: Sequence[str]) -> pd.DataFrame:
    path = folder / RESULTS_FILE
    if not path.is_file():
        raise InputError(f"{path}: not found; expected {_EXPECTED}")
    try:
        text = path.read_text(encoding="utf-8")
        if text.strip():  # an empty file is reported by pandas below, as before
            check_structure(text, str(path))
        results = pd.read_csv(path, dtype={"scenario": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{path}: not a readable CSV ({detail}); expected the results.csv of compare"
        ) from None
    missing = [c for c in (*KEYS, *REQUIRED_MEASURES) if c not in results.columns]
    if missing:
        raise InputError(
            f"{path}: no column {', '.join(missing)}; expected the results.csv of compare "
            "(scenario, replication, year, then one column per measure)"
        )
    if results.empty:
        raise InputError(f"{path}: no rows; expected one row per scenario, replication and year")
    for column in results.columns:
        if column == "scenario":
            continue
        raw = results[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if column in ("replication", "year"):
            bad |= values.isna() | (values.notna() & (values % 1 != 0))
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2  # the header is line 1
            raise InputError(
                f"{path}: line {line}, column {column}: {raw.iloc[line - 2]!r} is not "
                f"{'a whole number' if column in ('replication', 'year') else 'a number'}"
            )
        results[column] = values.astype("int64") if column in ("replication", "year") else values
    blank = results["scenario"].isna()
    if blank.any():
        line = int(blank.to_numpy().nonzero()[0][0]) + 2
        raise InputError(f"{path}: line {line}: the scenario name is blank")
    found = list(dict.fromkeys(results["scenario"]))
    if set(found) != set(names):
        raise InputError(
            f"{path}: has the scenarios {found}, but run.json lists {list(names)}; "
            "expected the results.csv written with that run.json"
        )
    rank = {name: i for i, name in enumerate(names)}
    order = results["scenario"].map(rank)
    results = results.assign(_s=order).sort_values(["_s", "replication", "year"], kind="stable")
    return results.drop(columns="_s").reset_index(drop=True)


def load_run(folder: str | Path) -> CompareRun:
    """Read and check a compare output folder; InputError names the file and what was
    expected when it is missing, not a compare folder, or corrupt."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"{folder}: no such folder; expected {_EXPECTED}")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; expected {_EXPECTED}")
    meta = _read_meta(folder)
    scenarios = meta["scenarios"]
    results = _read_results(folder, [s["name"] for s in scenarios])
    _check_replications(results, folder / RESULTS_FILE)
    outputs.check_run(folder)  # every file from the one run its run.json names
    return CompareRun(folder, meta, results, scenarios)


def _check_replications(results: pd.DataFrame, path: Path) -> None:
    """Refuse results where a scenario lacks (or repeats) a replication-year of the baseline:
    options are compared replication by replication on common random numbers."""
    keys = results[["scenario", "replication", "year"]]
    repeated = keys.duplicated()
    if repeated.any():
        row = keys[repeated].iloc[0]
        raise InputError(
            f"{path}: scenario {row['scenario']!r}, replication {row['replication']}, year "
            f"{row['year']} appears twice; expected one row per scenario, replication and year"
        )
    cells = {
        name: set(zip(group["replication"], group["year"], strict=True))
        for name, group in keys.groupby("scenario", sort=False)
    }
    names = list(cells)
    base = cells[names[0]]
    for name in names[1:]:
        if cells[name] != base:
            mine = {rep for rep, _ in cells[name]}
            theirs = {rep for rep, _ in base}
            missing = sorted(theirs - mine)
            detail = (
                f"lacks replication(s) {', '.join(map(str, missing[:5]))}"
                if missing
                else "covers other replications or years"
            )
            raise InputError(
                f"{path}: scenario {name!r} {detail} of the baseline {names[0]!r} "
                f"({len(mine)} replications against {len(theirs)}); options are compared "
                "replication by replication, so every scenario needs the same ones"
            )


# ---------------------------------------------------------------------------------------------
# Assumptions


@dataclass(frozen=True)
class Assumption:
    """One row of sufficiency_sim/data/assumptions.csv (from docs/york_baseline.md)."""

    section: str
    key: str
    value: str
    status: str
    basis: str

    @property
    def paths(self) -> list[str]:
        """The dotted scenario keys this row documents."""
        return [part.strip() for part in self.key.split(",") if part.strip()]


def load_assumptions() -> list[Assumption]:
    """The documented defaults and their sources, as packaged with sufficiency_sim."""
    resource = importlib.resources.files("sufficiency_sim") / "data" / "assumptions.csv"
    text = resource.read_text(encoding="utf-8")
    return [Assumption(**row) for row in csv.DictReader(text.splitlines())]


# ---------------------------------------------------------------------------------------------
# HTML pieces: plain data for the Jinja2 template (templates/report.html.j2), which escapes
# every value (autoescape); nothing here writes HTML.


def _cell(value: Any, cls: str = "", note: str = "") -> dict:
    """A table cell: its lines (a newline starts a new line), CSS class and a note line."""
    return {"lines": str(value).split("\n"), "cls": cls, "note": note}


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str,
    cls: str = "",
    widths: Sequence[str] = (),
    cell_class: str = "",
) -> dict:
    """A table for the template: header, rows (the first cell of each is its row header),
    a caption (every table has one), CSS class, column widths and a class for every <td>."""
    body = []
    for cells in rows:
        first, *rest = cells
        row = [first if isinstance(first, dict) else _cell(first)]
        row += [c if isinstance(c, dict) else _cell(c, cell_class) for c in rest]
        body.append(row)
    return {
        "header": list(header),
        "rows": body,
        "caption": caption,
        "cls": cls,
        "widths": list(widths),
    }


def _p(text: str, cls: str = "") -> dict:
    return {"kind": "p", "text": text, "cls": cls}


def _block_table(table: dict) -> dict:
    return {"kind": "table", "table": table}


def _data_uri(figure) -> str:
    png = charts.png_bytes(figure, dpi=110)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figure(figure, caption: str, number: int, alt: str) -> dict:
    return {
        "kind": "figure",
        "src": _data_uri(figure),
        "caption": caption,
        "alt": alt,
        "number": number,
    }


def _indicator_rows(appraisal: Appraisal, columns: Sequence[Column], year: int | None) -> list:
    levels = rows_by_name(appraisal.levels, "scenario", year)
    diffs = rows_by_name(appraisal.differences, "option", year)
    rows = []
    for name in appraisal.scenarios:
        if name == appraisal.baseline:
            cells = [f"{name} (baseline)"]
            cells += [level_cell(levels.get((name, c.measure)), c) for c in columns]
        else:
            cells = [name]
            cells += [_two_lines(difference_cell(diffs.get((name, c.measure)), c)) for c in columns]
        rows.append(cells)
    return rows


def _two_lines(cell: str) -> str:
    """An option cell of the appraisal ("level; difference [CI]") on two lines."""
    return cell.replace("; ", "\n", 1)


def _summary_tables(appraisal: Appraisal) -> list[dict]:
    first, last = appraisal.years[0], appraisal.years[-1]
    tables = [
        _table(
            ["Scenario", *(c.heading for c in HORIZON_COLUMNS)],
            _indicator_rows(appraisal, HORIZON_COLUMNS, None),
            f"Key indicators over the whole horizon, {year_label(first)} to {year_label(last)}",
            "numbers",
        ),
        _table(
            ["Scenario", *(c.heading for c in FINAL_YEAR_COLUMNS)],
            _indicator_rows(appraisal, FINAL_YEAR_COLUMNS, last),
            f"Key indicators in the final year, {year_label(last)}",
            "numbers",
        ),
    ]
    cost_rows = []
    for cost in appraisal.costs.to_dict("records"):
        npv_cell, payback_cell, per_year_cell = cost_cells(cost)
        cost_rows.append(
            [
                cost["option"],
                format_number(cost["total_cost_gbp"] / 1e6, 1),
                format_number(cost["cost_difference_gbp"] / 1e6, 2, sign=True),
                npv_cell,
                payback_cell,
                per_year_cell,
                ratio_cell(cost, "unplanned_ending"),
            ]
        )
    if cost_rows:
        base_total = appraisal.costs["baseline_total_cost_gbp"].iloc[0] / 1e6
        tables.append(
            _table(
                [
                    "Option",
                    "Total cost (£m)",
                    "Cost difference (£m)",
                    "NPV of cost difference (£m) [95% CI]",
                    "Payback (discounted)",
                    "Cost per out-of-area child-year avoided (£k) [95% CI]",
                    "Cost per unplanned ending avoided (£k) [95% CI]",
                ],
                cost_rows,
                f"Costs over the whole horizon against the baseline (baseline total "
                f"£{base_total:.1f}m); NPV at {appraisal.discount_rate:.1%} a year",
                "numbers",
            )
        )
    return tables


def _all_measures_table(appraisal: Appraisal, labels: Mapping[str, str]) -> dict:
    measures = list(dict.fromkeys(appraisal.levels["measure"]))
    columns = [
        Column(m, labels.get(m, m), 1e6, 2) if m == "cost_gbp" else Column(m, labels.get(m, m))
        for m in measures
    ]
    levels = rows_by_name(appraisal.levels, "scenario", None)
    diffs = rows_by_name(appraisal.differences, "option", None)
    rows = []
    for column in columns:
        label = column.heading
        if column.measure == "cost_gbp":
            label = "Cost (£m)"
        rule = "total" if horizon_rule(column.measure) == "sum" else "mean of years"
        cells = [f"{label} ({rule})"]
        for name in appraisal.scenarios:
            if name == appraisal.baseline:
                cells.append(level_cell(levels.get((name, column.measure)), column))
            else:
                cells.append(_two_lines(difference_cell(diffs.get((name, column.measure)), column)))
        rows.append(cells)
    header = ["Measure"] + [
        f"{n} (baseline)" if n == appraisal.baseline else n for n in appraisal.scenarios
    ]
    return _table(header, rows, "Every measure over the whole horizon", "numbers small")


def _css() -> str:
    return (
        importlib.resources.files("sufficiency_sim.report") / "templates" / "report.css"
    ).read_text(encoding="utf-8")


def _option_section(run: CompareRun) -> list[dict]:
    baseline = run.scenarios[0]["resolved"]
    blocks: list[dict] = []
    for item in run.scenarios:
        resolved = item["resolved"]
        name = item["name"]
        role = " (baseline)" if name == run.baseline else ""
        blocks.append({"kind": "h3", "text": f"{name}{role}"})
        description = str(resolved.get("description") or "").strip()
        if description:
            blocks.append(_p(description))
        if item.get("file"):
            blocks.append(_p(f"Scenario file: {item['file']}", "note"))
        if name == run.baseline:
            continue
        changes = scenario_changes(baseline, resolved)
        if not changes:
            blocks.append(_p("No setting differs from the baseline."))
            continue
        words = describe_changes(baseline, resolved)
        if words:
            blocks.append(_p("What it changes:"))
            blocks.append({"kind": "list", "entries": words, "cls": ""})
        rows = [
            [key, "\n".join(value_lines(before)), "\n".join(value_lines(after))]
            for key, before, after in changes
        ]
        table = _table(
            ["Setting", "Baseline", name],
            rows,
            f"Every setting {name} changes, as in the scenario files",
            "changes",
            widths=("24%", "38%", "38%"),
            cell_class="value",
        )
        blocks.append(
            {
                "kind": "details",
                "summary": "Every setting changed, as in the scenario files",
                "blocks": [_block_table(table)],
            }
        )
    return blocks


def _assumptions_section(run: CompareRun, assumptions: Sequence[Assumption]) -> list[dict]:
    baseline = run.scenarios[0]["resolved"]
    options = [(s["name"], s["resolved"]) for s in run.scenarios[1:]]
    status = "; ".join(f"{k} {v}" for k, v in STATUS_MEANINGS.items())
    blocks = [
        _p(
            "Every default of the York baseline with its documented value and source "
            "(docs/york_baseline.md), beside the value the baseline of this run actually used "
            f"(from run.json). Status: {status}. Source names are those of the project's "
            "reference list of published figures."
        )
    ]
    header = [
        "Key",
        "Used in this run (baseline)",
        "Documented value",
        "Status",
        "Basis and source",
    ]
    widths = ("19%", "27%", "16%", "6%", "32%")
    section = None
    rows: list[list] = []

    def flush() -> None:
        if section is not None and rows:
            blocks.append({"kind": "h3", "text": section})
            blocks.append(
                _block_table(_table(header, rows, f"Assumptions: {section}", "assumptions", widths))
            )

    for item in assumptions:
        if item.section != section:
            flush()
            section, rows = item.section, []
        used = []
        changed_by = set()
        for path in item.paths:
            if len(item.paths) > 1:
                used.append(f"{path.rsplit('.', 1)[-1]}:")
            used.extend(value_lines(get_key(baseline, path)))
            for name, resolved in options:
                if get_key(resolved, path) != get_key(baseline, path):
                    changed_by.add(name)
        note = ""
        if changed_by:
            note = "Changed by: " + ", ".join(n for n, _ in options if n in changed_by)
        rows.append(
            [
                _cell("\n".join(item.paths)),
                _cell("\n".join(used), "value", note),
                item.value,
                item.status,
                item.basis,
            ]
        )
    flush()
    return blocks


def _method_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    base = run.scenarios[0]["resolved"]
    start = long_date(base.get("start_date", "the start date"))
    warmup = base.get("warmup_years", "several")
    paragraphs = [
        "sufficiency-sim is a discrete-event simulation of one local authority's placement "
        "system, child by child and carer by carer. Children enter care at random, are matched "
        "to kinship carers, the council's own foster carers, agency foster carers, local or "
        "distant children's homes, supported accommodation, parents or adopters, wait in "
        "bridging placements while the right home is found, have placements end as planned or "
        "unplanned, and leave care. Foster carers are recruited and leave.",
        f"Each replication starts {warmup} years before {start} with nobody in care, so that "
        "the children in care at the start have full histories, and then runs for "
        f"{len(appraisal.years)} financial years ({year_label(appraisal.years[0])} to "
        f"{year_label(appraisal.years[-1])}). Every scenario is run on the same "
        f"{appraisal.replications} replication numbers with the same seed "
        f"({appraisal.seed if appraisal.seed is not None else 'not stated'}): common random "
        "numbers, so an option and the baseline see the same children with the same luck.",
        "Each replication writes what happened as SSDA903 episodes, and the indicators are "
        "computed from them with the Department for Education's definitions (children looked "
        "after on 31 March, placement stability, placement location), as they would be from a "
        "real 903 return. Costs are weekly prices for every day of every placement, plus every "
        "bed of the local homes and the one-off and recurring costs the scenario declares.",
        f"Results are means over replications with {appraisal.confidence:.0%} t confidence "
        "intervals, truncated to what the measure can be: a percentage lies between 0 and 100 "
        "and a count, a number of days or a cost is at least 0 (the truncated interval keeps "
        "every possible value the t interval allows, so it covers the true mean at least as "
        "often). Tables and charts show the same intervals. A difference from the baseline is "
        "the mean of the per-replication differences (option minus baseline) with its paired t "
        "interval; * marks an interval that excludes zero, and the headline calls any effect "
        'whose interval includes zero "no measurable difference". The cost per outcome '
        "avoided is shown only when the outcomes avoided are measurably above zero, with a "
        "percentile bootstrap interval (2,000 resamples of the replications, in pairs). Over "
        "the whole horizon, flows (endings, cost, child-years out of area) are summed and "
        "stocks and percentages are averaged over the years. The net present value discounts "
        "each financial year's cost difference to the first year at "
        f"{appraisal.discount_rate:.1%} a year (HM Treasury Green Book); payback is the first "
        "year from which the cumulative discounted saving stays at or above zero.",
    ]
    return [_p(p) for p in paragraphs]


def _limitations_section() -> list[dict]:
    intro = (
        "What the model does not do yet, knowingly. The project's documentation lists every "
        "structural assumption with the direction it probably pushes the results "
        "(docs/assumptions.md) and the problems found in the code (docs/verification.md)."
    )
    return [_p(intro), {"kind": "dl", "entries": list(LIMITATIONS)}]


def _finding(appraisal: Appraisal, measures: Sequence[str]) -> str:
    """Alt text that states what a chart shows: for each measure, the baseline's level in the
    final year and the options' range, with the direction that is better."""
    last = appraisal.years[-1]
    rows = appraisal.levels[
        appraisal.levels["period"].eq("year") & appraisal.levels["year"].eq(last)
    ].set_index(["scenario", "measure"])
    parts = []
    for measure in measures:
        key = (appraisal.baseline, measure)
        if key not in rows.index:
            continue
        s = unit_scale(measure)
        base = rows.loc[key, "mean"] / s
        others = [
            rows.loc[(n, measure), "mean"] / s
            for n in appraisal.scenarios
            if n != appraisal.baseline and (n, measure) in rows.index
        ]
        text = (
            f"{chart_title(measure)} in {year_label(last)}: "
            f"baseline {base:,.1f} {unit_label(measure)}"
        )
        if others:
            text += f", options {min(others):,.1f} to {max(others):,.1f}"
        parts.append(text)
    return "; ".join(parts) + "." if parts else ""


def _charts_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    baseline = run.baseline
    made: list[tuple[Any, str, str]] = []
    made.append(
        (
            charts.timeseries_figure(appraisal.levels, baseline),
            "Key indicators by financial year: mean and 95% confidence interval (the "
            "baseline's band; with more than two scenarios the options' uncertainty is in the "
            "difference chart).",
            _finding(appraisal, charts.KEY_MEASURES),
        )
    )
    if len(appraisal.scenarios) > 1:
        said = "Differences from the baseline over the whole horizon. " + " ".join(
            h.text() for h in headlines(appraisal, None)
        )
        made.append(
            (
                charts.differences_figure(
                    appraisal.differences, None, baseline, all_names=appraisal.scenarios
                ),
                "Difference from the baseline over the whole horizon: mean and 95% paired "
                "interval per option; each panel says which side of zero is better.",
                said,
            )
        )
    blocks: list[dict] = []
    notes = []
    for chart in charts.APPRAISAL_CHARTS:
        try:
            figure = chart.draw(run.results, baseline, 0.95)
        except ValueError as exc:  # an older results.csv without the measures
            notes.append(f"{chart.caption}: not drawn ({exc}).")
            continue
        made.append((figure, chart.caption + ".", _finding(appraisal, chart.measures)))
    for number, (fig, caption, alt) in enumerate(made, start=1):
        blocks.append(_figure(fig, caption, number, alt or caption))
    blocks += [_p(n, "note") for n in notes]
    return blocks


def _resolved(run: CompareRun) -> dict[str, dict]:
    return {s["name"]: s["resolved"] for s in run.scenarios}


def _headline_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    items = headlines(appraisal, _resolved(run))
    blocks = [_p(headline_intro(appraisal))]
    blocks += [_p(h.text(), "headline") for h in items]
    if not items:
        blocks.append(_p("There is no option to compare with the baseline."))
    return blocks


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sufficiency_sim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def build_html(
    run: CompareRun,
    title: str | None = None,
    generated: dt.date | None = None,
    assumptions: Sequence[Assumption] | None = None,
) -> str:
    """The whole report as one HTML page (see the module docstring)."""
    meta = run.meta
    appraisal = appraise(
        run.results,
        run.baseline,
        meta.get("seed"),
        float(meta.get("discount_rate", GREEN_BOOK_RATE)),
        float(meta.get("confidence", 0.95)),
    )
    assumptions = load_assumptions() if assumptions is None else assumptions
    generated = generated or dt.date.today()
    if isinstance(generated, dt.datetime):
        generated = generated.date()
    title = title or f"Options appraisal against {run.baseline}"
    first, last = appraisal.years[0], appraisal.years[-1]
    labels = REPORT_LABELS
    options = [n for n in appraisal.scenarios if n != appraisal.baseline]
    summary_intro = (
        f"{len(options)} option(s) against the baseline {appraisal.baseline}, "
        f"{appraisal.replications} replications of each scenario on common random numbers "
        f"(seed {appraisal.seed if appraisal.seed is not None else 'not stated'}), financial "
        f"years {year_label(first)} to {year_label(last)}. Baseline cells: mean [95% CI]. "
        "Option cells: mean; difference from the baseline [95% CI of the paired difference]; "
        "* marks an interval that excludes zero. A negative cost difference or NPV is a saving."
    )
    notes = (
        "Over the whole horizon percentages and children in bridging are means of the yearly "
        "values (31 March), unplanned endings and cost are totals. Payback is the first "
        "financial year from which the cumulative discounted saving against the baseline stays "
        "non-negative (for the mean path, with the share of replications that pay back within "
        "the horizon). Cost per out-of-area child-year (or unplanned ending) avoided = total "
        "cost difference / number avoided, with a 95% bootstrap interval; shown only when the "
        "number avoided is measurably above zero, negative when the option also saves money."
    )
    versions = meta.get("versions") or {}
    run_rows = [
        ["Results folder", str(run.folder)],
        ["Baseline file", str(meta.get("baseline_file", ""))],
        ["Option files", ", ".join(map(str, meta.get("option_files", [])))],
        ["Overrides (--set)", ", ".join(map(str, meta.get("overrides", []))) or "none"],
        ["Seed", str(meta.get("seed", "not stated"))],
        ["Replications per scenario", str(appraisal.replications)],
        ["Discount rate", f"{appraisal.discount_rate:.1%} a year"],
        ["Executor", f"{meta.get('executor', '')} ({meta.get('jobs', '?')} job(s))"],
        ["Wall time of the comparison", f"{meta.get('wall_seconds', '?')} s"],
        ["Versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "not stated"],
        ["Report made by", f"sufficiency-sim {__version__} on {long_date(generated.isoformat())}"],
    ]
    summary_blocks = [_p(summary_intro)]
    summary_blocks += [_block_table(t) for t in _summary_tables(appraisal)]
    summary_blocks.append(_p(notes, "note"))
    sections = [
        {"id": "headline", "title": "In plain words", "blocks": _headline_section(run, appraisal)},
        {"id": "summary", "title": "Summary", "blocks": summary_blocks},
        {"id": "options", "title": "Scenarios compared", "blocks": _option_section(run)},
        {"id": "charts", "title": "Charts", "blocks": _charts_section(run, appraisal)},
        {
            "id": "measures",
            "title": "Every measure",
            "blocks": [_block_table(_all_measures_table(appraisal, labels))],
        },
        {"id": "method", "title": "Method in brief", "blocks": _method_section(run, appraisal)},
        {
            "id": "assumptions",
            "title": "Assumptions and sources",
            "blocks": _assumptions_section(run, assumptions),
        },
        {"id": "limitations", "title": "Limitations", "blocks": _limitations_section()},
        {
            "id": "run",
            "title": "About this run",
            "blocks": [_block_table(_table(["Item", "Value"], run_rows, "About this run"))],
        },
    ]
    meta_line = (
        f"Report of {long_date(generated.isoformat())} · {len(appraisal.scenarios)} scenarios "
        f"· {appraisal.replications} replications each · financial years {year_label(first)} "
        f"to {year_label(last)}"
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        version=__version__,
        css=markupsafe.Markup(_css()),
        meta_line=meta_line,
        sections=sections,
    )


def write_report(
    folder: str | Path,
    out: str | Path,
    title: str | None = None,
    generated: dt.date | None = None,
) -> Path:
    """Read the compare output `folder`, build the report and write it to `out` atomically."""
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out}: is a folder; expected the path of the HTML file to write")
    run = load_run(folder)
    page = build_html(run, title, generated)
    atomic.write_text(out, page)
    return out
