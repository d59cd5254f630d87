"""The York out-of-sample harness (scripts/york_out_of_sample.py): the census of 31 March 2019
it builds from York's published figures, and the starts it imposes year by year."""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency_sim.scenario.census import CENSUS_COLUMNS, read_census, write_census
from sufficiency_sim.vocabulary import DAYS_PER_MONTH

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "york_out_of_sample.py"


def load_script():
    """The script as a module (registered, so worker processes could find its functions)."""
    if "york_out_of_sample" in sys.modules:
        return sys.modules["york_out_of_sample"]
    spec = importlib.util.spec_from_file_location("york_out_of_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["york_out_of_sample"] = module
    spec.loader.exec_module(module)
    return module


oos = load_script()


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    return oos.build_census()


def test_census_has_york_207_children_and_is_a_valid_census_file(census, tmp_path):
    assert len(census) == 207 == oos.PUBLISHED["children"]
    path = tmp_path / "census.csv"
    write_census(census[list(CENSUS_COLUMNS)].to_dict("records"), path)
    assert len(read_census(path).children) == 207  # every row passes the census checks
    assert list(pd.read_csv(path).columns) == list(CENSUS_COLUMNS)  # no identifier, no DOB


def test_census_placement_mix_matches_the_published_inputs(census):
    counts = census["placement"].value_counts().to_dict()
    assert counts == {k: v for k, v in oos.placement_counts().items() if v}
    foster = counts["kinship"] + counts["inhouse_foster"] + counts["ifa"]
    assert foster == 162  # York 2019: all foster placements
    assert counts["kinship"] + counts["inhouse_foster"] == 140  # York's own service, filled
    assert counts["placed_with_parents"] == 20
    homes = counts["local_home"] + counts["external_home"] + counts["supported"]
    other = oos.ASSUMPTIONS["other_as_external_home"]
    assert homes == 15 + other  # homes and semi-independent, and A5's other placements
    assert abs(counts["kinship"] - 0.163 * 207) < 1 and abs(counts["adoption"] - 0.023 * 207) < 1


@pytest.mark.parametrize(
    ("column", "shares"),
    [("band", oos.PUBLISHED["age_mix"]), ("legal_status", oos.PUBLISHED["legal_mix"])],
)
def test_census_age_and_legal_mix_match_to_rounding(census, column, shares):
    counts = census[column].value_counts()
    for key, share in shares.items():
        assert abs(counts.get(key, 0) - share * 207) < 1, (key, counts.get(key, 0), share)


def test_census_locations_match_york_outside_and_far(census):
    counts = census["location"].value_counts()
    assert counts["near"] + counts["far"] == 83  # York 2019: 82-83 placed outside (40%)
    assert abs(counts["far"] - 0.18 * 207) < 1  # outside and over 20 miles, 18%


def test_census_is_consistent_with_the_model_rules(census):
    ages = census["age_years"]
    assert (ages[census["placement"] == "supported"] >= 16).all()
    assert (ages[census["placement"] == "adoption"] < 5).all()
    assert (census.loc[census["placement"] == "adoption", "legal_status"] == "E1").all()
    assert not (
        (census["placement"] == "placed_with_parents") & census["legal_status"].eq("V2")
    ).any()
    life = (12 * ages + census["age_months"]) * DAYS_PER_MONTH
    assert (census["days_in_care"] <= life + 1).all()
    assert (census["placement_days"] <= census["days_in_care"]).all()
    assert (census.loc[census["legal_status"] == "C1", "days_in_care"] <= 365).all()


def test_census_long_term_stability_is_york_57_percent(census):
    cohort = census[(census["age_years"] < 16) & (census["days_in_care"] >= 920)]
    stable = (cohort["placement_days"] >= 731).mean()
    assert len(cohort) >= 30
    assert abs(stable - 0.57) <= 0.5 / len(cohort) + 1e-9


def test_census_is_reproducible():
    pd.testing.assert_frame_equal(oos.build_census(), oos.build_census())


def test_round_table_keeps_both_margins_and_the_zeros():
    seed = np.array([[1, 1, 0], [0, 1, 1], [1, 0.5, 1]])
    rows, cols = {"a": 7, "b": 5, "c": 9}, {"x": 6, "y": 8, "z": 7}
    table = oos.joint(seed, rows, cols)
    assert table.sum(axis=1).tolist() == [7, 5, 9]
    assert table.sum(axis=0).tolist() == [6, 8, 7]
    assert (table[seed == 0] == 0).all() and (table >= 0).all()


def test_yearly_entries_give_york_starts_in_expectation():
    scenario = oos.out_of_sample_scenario(_census_file())
    entries = scenario.entries
    for year, starts in oos.YORK_STARTS.items():
        first = dt.date(year - 1, 4, 1)
        extra = sum(s.rate_per_year for s in entries.surges if s.start == first)
        assert entries.rate_per_year + extra == pytest.approx(starts)
    assert entries.trend_pct_per_year == 0 and entries.seasonality_amplitude == 0
    assert scenario.report_years == tuple(oos.YORK_STARTS)
    assert len(scenario.census.children) == 207


def test_york_starts_are_those_of_the_published_series():
    if not oos.YORK_SERIES.is_file():
        pytest.skip(f"{oos.YORK_SERIES} not found")
    observed = oos.york_observed()
    starts = observed[observed["measure"] == "starts"].set_index("year")["low"]
    assert starts.astype(int).to_dict() == oos.YORK_STARTS


@pytest.mark.slow
def test_simulated_starts_match_york_on_average():
    """Mean starts over replications within 3.5 standard errors of York's published starts;
    the variance of a year's starts is that of a compound Poisson count (sibling groups)."""
    replications = 30
    scenario = oos.out_of_sample_scenario(_census_file())
    results = oos.run_replications(scenario, replications, seed=11, jobs=1)
    mix = scenario.entries.sibling_group_mix
    mean_size = sum(k * p for k, p in mix.items())
    second = sum(k * k * p for k, p in mix.items())
    base = scenario.entries.rate_per_year
    for year, starts in oos.YORK_STARTS.items():
        variance = base / mean_size * second + (starts - base)  # surges enter one by one
        se = math.sqrt(variance / replications)
        mean = results.loc[results["year"] == year, "starts"].mean()
        assert abs(mean - starts) < 3.5 * se, (year, mean, starts, se)


_CENSUS_DIR: list[Path] = []


def _census_file() -> Path:
    """The built census written once to a temporary folder for the scenario tests."""
    if not _CENSUS_DIR:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="york_oos_"))
        write_census(oos.build_census()[list(CENSUS_COLUMNS)].to_dict("records"), folder / "c.csv")
        _CENSUS_DIR.append(folder / "c.csv")
    return _CENSUS_DIR[0]
