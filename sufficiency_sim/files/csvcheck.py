"""The structural check every CSV reader of the package runs before trusting a file's columns.

A CSV whose header names a column twice, or whose rows have fewer or more fields than the
header, would otherwise be read "successfully" by pandas or `csv.DictReader`: the first (or
last) copy of a duplicated column silently wins, and a row with a missing field has every later
value shifted into the wrong column. `check_structure` refuses both, naming the file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sufficiency_sim.errors import InputError


def _strip(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip()


def check_structure(
    text: str, source: str, normalise: Callable[[str], str] = _strip
) -> tuple[str, ...]:
    """Check CSV `text` from `source`: no duplicated column name (after `normalise`; blank
    names are allowed) and every non-blank row with exactly as many fields as the header.

    Returns the normalised column names. Raises InputError ``SOURCE:LINE: ...`` otherwise.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{source}: the file is empty; expected a CSV file with a header line")
        columns = tuple(normalise(name) for name in header)
        seen: dict[str, int] = {}
        for position, name in enumerate(columns, start=1):
            if not name:
                continue
            if name in seen:
                raise InputError(
                    f"{source}:1: column {name} appears twice (fields {seen[name]} and "
                    f"{position} of the header line); expected each column once, so that it is "
                    "clear which values to use"
                )
            seen[name] = position
        width = len(header)
        for row in reader:
            if not row or (len(row) < width and not any(cell.strip() for cell in row)):
                continue  # a blank line
            if len(row) != width:
                fewer = len(row) < width
                why = (
                    "a value or comma is missing, so later values would be read into the "
                    "wrong columns"
                    if fewer
                    else "an extra comma, or an unquoted comma inside a value?"
                )
                raise InputError(
                    f"{source}:{reader.line_num}: not a valid CSV row ({len(row)} field(s) "
                    f"where the header line has {width}: {why})"
                )
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: not a valid CSV row ({exc})") from None
    return columns
