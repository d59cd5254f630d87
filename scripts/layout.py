"""Print the package's layout from its code: each package and module, its lines, and the first
line of its docstring (its one-line purpose). The README's "How it is built" section is this
output.

    python scripts/layout.py              # every module (docs/model.md)
    python scripts/layout.py --packages   # packages only (the README)
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sufficiency_sim"
WIDTH = 100


def purpose(path: Path) -> str:
    """The first sentence of a module's docstring, or '' if it has none."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return first.split(". ")[0].rstrip(".")


def lines(path: Path) -> int:
    """Lines of a source file."""
    return len(path.read_text(encoding="utf-8").splitlines())


def entries(folder: Path, depth: int = 0, packages_only: bool = False) -> list[str]:
    """One line per module and package under `folder`, packages after modules (only the
    packages' own lines below the top with `packages_only`)."""
    out = []
    indent = "  " * (depth + 1)
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        out.append(_line(f"{indent}{path.name}", f"{lines(path):>4}", purpose(path)))
    for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").exists()):
        total = sum(lines(p) for p in sub.rglob("*.py"))
        out.append(_line(f"{indent}{sub.name}/", f"{total:>4}", purpose(sub / "__init__.py")))
        if not packages_only:
            out.extend(entries(sub, depth + 1))
    return out


def _line(name: str, count: str, text: str) -> str:
    head = f"{name:<30}{count}  "
    room = WIDTH - len(head)
    return head + (text if len(text) <= room else text[: room - 3] + "...")


def main() -> None:
    """Print the layout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", action="store_true", help="packages only")
    args = parser.parse_args()
    print(f"sufficiency_sim/{'':<14}lines")
    print("\n".join(entries(PACKAGE, packages_only=args.packages)))


if __name__ == "__main__":
    main()
