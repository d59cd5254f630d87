"""A self-contained HTML report of a `compare` run, built from its output folder.

`compare_run.load_run(folder)` reads and checks the folder; `build_html(run)` appraises the
results with `sufficiency_sim.appraisal.statistics` (the same functions, and so the same numbers,
as `appraisal.md`), draws the charts again from the results with `sufficiency_sim.report.charts`
and returns one HTML page; `write_report(folder, out)` does both and writes the page atomically.
The sections are made as plain data by `report.sections`, `report.assumptions` and
`report.limitations` (tables by `report.tables`, pieces by `report.blocks`) and rendered here by
the Jinja2 template templates/report.html.j2, with autoescape on and StrictUndefined.

The page needs nothing from the network or from other files: the charts are PNG data URIs, the
style sheet is inline (system fonts, print styles), there is no script, and a Content Security
Policy forbids loading anything else. Every piece of text is escaped. The page carries no
identifier of a child: `compare` outputs hold none (they are yearly measures of simulated runs).
Bad input raises `errors.InputError` naming the file and what was expected.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from collections.abc import Sequence
from pathlib import Path

import jinja2
import markupsafe

from sufficiency_sim import __version__
from sufficiency_sim.appraisal.statistics import GREEN_BOOK_RATE, Appraisal, appraise, year_label
from sufficiency_sim.errors import InputError
from sufficiency_sim.files import atomic
from sufficiency_sim.report.assumptions import Assumption, assumptions_section, load_assumptions
from sufficiency_sim.report.blocks import table_block
from sufficiency_sim.report.changes import long_date
from sufficiency_sim.report.compare_run import CompareRun, load_run
from sufficiency_sim.report.labels import REPORT_LABELS
from sufficiency_sim.report.limitations import limitations_section
from sufficiency_sim.report.sections import (
    charts_section,
    headline_section,
    method_section,
    option_section,
    run_section,
    summary_section,
)
from sufficiency_sim.report.tables import all_measures_table


def _environment() -> jinja2.Environment:
    """The Jinja2 environment of the report: templates in report/templates/, every value
    escaped, and an undefined name an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sufficiency_sim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _css() -> str:
    """The report's style sheet, inlined into the page."""
    return (
        importlib.resources.files("sufficiency_sim.report") / "templates" / "report.css"
    ).read_text(encoding="utf-8")


def _sections(
    run: CompareRun, appraisal: Appraisal, assumptions: Sequence[Assumption], generated: dt.date
) -> list[dict]:
    """The report's sections in page order: id, title and blocks of each."""
    summary_blocks = summary_section(appraisal)
    return [
        {"id": "headline", "title": "In plain words", "blocks": headline_section(run, appraisal)},
        {"id": "summary", "title": "Summary", "blocks": summary_blocks},
        {"id": "options", "title": "Scenarios compared", "blocks": option_section(run)},
        {"id": "charts", "title": "Charts", "blocks": charts_section(run, appraisal)},
        {
            "id": "measures",
            "title": "Every measure",
            "blocks": [table_block(all_measures_table(appraisal, REPORT_LABELS))],
        },
        {"id": "method", "title": "Method in brief", "blocks": method_section(run, appraisal)},
        {
            "id": "assumptions",
            "title": "Assumptions and sources",
            "blocks": assumptions_section(run, assumptions),
        },
        {"id": "limitations", "title": "Limitations", "blocks": limitations_section()},
        {"id": "run", "title": "About this run", "blocks": run_section(run, appraisal, generated)},
    ]


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
    sections = _sections(run, appraisal, assumptions, generated)
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
