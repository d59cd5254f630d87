"""Loading a scenario: read YAML (duplicate keys refused), resolve `extends`, apply `--set`
overrides, validate with messages naming the file and dotted key, and pair the scenario with
the warm-up it starts from."""

from __future__ import annotations

import copy
import importlib.resources
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from sufficiency_sim.errors import InputError
from sufficiency_sim.scenario.census import resolve_census
from sufficiency_sim.scenario.schema import Scenario


def _deep_merge(base: dict, override: dict) -> dict:
    """Merge `override` into a copy of `base`: mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the
    last silently, so a pasted block could override a value unseen)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # construct_mapping reports unhashable keys itself
        if key in first_line:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} is given twice in one mapping (first on line "
                f"{first_line[key] + 1}); give each key once",
                key_node.start_mark,
            )
        first_line[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _load_yaml(text: str) -> Any:
    """Parse YAML text safely, refusing duplicated keys."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(
            f"{path}:{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a YAML scenario)") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a YAML mapping of scenario keys at the top level")
    return data


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and everything it `extends`, merged, as a plain dict."""
    return _load_chain(path, _chain)[0]


def _load_chain(path: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict, list]:
    """The merged data, and each file of the `extends` chain with its own data (child first)."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, path))
        raise InputError(f"{path}: `extends` forms a cycle: {cycle}")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [(path, data)]
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends: expected the path of another scenario file")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise InputError(f"{path}: extends: file {parent_path} not found")
    base, files = _load_chain(parent_path, (*_chain, path))
    return _deep_merge(base, data), [(path, data), *files]


def _defines(data: Any, loc: Sequence[Any]) -> bool:
    """Whether raw YAML data holds a value at the key path `loc`."""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            return False
    return True


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse `dotted.key=value` (value read as YAML) into (key path, value)."""
    if "=" not in text:
        raise InputError(f"--set {text!r}: expected dotted.key=value")
    key, _, raw = text.partition("=")
    parts = [part for part in key.strip().split(".")]
    if not all(parts):
        raise InputError(f"--set {text!r}: the key {key!r} has an empty part")
    try:
        value = _load_yaml(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        detail = f" ({problem})" if problem else ""
        raise InputError(f"--set {text!r}: the value is not valid YAML{detail}") from None
    return parts, value


def apply_overrides(data: dict, overrides: Sequence[str]) -> dict:
    """Return a copy of raw scenario data with `dotted.key=value` overrides applied."""
    result = copy.deepcopy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                node = _list_item(node, part, text)
            elif isinstance(node, dict):
                if node.get(part) is None and is_section(parts[: depth + 1]):
                    node[part] = {}  # an optional section the file leaves out (or null)
                if part not in node or not isinstance(node[part], dict | list):
                    where = ".".join(parts[: depth + 1])
                    raise InputError(f"--set {text!r}: {where} is not a section of the scenario")
                node = node[part]
            else:
                raise InputError(f"--set {text!r}: cannot descend into {part!r}")
        last = parts[-1]
        if isinstance(node, list):
            index = _index(node, last, text)
            node[index] = value
        else:
            node[last] = value
    return result


def is_section(path: Sequence[str]) -> bool:
    """Whether a dotted key path names a section of the scenario's schema (a nested model,
    optional or not), such as `matching.step_down` or `provision.ifa.supply`."""
    model: Any = Scenario
    for part in path:
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return False
        model = next(
            (
                candidate
                for candidate in (field.annotation, *get_args(field.annotation))
                if isinstance(candidate, type) and issubclass(candidate, BaseModel)
            ),
            None,
        )
    return model is not None


def _index(node: list, part: str, text: str) -> int:
    try:
        index = int(part)
    except ValueError:
        raise InputError(f"--set {text!r}: {part!r} should be a list index") from None
    if not -len(node) <= index < len(node):
        raise InputError(f"--set {text!r}: index {index} is out of range (0..{len(node) - 1})")
    return index


def _list_item(node: list, part: str, text: str) -> Any:
    return node[_index(node, part, text)]


def _format_errors(source: str, exc: ValidationError, files: Sequence[tuple] = ()) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        where = source
        for file_path, data in files:  # name the file of the chain that sets this key
            if error["loc"] and _defines(data, error["loc"]):
                where = str(file_path)
                break
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (not a scenario parameter; check the spelling)"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{where}: {key}: {message}")
    return "\n".join(lines)


def validate(
    data: Mapping[str, Any], source: str = "<scenario>", files: Sequence[tuple] = ()
) -> Scenario:
    """Validate raw scenario data, raising InputError that names the source (or the file of
    the `extends` chain that sets the key) and the dotted keys."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(_format_errors(source, exc, files)) from None


STRUCTURAL_KEYS = ("name", "description", "start_date", "horizon_years", "warmup_years", "census")
"""Keys of a scenario that say what is simulated and when, not how the authority behaves: a
warm-up scenario takes them from the scenario it warms up."""


def with_warmup(scenario: Scenario, root: Scenario) -> Scenario:
    """`scenario`, warming up as `root` (the authority before the start date): `root`'s values
    with `scenario`'s dates and census."""
    if root is scenario:
        return scenario
    structural = {key: getattr(scenario, key) for key in STRUCTURAL_KEYS}
    warmup = root.model_copy(update=structural)
    if warmup == scenario:
        return scenario
    result = scenario.model_copy()
    result._warmup = warmup
    return result


def load(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load a scenario file (resolving `extends`), apply overrides, and validate it.

    The file at the root of the `extends` chain, without the overrides, describes the authority
    before the start date: the scenario warms up as that root (`Scenario.warmup_scenario`), so
    what the scenario changes takes effect from the start date."""
    merged, files = _load_chain(path)
    data = resolve_census(apply_overrides(merged, overrides), files)
    loaded = validate(data, str(path), files if not overrides else ())
    if (len(files) == 1 and not overrides) or loaded.census is not None:
        return loaded  # its own root, or no warm-up at all
    root_path, root_data = files[-1]
    try:
        root = validate(resolve_census(copy.deepcopy(root_data), files[-1:]), str(root_path))
    except InputError:
        return loaded  # the root is a fragment, not an authority: warm up as the whole
    return with_warmup(loaded, root)


def to_jsonable(scenario: Scenario) -> dict:
    """The resolved scenario as plain JSON data (dates as ISO strings)."""
    return json.loads(scenario.model_dump_json())


def json_schema() -> dict:
    """The JSON schema of a scenario file."""
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Path of a base scenario (relative to this file) that this one changes.",
    }
    return schema


def packaged_york_baseline() -> Path:
    """The York baseline installed with the package (a copy of scenarios/york_baseline.yaml,
    kept identical by tests/functional/test_cli_help.py), so a default works from any folder."""
    folder = importlib.resources.files("sufficiency_sim") / "data" / "scenarios"
    return Path(str(folder)) / "york_baseline.yaml"
