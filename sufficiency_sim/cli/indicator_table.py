"""The 903 commands' pandas work: reading and cleaning an extract, the years it covers, and the
indicators as a text table or a CSV. Kept apart from the click commands so that
`sufficiency-sim -h` does not import pandas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sufficiency_sim.errors import InputError
from sufficiency_sim.files.atomic import atomic_open
from sufficiency_sim.report.text import LABELS
from sufficiency_sim.ssda903.clean import CleaningReport, clean_episodes, clean_header
from sufficiency_sim.ssda903.codes import collection_year
from sufficiency_sim.ssda903.read import read_episodes, read_header, return_year
from sufficiency_sim.ssda903.sources import SOURCE_COLUMN
from sufficiency_sim.tables import text_table


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
    header = ["indicator", *(str(int(y)) for y in result["year"])]
    rows = [[LABELS.get(c, c), *(_format_value(c, v) for v in result[c])] for c in columns]
    return text_table(header, rows)


def write_csv(result: pd.DataFrame, columns: Sequence[str], out: Path) -> None:
    try:
        with atomic_open(out, "w") as handle:
            result[["year", *columns]].to_csv(handle, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"{out}: cannot write the file ({exc.strerror})") from None
