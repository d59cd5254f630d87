"""Generate sufficiency_sim/data/assumptions.csv from the tables of docs/york_baseline.md.

The docs are not installed with the package, but the HTML report shows every default with its
source, so the tables (Key | Value | Status | Basis) are copied into a packaged CSV with the
columns section, key, value, status, basis. The key cell is expanded into full dotted scenario
keys separated by ", ": in "`carers.application_rate`, `approval_rate`" a bare name is a sibling
of the first key (carers.approval_rate), and in "`pathways.placed_with_parents_share`,
`..._before_exit`" the "..." stands for the first key's last part without its last word
(pathways.placed_with_parents_before_exit). Backticks are dropped from every cell.

tests/functional/test_report_html.py checks that the packaged CSV is exactly what this script
makes from the doc, so the two cannot drift. Run from the repository root after editing the doc:

    python scripts/make_assumptions.py          # rewrite the CSV
    python scripts/make_assumptions.py --check  # exit 1 if the CSV is out of date
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "york_baseline.md"
CSV = ROOT / "sufficiency_sim" / "data" / "assumptions.csv"
COLUMNS = ("section", "key", "value", "status", "basis")
HEADER = ["Key", "Value", "Status", "Basis"]


class DocError(ValueError):
    """The doc's tables are not in the expected shape (the message names the line)."""


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def expand_keys(cell: str, where: str = "") -> list[str]:
    """The full dotted keys of a Key cell (see the module docstring)."""
    names = re.findall(r"`([^`]+)`", cell)
    if not names:
        raise DocError(f"{where}: the Key cell {cell!r} has no `key` in backticks")
    first = names[0]
    if "." not in first:
        raise DocError(f"{where}: the first key {first!r} is not a dotted scenario key")
    parent, _, last = first.rpartition(".")
    keys = [first]
    for name in names[1:]:
        if name.startswith("..."):
            stem = last.rsplit("_", 1)[0] if "_" in last else last
            keys.append(f"{parent}.{stem}{name[3:]}")
        elif "." in name:
            keys.append(name)
        else:
            keys.append(f"{parent}.{name}")
    return keys


def parse(markdown: str, source: str = "docs/york_baseline.md") -> list[dict[str, str]]:
    """Every row of every Key | Value | Status | Basis table, with its `## ` section."""
    rows: list[dict[str, str]] = []
    section = ""
    in_table = False
    lines = markdown.splitlines()
    for number, line in enumerate(lines, start=1):
        where = f"{source} line {number}"
        if line.startswith("## "):
            section = line[3:].strip()
            in_table = False
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells == HEADER:
            in_table = True
            continue
        if not in_table or set("".join(cells)) <= set("-: "):
            continue  # another table, or the separator row
        if len(cells) != len(HEADER):
            raise DocError(f"{where}: expected 4 cells (Key | Value | Status | Basis)")
        key, value, status, basis = cells
        rows.append(
            {
                "section": section,
                "key": ", ".join(expand_keys(key, where)),
                "value": value.replace("`", ""),
                "status": status.replace("`", ""),
                "basis": basis.replace("`", ""),
            }
        )
    if not rows:
        raise DocError(f"{source}: no Key | Value | Status | Basis table found")
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    """The rows as CSV text (header first, "\\n" line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def build(doc: Path = DOC) -> str:
    """The CSV text made from the doc."""
    return to_csv(parse(doc.read_text(encoding="utf-8"), str(doc.relative_to(ROOT))))


def _write_atomically(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it (no half-written CSV if interrupted)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the CSV is current")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = CSV.read_text(encoding="utf-8") if CSV.is_file() else ""
        if current != text:
            print(f"{CSV.relative_to(ROOT)} is out of date: run scripts/make_assumptions.py")
            return 1
        print(f"{CSV.relative_to(ROOT)} is up to date")
        return 0
    _write_atomically(CSV, text)
    print(f"wrote {CSV.relative_to(ROOT)}: {text.count(chr(10)) - 1} assumptions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
