"""The index of local homes with a free bed, against a walk of every home in scenario order:
the same home is found whatever beds fill or free, homes open or change their rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sufficiency_sim.model.provision import Home, HomePool
from sufficiency_sim.vocabulary import NEEDS

rules_st = st.tuples(
    st.integers(0, 17), st.integers(0, 17), st.sets(st.sampled_from(NEEDS), min_size=1)
)
change_st = st.tuples(st.integers(0, 7), st.sampled_from(["fill", "free", "open", "rules"]))


def _walk(pool: HomePool, age: int, need: str, exclude: Home | None) -> Home | None:
    for home in pool.homes:
        if home.free > 0 and home is not exclude and home.admits_child(age, need):
            return home
    return None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(rules_st, st.integers(1, 3), st.booleans()), min_size=1, max_size=8),
    st.lists(st.tuples(change_st, rules_st), max_size=30),
)
def test_find_is_the_first_home_a_walk_finds(homes: list, changes: list) -> None:
    pool = HomePool()
    for number, ((low, span, admits), beds, is_open) in enumerate(homes):
        home = Home(
            f"h{number}", "Home", beds, low, min(17, low + span), tuple(admits), 1,
            "council", "in_la", 5.0, 0, None,
        )  # fmt: skip
        home.is_open = is_open
        pool.add(home)
    for (which, what), (low, span, admits) in changes:
        home = pool.homes[which % len(pool.homes)]
        if what == "fill" and home.free > 0:
            home.occupants.append(len(home.occupants))
            home.specialist_count += 1
        elif what == "free" and home.occupants:
            home.occupants.pop()
            home.specialist_count = max(0, home.specialist_count - 1)
        elif what == "open":
            home.is_open = not home.is_open
        elif what == "rules":
            home.min_age, home.max_age = low, min(17, low + span)
            home.admits = frozenset(admits)
        pool.refresh(home)
        for exclude in (None, home):
            for age in range(18):
                for need in NEEDS:
                    assert pool.find(age, need, exclude) is _walk(pool, age, need, exclude)
