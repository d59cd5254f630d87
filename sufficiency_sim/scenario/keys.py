"""Dotted keys of scenario data (`provision.inhouse_foster.households`): split, read, flatten.

One helper for every layer that addresses scenario data by a dotted key: `--set` and `--grid`
on the command line, the report's list of what an option changes, the app's levers and the
calibration's estimates. (`load.apply_overrides` walks the same keys itself because it also
indexes lists and names the part of a `--set` that is wrong.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING: Any = object()
"""The value of a dotted key that is not in the data (distinct from None)."""


def split_key(key: str) -> list[str] | None:
    """The parts of a dotted key, or None when it is empty or has an empty part."""
    parts = key.strip().split(".")
    return parts if all(parts) else None


def get_key(data: Any, key: str, default: Any = MISSING) -> Any:
    """The value at a dotted key of nested mappings, or `default` when any part is absent.

    A part of digits also finds an integer key (YAML reads `sibling_group_mix: {2: 0.2}` with
    the key 2), so `entries.sibling_group_mix.2` finds it."""
    node = data
    for part in key.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, Mapping) and part.isdigit() and int(part) in node:
            node = node[int(part)]
        else:
            return default
    return node


def set_key(data: dict, key: str, value: Any) -> None:
    """Set the value at a dotted key of nested dicts, making the sections that are missing."""
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as {dotted key: leaf value}; lists and empty mappings are leaves."""
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}
