"""The ``calibrate`` and ``backtest`` commands of ``sufficiency-sim``.

Both read an authority's 903 extract (episodes and header: a CSV, a folder of yearly returns or
a zip; optionally the UASC table), never print or write a child's identifier, date of birth or
postcode, and report unreadable input as ``error: ...`` with exit status 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sufficiency_sim.cli.options import jobs_option, quiet_option, seed_option
from sufficiency_sim.errors import InputError
from sufficiency_sim.files.outputs import staged_folder, writable_file, writable_folder

if TYPE_CHECKING:  # pandas is imported when a command runs, so that `-h` starts fast
    import pandas as pd

_PATH = click.Path(path_type=Path)


def _date(value: str | None, option: str) -> pd.Timestamp | None:
    import pandas as pd

    if value is None:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(value))
    except ValueError:
        raise InputError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


def _read_extract(episodes_path: Path, header_path: Path, uasc_path: Path | None):
    """The raw episodes, header and UASC frames (cleaning is part of the calibration)."""
    from sufficiency_sim.ssda903.read import read_episodes, read_header

    episodes = read_episodes(episodes_path)
    header = read_header(header_path)
    uasc = None
    if uasc_path is not None:
        from sufficiency_sim.calibration.reading import read_uasc

        uasc = read_uasc(uasc_path)
    return episodes, header, uasc


def _template(path: Path | None) -> tuple[Path, dict]:
    from sufficiency_sim import scenario
    from sufficiency_sim.scenario.load import packaged_york_baseline

    template_path = path or packaged_york_baseline()
    if path is None and not template_path.is_file():
        raise InputError(
            f"{template_path}: default template not found here; give --template FILE.yaml "
            "(a scenario whose capacity and costs suit your authority)"
        )
    scenario.load(template_path)  # a broken template is reported with its own file and key
    return template_path, scenario.load_raw(template_path)


@dataclass
class _Inputs:
    """What both commands read: the template, the raw extract and its default window."""

    template_file: Path
    template: dict
    episodes: pd.DataFrame
    header: pd.DataFrame
    uasc: pd.DataFrame | None
    first: pd.Timestamp  # the extract's first 1 April
    last: pd.Timestamp  # its last 31 March

    def within(self, end: pd.Timestamp | None, option: str) -> pd.Timestamp:
        """`end` (or the last 31 March when not given), refused after the extract's end."""
        if end is None:
            return self.last
        if end > self.last:
            raise InputError(
                f"{option} {end.date()} is after the extract's last 31 March "
                f"({self.last.date()}): the extract cannot say who was in care then"
            )
        return end


def _inputs(
    episodes_path: Path,
    header_path: Path,
    uasc_path: Path | None,
    exclude_uasc: bool,
    template_path: Path | None,
) -> _Inputs:
    from sufficiency_sim.calibration.reading import default_window

    if exclude_uasc and uasc_path is None:
        raise InputError("--exclude-uasc needs --uasc FILE: the UASC table names the children")
    template_file, template = _template(template_path)
    episodes, header, uasc = _read_extract(episodes_path, header_path, uasc_path)
    first, last = default_window(episodes)
    return _Inputs(template_file, template, episodes, header, uasc, first, last)


extract_options = [
    click.option("--episodes", "episodes_path", required=True, type=_PATH, help="903 episodes."),
    click.option("--header", "header_path", required=True, type=_PATH, help="903 header."),
    click.option("--uasc", "uasc_path", type=_PATH, help="903 UASC table (optional)."),
    click.option(
        "--exclude-uasc", is_flag=True, help="Leave out children who were ever UASC (needs --uasc)."
    ),
    click.option(
        "--template",
        "template_path",
        type=_PATH,
        help="Scenario supplying what 903 lacks: capacity, costs, needs, matching "
        "[default: the York baseline installed with the package].",
    ),
]


def _with(options):
    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@click.command("calibrate")
@_with(extract_options)
@click.option("--from", "from_date", metavar="YYYY-MM-DD", help="Window start [first 1 April].")
@click.option("--to", "to_date", metavar="YYYY-MM-DD", help="Window end, a 31 March [latest].")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=_PATH,
    help="The scenario to write, e.g. my_authority.yaml; the census and the report go beside it.",
)
@click.option(
    "--report-replications",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Replications of the in-sample check in the report (0: no simulation).",
)
@seed_option
@jobs_option
@quiet_option
def calibrate_command(
    episodes_path: Path,
    header_path: Path,
    uasc_path: Path | None,
    exclude_uasc: bool,
    template_path: Path | None,
    from_date: str | None,
    to_date: str | None,
    out_path: Path,
    report_replications: int,
    seed: int,
    jobs: int,
    quiet: bool,
) -> None:
    """Calibrate a scenario to an authority's own 903 extract.

    Writes OUT (the scenario), OUT_census.csv (the children looked after at the end of the
    window, with no identifier, date of birth or postcode) and OUT_calibration/ (report.md with
    charts). The scenario runs as it is: `sufficiency-sim run OUT`.

    \b
    Example (the bundled synthetic extract):
      sufficiency-sim calibrate --episodes sufficiency_sim/data/sample/episodes.csv \\
          --header sufficiency_sim/data/sample/header.csv --out results/sample.yaml"""
    if out_path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"--out {out_path}: expected a scenario file name ending .yaml")
    writable_file(out_path)
    inputs = _inputs(episodes_path, header_path, uasc_path, exclude_uasc, template_path)
    start = _date(from_date, "--from") or inputs.first
    end = inputs.within(_date(to_date, "--to"), "--to")
    click.echo(f"calibrating on {start.date()} to {end.date()} ...", err=True)
    _calibrate_and_write(
        inputs,
        start,
        end,
        out_path,
        episodes_path.name,
        replications=report_replications,
        seed=seed,
        jobs=jobs or None,
        quiet=quiet,
        exclude_uasc=exclude_uasc,
    )


def _calibrate_and_write(
    inputs: _Inputs,
    start: pd.Timestamp,
    end: pd.Timestamp,
    out_path: Path,
    source_name: str,
    *,
    replications: int,
    seed: int,
    jobs: int | None,
    quiet: bool,
    exclude_uasc: bool,
) -> None:
    """Calibrate on the window, then write the report, the census and the scenario (the report
    and its simulation first, so that a failure leaves no half-written scenario)."""
    from sufficiency_sim.calibration.pipeline import calibrate
    from sufficiency_sim.calibration.scenario_writer import write_scenario
    from sufficiency_sim.report.calibration import write_report
    from sufficiency_sim.scenario.census import write_census

    episodes, header, uasc = inputs.episodes, inputs.header, inputs.uasc
    census_name = f"{out_path.stem}_census.csv"
    calibration = calibrate(
        episodes,
        header,
        inputs.template,
        start,
        end,
        name=out_path.stem.replace("_", " "),
        census_file=census_name,
        uasc=uasc,
        exclude_uasc=exclude_uasc,
    )
    report_dir = out_path.parent / f"{out_path.stem}_calibration"
    with staged_folder(report_dir) as staging:
        summary = write_report(
            calibration,
            staging,
            template_file=inputs.template_file,
            replications=replications,
            seed=seed,
            jobs=jobs,
            quiet=quiet,
            episodes=episodes,
            header=header,
            uasc=uasc,
            exclude_uasc=exclude_uasc,
        )
        write_census(calibration.census.to_dict("records"), out_path.parent / census_name)
        write_scenario(out_path, calibration.data, calibration.provenance, source_name)
    click.echo(summary)
    click.echo(
        f"wrote {out_path}, {out_path.parent / census_name} and {report_dir / 'report.md'}\n"
        f"run it with: sufficiency-sim run {out_path}"
    )


@click.command("backtest")
@_with(extract_options)
@click.option("--from", "from_date", metavar="YYYY-MM-DD", help="Training start [first 1 April].")
@click.option(
    "--train-to",
    "train_to",
    required=True,
    metavar="YYYY-MM-DD",
    help="End of training (31 March).",
)
@click.option(
    "--test-to", "test_to", metavar="YYYY-MM-DD", help="End of the test years [latest 31 March]."
)
@click.option(
    "--origins",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Cut dates (rolling origin): --train-to and the 31 Marches before it, each "
    "forecasting as many years as --train-to does to --test-to; errors pooled by years ahead.",
)
@click.option("--replications", "-n", default=40, show_default=True, type=click.IntRange(2))
@click.option("--out", "out_dir", type=_PATH, help="Folder for backtest.csv and backtest.md.")
@seed_option
@jobs_option
@quiet_option
def backtest_command(
    episodes_path: Path,
    header_path: Path,
    uasc_path: Path | None,
    exclude_uasc: bool,
    template_path: Path | None,
    from_date: str | None,
    train_to: str,
    test_to: str | None,
    origins: int,
    replications: int,
    out_dir: Path | None,
    seed: int,
    jobs: int,
    quiet: bool,
) -> None:
    """Calibrate on the extract up to --train-to, simulate forward from the census that day to
    --test-to, and show for each indicator and year the observed value against the simulated
    mean and 95% prediction band, beside the naive forecasts (the last value carried forward,
    the mean of the last three years) and the errors of each.

    \b
    Example:
      sufficiency-sim backtest --episodes E.csv --header H.csv --train-to 2021-03-31"""
    from sufficiency_sim.calibration.backtest import format_backtest, run_backtest

    if out_dir is not None:
        writable_folder(out_dir)  # refused before the simulation, not after
    inputs = _inputs(episodes_path, header_path, uasc_path, exclude_uasc, template_path)
    start, cuts, tests = _cut_dates(inputs, from_date, train_to, test_to, origins)
    table = run_backtest(
        inputs.episodes,
        inputs.header,
        inputs.template,
        start,
        cuts,
        tests,
        replications=replications,
        seed=seed,
        jobs=jobs or None,
        uasc=inputs.uasc,
        exclude_uasc=exclude_uasc,
        quiet=quiet,
        progress_file=sys.stderr,
    )
    text = format_backtest(table)
    click.echo(text)
    if out_dir is not None:
        _write_backtest(out_dir, table, text)


def _cut_dates(
    inputs: _Inputs, from_date: str | None, train_to: str, test_to: str | None, origins: int
) -> tuple[pd.Timestamp, list[pd.Timestamp], list[pd.Timestamp]]:
    """The training start, the cut dates (the last is --train-to) and each cut's test end."""
    import pandas as pd

    train_end = inputs.within(_date(train_to, "--train-to"), "--train-to")
    start = _date(from_date, "--from") or inputs.first
    test_end = inputs.within(_date(test_to, "--test-to"), "--test-to")
    if test_end <= train_end:
        raise InputError(f"--test-to {test_end.date()} must be after --train-to {train_end.date()}")
    span = test_end.year - train_end.year
    cuts = [pd.Timestamp(train_end.year - k, 3, 31) for k in range(origins)][::-1]
    if cuts[0].year - start.year < 3:
        raise InputError(
            f"--origins {origins}: the earliest cut, {cuts[0].date()}, leaves fewer than three "
            f"years of training data after {start.date()}"
        )
    return start, cuts, [pd.Timestamp(cut.year + span, 3, 31) for cut in cuts]


def _write_backtest(out_dir: Path, table: pd.DataFrame, text: str) -> None:
    from sufficiency_sim.files import atomic

    atomic.write_csv(out_dir / "backtest.csv", table)
    atomic.write_text(out_dir / "backtest.md", "```\n" + text + "\n```\n")
    click.echo(f"wrote {out_dir / 'backtest.csv'} and {out_dir / 'backtest.md'}", err=True)
