"""The model started from a census of children in care (instead of a warm-up): the census file's
checks, the start state, conditional durations against their closed forms, invariants."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.errors import InputError
from sufficiency_sim.model.draws import duration_beyond, duration_survival
from sufficiency_sim.model.processes import Simulation, simulate
from sufficiency_sim.scenario.census import CENSUS_COLUMNS, read_census, write_census
from sufficiency_sim.scenario.types import Duration

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
ROUTES_LONG_TERM = "long_term: 1, return_home: 0, adoption: 0, sgo: 0, cao: 0, other: 0"
KINDS = ("kinship", "inhouse_foster", "ifa", "local_home", "external_home", "supported")


def _random_census(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        age = int(rng.integers(0, 18))
        months = int(rng.integers(0, 12))
        life = int((12 * age + months) * 30.4)
        days = int(rng.integers(0, max(1, life)))
        kind = str(rng.choice(KINDS)) if age >= 16 else str(rng.choice(KINDS[:5]))
        rows.append(
            {
                "age_years": age,
                "age_months": months,
                "days_in_care": days,
                "placement": kind,
                "placement_days": int(rng.integers(0, days + 1)),
                "location": str(rng.choice(["in", "near", "far"])),
                "legal_status": str(rng.choice(["C2", "C1", "V2"])),
                "sex": int(rng.integers(1, 3)),
            }
        )
    return rows


def _scenario_with(tmp_path: Path, rows: list[dict], extra: str = "") -> scenario_module.Scenario:
    write_census(rows, tmp_path / "census.csv")
    (tmp_path / "s.yaml").write_text(
        f"extends: {BASELINE}\nname: from census\ncensus: census.csv\n{extra}"
    )
    return scenario_module.load(tmp_path / "s.yaml")


def test_census_file_round_trip_and_no_identifiers(tmp_path):
    rows = _random_census(30, 1)
    write_census(rows, tmp_path / "c.csv")
    census = read_census(tmp_path / "c.csv")
    assert [c.model_dump() for c in census.children] == rows
    header = (tmp_path / "c.csv").read_text().splitlines()[0].split(",")
    assert tuple(header) == CENSUS_COLUMNS
    assert not {"CHILD", "DOB", "HOME_POST", "PL_POST"} & set(header)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age_years,placement\n3,ifa\n", "missing column(s) age_months"),
        (
            ",".join(CENSUS_COLUMNS) + "\n3,2,100,ifa,200,in,C2,1\n",
            "line 2: placement_days (200) is longer than days_in_care (100)",
        ),
        (",".join(CENSUS_COLUMNS) + "\n3,2,100,castle,20,in,C2,1\n", "line 2: placement"),
        (",".join(CENSUS_COLUMNS) + "\n3,2,100,ifa,20,in,C2,x\n", "line 2: sex"),
        (",".join(CENSUS_COLUMNS) + "\n0,1,400,ifa,20,in,C2,1\n", "longer than the child's life"),
    ],
)
def test_bad_census_names_file_line_and_column(tmp_path, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_census(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_census_file_is_named(tmp_path):
    (tmp_path / "s.yaml").write_text(f"extends: {BASELINE}\nname: x\ncensus: nowhere.csv\n")
    with pytest.raises(InputError, match=r"nowhere\.csv: census file not found"):
        scenario_module.load(tmp_path / "s.yaml")


def test_start_state_is_the_census(tmp_path):
    rows = _random_census(300, 2)
    sc = _scenario_with(tmp_path, rows)
    sim = Simulation(sc, seed=3, replication=0, check_invariants=True)
    assert sim.env.now == sim.start_day
    stats = sim.census_stats
    assert stats["census_children"] == 300
    in_care = [c for c in sim.children if not c.left]
    assert len(in_care) == 300 == sim.entries
    kinds = Counter(c.placement.kind for c in in_care)
    expected = Counter(r["placement"] for r in rows)
    overflow = stats["census_local_home_overflow"]
    assert kinds["local_home"] == expected["local_home"] - overflow
    assert kinds["external_home"] == expected["external_home"] + overflow
    for kind in ("kinship", "inhouse_foster", "ifa", "supported"):
        assert kinds[kind] == expected[kind]
    for child, row in zip(sim.children, rows, strict=True):
        assert sim.start_day - child.entry == row["days_in_care"]
        assert child.placement.start == sim.start_day - row["placement_days"]
        assert sim.age(child, sim.start_day) == row["age_years"]
        assert child.exit_day > sim.start_day
        assert child.exit_day <= sim.birthday(child, 18)
        if child.placement.resource is None and child.placement.kind != "external_home":
            assert child.placement.location == row["location"]
    # every household and home within its places (assert_invariants ran at start and events)
    sim.assert_invariants()


def test_run_from_census_keeps_invariants_and_reports_from_start(tmp_path):
    sc = _scenario_with(tmp_path, _random_census(200, 4), "horizon_years: 3\n")
    history = simulate(sc, seed=5, replication=0, check_invariants=True)
    assert history.stats["census_children"] == 200
    first_start = min(history.placements["start"])
    # Only census children's placements began before the start date.
    started_before = sum(s < history.start_ordinal for s in history.placements["start"])
    assert started_before >= 200
    assert first_start >= history.start_ordinal - 19 * 366
    # No carer approved before the start date: households begin on it.
    assert min(history.provision["from"]) == history.start_ordinal


def test_same_census_same_seed_is_deterministic(tmp_path):
    sc = _scenario_with(tmp_path, _random_census(100, 6), "horizon_years: 2\n")
    a = simulate(sc, seed=9, replication=1)
    b = simulate(sc, seed=9, replication=1)
    assert a.episodes == b.episodes


@pytest.mark.parametrize("sigma", [0.4, 1.2])
def test_lognormal_duration_beyond_matches_the_truncated_distribution(sigma):
    duration = Duration(median_days=300, sigma=sigma)
    rng = np.random.default_rng(7)
    lasted = 250.0
    draws = np.array([duration_beyond(duration, lasted, u) for u in rng.random(20_000)])
    assert draws.min() > lasted
    s0 = duration_survival(duration, lasted)
    for x in (300, 500, 900, 2000):
        expected = duration_survival(duration, x) / s0
        observed = (draws > x).mean()
        se = math.sqrt(expected * (1 - expected) / len(draws))
        assert abs(observed - expected) < 4 * se + 0.003, (x, observed, expected)


def test_exponential_duration_beyond_is_memoryless():
    duration = Duration(distribution="exponential", median_days=200)
    rng = np.random.default_rng(8)
    extra = np.array([duration_beyond(duration, 1000, u) - 1000 for u in rng.random(20_000)])
    mean = 200 / math.log(2)
    assert abs(extra.mean() - mean) < 4 * mean / math.sqrt(len(extra)) + 1


def test_census_breakdowns_follow_the_conditional_weibull(tmp_path):
    """Children in IFA placements that have lasted `a` days already break down within a year
    with probability 1 - exp(-((a + 365)^k - a^k) / scale^k) (all multipliers 1)."""
    a, n = 700, 3000
    rows = [
        {
            "age_years": 5,
            "age_months": 0,
            "days_in_care": a,
            "placement": "ifa",
            "placement_days": a,
            "location": "in",
            "legal_status": "C2",
            "sex": 1,
        }
    ] * n
    extra = "\n".join(
        [
            "horizon_years: 1",
            "entries: {rate_per_year: 0}",
            "pathways:",
            "  route_mix_by_age:",
            *[f'    "{b}": {{{ROUTES_LONG_TERM}}}' for b in ("0", "1-4", "5-9", "10-15", "16-17")],
            "endings:",
            "  age_multiplier: {'0': 1, '1-4': 1, '5-9': 1, '10-15': 1, '16-17': 1}",
            "  needs_multiplier: {standard: 1, complex: 1, specialist: 1}",
            "  planned_move_rate_per_year: {ifa: 0}",
            "matching: {step_back: {enabled: false}}",
            "",
        ]
    )
    sc = _scenario_with(tmp_path, rows, extra)
    history = simulate(sc, seed=11, replication=0)
    ends = Counter()
    for child, start, reason, kind in zip(
        history.placements["child"],
        history.placements["start"],
        history.placements["ending_reason"],
        history.placements["provision_type"],
        strict=True,
    ):
        if kind == "ifa" and start == history.start_ordinal - a:
            ends[child] = reason is not None and reason != "CARPL"
    assert len(ends) == n
    shape = sc.endings.weibull_shape
    scale = sc.endings.median_days["ifa"] / math.log(2) ** (1 / shape)
    expected = 1 - math.exp(-(((a + 365) / scale) ** shape - (a / scale) ** shape))
    observed = sum(ends.values()) / n
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(observed - expected) < 4 * se, (observed, expected)
