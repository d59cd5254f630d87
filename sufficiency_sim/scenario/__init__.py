"""Scenarios: the validated, immutable parameters of one authority and its options (schema),
and loading them from YAML with `extends` and `--set` overrides (load).

The package's face is the scenario and its loading; the building blocks are imported from their
modules (`scenario.types`, `scenario.schema`, `scenario.carers`, `scenario.keys`), and the names
of bands, needs, kinds and routes from `sufficiency_sim.vocabulary`."""

from sufficiency_sim.scenario.load import (
    apply_overrides,
    json_schema,
    load,
    load_raw,
    parse_override,
    to_jsonable,
    validate,
    with_warmup,
)
from sufficiency_sim.scenario.schema import Scenario

__all__ = [
    "Scenario",
    "apply_overrides",
    "json_schema",
    "load",
    "load_raw",
    "parse_override",
    "to_jsonable",
    "validate",
    "with_warmup",
]
