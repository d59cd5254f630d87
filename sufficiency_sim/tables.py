"""The package's two table printers: aligned plain text (the terminal's tables when piped, the
903 indicators, the backtest) and markdown (appraisal.md, the calibration report). Callers
build a header and rows of strings; these only lay them out. The HTML report's tables are
Jinja2 templates (`report/blocks.py`), and rich draws the tables of a terminal
(`report/text.py`)."""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "
"""Between the columns of a plain-text table."""


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    align: Sequence[str] | None = None,
    rule: bool = False,
    title: str = "",
) -> str:
    """Aligned plain text, each column as wide as its widest cell and two spaces apart.

    `align` holds "<" (left) or ">" (right) per column, as a string or a sequence; by default
    the first column is left-aligned and the others right-aligned. With `rule`, a line of
    dashes as wide as the table goes under the header; a `title` goes above it. Trailing
    spaces are stripped from every line; a table without columns is its title alone."""
    lines = [title] if title else []
    if not header:
        return "\n".join(lines)
    align = align or "<" + ">" * (len(header) - 1)
    if len(align) != len(header) or set(align) - {"<", ">"}:
        raise ValueError(f"align must give '<' or '>' for each of {len(header)} columns")
    _check_rows(header, rows)
    table = [[str(cell) for cell in cells] for cells in [header, *rows]]
    widths = [max(len(cells[i]) for cells in table) for i in range(len(header))]
    for index, cells in enumerate(table):
        line = GAP.join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True))
        lines.append(line.rstrip())
        if index == 0 and rule:
            lines.append("-" * len(line))
    return "\n".join(lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown (GitHub) table: the header, a `|---|` separator and one line per row, with
    any `|` in a cell escaped as `\\|`; no final newline. A table without columns is ""."""
    if not header:
        return ""
    _check_rows(header, rows)
    lines = [_markdown_line(header), "|" + "---|" * len(header)]
    lines += [_markdown_line(cells) for cells in rows]
    return "\n".join(lines)


def _check_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Every row has a cell for each column (rows counted from 1)."""
    for index, cells in enumerate(rows, start=1):
        if len(cells) != len(header):
            raise ValueError(f"row {index} has {len(cells)} cells for {len(header)} columns")


def _markdown_line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"
