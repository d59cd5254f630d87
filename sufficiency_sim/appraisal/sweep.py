"""A parameter sweep as library functions: parse `--grid key=v1,v2,...` axes, load and check
every point of their full factorial (before anything runs), and summarise the results per grid
point. The command line (`sufficiency-sim sweep`) and notebook 4 call these."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sufficiency_sim import scenario
from sufficiency_sim.appraisal.paired import level_summary
from sufficiency_sim.errors import InputError
from sufficiency_sim.scenario.keys import split_key
from sufficiency_sim.scenario.schema import Scenario


def split_values(text: str) -> list[str]:
    """Split `v1,v2,...` on commas outside brackets and quotes (so [1,2] stays one value)."""
    values, current, depth, quote = [], [], 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return values


@dataclass(frozen=True)
class GridAxis:
    """One `--grid key=v1,v2,...`: the dotted key, the raw values and their YAML values."""

    key: str
    raw: tuple[str, ...]
    values: tuple[Any, ...]


def parse_grid(text: str) -> GridAxis:
    """Parse `dotted.key=v1,v2,...` (each value read as YAML); InputError if malformed."""
    if "=" not in text:
        raise InputError(f"--grid {text!r}: expected dotted.key=value1,value2,...")
    key, _, rest = text.partition("=")
    key = key.strip()
    if split_key(key) is None:
        raise InputError(f"--grid {text!r}: the key {key!r} is empty or has an empty part")
    raw = split_values(rest)
    if any(value == "" for value in raw):
        raise InputError(f"--grid {text!r}: a value is empty (two commas, or a trailing comma?)")
    parsed = []
    for value in raw:
        try:
            parsed.append(yaml.safe_load(value))
        except yaml.YAMLError:
            raise InputError(f"--grid {text!r}: {value!r} is not a valid YAML value") from None
    if len({json.dumps(v, sort_keys=True, default=str) for v in parsed}) != len(parsed):
        raise InputError(f"--grid {text!r}: a value is listed twice")
    return GridAxis(key, tuple(raw), tuple(parsed))


def grid_points(axes: Sequence[GridAxis]) -> list[tuple[tuple[str, str], ...]]:
    """Every combination (full factorial) of the axes' raw values, as ((key, raw), ...)."""
    return [
        tuple(zip((axis.key for axis in axes), combo, strict=True))
        for combo in itertools.product(*(axis.raw for axis in axes))
    ]


def point_name(point: Sequence[tuple[str, str]]) -> str:
    """The scenario name of a grid point, e.g. "households=80, campaign=55"."""
    return ", ".join(f"{key}={raw}" for key, raw in point)


def load_sweep(
    scenario_file: Path, axes: Sequence[GridAxis], overrides: Sequence[str] = ()
) -> dict[str, Scenario]:
    """Every grid point's scenario, validated before anything runs (keyed by point name)."""
    scenario.load(scenario_file, overrides)  # the file itself first, with its own messages
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise InputError("--grid: the same key is given twice; list all its values in one --grid")
    named = {}
    for point in grid_points(axes):
        settings = [f"{key}={raw}" for key, raw in point]
        try:
            named[point_name(point)] = scenario.load(scenario_file, [*overrides, *settings])
        except InputError as exc:
            raise InputError(f"--grid point {point_name(point)}: {exc}") from None
    return named


def sweep_table(results: pd.DataFrame, axes: Sequence[GridAxis]) -> pd.DataFrame:
    """The tidy sweep table: the grid keys as columns, then period, year, measure, horizon_rule,
    n, mean, lower, upper; yearly rows and the whole-horizon summary."""
    levels = level_summary(results)
    lookup = {}
    for point in grid_points(axes):
        values = []
        for (_, raw), axis in zip(point, axes, strict=True):
            value = axis.values[axis.raw.index(raw)]
            values.append(value if isinstance(value, int | float | str | bool) else str(value))
        lookup[point_name(point)] = values
    grid = pd.DataFrame(
        [lookup[name] for name in levels["scenario"]], columns=[axis.key for axis in axes]
    )
    return pd.concat([grid, levels.drop(columns="scenario")], axis=1)
