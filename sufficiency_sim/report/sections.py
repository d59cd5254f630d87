"""The sections of the HTML report other than the assumptions and the limitations, each as
a list of blocks (`report.blocks`): the headline in plain words, the summary, the scenarios
compared, the charts, the method in brief and what the run was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sufficiency_sim import __version__
from sufficiency_sim.appraisal.statistics import Appraisal, year_label
from sufficiency_sim.report import charts
from sufficiency_sim.report.blocks import figure_block, paragraph, table, table_block
from sufficiency_sim.report.changes import (
    describe_changes,
    long_date,
    scenario_changes,
    value_lines,
)
from sufficiency_sim.report.compare_run import CompareRun
from sufficiency_sim.report.headline import headline_intro, headlines
from sufficiency_sim.report.labels import chart_title, unit_label, unit_scale
from sufficiency_sim.report.tables import summary_tables


def headline_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    """The answer in plain words: what the headline numbers say, one paragraph per option."""
    items = headlines(appraisal, _resolved(run))
    blocks = [paragraph(headline_intro(appraisal))]
    blocks += [paragraph(h.text(), "headline") for h in items]
    if not items:
        blocks.append(paragraph("There is no option to compare with the baseline."))
    return blocks


def summary_section(appraisal: Appraisal) -> list[dict]:
    """The summary: how to read the cells, the committee tables and a note on their rules."""
    first, last = appraisal.years[0], appraisal.years[-1]
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
    blocks = [paragraph(summary_intro)]
    blocks += [table_block(t) for t in summary_tables(appraisal)]
    blocks.append(paragraph(notes, "note"))
    return blocks


def run_section(run: CompareRun, appraisal: Appraisal, generated: dt.date) -> list[dict]:
    """About this run: the folder, files, seed, replications, executor and versions, and when
    the report was made (`generated`)."""
    meta = run.meta
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
    return [table_block(table(["Item", "Value"], run_rows, "About this run"))]


def option_section(run: CompareRun) -> list[dict]:
    """Each scenario compared: its description and file, and for an option what it changes,
    in words and as every setting changed."""
    baseline = run.scenarios[0]["resolved"]
    blocks: list[dict] = []
    for item in run.scenarios:
        resolved = item["resolved"]
        name = item["name"]
        role = " (baseline)" if name == run.baseline else ""
        blocks.append({"kind": "h3", "text": f"{name}{role}"})
        description = str(resolved.get("description") or "").strip()
        if description:
            blocks.append(paragraph(description))
        if item.get("file"):
            blocks.append(paragraph(f"Scenario file: {item['file']}", "note"))
        if name == run.baseline:
            continue
        changes = scenario_changes(baseline, resolved)
        if not changes:
            blocks.append(paragraph("No setting differs from the baseline."))
            continue
        words = describe_changes(baseline, resolved)
        if words:
            blocks.append(paragraph("What it changes:"))
            blocks.append({"kind": "list", "entries": words, "cls": ""})
        rows = [
            [key, "\n".join(value_lines(before)), "\n".join(value_lines(after))]
            for key, before, after in changes
        ]
        settings = table(
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
                "blocks": [table_block(settings)],
            }
        )
    return blocks


def charts_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    """The charts, drawn again from the results and embedded, each with a caption and alt text
    that states its finding; a note for a chart an older results.csv cannot draw."""
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
        blocks.append(figure_block(fig, caption, number, alt or caption))
    blocks += [paragraph(n, "note") for n in notes]
    return blocks


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


def method_section(run: CompareRun, appraisal: Appraisal) -> list[dict]:
    """The method in brief: the model, the replications, the indicators and the statistics."""
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
    return [paragraph(p) for p in paragraphs]


def _resolved(run: CompareRun) -> dict[str, dict]:
    """Each scenario's resolved settings by name."""
    return {s["name"]: s["resolved"] for s in run.scenarios}
