"""The search queue: children waiting for a better placement, in priority order.

Priority order is `matching.queue_priority`: bridging children first, then the highest need,
then the longest waiting, then arrival order. A freed place asks for the children it could
take (`waiting`): those of the need levels it takes and the ages it takes on the day. So that
it walks only those, and not a queue that grows with the population, each need level's
children are also kept in one sorted list per birth cohort (365 days of dates of birth); the
cohorts whose ages on the day can overlap the place's age range are merged in priority order.
The merge holds every child of those ages in the order of the full queue, so the first child
that suits a place is the same as a walk of the whole queue would find. No SimPy and no
random draws here."""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Iterator
from typing import Any

from sufficiency_sim.model.matching import queue_priority
from sufficiency_sim.vocabulary import NEEDS, YEAR_DAYS

COHORT_DAYS = 365
"""Width of a birth cohort of the queue's index, in days of date of birth."""

_Item = tuple[tuple, Any]


def _item_key(item: _Item) -> tuple:
    return item[0]


def cohort_of(dob: float) -> int:
    """The birth cohort of a date of birth (a model day): dob // COHORT_DAYS."""
    return int(dob // COHORT_DAYS)


def cohort_range(min_age: int, max_age: int, day: float) -> tuple[float, float]:
    """The lowest and highest birth cohort that can hold a child aged `min_age` to `max_age`
    (`days.age_on`) on `day`, with one cohort to spare at each end against rounding at the
    boundaries. Unbounded below when `max_age` is 17 and above when `min_age` is 0, since
    `age_on` counts anyone older as 17 and anyone younger as 0."""
    lowest = -math.inf if max_age >= 17 else cohort_of(day - (max_age + 1) * YEAR_DAYS) - 1
    highest = math.inf if min_age <= 0 else cohort_of(day - min_age * YEAR_DAYS) + 1
    return lowest, highest


class SearchQueue:
    """Children waiting, in priority order per need level and per need level and birth cohort.
    A child's `queue_key` is its place in the queue (None when not waiting)."""

    def __init__(self) -> None:
        self.queues: dict[str, list[_Item]] = {need: [] for need in NEEDS}
        self.cohorts: dict[str, dict[int, list[_Item]]] = {need: {} for need in NEEDS}
        self._sequence = 0

    def __len__(self) -> int:
        return sum(len(queue) for queue in self.queues.values())

    def add(self, child: Any, bridging: bool, today: int) -> None:
        """Put a child in the queue (no change if it is waiting already)."""
        if child.queue_key is not None:
            return
        self._sequence += 1
        key = queue_priority(bridging, child.need, today, self._sequence)
        child.queue_key = key
        item = (key, child)
        bisect.insort(self.queues[child.need], item, key=_item_key)
        cohort = self.cohorts[child.need].setdefault(cohort_of(child.dob), [])
        bisect.insort(cohort, item, key=_item_key)

    def remove(self, child: Any) -> None:
        """Take a child out of the queue (no change if it is not waiting)."""
        key = child.queue_key
        if key is None:
            return
        queue = self.queues[child.need]
        del queue[bisect.bisect_left(queue, key, key=_item_key)]
        cohorts = self.cohorts[child.need]
        number = cohort_of(child.dob)
        cohort = cohorts[number]
        del cohort[bisect.bisect_left(cohort, key, key=_item_key)]
        if not cohort:
            del cohorts[number]
        child.queue_key = None

    def waiting(
        self, needs: Iterable[str], min_age: int = 0, max_age: int = 17, day: float = 0.0
    ) -> Iterator[Any]:
        """Children waiting with one of `needs`, in priority order: all those aged `min_age` to
        `max_age` on `day`, and perhaps others of the birth cohorts at the range's edges (a
        caller still checks each child's age)."""
        lists: list[list[_Item]] = []
        for need in needs:
            lists.extend(self._lists_for(need, min_age, max_age, day))
        if not lists:
            return iter(())
        if len(lists) == 1:
            return (child for _, child in lists[0])
        return (child for _, child in heapq.merge(*lists, key=_item_key))

    def _lists_for(self, need: str, min_age: int, max_age: int, day: float) -> list[list[_Item]]:
        """The sorted lists that hold every child of `need` aged `min_age` to `max_age` on
        `day`: the need's whole queue when every cohort waiting qualifies."""
        cohorts = self.cohorts[need]
        lowest, highest = cohort_range(min_age, max_age, day)
        chosen = [cohort for number, cohort in cohorts.items() if lowest <= number <= highest]
        if len(chosen) == len(cohorts):
            return [self.queues[need]] if cohorts else []
        return chosen
