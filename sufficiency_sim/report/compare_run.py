"""Reading a `compare` output folder for the HTML report: `load_run(folder)` reads and checks
`run.json` (the resolved scenarios, seed, discount rate) and `results.csv` (one row per
scenario, replication and year) and returns a `CompareRun`.

Bad input raises `errors.InputError` naming the file and what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sufficiency_sim.appraisal.statistics import KEYS
from sufficiency_sim.errors import InputError
from sufficiency_sim.files import outputs
from sufficiency_sim.files.csvcheck import check_structure
from sufficiency_sim.report.folder import RESULTS_FILE, RUN_FILE
from sufficiency_sim.report.markdown import FINAL_YEAR_COLUMNS, HORIZON_COLUMNS

REQUIRED_MEASURES: tuple[str, ...] = tuple(
    dict.fromkeys(c.measure for c in (*HORIZON_COLUMNS, *FINAL_YEAR_COLUMNS))
)
"""Measures results.csv must have: those of the committee tables (cost among them)."""


@dataclass
class CompareRun:
    """A checked `compare` output folder: its run.json and results."""

    folder: Path
    meta: dict
    results: pd.DataFrame
    scenarios: list[dict] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """The baseline's name (compare lists the baseline first)."""
        return self.scenarios[0]["name"]

    @property
    def names(self) -> list[str]:
        """The scenarios' names, the baseline first."""
        return [s["name"] for s in self.scenarios]


_EXPECTED = "the output folder of `sufficiency-sim compare` (run.json, results.csv ...)"


def _read_meta(folder: Path) -> dict:
    """The checked run.json of `folder`."""
    path = folder / RUN_FILE
    if not path.is_file():
        raise InputError(f"{path}: not found; expected {_EXPECTED}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc}); expected the run.json of compare"
        ) from None
    if not isinstance(meta, dict):
        raise InputError(f"{path}: expected a JSON object (the run.json of compare)")
    command = meta.get("command")
    if command != "compare":
        made_by = f"`sufficiency-sim {command}`" if command else "another command"
        if command is None and "scenario" in meta:
            made_by = "`sufficiency-sim run`"
        raise InputError(
            f"{path}: written by {made_by}, not `compare`; expected {_EXPECTED}, "
            "e.g. from `sufficiency-sim compare BASELINE.yaml OPTION.yaml --out DIR`"
        )
    scenarios = meta.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        raise InputError(f"{path}: key 'scenarios' missing or empty; expected a list of scenarios")
    for index, item in enumerate(scenarios):
        ok = isinstance(item, dict) and isinstance(item.get("name"), str)
        if not ok or not isinstance(item.get("resolved"), dict):
            raise InputError(
                f"{path}: scenarios[{index}] needs a 'name' and the 'resolved' scenario"
            )
    for key, kind in (("seed", int), ("discount_rate", int | float), ("confidence", int | float)):
        value = meta.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            what = "a whole number" if kind is int else "a number"
            raise InputError(f"{path}: key {key!r} is {value!r}; expected {what}")
    return meta


def _read_results(folder: Path, names: Sequence[str]) -> pd.DataFrame:
    """The checked results.csv of `folder`, in the order of `names`, replication and year."""
    path = folder / RESULTS_FILE
    if not path.is_file():
        raise InputError(f"{path}: not found; expected {_EXPECTED}")
    try:
        text = path.read_text(encoding="utf-8")
        if text.strip():  # an empty file is reported by pandas below, as before
            check_structure(text, str(path))
        results = pd.read_csv(path, dtype={"scenario": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{path}: not a readable CSV ({detail}); expected the results.csv of compare"
        ) from None
    missing = [c for c in (*KEYS, *REQUIRED_MEASURES) if c not in results.columns]
    if missing:
        raise InputError(
            f"{path}: no column {', '.join(missing)}; expected the results.csv of compare "
            "(scenario, replication, year, then one column per measure)"
        )
    if results.empty:
        raise InputError(f"{path}: no rows; expected one row per scenario, replication and year")
    for column in results.columns:
        if column == "scenario":
            continue
        raw = results[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if column in ("replication", "year"):
            bad |= values.isna() | (values.notna() & (values % 1 != 0))
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2  # the header is line 1
            raise InputError(
                f"{path}: line {line}, column {column}: {raw.iloc[line - 2]!r} is not "
                f"{'a whole number' if column in ('replication', 'year') else 'a number'}"
            )
        results[column] = values.astype("int64") if column in ("replication", "year") else values
    blank = results["scenario"].isna()
    if blank.any():
        line = int(blank.to_numpy().nonzero()[0][0]) + 2
        raise InputError(f"{path}: line {line}: the scenario name is blank")
    found = list(dict.fromkeys(results["scenario"]))
    if set(found) != set(names):
        raise InputError(
            f"{path}: has the scenarios {found}, but run.json lists {list(names)}; "
            "expected the results.csv written with that run.json"
        )
    rank = {name: i for i, name in enumerate(names)}
    order = results["scenario"].map(rank)
    results = results.assign(_s=order).sort_values(["_s", "replication", "year"], kind="stable")
    return results.drop(columns="_s").reset_index(drop=True)


def load_run(folder: str | Path) -> CompareRun:
    """Read and check a compare output folder; InputError names the file and what was
    expected when it is missing, not a compare folder, or corrupt."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"{folder}: no such folder; expected {_EXPECTED}")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; expected {_EXPECTED}")
    meta = _read_meta(folder)
    scenarios = meta["scenarios"]
    results = _read_results(folder, [s["name"] for s in scenarios])
    _check_replications(results, folder / RESULTS_FILE)
    outputs.check_run(folder)  # every file from the one run its run.json names
    return CompareRun(folder, meta, results, scenarios)


def _check_replications(results: pd.DataFrame, path: Path) -> None:
    """Refuse results where a scenario lacks (or repeats) a replication-year of the baseline:
    options are compared replication by replication on common random numbers."""
    keys = results[["scenario", "replication", "year"]]
    repeated = keys.duplicated()
    if repeated.any():
        row = keys[repeated].iloc[0]
        raise InputError(
            f"{path}: scenario {row['scenario']!r}, replication {row['replication']}, year "
            f"{row['year']} appears twice; expected one row per scenario, replication and year"
        )
    cells = {
        name: set(zip(group["replication"], group["year"], strict=True))
        for name, group in keys.groupby("scenario", sort=False)
    }
    names = list(cells)
    base = cells[names[0]]
    for name in names[1:]:
        if cells[name] != base:
            mine = {rep for rep, _ in cells[name]}
            theirs = {rep for rep, _ in base}
            missing = sorted(theirs - mine)
            detail = (
                f"lacks replication(s) {', '.join(map(str, missing[:5]))}"
                if missing
                else "covers other replications or years"
            )
            raise InputError(
                f"{path}: scenario {name!r} {detail} of the baseline {names[0]!r} "
                f"({len(mine)} replications against {len(theirs)}); options are compared "
                "replication by replication, so every scenario needs the same ones"
            )
