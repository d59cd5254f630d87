"""What an option changes against its baseline, from resolved scenario data: the changed
settings as (dotted key, before, after) with their values as compact text for the HTML report,
and the same in words for the headline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sufficiency_sim.scenario.keys import MISSING, flatten, get_key

_SKIP_DIFF_KEYS = frozenset({"name", "description"})


def format_value(value: Any) -> str:
    """Scenario data as compact text: `a: 1, b: (c: 2)`; lists with commas or semicolons."""
    if value is MISSING:
        return "not in the scenario"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            text = format_value(item)
            nested = isinstance(item, Mapping | list) and len(item) > 1
            parts.append(f"{key}: ({text})" if nested else f"{key}: {text}")
        return ", ".join(parts) if parts else "none"
    if isinstance(value, list):
        if not value:
            return "none"
        if any(isinstance(item, Mapping) for item in value):
            return "; ".join(f"[{format_value(item)}]" for item in value)
        return ", ".join(format_value(item) for item in value)
    return str(value)


def value_lines(value: Any) -> list[str]:
    """`format_value` split into readable lines: one per entry of a mapping whose entries are
    themselves mappings or lists, and one per item of a list of mappings."""
    if isinstance(value, Mapping) and any(isinstance(v, Mapping | list) for v in value.values()):
        return [f"{key}: {format_value(item)}" for key, item in value.items()]
    if isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
        return [f"[{format_value(item)}]" for item in value]
    return [format_value(value)]


def scenario_changes(baseline: Mapping, option: Mapping) -> list[tuple[str, Any, Any]]:
    """(dotted key, baseline value, option value) for every setting the option changes
    (lists are compared whole; the name and description are left out)."""
    base, mine = flatten(baseline), flatten(option)
    changes = []
    for key in dict.fromkeys([*base, *mine]):
        if key.split(".")[0] in _SKIP_DIFF_KEYS:
            continue
        before, after = base.get(key, MISSING), mine.get(key, MISSING)
        if before != after:
            changes.append((key, before, after))
    return changes


def long_date(value: Any) -> str:
    """An ISO date as "1 April 2019" (anything else as it is)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.2f}m"
    return f"£{value:,.0f}"


def _lower(text: Any) -> str:
    text = str(text or "the option")
    return text[:1].lower() + text[1:]


def _band(band: Any) -> str:
    return "under 1" if str(band) == "0" else str(band)


def _period(item: Mapping) -> str:
    start, end = item.get("start"), item.get("end")
    if end:
        return f"from {long_date(start)} to {long_date(end)}"
    return f"from {long_date(start)}"


def _get(data: Mapping | None, path: str, default: Any = None) -> Any:
    return get_key(data, path, default)


def _homes(base: Mapping, mine: Mapping) -> list[str]:
    before = {h.get("name"): h for h in _get(base, "provision.local_homes", []) or []}
    after = {h.get("name"): h for h in _get(mine, "provision.local_homes", []) or []}
    out = []
    for name, home in after.items():
        if name not in before:
            opens = f", opening {long_date(home['opens'])}" if home.get("opens") else ""
            out.append(f"adds {name} ({home.get('beds')} beds{opens})")
        elif home != before[name]:
            out.append(f"changes {name} ({home.get('beds')} beds)")
    out += [f"closes {name}" for name in before if name not in after]
    return out


_SCALAR_CHANGES: tuple[tuple[str, str], ...] = (
    ("provision.inhouse_foster.households", "in-house foster households"),
    ("provision.inhouse_foster.emergency_households", "dedicated emergency foster carers"),
    ("entries.rate_per_year", "children entering care a year"),
)
"""Settings described as "what: before to after"."""

_LISTED_CHANGES = (
    (
        "carers.campaigns",
        lambda c: (
            f"recruitment campaign of {c.get('extra_enquiries_per_year'):g} "
            f"extra enquiries a year {_period(c)}"
        ),
    ),
    (
        "carers.retention",
        lambda r: (
            f"foster carers leave at {r.get('deregistration_multiplier'):g} "
            f"times the usual rate from {long_date(r.get('start'))}"
        ),
    ),
    (
        "entries.surges",
        lambda s: (
            f"{s.get('rate_per_year'):g} extra children a year aged "
            f"{_band(s.get('age_band'))} entering care {_period(s)}"
        ),
    ),
    (
        "one_off_costs",
        lambda c: (
            f"one-off cost of {_money(c.get('amount_gbp', 0))} for "
            f"{_lower(c.get('name'))} on {long_date(c.get('date'))}"
        ),
    ),
    (
        "recurring_costs",
        lambda c: (
            f"{_money(c.get('amount_gbp_per_year', 0))} a year for "
            f"{_lower(c.get('name'))} {_period(c)}"
        ),
    ),
)
"""Lists of dated items (campaigns, retention changes, surges, costs): each new item in words."""


def describe_changes(base: Mapping | None, mine: Mapping | None) -> list[str]:
    """What an option changes against the baseline, in words, from resolved scenario data:
    local homes, foster households, emergency carers, recruitment campaigns, retention,
    entries and surges, one-off and recurring costs; any other changed setting is named."""
    if base is None or mine is None:
        return []
    out = _homes(base, mine)
    handled = {"provision.local_homes"}
    for path, words in _SCALAR_CHANGES:
        handled.add(path)
        a, b = _get(base, path), _get(mine, path)
        if a != b and b is not None:
            out.append(
                f"{words}: {a:g} to {b:g}" if isinstance(a, int | float) else f"{words}: {b}"
            )
    for path, say in _LISTED_CHANGES:
        handled.add(path)
        before = _get(base, path, []) or []
        out += [say(item) for item in (_get(mine, path, []) or []) if item not in before]
    for key, _, after in scenario_changes(base, mine):
        if not any(key == h or key.startswith(h + ".") for h in handled):
            out.append(f"{key} set to {after}")
    return out
