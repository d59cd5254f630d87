"""The `report` command: a self-contained HTML report of a `compare` output folder.

Registered on the `sufficiency-sim` group by `sufficiency_sim.cli.group`; the page itself is
built by `sufficiency_sim.report.html`, which knows nothing of the command line.
"""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command("report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    default=None,
    help="The HTML file to write.  [default: RESULTS_DIR/report.html]",
)
@click.option("--title", default=None, help="The report's title (default: names the baseline).")
def report_command(results_dir: Path, out_file: Path | None, title: str | None) -> None:
    """Write a self-contained HTML report of a `compare` run from its output folder RESULTS_DIR.

    The report holds the summary tables (each option's key indicators with paired 95% CIs,
    cost, NPV and payback), the charts (drawn again from results.csv and embedded in the page),
    what each option changes, the assumptions with their sources beside the values used, the
    method and the limitations. It needs no network and no other file to be read or printed.

    \b
    Example:
      sufficiency-sim report results/york_options --out results/york_options/report.html
    """
    from sufficiency_sim.files import outputs
    from sufficiency_sim.report.html import write_report

    started = time.perf_counter()
    out_file = out_file if out_file is not None else results_dir / "report.html"
    if out_file.parent.is_dir() or out_file.is_dir():
        outputs.writable_file(out_file)  # a missing RESULTS_DIR is reported by the reader
    written = write_report(results_dir, out_file, title)
    size = written.stat().st_size / 1e6
    click.echo(
        f"wrote {written} ({size:.1f} MB) in {time.perf_counter() - started:.1f} s", err=True
    )
