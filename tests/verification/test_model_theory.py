"""Verification of the placement model against theory and extreme values.

Reduced to one kind of placement (in-house foster households with one place each), Poisson
entries and stays that do not depend on the placement, the model is a loss system: a child who
finds every household full goes out of area for good, and the share of such children is Erlang's
B(c, a) with a = lambda E[S] whatever the distribution of the stay (Erlang B is insensitive to
it). With room for everyone, the number in care is an M/G/infinity queue whose mean is
lambda E[S] (Little's law). Tolerances are four standard errors of the replication means plus
the largest effect of whole-day rounding, which is computed, not guessed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
import pytest
from model_scenarios import (
    YEAR_DAYS,
    baseline,
    build,
    erlang_b,
    no_moves,
    periods_of_care,
    room_everywhere,
    single_carer_type,
)
from scipy.stats import norm

from sufficiency_sim.experiment.runner import history_frames
from sufficiency_sim.measure.indicators import compute_indicators, placements_from_episodes
from sufficiency_sim.model.history import RunHistory
from sufficiency_sim.model.processes import simulate
from sufficiency_sim.scenario import Scenario

SEED = 20240401
Z = 4.0  # standard errors allowed: a false alarm about once in 16,000 runs


def first_placements(history: RunHistory) -> dict[str, tuple[int, str]]:
    """Each child's first placement (start ordinal, provision type) from the audit table."""
    first: dict[str, tuple[int, str]] = {}
    p = history.placements
    for child, start, kind in zip(p["child"], p["start"], p["provision_type"], strict=True):
        if child not in first or start < first[child][0]:
            first[child] = (start, kind)
    return first


def blocked_share(history: RunHistory, placed: str, blocked: str) -> tuple[int, float]:
    """Children entering after the warm-up, and the share of them whose first placement is
    `blocked` (every other first placement must be `placed`)."""
    kinds = [k for s, k in first_placements(history).values() if s >= history.start_ordinal]
    assert set(kinds) <= {placed, blocked}
    return len(kinds), kinds.count(blocked) / len(kinds)


def mean_and_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error of independent replication values."""
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1) / math.sqrt(len(array)))


def mean_time_in_care(mean_days: float, distribution: str, sigma: float) -> float:
    """E[min(max(1, round(X)), U)]: the whole-day stay X the model draws for a baby entering
    care, cut short at its 18th birthday U days later (U uniform over 17 to 18 years, as the
    baby is 0 to 364 days old). Computed as the sum over k >= 1 of P(stay >= k) P(U >= k)."""
    k = np.arange(2, int(19 * YEAR_DAYS), dtype=float)
    if distribution == "exponential":
        tail = np.exp(-(k - 0.5) / mean_days)  # P(round(X) >= k) = P(X >= k - 1/2)
    else:
        median = mean_days / math.exp(sigma * sigma / 2.0)
        tail = norm.sf(np.log((k - 0.5) / median) / sigma)
    low, high = 17 * YEAR_DAYS, 18 * YEAR_DAYS
    before_18 = np.clip((high - k) / (high - low), 0.0, 1.0)
    return 1.0 + float((tail * before_18).sum())


# ---------------------------------------------------------------------------------------------
# Erlang loss


ERLANG_CASES = [
    # households, entries a year, mean stay (days), distribution, sigma, replications
    pytest.param(10, 8.0, YEAR_DAYS, "exponential", 0.0, 200, id="c10-a8-exponential"),
    pytest.param(5, 6.0, YEAR_DAYS, "lognormal", 1.0, 150, id="c5-a6-lognormal"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("c", "rate", "mean_days", "distribution", "sigma", "reps"), ERLANG_CASES)
def test_blocking_share_matches_erlang_b(
    c: int, rate: float, mean_days: float, distribution: str, sigma: float, reps: int
) -> None:
    """The share of children entering after the warm-up whose first placement is external (every
    household was full) equals Erlang B(c, lambda E[S]); and the stock out of area on 31 March
    (pct_out_of_area weighted by the number in care) is B too, as the children turned away stay
    as long as the others (PASTA and independence of stay and placement)."""
    sc = build(
        single_carer_type(
            c, rate, mean_days, distribution=distribution, sigma=sigma, warmup_years=10
        )
    )
    shares, out_stock, stock, arrivals = [], 0.0, 0, 0
    for rep in range(reps):
        history = simulate(sc, SEED, rep)
        entries, share = blocked_share(history, "inhouse_foster", "external_home")
        arrivals += entries
        shares.append(share)
        if rep < reps // 4:  # the snapshot check needs fewer replications
            frames = history_frames(history)
            ind = compute_indicators(frames["episodes"], frames["header"], sc.report_years)
            out_stock += float((ind["pct_out_of_area"] / 100 * ind["cla_31_march"]).sum())
            stock += int(ind["cla_31_march"].sum())
    share, se = mean_and_se(shares)
    # Arrivals and departures happen on whole days, so the time a child holds a place is its
    # rounded stay give or take half a day, depending on the order of same-day events.
    served = mean_time_in_care(mean_days, distribution, sigma)
    b_low = erlang_b(c, rate * (served - 0.5) / YEAR_DAYS)
    b_high = erlang_b(c, rate * (served + 0.5) / YEAR_DAYS)
    print(
        f"\nErlang c={c} a={rate * mean_days / YEAR_DAYS:g} {distribution}: B={b_low:.4f}-"
        f"{b_high:.4f}, simulated {share:.4f} +- {se:.4f} (n={arrivals} entries, {reps} reps); "
        f"31 March stock out of area {out_stock / stock:.4f} (n={stock} child-snapshots)"
    )
    assert se < 0.01, "too few entries for a meaningful test"
    assert b_low - Z * se <= share <= b_high + Z * se
    # Snapshot stock: binomial-type bound inflated 3x for the correlation of yearly snapshots.
    b = erlang_b(c, rate * served / YEAR_DAYS)
    snapshot_se = 3.0 * math.sqrt(b * (1 - b) / stock)
    assert abs(out_stock / stock - b) <= Z * snapshot_se + (b_high - b_low)


def test_erlang_b_recursion() -> None:
    """The reference formula itself: B(1, a) = a / (1 + a) and a published value."""
    assert erlang_b(1, 2.0) == pytest.approx(2.0 / 3.0)
    assert erlang_b(10, 8.0) == pytest.approx(0.12166, abs=1e-5)
    assert erlang_b(0, 5.0) == 1.0


# ---------------------------------------------------------------------------------------------
# Little's law


LITTLE_CASES = [
    # households (0: everyone goes to an external home), distribution, sigma
    pytest.param(0, "exponential", 0.0, id="external-exponential"),
    pytest.param(400, "lognormal", 1.0, id="inhouse-lognormal"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("households", "distribution", "sigma"), LITTLE_CASES)
def test_mean_in_care_is_rate_times_mean_stay(
    households: int, distribution: str, sigma: float
) -> None:
    """With room for everyone the time-average number in care (from the 903 periods of care) and
    the mean of cla_31_march both equal lambda E[S] (M/G/infinity; Little's law)."""
    rate, mean_days, reps = 50.0, YEAR_DAYS, 40
    sc = build(
        single_carer_type(
            households,
            rate,
            mean_days,
            distribution=distribution,
            sigma=sigma,
            horizon_years=20,
            warmup_years=18,
        )
    )
    averages, snapshots = [], []
    for rep in range(reps):
        history = simulate(sc, SEED, rep)
        first, last = history.start_ordinal, history.end_ordinal
        days_in_care = sum(
            max(0, min(last, end if end is not None else last) - max(first, start))
            for start, end in periods_of_care(history).values()
        )
        averages.append(days_in_care / (last - first))
        frames = history_frames(history)
        ind = compute_indicators(frames["episodes"], frames["header"], sc.report_years)
        snapshots.append(float(ind["cla_31_march"].mean()))
        if households == 0:
            assert set(history.placements["provision_type"]) == {"external_home"}
        else:
            assert set(history.placements["provision_type"]) == {"inhouse_foster"}
    expected = rate * mean_time_in_care(mean_days, distribution, sigma) / YEAR_DAYS
    mean, se = mean_and_se(averages)
    snap, snap_se = mean_and_se(snapshots)
    # M/G/infinity: Var(time average over T) ~ lambda E[S^2] / T.
    second_moment = mean_days**2 * (2.0 if distribution == "exponential" else math.exp(sigma**2))
    theory_se = math.sqrt(rate / YEAR_DAYS * second_moment / (reps * (last - first)))
    print(
        f"\nLittle {distribution}: lambda E[S] = {expected:.3f}; time-average {mean:.3f} +- "
        f"{se:.3f} (theory se {theory_se:.3f}); cla_31_march mean {snap:.3f} +- {snap_se:.3f} "
        f"({reps} reps x {sc.horizon_years} years)"
    )
    assert se < 0.02 * expected, "too little data for a meaningful test"
    assert abs(mean - expected) <= Z * se
    assert abs(snap - expected) <= Z * snap_se + rate / YEAR_DAYS  # +- one day's entries


# ---------------------------------------------------------------------------------------------
# Leaving care at 18


def eighteenth_birthday(dob: dt.date) -> dt.date:
    """The 18th birthday (1 March for a 29 February birthday in a common year)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return dt.date(dob.year + 18, 3, 1)


@pytest.mark.parametrize("replication", [0, 1])
def test_no_child_in_care_on_or_after_18th_birthday(replication: int) -> None:
    """No episode runs past a child's 18th birthday, no episode starts on or after it, and a
    child still in care at the end of the run is under 18 then; children in care the day before
    turning 18 (inside the run) leave on the birthday."""
    data = baseline()
    data["entries"]["age_mix"] = {"0": 0.1, "1-4": 0.1, "5-9": 0.1, "10-15": 0.3, "16-17": 0.4}
    sc = build(data)
    history = simulate(sc, SEED, replication)
    dob = dict(zip(history.header["CHILD"], history.header["DOB"], strict=True))
    birthday = {c: eighteenth_birthday(dt.date.fromordinal(d)).toordinal() for c, d in dob.items()}
    e = history.episodes
    for child, decom, dec in zip(e["CHILD"], e["DECOM"], e["DEC"], strict=True):
        assert decom < birthday[child], f"{child} starts an episode at 18 or over"
        if dec is None:
            assert birthday[child] >= history.end_ordinal, f"{child} in care at 18 at the end"
        else:
            assert dec <= birthday[child], f"{child} in care after turning 18"
    turned_18 = 0
    for child, (_, end) in periods_of_care(history).items():
        day = birthday[child]
        if history.start_ordinal <= day < history.end_ordinal and (end is None or end >= day):
            assert end == day, f"{child} was in care the day before turning 18 and did not leave"
            turned_18 += 1
    assert turned_18 > 50, "the test needs children leaving at 18"


# ---------------------------------------------------------------------------------------------
# Extreme values


def test_no_inhouse_households_means_no_inhouse_placements() -> None:
    """With no in-house households (and no recruitment or emergency carers) no child is ever
    placed in in-house foster care, and the 903 indicator of in-house foster care is 0."""
    data = baseline()
    data["warmup_years"] = 10
    data["provision"]["inhouse_foster"].update(households=0, emergency_households=0)
    data["carers"].update(enquiries_per_year=0.0, campaigns=[])
    sc = build(data)
    history = simulate(sc, SEED, 0, check_invariants=True)
    kinds = set(history.placements["provision_type"])
    assert "inhouse_foster" not in kinds and "emergency_foster" not in kinds
    assert len(history.provision["resource_id"]) == len(sc.provision.local_homes)
    frames = history_frames(history)
    ind = compute_indicators(frames["episodes"], frames["header"], sc.report_years)
    assert (ind["inhouse_foster"] == 0).all()
    assert (ind["cla_31_march"] > 0).all()


def test_room_everywhere_means_no_bridging() -> None:
    """With more in-house places, local beds and same-day offers than could ever be needed, no
    child ever goes to a bridging placement (emergency foster or emergency residential)."""
    sc = build(room_everywhere(baseline()))
    history = simulate(sc, SEED, 0)
    p = history.placements
    assert len(p["child"]) > 1000
    assert not any(p["bridging"])
    assert not {"emergency_foster", "emergency_residential"} & set(p["provision_type"])


def test_no_moves_means_one_placement_per_period() -> None:
    """With no breakdowns, planned moves, step-back, pathway transitions, carers leaving or
    bridging, each child has exactly one placement per period of care: one audit row each,
    903 episodes that start a placement only with RNE S, no placement moves, nobody with 3+."""
    sc = build(no_moves(room_everywhere(baseline())))
    history = simulate(sc, SEED, 0, check_invariants=True)
    per_child: dict[str, int] = defaultdict(int)
    for child in history.placements["child"]:
        per_child[child] += 1
    assert len(per_child) == len(history.header["CHILD"]) > 500
    assert set(per_child.values()) == {1}
    assert set(history.episodes["RNE"]) <= {"S", "L"}
    frames = history_frames(history)
    derived = placements_from_episodes(frames["episodes"])
    assert len(derived) == len(per_child)
    ind = compute_indicators(frames["episodes"], frames["header"], sc.report_years)
    assert (ind["placement_moves"] == 0).all()
    assert (ind["pct_3plus_placements"] == 0).all()
    assert (ind["unplanned_endings"] == 0).all()


def test_reduced_scenarios_are_what_they_claim() -> None:
    """The loss-system scenario really is reduced: one entry route and age, no kinship, single
    places, no emergency carers, no breakdown within a lifetime, far overflow."""
    sc: Scenario = build(single_carer_type(10, 8.0, YEAR_DAYS))
    assert sc.entries.age_mix == {"0": 1.0}
    assert sc.entries.sibling_group_mix == {1: 1.0}
    assert all(mix == {"other": 1.0} for mix in sc.pathways.route_mix_by_age.values())
    assert sc.pathways.durations["other"].distribution == "exponential"
    assert sc.pathways.durations["other"].median_days == pytest.approx(YEAR_DAYS * math.log(2))
    assert set(sc.provision.kinship.available_by_age.values()) == {0.0}
    assert sc.provision.inhouse_foster.places_mix == {1: 1.0}
    assert sc.provision.inhouse_foster.emergency_households == 0
    assert sc.provision.external_homes.location_mix == {"far": 1.0}
    assert not sc.matching.step_back.enabled
    assert sc.endings.planned_move_rate_per_year == {}
    assert sc.carers.deregistration_rate_per_year == 0 == sc.carers.enquiries_per_year
