"""The pieces of the HTML report as plain data for the Jinja2 template
(templates/report.html.j2), which escapes every value (autoescape): table cells, tables,
paragraphs and figures. Nothing here writes HTML.

A block is a dict with a "kind" the template knows: "p", "h3", "table", "figure", "list",
"details" or "dl".
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any

from matplotlib.figure import Figure

from sufficiency_sim.report import charts


def cell(value: Any, cls: str = "", note: str = "") -> dict:
    """A table cell: its lines (a newline starts a new line), CSS class and a note line."""
    return {"lines": str(value).split("\n"), "cls": cls, "note": note}


def table(
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
        row = [first if isinstance(first, dict) else cell(first)]
        row += [c if isinstance(c, dict) else cell(c, cell_class) for c in rest]
        body.append(row)
    return {
        "header": list(header),
        "rows": body,
        "caption": caption,
        "cls": cls,
        "widths": list(widths),
    }


def paragraph(text: str, cls: str = "") -> dict:
    """A paragraph block with an optional CSS class ("note", "headline")."""
    return {"kind": "p", "text": text, "cls": cls}


def table_block(data: dict) -> dict:
    """A block holding a table made by `table`."""
    return {"kind": "table", "table": data}


def _data_uri(figure: Figure) -> str:
    png = charts.png_bytes(figure, dpi=110)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_block(figure: Figure, caption: str, number: int, alt: str) -> dict:
    """A figure block: the chart embedded as a PNG data URI, its caption, number and alt text."""
    return {
        "kind": "figure",
        "src": _data_uri(figure),
        "caption": caption,
        "alt": alt,
        "number": number,
    }
