"""The assumptions section of the HTML report: every documented default of the York baseline
(sufficiency_sim/data/assumptions.csv, from docs/york_baseline.md) with its status and source,
beside the value the baseline of the run actually used and the options that change it."""

from __future__ import annotations

import csv
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass

from sufficiency_sim.report.blocks import cell, paragraph, table, table_block
from sufficiency_sim.report.changes import value_lines
from sufficiency_sim.report.compare_run import CompareRun
from sufficiency_sim.scenario.keys import get_key

STATUS_MEANINGS: dict[str, str] = {
    "P": "published figure",
    "D": "derived from published figures",
    "E": "estimate or assumption",
    "T": "tuned so that the model reproduces York's published 2018-19 position",
}
"""The status codes of docs/york_baseline.md."""


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


def assumptions_section(run: CompareRun, assumptions: Sequence[Assumption]) -> list[dict]:
    """The blocks of the assumptions section: an introduction, then a table per section of
    `assumptions` with the value the run's baseline used and the options that change it."""
    baseline = run.scenarios[0]["resolved"]
    options = [(s["name"], s["resolved"]) for s in run.scenarios[1:]]
    status = "; ".join(f"{k} {v}" for k, v in STATUS_MEANINGS.items())
    blocks = [
        paragraph(
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
                table_block(table(header, rows, f"Assumptions: {section}", "assumptions", widths))
            )

    for item in assumptions:
        if item.section != section:
            flush()
            section, rows = item.section, []
        rows.append(_row(item, baseline, options))
    flush()
    return blocks


def _row(item: Assumption, baseline: dict, options: Sequence[tuple[str, dict]]) -> list:
    """The table row of one assumption: its keys, the value(s) the baseline used (noting the
    options that change them), the documented value, status and basis."""
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
    return [
        cell("\n".join(item.paths)),
        cell("\n".join(used), "value", note),
        item.value,
        item.status,
        item.basis,
    ]
