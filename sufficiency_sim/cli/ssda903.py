"""The ``indicators`` and ``validate-903`` commands of ``sufficiency-sim``.

Both read the episodes and header returns (a CSV file, a folder of returns or a zip), and never
print a child's identifier, date of birth, UPN, MOTHER value or postcode: problems refer to
rows by CSV line number. Unreadable input raises InputError, which the command group turns
into ``error: ...`` and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from sufficiency_sim.errors import InputError
from sufficiency_sim.files.outputs import writable_file

_PATH = click.Path(path_type=Path)


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
    from sufficiency_sim.cli.indicator_table import default_years, format_table, load_903, write_csv
    from sufficiency_sim.measure import indicators
    from sufficiency_sim.ssda903.schema import (
        EPISODE_COLUMNS,
        EPISODE_DERIVED_COLUMNS,
        HEADER_COLUMNS,
    )

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
        write_csv(result, columns, out)
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
    from sufficiency_sim.ssda903.validate import has_errors, summary, validate_903

    problems = validate_903(episodes_path, header_path)
    for problem in problems:
        click.echo(str(problem))
    click.echo(summary(problems))
    failed = has_errors(problems) or (strict and any(p.severity == "warning" for p in problems))
    ctx.exit(1 if failed else 0)
