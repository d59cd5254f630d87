"""Dotted keys of scenario data (`provision.inhouse_foster.households`): split, read, flatten.

One helper for every layer that addresses scenario data by a dotted key: `--set` and `--grid`
on the command line, the report's list of what an option changes, and the app's levers.
(`load.apply_overrides` writes through the same keys, with its own messages.)"""

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
    """The value at a dotted key of nested mappings, or `default` when any part is absent."""
    node = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as {dotted key: leaf value}; lists and empty mappings are leaves."""
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}
