"""Scenario files: loading, `extends`, overrides, validation errors, immutability, JSON schema.

Bad input must give an InputError that names the file and the dotted key (DESIGN.md, "Bad
input"): never a traceback and never a silent default.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sufficiency_sim import scenario
from sufficiency_sim.errors import InputError

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    """The York baseline as plain data (a fresh copy per test is made by `apply_overrides`)."""
    return scenario.load_raw(BASELINE)


def write_yaml(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def invalid(raw: dict, overrides: list[str], source: str = "option.yaml") -> str:
    """The message of the InputError that validating `raw` with `overrides` raises."""
    data = scenario.apply_overrides(raw, overrides)
    with pytest.raises(InputError) as info:
        scenario.validate(data, source)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# The baseline


def test_york_baseline_loads() -> None:
    sc = scenario.load(BASELINE)
    assert sc.name == "York baseline"
    assert sc.start_date == dt.date(2019, 4, 1)
    assert sc.horizon_years == 10
    assert sc.warmup_years == 18
    assert sc.provision.inhouse_foster.households == 80
    assert [home.name for home in sc.provision.local_homes] == ["Council children's home"]
    assert sc.provision.local_homes[0].beds == 3
    assert sc.entries.sibling_group_mix == {1: 0.72, 2: 0.20, 3: 0.08}
    assert sc.report_years == tuple(range(2020, 2030))
    assert sc.end_date == dt.date(2029, 4, 1)


# ---------------------------------------------------------------------------------------------
# Unknown keys, wrong types, impossible values


def test_unknown_top_level_key_names_file_and_key(tmp_path: Path, raw: dict) -> None:
    path = write_yaml(tmp_path / "typo.yaml", {**raw, "horizon_yeras": 5})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    message = str(info.value)
    assert str(path) in message
    assert "horizon_yeras" in message
    assert "unknown key" in message


def test_unknown_deep_key_names_file_and_dotted_key(tmp_path: Path, raw: dict) -> None:
    data = scenario.apply_overrides(raw, ["provision.inhouse_foster.housholds=90"])
    path = write_yaml(tmp_path / "deep.yaml", data)
    with pytest.raises(InputError) as info:
        scenario.load(path)
    message = str(info.value)
    assert str(path) in message
    assert "provision.inhouse_foster.housholds" in message
    assert "unknown key" in message


def test_unknown_key_inside_a_list_item_is_named_with_its_index(raw: dict) -> None:
    message = invalid(raw, ["provision.local_homes.0.bedz=4"])
    assert "option.yaml: provision.local_homes.0.bedz: unknown key" in message


@pytest.mark.parametrize(
    "override",
    [
        "provision.ifa.min_age=12",
        "provision.external_homes.min_age=12",
        "provision.placed_with_parents.with_current_carers_share=0.5",
    ],
)
def test_keys_the_model_would_ignore_are_unknown(raw: dict, override: str) -> None:
    """Only supported accommodation has a minimum age and only adoption a share with current
    carers: elsewhere the model would silently ignore them, so they are errors."""
    key = override.split("=")[0]
    assert f"{key}: unknown key" in invalid(raw, [override])


def test_missing_required_key_is_named(raw: dict) -> None:
    data = scenario.apply_overrides(raw, [])
    del data["provision"]["ifa"]["weekly_cost"]
    with pytest.raises(InputError, match=r"x\.yaml: provision\.ifa\.weekly_cost: required key"):
        scenario.validate(data, "x.yaml")


def test_wrong_type_is_named(raw: dict) -> None:
    message = invalid(raw, ["provision.inhouse_foster.households=many"])
    assert "option.yaml: provision.inhouse_foster.households:" in message
    assert "integer" in message


@pytest.mark.parametrize(
    "override, key",
    [
        ("provision.inhouse_foster.households=-1", "provision.inhouse_foster.households"),
        ("provision.local_homes.0.beds=-2", "provision.local_homes.0.beds"),
        ("provision.inhouse_foster.emergency_households=-1", "emergency_households"),
        ("provision.ifa.weekly_cost=-10", "provision.ifa.weekly_cost"),
    ],
)
def test_negative_capacity_or_cost_is_an_error(raw: dict, override: str, key: str) -> None:
    message = invalid(raw, [override])
    assert key in message
    assert "greater than or equal to 0" in message


@pytest.mark.parametrize(
    "override, key",
    [
        ('entries.age_mix={"0": 0.5, "1-4": 0.2}', "entries.age_mix"),
        ("entries.age_mix.0=0.5", "entries.age_mix"),
        ("provision.ifa.location_mix.in=0.5", "provision.ifa.location_mix"),
        ("provision.kinship.location_mix={in: 0.3, near: 0.3}", "provision.kinship.location_mix"),
        ("endings.reason_mix.CREQB=0.9", "endings.reason_mix"),
        ("entries.needs_by_age.5-9.standard=0.5", "entries.needs_by_age"),
    ],
)
def test_shares_must_sum_to_one(raw: dict, override: str, key: str) -> None:
    message = invalid(raw, [override])
    assert f"option.yaml: {key}" in message
    assert "must sum to 1" in message


def test_negative_share_is_an_error(raw: dict) -> None:
    message = invalid(raw, ["provision.ifa.location_mix={in: 1.5, near: -0.5, far: 0.0}"])
    assert "provision.ifa.location_mix" in message
    assert "negative share" in message


def test_local_home_min_age_above_max_age(raw: dict) -> None:
    message = invalid(
        raw, ["provision.local_homes.0.min_age=17", "provision.local_homes.0.max_age=11"]
    )
    assert "provision.local_homes.0" in message
    assert "min_age 17 is above max_age 11" in message


@pytest.mark.parametrize("closes", ["2020-01-01", "2020-04-01"])
def test_local_home_closing_before_it_opens(raw: dict, closes: str) -> None:
    message = invalid(
        raw,
        ["provision.local_homes.0.opens=2020-04-01", f"provision.local_homes.0.closes={closes}"],
    )
    assert "provision.local_homes.0" in message
    assert "closes must be after opens" in message


@pytest.mark.parametrize("start", ["2019-05-01", "2019-04-02", "2020-03-31"])
def test_start_date_must_be_1_april(raw: dict, start: str) -> None:
    message = invalid(raw, [f"start_date={start}"])
    assert "option.yaml" in message
    assert "start_date must be 1 April" in message


def test_several_errors_are_all_reported(raw: dict) -> None:
    message = invalid(
        raw, ["provision.inhouse_foster.households=-1", "provision.ifa.weekly_cost=cheap"]
    )
    assert "provision.inhouse_foster.households" in message
    assert "provision.ifa.weekly_cost" in message


# Bugs found while writing these tests (sufficiency_sim/scenario.py): booleans are silently
# taken as numbers, and NaN / infinity pass the range and share checks.


@pytest.mark.parametrize(
    "override, key",
    [
        ("provision.inhouse_foster.households=true", "provision.inhouse_foster.households"),
        ("horizon_years=on", "horizon_years"),
        ("provision.ifa.weekly_cost=yes", "provision.ifa.weekly_cost"),
    ],
)
def test_boolean_is_not_accepted_as_a_number(raw: dict, override: str, key: str) -> None:
    """YAML 1.1 reads yes/on/true as booleans; `households: true` must not become 1 household."""
    message = invalid(raw, [override])
    assert key in message


@pytest.mark.parametrize(
    "override, key",
    [
        ("entries.age_mix.0=.nan", "entries.age_mix"),
        ("entries.trend_pct_per_year=.nan", "entries.trend_pct_per_year"),
        ("provision.ifa.weekly_cost=.inf", "provision.ifa.weekly_cost"),
    ],
)
def test_non_finite_numbers_are_rejected(raw: dict, override: str, key: str) -> None:
    """A NaN share makes the sum NaN, and `abs(nan - 1) > tol` is False, so the share check
    passes; .inf passes `ge=0`. Each runs silently (blank costs, skewed entries)."""
    message = invalid(raw, [override])
    assert key in message


# ---------------------------------------------------------------------------------------------
# extends


@pytest.fixture
def base_copy(tmp_path: Path) -> Path:
    """The York baseline copied into tmp/base/ so child files can extend it relatively."""
    target = tmp_path / "base" / "york.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(BASELINE, target)
    return target


def test_extends_relative_path_deep_merges(
    tmp_path: Path, base_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = write_yaml(
        tmp_path / "options" / "more_carers.yaml",
        {
            "extends": "../base/york.yaml",
            "name": "More carers",
            "provision": {"inhouse_foster": {"households": 100}},
        },
    )
    monkeypatch.chdir(tmp_path / "base")  # relative to the child file, not the working dir
    base = scenario.load(base_copy)
    sc = scenario.load(Path("..") / "options" / "more_carers.yaml")
    assert sc.name == "More carers"
    assert sc.provision.inhouse_foster.households == 100
    # Everything else inherited, including siblings of the changed key.
    assert sc.provision.inhouse_foster.weekly_cost == base.provision.inhouse_foster.weekly_cost
    assert sc.provision.inhouse_foster.age_ranges == base.provision.inhouse_foster.age_ranges
    expected = base.model_copy(
        update={
            "name": "More carers",
            "provision": base.provision.model_copy(
                update={
                    "inhouse_foster": base.provision.inhouse_foster.model_copy(
                        update={"households": 100}
                    )
                }
            ),
        }
    )
    assert sc.model_dump() == expected.model_dump()
    assert "extends" not in scenario.load_raw(child)
    # The warm-up runs on the base file (with this scenario's name and dates): the extra
    # households come on the start date.
    assert sc.warmup_scenario.model_dump() == base.model_copy(update={"name": sc.name}).model_dump()
    assert base.warmup_scenario is base


def test_extends_replaces_lists(tmp_path: Path, base_copy: Path) -> None:
    new_home = {"name": "New home", "beds": 4, "weekly_cost_per_bed": 6000}
    child = write_yaml(
        tmp_path / "homes.yaml",
        {
            "extends": "base/york.yaml",
            "provision": {"local_homes": [new_home]},
            "matching": {"preferences": {"specialist": ["external_home"]}},
        },
    )
    sc = scenario.load(child)
    assert [h.name for h in sc.provision.local_homes] == ["New home"]
    assert sc.provision.local_homes[0].beds == 4
    assert sc.matching.preferences["specialist"] == ("external_home",)
    base = scenario.load(base_copy)
    assert sc.matching.preferences["standard"] == base.matching.preferences["standard"]


def test_extends_chain_of_three(tmp_path: Path, base_copy: Path) -> None:
    write_yaml(
        tmp_path / "mid.yaml",
        {"extends": "base/york.yaml", "horizon_years": 5, "entries": {"rate_per_year": 80}},
    )
    leaf = write_yaml(
        tmp_path / "deeper" / "leaf.yaml",
        {"extends": "../mid.yaml", "entries": {"trend_pct_per_year": 2.0}},
    )
    sc = scenario.load(leaf)
    assert sc.horizon_years == 5
    assert sc.entries.rate_per_year == 80
    assert sc.entries.trend_pct_per_year == 2.0
    assert sc.entries.age_mix == scenario.load(base_copy).entries.age_mix


def test_error_in_extended_file_names_that_file(tmp_path: Path, raw: dict) -> None:
    """Bug: a typo in the base file is reported against the child file, which does not
    contain the key; the message should name the file where the key is (the base)."""
    data = scenario.apply_overrides(raw, ["provision.inhouse_foster.housholds=90"])
    base = write_yaml(tmp_path / "base.yaml", data)
    child = write_yaml(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "Child"})
    with pytest.raises(InputError) as info:
        scenario.load(child)
    message = str(info.value)
    assert "provision.inhouse_foster.housholds" in message
    assert str(base) in message


def test_extends_missing_file_names_both_files(tmp_path: Path) -> None:
    child = write_yaml(tmp_path / "child.yaml", {"extends": "nowhere/base.yaml", "name": "x"})
    with pytest.raises(InputError) as info:
        scenario.load(child)
    message = str(info.value)
    assert str(child) in message
    assert str(tmp_path / "nowhere" / "base.yaml") in message
    assert "not found" in message


def test_extends_cycle_names_the_files(tmp_path: Path) -> None:
    a = write_yaml(tmp_path / "a.yaml", {"extends": "b.yaml", "name": "a"})
    b = write_yaml(tmp_path / "b.yaml", {"extends": "a.yaml", "name": "b"})
    with pytest.raises(InputError) as info:
        scenario.load(a)
    message = str(info.value)
    assert "cycle" in message
    assert str(a) in message
    assert str(b) in message


def test_extends_itself_is_a_cycle(tmp_path: Path) -> None:
    a = write_yaml(tmp_path / "self.yaml", {"extends": "self.yaml", "name": "a"})
    with pytest.raises(InputError, match="cycle"):
        scenario.load(a)


def test_extends_must_be_a_path(tmp_path: Path) -> None:
    a = write_yaml(tmp_path / "a.yaml", {"extends": ["b.yaml"], "name": "a"})
    with pytest.raises(InputError, match=r"a\.yaml: extends: expected the path"):
        scenario.load(a)


# ---------------------------------------------------------------------------------------------
# Files that are not scenarios


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scenario file not found"):
        scenario.load(tmp_path / "absent.yaml")


def test_invalid_yaml_gives_line_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nhorizon_years: 2\n  bad: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert "not valid YAML" in message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "", "42\n"])
def test_non_mapping_yaml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert str(path) in str(info.value)
    assert "expected a YAML mapping" in str(info.value)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(InputError, match=str(path)):
        scenario.load(path)


# ---------------------------------------------------------------------------------------------
# --set overrides


def test_override_changes_a_nested_key_only(raw: dict) -> None:
    data = scenario.apply_overrides(
        raw, ["provision.inhouse_foster.households=95", "entries.rate_per_year=70.5"]
    )
    assert data["provision"]["inhouse_foster"]["households"] == 95
    assert data["entries"]["rate_per_year"] == 70.5
    assert raw["provision"]["inhouse_foster"]["households"] == 80  # the input is not changed
    sc = scenario.validate(data)
    assert sc.provision.inhouse_foster.households == 95
    assert sc.provision.inhouse_foster.weekly_cost == 700


def test_override_indexes_into_a_list(raw: dict) -> None:
    data = scenario.apply_overrides(raw, ["provision.local_homes.0.beds=5"])
    assert scenario.validate(data).provision.local_homes[0].beds == 5
    data = scenario.apply_overrides(raw, ["provision.inhouse_foster.age_ranges.-1.min_age=9"])
    assert scenario.validate(data).provision.inhouse_foster.age_ranges[2].min_age == 9


def test_override_values_are_yaml(raw: dict) -> None:
    sc = scenario.validate(
        scenario.apply_overrides(
            raw,
            [
                "start_date=2021-04-01",
                "matching.step_back.from_locations=[far, near]",
                "matching.split_siblings=false",
                "name=Option A, two homes",
            ],
        )
    )
    assert sc.start_date == dt.date(2021, 4, 1)
    assert sc.matching.step_back.from_locations == ("far", "near")
    assert sc.matching.split_siblings is False
    assert sc.name == "Option A, two homes"


def test_load_applies_overrides(raw: dict) -> None:
    sc = scenario.load(BASELINE, ["horizon_years=2", "warmup_years=3"])
    assert (sc.horizon_years, sc.warmup_years) == (2, 3)
    assert sc.report_years == (2020, 2021)


@pytest.mark.parametrize(
    "override, expected",
    [
        ("nosuch.key=1", "nosuch is not a section"),
        ("horizon_years.x=1", "horizon_years is not a section"),
        ("provision.inhouse_foster.households.x=1", "households is not a section"),
        ("provision.local_homes.5.beds=1", "index 5 is out of range"),
        ("provision.local_homes.first.beds=1", "should be a list index"),
        ("noequals", "expected dotted.key=value"),
        ("provision..beds=1", "empty part"),
        ("name=[unclosed", "not valid YAML"),
    ],
)
def test_override_bad_path_is_an_input_error(raw: dict, override: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        scenario.apply_overrides(raw, [override])
    assert expected in str(info.value)
    assert override in str(info.value)


def test_override_creates_an_optional_section_the_file_leaves_out(raw: dict) -> None:
    """`--set` into a section of the schema that the YAML does not write (or writes as null)
    creates it; a misspelt section is still refused by name."""
    assert "step_down" not in raw["matching"] and "supply" not in raw["provision"]["ifa"]
    data = scenario.apply_overrides(
        {**raw, "entries": {**raw["entries"], "uasc": None}},
        ["matching.step_down.enabled=true", "entries.uasc.rate_per_year=3"],
    )
    sc = scenario.validate(data, "cli")
    assert sc.matching.step_down.enabled and sc.entries.uasc.rate_per_year == 3
    with pytest.raises(InputError, match="step_dwn is not a section"):
        scenario.apply_overrides(raw, ["matching.step_dwn.enabled=true"])
    with pytest.raises(InputError, match=r"provision\.ifa\.supply\.places: required key"):
        scenario.validate(
            scenario.apply_overrides(raw, ["provision.ifa.supply.search_slowdown=1"]), "cli"
        )


def test_overridden_invalid_value_is_reported_by_validate(raw: dict) -> None:
    data = scenario.apply_overrides(raw, ["provision.local_homes.0.beds=-1"])
    with pytest.raises(InputError, match=r"cli: provision\.local_homes\.0\.beds"):
        scenario.validate(data, "cli")
    data = scenario.apply_overrides(raw, ["provision.inhouse_foster.househlds=1"])
    with pytest.raises(InputError, match=r"provision\.inhouse_foster\.househlds: unknown key"):
        scenario.validate(data, "cli")


# ---------------------------------------------------------------------------------------------
# Immutability, schema, round trip


def test_scenario_is_immutable() -> None:
    sc = scenario.load(BASELINE)
    with pytest.raises(ValidationError):
        sc.horizon_years = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        sc.provision.inhouse_foster.households = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        sc.provision.local_homes.append(None)  # type: ignore[attr-defined]


def test_scenario_nested_mappings_are_immutable() -> None:
    """Bug: mappings inside a frozen Scenario (age_mix, location_mix, preferences...) are plain
    dicts, so the 'immutable' scenario can be changed in place after validation (here making
    age_mix sum to 1.78) and a Scenario cannot be hashed."""
    sc = scenario.load(BASELINE)
    with pytest.raises(TypeError):
        sc.entries.age_mix["0"] = 1.0  # type: ignore[index]
    assert math.isclose(sum(sc.entries.age_mix.values()), 1.0)
    hash(sc)


def test_json_schema_is_json_with_top_level_properties() -> None:
    schema = json.loads(json.dumps(scenario.json_schema()))
    properties = schema["properties"]
    for key in (
        "name",
        "description",
        "start_date",
        "horizon_years",
        "warmup_years",
        "entries",
        "pathways",
        "provision",
        "matching",
        "endings",
        "carers",
        "one_off_costs",
        "extends",
    ):
        assert key in properties, key
    assert set(schema["required"]) >= {"name", "start_date", "horizon_years", "provision"}
    assert schema.get("additionalProperties") is False
    defs = schema["$defs"]
    assert defs["InhouseFoster"]["additionalProperties"] is False
    assert "households" in defs["InhouseFoster"]["properties"]


def test_to_jsonable_round_trips(tmp_path: Path) -> None:
    sc = scenario.load(BASELINE, ["provision.local_homes.0.opens=2021-04-01"])
    data = scenario.to_jsonable(sc)
    text = json.dumps(data)  # plain JSON: dates as ISO strings
    assert data["start_date"] == "2019-04-01"
    assert data["provision"]["local_homes"][0]["opens"] == "2021-04-01"
    again = scenario.validate(json.loads(text), "round-trip")
    assert again.model_dump() == sc.model_dump()  # the values (the warm-up is the root file's)
    path = write_yaml(tmp_path / "resolved.yaml", data)
    assert scenario.load(path).model_dump() == sc.model_dump()
