"""Run the Data to Insight SSDA903 validator on one return and print the failing rules as JSON.

Run with the Python of a virtual environment that has ``csc-validator-be-903`` installed (it
needs pandas<2, so it cannot share the project's environment); tests/e2e/test_d2i_validator.py
does that. Usage:

    python d2i_validate.py RULESET YEAR LA_CODE THIS_DIR [PREV_DIR]
    python d2i_validate.py rulesets

RULESET is e.g. ``lac2023_24``; YEAR the collection year's end (2024 for 2023/24), as the
validator's ``collectionYear``; THIS_DIR (and PREV_DIR, last year's return) hold header.csv and
episodes.csv in the return's layout. Prints {"failing": {code: rows}, "messages": {code: text},
"skipped": [...], "crashed": [...], "ran": n} as the last line on stdout. ``rulesets`` prints the
names of the validator's rule sets instead.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    logging.disable(logging.CRITICAL)  # the validator logs every rule at INFO
    if argv == ["rulesets"]:
        import lac_validator

        folder = Path(lac_validator.__file__).parent / "rules"
        names = sorted(p.name for p in folder.glob("lac20*_*") if (p / "__init__.py").is_file())
        print(json.dumps(names))
        return 0
    ruleset, year, la_code, this_dir = argv[:4]
    prev_dir = argv[4] if len(argv) > 4 else None

    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    files = {"This year": [str(Path(this_dir) / n) for n in ("header.csv", "episodes.csv")]}
    if prev_dir:
        files["Prev year"] = [str(Path(prev_dir) / n) for n in ("header.csv", "episodes.csv")]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    real_stdout, sys.stdout = sys.stdout, sys.stderr  # some rules print
    try:
        validator = lac_validator.LacValidator(
            metadata={"collectionYear": year, "localAuthority": la_code},
            files=process_uploaded_files(files),
            registry=registry,
            selected_rules=None,
        )
    finally:
        sys.stdout = real_stdout
    failing: dict[str, int] = {}
    for table in validator.ds_results.values():
        if not hasattr(table, "columns"):
            continue
        for column in table.columns:
            if str(column).startswith("ERR_"):
                rows = int(table[column].fillna(False).astype(bool).sum())
                if rows:
                    code = str(column)[4:]
                    failing[code] = failing.get(code, 0) + rows
    result = {
        "failing": dict(sorted(failing.items())),
        "messages": {code: str(registry[code].message) for code in failing if code in registry},
        "skipped": sorted(map(str, validator.skips)),
        "crashed": sorted(map(str, validator.fails)),
        "ran": len(validator.dones),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
