"""The ``indicators`` and ``validate-903`` commands of ``sufficiency-sim``.

Both read the episodes and header returns (a CSV file, a folder of returns or a zip), and never
print a child's identifier, date of birth, UPN, MOTHER value or postcode: problems refer to
rows by CSV line number. Unreadable input raises InputError, which the command group turns
into ``error: ...`` and exit status 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import click
import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.files.atomic import atomic_open
from sufficiency_sim.files.outputs import writable_file
from sufficiency_sim.ssda903.clean import CleaningReport, clean_episodes, clean_header
from sufficiency_sim.ssda903.codes import collection_year
from sufficiency_sim.ssda903.read import read_episodes, read_header, return_year
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, EPISODE_DERIVED_COLUMNS, HEADER_COLUMNS
from sufficiency_sim.ssda903.sources import SOURCE_COLUMN
from sufficiency_sim.ssda903.validate import has_errors, summary, validate_903

_PATH = click.Path(path_type=Path)


def load_903(
    episodes_path: Path, header_path: Path
) -> tuple[pd.DataFrame, pd.DataFrame, CleaningReport]:
    """Read and clean the episodes and header returns; returns both frames and the report."""
    episodes, episode_report = clean_episodes(read_episodes(episodes_path))
    header, header_report = clean_header(read_header(header_path))
    if episodes.empty:
        raise InputError(f"{episodes_path}: no usable episodes (every row lacks CHILD or DECOM)")
    return episodes, header, episode_report.merge(header_report)


def default_years(episodes: pd.DataFrame) -> list[int]:
    """The collection years whose 31 March the data cover.

    From the year of the earliest DECOM to the year of the latest day covered (the latest
    DECOM, or the last night before the latest DEC); a return for year Y describes children up
    to 31 March Y. When the episodes come from several returns, years before the first return
    (`read.return_year`) are left out: they would only see children still in care then.
    """
    if episodes.empty:
        return []
    last_night = episodes["DEC"].max() - pd.Timedelta(days=1)
    latest = max(d for d in (episodes["DECOM"].max(), last_night) if pd.notna(d))
    first, last = collection_year(episodes["DECOM"].min()), collection_year(latest)
    if SOURCE_COLUMN in episodes.columns and episodes[SOURCE_COLUMN].nunique() > 1:
        years = [return_year(f) for _, f in episodes.groupby(SOURCE_COLUMN)]
        first = max(first, min(y for y in years if y is not None))
    return list(range(first, last + 1))


def _format_value(name: str, value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "-"
    if name.startswith("pct_"):
        return f"{float(value):.1f}"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


def format_table(result: pd.DataFrame, columns: Sequence[str]) -> str:
    """Indicators as rows (in plain words; the CSV of --out keeps the column codes) and years
    as columns; percentages to 1 decimal, NaN as "-"."""
    from sufficiency_sim.report.text import LABELS

    years = [str(int(y)) for y in result["year"]]
    cells = [[_format_value(c, v) for v in result[c]] for c in columns]
    names = [LABELS.get(c, c) for c in columns]
    label_width = max(len("indicator"), *(len(n) for n in names))
    widths = [max(len(y), *(len(row[i]) for row in cells)) for i, y in enumerate(years)]
    lines = [
        "  ".join(
            [
                "indicator".ljust(label_width),
                *(y.rjust(w) for y, w in zip(years, widths, strict=True)),
            ]
        )
    ]
    for name, row in zip(names, cells, strict=True):
        lines.append(
            "  ".join(
                [name.ljust(label_width), *(v.rjust(w) for v, w in zip(row, widths, strict=True))]
            )
        )
    return "\n".join(lines)


def _write_csv(result: pd.DataFrame, columns: Sequence[str], out: Path) -> None:
    try:
        with atomic_open(out, "w") as handle:
            result[["year", *columns]].to_csv(handle, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"{out}: cannot write the file ({exc.strerror})") from None


@click.command("indicators")
@click.option(
    "--episodes", "episodes_path", required=True, type=_PATH, help="Episodes CSV, folder or zip."
)
@click.option(
    "--header", "header_path", required=True, type=_PATH, help="Header CSV, folder or zip."
)
@click.option(
    "--year",
    "years",
    multiple=True,
    type=click.IntRange(1950, 2200),
    help="Collection year (ending 31 March); repeatable. Default: every year the data cover.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the indicators as CSV."
)
def indicators_command(
    episodes_path: Path, header_path: Path, years: tuple[int, ...], out: Path | None
) -> None:
    """Compute the placement indicators of a 903 extract, one column per year.

    The returns are read and cleaned first (several years merged, overlaps truncated); the
    cleaning counts go to stderr. Percentages are shown to 1 decimal, "-" when undefined;
    --out writes them unrounded, one row per year, with the column codes of the README.

    \b
    Example:
      sufficiency-sim indicators --episodes sufficiency_sim/data/sample/episodes.csv \\
          --header sufficiency_sim/data/sample/header.csv --year 2023 --out indicators.csv
    """
    try:
        from sufficiency_sim.measure import indicators
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise click.ClickException(f"the indicators module cannot be loaded ({exc})") from None

    if out is not None:
        writable_file(out)
    episodes, header, report = load_903(episodes_path, header_path)
    click.echo(report.to_text(), err=True)
    covered = default_years(episodes)
    late = [year for year in sorted(set(years)) if year > covered[-1]]
    if late:
        raise InputError(
            f"--year {late[0]}: after the extract's last 31 March ({covered[-1]}), so the "
            f"extract cannot say who was in care then; choose years up to {covered[-1]}"
        )
    chosen = sorted(set(years)) if years else covered
    if not years:
        click.echo(f"years: {chosen[0]}-{chosen[-1]} (every 31 March the data cover)", err=True)
    result = indicators.compute_indicators(
        episodes[[*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS]],
        header[list(HEADER_COLUMNS)],
        chosen,
    )
    columns = list(
        getattr(indicators, "INDICATOR_COLUMNS", [c for c in result.columns if c != "year"])
    )
    click.echo(format_table(result, columns))
    if out is not None:
        _write_csv(result, columns, out)
        click.echo(f"wrote {out}", err=True)


@click.command("validate-903")
@click.option(
    "--episodes", "episodes_path", required=True, type=_PATH, help="Episodes CSV, folder or zip."
)
@click.option(
    "--header", "header_path", required=True, type=_PATH, help="Header CSV, folder or zip."
)
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.pass_context
def validate_command(
    ctx: click.Context, episodes_path: Path, header_path: Path, strict: bool
) -> None:
    """Check a 903 extract: print each problem as FILE:ROW: COLUMN: message.

    Exit status 0 when there is no error (warnings and notes allowed unless --strict),
    1 when errors were found, 2 when the input cannot be read.

    \b
    Example:
      sufficiency-sim validate-903 --episodes episodes.csv --header header.csv
    """
    problems = validate_903(episodes_path, header_path)
    for problem in problems:
        click.echo(str(problem))
    click.echo(summary(problems))
    failed = has_errors(problems) or (strict and any(p.severity == "warning" for p in problems))
    ctx.exit(1 if failed else 0)
