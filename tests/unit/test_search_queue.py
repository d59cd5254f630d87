"""The search queue's index by need and birth cohort, against a brute-force queue: every child
of the ages asked for comes out, in the order of the whole queue sorted by priority."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from sufficiency_sim.model.days import age_on
from sufficiency_sim.model.matching import needs_taken
from sufficiency_sim.model.provision import Home
from sufficiency_sim.model.queue import COHORT_DAYS, SearchQueue, cohort_of, cohort_range
from sufficiency_sim.vocabulary import NEEDS, YEAR_DAYS


@dataclass(eq=False)
class Waiting:
    """The fields of a child the queue uses."""

    name: int
    need: str
    dob: int
    queue_key: tuple | None = None


@given(st.integers(-8000, 9000), st.integers(0, 7000), st.integers(0, 17), st.integers(0, 17))
def test_cohort_range_holds_every_child_of_the_ages(dob: int, after: int, low: int, span: int):
    day = dob + after
    high = min(17, low + span)
    lowest, highest = cohort_range(low, high, day)
    if low <= age_on(dob, day) <= high:
        assert lowest <= cohort_of(dob) <= highest
    if low > 0 and high < 17:  # bounded both ways: a few cohorts more than the ages span
        assert highest - lowest <= (high - low + 1) * YEAR_DAYS / COHORT_DAYS + 3


children_st = st.lists(
    st.tuples(st.sampled_from(NEEDS), st.integers(0, 7000), st.booleans(), st.integers(0, 400)),
    min_size=0,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    children_st,
    st.sets(st.integers(0, 39)),
    st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True),
    st.integers(0, 17),
    st.integers(0, 17),
    st.integers(0, 800),
)
def test_waiting_yields_every_child_of_the_ages_in_priority_order(
    entries: list, removed: set, needs: list, low: int, span: int, later: int
) -> None:
    high = min(17, low + span)
    queue = SearchQueue()
    children = []
    for name, (need, dob, bridging, since) in enumerate(entries):
        child = Waiting(name, need, dob)
        queue.add(child, bridging, since)
        children.append(child)
    for name in removed:
        if name < len(children):
            queue.remove(children[name])
    day = 7000 + later
    waiting = [c for c in children if c.queue_key is not None]
    assert len(queue) == len(waiting)
    expected = sorted(
        (c for c in waiting if c.need in needs and low <= age_on(c.dob, day) <= high),
        key=lambda c: c.queue_key,
    )
    got = list(queue.waiting(needs, low, high, day))
    assert [c for c in got if low <= age_on(c.dob, day) <= high] == expected
    assert all(c.need in needs and c.queue_key is not None for c in got)
    assert [c.queue_key for c in got] == sorted(c.queue_key for c in got)


def test_removing_the_last_child_of_a_cohort_drops_the_cohort() -> None:
    queue = SearchQueue()
    child = Waiting(0, "standard", 100)
    queue.add(child, True, 5)
    assert queue.cohorts["standard"] == {0: [(child.queue_key, child)]}
    queue.remove(child)
    assert queue.cohorts["standard"] == {} and len(queue) == 0 and child.queue_key is None


def test_a_place_for_teenagers_walks_past_no_young_child() -> None:
    """The point of the index: with many young children waiting, a bed for 11-17 year olds is
    offered only the cohorts that can be that old."""
    queue = SearchQueue()
    day = 20 * 365
    young = [Waiting(i, "complex", day - 3 * 365 - i) for i in range(50)]
    teen = Waiting(99, "complex", day - 14 * 365)
    for child in young:
        queue.add(child, True, 1)
    queue.add(teen, False, 2)
    assert list(queue.waiting(["complex"], 11, 17, day)) == [teen]
    assert list(queue.waiting(["complex"], 0, 17, day)) == [*young, teen]


def test_a_home_at_its_specialist_cap_asks_for_no_specialist_child() -> None:
    """needs_taken leaves out exactly the need level admits_child refuses at the cap, and only
    while the home is at it (a bed freed below the cap asks for specialist children again)."""
    home = Home(
        "h", "Home", 4, 11, 17, ("complex", "specialist"), 1, "council", "in_la", 5.0, 0, None
    )
    everywhere = {need: ("local_home",) for need in NEEDS}
    assert needs_taken(home, everywhere) == ["complex", "specialist"]
    home.specialist_count = 1
    assert needs_taken(home, everywhere) == ["complex"]
    assert not home.admits_child(14, "specialist") and home.admits_child(14, "complex")
    home.specialist_count = 0
    assert "specialist" in needs_taken(home, everywhere)
