"""Code lists versioned by collection year."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sufficiency_sim.ssda903 import codes


def test_place_list_2022_23_as_in_validator_rule_146():
    listed = "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"
    assert codes.valid_codes("PLACE", 2023) == frozenset(listed.split(" "))


@pytest.mark.parametrize(
    ("code", "valid_in"),
    [
        ("K3", {2025, 2026, 2027}),
        ("H5", {2020, 2023, 2024, 2025}),
        ("P2", {2020, 2023, 2024, 2025}),
        ("Z1", {2020, 2023, 2024, 2025}),
        ("Z11", {2026, 2027}),
        ("Z14", {2026, 2027}),
        ("U4", {2020, 2023, 2024, 2025, 2026, 2027}),
        ("Q1", set()),
    ],
)
def test_place_versions(code, valid_in):
    years = {2020, 2023, 2024, 2025, 2026, 2027}
    assert {y for y in years if codes.is_valid("PLACE", code, y)} == valid_in


def test_is_valid_trims_and_ignores_case_and_blanks():
    assert codes.is_valid("rec", " x1 ", 2020)
    assert codes.is_valid("REASON_PLACE_CHANGE", "custod", 2020)
    assert not codes.is_valid("REC", None, 2020)
    assert not codes.is_valid("REC", pd.NA, 2020)
    assert not codes.is_valid("REC", "E43", 2020)  # historic


def test_unversioned_lists():
    assert codes.valid_codes("RNE", 2019) == frozenset("SLPTBU")
    assert codes.valid_codes("PLACE_PROVIDER", 2030) == frozenset(f"PR{i}" for i in range(6))
    assert codes.valid_codes("CIN", 2019) == frozenset(f"N{i}" for i in range(1, 9))
    assert len(codes.valid_codes("LS", 2019)) == 13
    assert len(codes.valid_codes("REC", 2019)) == 22
    assert len(codes.valid_codes("REASON_PLACE_CHANGE", 2019)) == 12
    with pytest.raises(KeyError, match="no code list"):
        codes.valid_codes("URN", 2019)


def test_every_code_has_a_meaning():
    for field in codes.CODED_FIELDS:
        for year in (2019, 2024, 2026):
            for code in codes.valid_codes(field, year):
                assert codes.meaning(field, code) != "unknown code"
    assert codes.meaning("PLACE", "k2").startswith("Children's homes")
    assert codes.meaning("PLACE", "ZZ") == "unknown code"


def test_collection_year():
    assert codes.collection_year(dt.date(2019, 3, 31)) == 2019
    assert codes.collection_year(dt.date(2019, 4, 1)) == 2020
    days = pd.Series(pd.to_datetime(["2019-03-31", "2019-04-01", None]))
    assert codes.collection_years(days).tolist() == [2019, 2020, pd.NA]


def test_category_sets_are_valid_codes():
    every_place = codes.all_codes("PLACE")
    for group in (
        codes.TEMPORARY_PLACES,
        codes.ADOPTION_PLACES,
        codes.KINSHIP_FOSTER_PLACES,
        codes.NON_KINSHIP_FOSTER_PLACES,
        codes.CHILDRENS_HOME_PLACES,
        codes.SECURE_PLACES,
        codes.SUPPORTED_PLACES,
        codes.WITH_PARENTS_PLACES,
        codes.PROVIDER_NOT_REQUIRED_PLACES,
    ):
        assert group <= every_place
    assert codes.all_codes("REASON_PLACE_CHANGE") >= codes.UNPLANNED_REASONS
    assert codes.all_codes("LS") >= codes.SHORT_BREAK_LS
    assert codes.all_codes("RNE") - {"L"} == codes.NEW_PLACEMENT_RNE
