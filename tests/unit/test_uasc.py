"""Unaccompanied asylum-seeking children (`entries.uasc`): the NTS quota by hand, the keys
refused, a child's draws turned into its pathway by hand, the quota's gate on transfers, the
903 UASC table, and no change at all when the section is absent."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from model_scenarios import baseline, build

from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment.runner import history_frames, write_history
from sufficiency_sim.model.days import birthday
from sufficiency_sim.model.entities import Child
from sufficiency_sim.model.processes import Simulation, simulate
from sufficiency_sim.model.uasc import UascDraws, UascNormals, start_uasc
from sufficiency_sim.scenario.uasc import Nts, Uasc
from sufficiency_sim.vocabulary import YEAR_DAYS

SEED = 5
ORD0 = dt.date(2000, 4, 1).toordinal()
NOW = 8000


def short(uasc: Any = "absent", *, warmup: int = 3, horizon: int = 2) -> dict:
    """The York baseline with a short warm-up and horizon, and `entries.uasc` set (or not)."""
    data = baseline()
    data["warmup_years"] = warmup
    data["horizon_years"] = horizon
    if uasc != "absent":
        data["entries"]["uasc"] = uasc
    return data


# ---------------------------------------------------------------------------------------------
# The scenario keys


def test_nts_quota_worked_by_hand() -> None:
    """York's 34,600 children at 0.1% give a quota of 34.6 UASC; at the 0.07% of 2016, 24.22."""
    assert Nts(start="2022-04-01", child_population=34_600).quota == pytest.approx(34.6)
    old = Nts(start="2016-07-01", child_population=34_600, quota_pct_of_child_population=0.07)
    assert old.quota == pytest.approx(24.22)


def test_the_section_is_absent_by_default() -> None:
    assert build(baseline()).entries.uasc is None
    defaults = Uasc()
    assert defaults.rate_per_year == 0.0 and defaults.nts is None
    assert sum(defaults.age_mix.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("uasc", "key"),
    [
        ({"rate_per_year": -1.0}, "rate_per_year"),
        ({"age_mix": {"16-17": 0.5}}, "age_mix"),
        ({"legal_status_mix": {"L1": 1.0}}, "legal_status_mix"),
        ({"early_exit_mix": {"E4A": 1.0}}, "early_exit_mix"),
        ({"nts": {"start": "2022-04-01"}}, "child_population"),
        ({"nts": {"start": "2022-04-01", "child_population": 0}}, "child_population"),
        (
            {"nts": {"start": "2022-04-01", "end": "2021-04-01", "child_population": 9}},
            "nts",
        ),
        ({"rate": 3.0}, "rate"),
    ],
)
def test_bad_uasc_keys_are_refused(uasc: dict, key: str) -> None:
    with pytest.raises(InputError, match=key):
        build(short(uasc))


# ---------------------------------------------------------------------------------------------
# One child's pathway by hand


def _draws(**values: float) -> tuple[UascDraws, UascNormals]:
    u = dict.fromkeys(UascDraws._fields, 0.0)
    u.update(values)
    return UascDraws(**u), UascNormals(0.0, 0.0, 0.0)


def _child(**values: float) -> Child:
    sc = build(baseline())
    child = Child(0, np.random.default_rng(0))
    u, z = _draws(**values)
    start_uasc(sc, Uasc(), child, NOW, u, z, ORD0)
    return child


def test_a_17_year_old_staying_to_18_worked_by_hand() -> None:
    """band 0.95 -> 16-17 (10-15 covers [0, 0.2)); age 0.6 -> 16 + int(0.6 * 2) = 17, and
    half a year (dob 0.5); sex 0.5 is not below 0.08 -> boy; need 0.9 -> complex (standard
    [0, 0.85)); legal 0.99 -> C1 ([0.95, 1)); early 0.5 -> stays to 18; supported 0.1 < 0.8 ->
    supported accommodation the median 42 days after entry (z = 0); leaving at 18 half a year
    on, before C1 would become C2 (the median 240 days after entry)."""
    child = _child(
        band=0.95, age=0.6, dob=0.5, sex=0.5, need=0.9, legal=0.99, early=0.5, supported=0.1
    )
    assert child.uasc and not child.kinship and child.cin == "N8"
    assert child.dob == NOW - math.ceil(17 * YEAR_DAYS) - int(0.5 * 365)
    assert (child.age_band, child.sex, child.need) == ("16-17", 1, "complex")
    assert (child.route, child.exit_rec) == ("long_term", "AT18")
    assert child.exit_day == birthday(ORD0, child.dob, 18)
    assert child.exit_day - NOW == pytest.approx(YEAR_DAYS / 2, abs=2)
    assert child.legal == [(NOW, "C1")]  # the full order, 240 days on, comes after 18
    assert child.supported_day == NOW + 42
    assert math.isinf(child.pfa_day) and math.isinf(child.pwp_day)


def test_a_10_year_old_leaving_early_worked_by_hand() -> None:
    """band 0.1 -> 10-15, age 0 -> 10, and half a year (dob 0.5); sex 0.05 -> girl; early
    0.05 < 0.1 -> leaves the median 180 days after entry, for the reason at 0.5 of E15 0.4,
    E16 0.2, E8 0.4 -> E16; V2 stays V2; supported 0.9 is not below 0.8 -> no move."""
    child = _child(band=0.1, dob=0.5, sex=0.05, early=0.05, exit_code=0.5, supported=0.9)
    assert (child.age_band, child.sex, child.need) == ("10-15", 2, "standard")
    assert (child.route, child.exit_rec, child.exit_day) == ("other", "E16", NOW + 180)
    assert child.legal == [(NOW, "V2")]
    assert math.isinf(child.supported_day)


# ---------------------------------------------------------------------------------------------
# Whole runs


def test_absent_null_and_zero_leave_the_run_unchanged() -> None:
    """With `entries.uasc` absent, null, or present with no arrivals and no NTS, a seeded run
    gives identical 903 episodes, header, placements and provision."""
    plain = simulate(build(short()), SEED, 0)
    for uasc in (None, {"rate_per_year": 0.0}):
        other = simulate(build(short(uasc)), SEED, 0)
        assert other.episodes == plain.episodes
        assert other.header == plain.header
        assert other.placements == plain.placements
        assert other.provision == plain.provision
        assert other.stats == plain.stats
        assert not other.uasc["CHILD"]
    assert "uasc" not in history_frames(plain)


def test_nts_transfers_stop_at_the_quota() -> None:
    """No spontaneous UASC, referrals far faster than anyone leaves, children of 10 staying to
    18: the authority accepts referrals while it has fewer UASC than its quota, 0.1% of 5,500
    children = 5.5, so it ends with exactly 6 (5 accepted below it, the 6th taking it over)."""
    nts = {"start": "2019-04-01", "child_population": 5_500, "referrals_per_year": 500.0}
    uasc = {"age_mix": {"10-15": 1.0}, "leave_early_share": 0.0, "nts": nts}
    sim = Simulation(build(short(uasc, warmup=0, horizon=1)), SEED, 0)
    sim.run()
    admitted = sim.arrivals.uasc.children
    assert len(admitted) == 6 == sim.arrivals.uasc.in_care()
    assert sim.arrivals.uasc._index["uasc:nts"] > 100  # referrals declined still counted


def test_the_903_uasc_table(tmp_path) -> None:
    """Every UASC in the history has one row of CHILD, SEX and DOB as in the header, and a DUC
    only when it left care at 18 (that day) or was assessed as an adult (E15), never after the
    18th birthday (validator rule 304); the table is written as uasc.csv."""
    uasc = {"rate_per_year": 30.0, "leave_early_share": 0.3}
    history = simulate(build(short(uasc, warmup=3, horizon=3)), SEED, 0)
    frames = history_frames(history)
    table, header = frames["uasc"], frames["header"].set_index("CHILD")
    assert len(table) > 50 and table["CHILD"].is_unique
    rows = header.loc[table["CHILD"]]
    assert (rows["SEX"].to_numpy() == table["SEX"].to_numpy()).all()
    assert (rows["DOB"].to_numpy() == table["DOB"].to_numpy()).all()
    ceased = table.dropna(subset=["DUC"])
    assert len(ceased) > 0
    adult = pd.DateOffset(years=18)
    assert all(duc <= dob + adult for duc, dob in zip(ceased["DUC"], ceased["DOB"], strict=True))
    write_history(frames, tmp_path)
    text = (tmp_path / "uasc.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == "CHILD,SEX,DOB,DUC" and len(text) == len(table) + 1
