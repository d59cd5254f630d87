"""Shared fixtures: writers of small hand-made 903 CSV files and the SF sample folder."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, HEADER_COLUMNS

SAMPLES_ENV = "SUFFICIENCY_SIM_SAMPLES"


def samples_root() -> Path:
    """The SF sample folder: $SUFFICIENCY_SIM_SAMPLES, else shared/data beside the repo."""
    env = os.environ.get(SAMPLES_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared/data/sf-demand-model-samples"


@pytest.fixture
def sf_combined() -> Path:
    """The folder of SF synthetic returns (2017-2021); skips the test when it is absent."""
    root = samples_root()
    folder = root / "combined" if (root / "combined").is_dir() else root
    if not (folder / "2017-episodes.csv").is_file():
        pytest.skip(f"SF sample returns not found at {root}")
    return folder


def csv_text(columns: Iterable[str], rows: Iterable[Mapping[str, object]]) -> str:
    """CSV text with `columns` as header; missing keys are blank.

    Keys that are not 903 episode/header columns (e.g. PL_LOCATION, LA) become extra columns;
    keys of 903 columns left out of `columns` are dropped (to make a column go missing).
    """
    rows = list(rows)
    names = list(columns)
    standard = set(EPISODE_COLUMNS) | set(HEADER_COLUMNS)
    for row in rows:
        names.extend(k for k in row if k not in names and k not in standard)
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=names, lineterminator="\n", restval="", extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def episode(child: str, decom: str, dec: str = "", **fields: object) -> dict[str, object]:
    """One episode row with plausible defaults (RNE S, LS C2, U4/PR1 ...)."""
    row: dict[str, object] = {
        "CHILD": child,
        "DECOM": decom,
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR1",
        "DEC": dec,
        "REC": "E13" if dec else "",
        "REASON_PLACE_CHANGE": "",
        "HOME_POST": "AB1 2CD",
        "PL_POST": "AB3 4EF",
        "URN": "",
    }
    row.update(fields)
    return row


def child(child_id: str, dob: str = "01/01/2010", **fields: object) -> dict[str, object]:
    """One header row."""
    row: dict[str, object] = {"CHILD": child_id, "SEX": "1", "DOB": dob, "ETHNIC": "WBRI"}
    row.update(fields)
    return row


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text or bytes to tmp_path/name (sub-folders created) and return the path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def write_episodes_csv(
    write_file: Callable[[str, str | bytes], Path],
) -> Callable[..., Path]:
    """Write episode rows (dicts, see `episode`) as a 903 episodes CSV."""

    def _write(
        rows: Iterable[Mapping[str, object]],
        name: str = "episodes.csv",
        columns: Iterable[str] = EPISODE_COLUMNS,
    ) -> Path:
        return write_file(name, csv_text(columns, rows))

    return _write


@pytest.fixture
def write_header_csv(
    write_file: Callable[[str, str | bytes], Path],
) -> Callable[..., Path]:
    """Write header rows (dicts, see `child`) as a 903 header CSV."""

    def _write(
        rows: Iterable[Mapping[str, object]],
        name: str = "header.csv",
        columns: Iterable[str] = HEADER_COLUMNS,
    ) -> Path:
        return write_file(name, csv_text(columns, rows))

    return _write
