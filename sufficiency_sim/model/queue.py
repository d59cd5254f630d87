"""The search queue: children waiting for a better placement, in priority order.

One sorted list per need level, so that a freed place walks only the levels it can take,
merged in priority order (`matching.queue_priority`: bridging children first, then the highest
need, then the longest waiting, then arrival order). No SimPy and no random draws here."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from sufficiency_sim.model.matching import queue_priority
from sufficiency_sim.vocabulary import NEEDS


def _item_key(item: tuple[tuple, Any]) -> tuple:
    return item[0]


class SearchQueue:
    """Children waiting, one priority-sorted list per need level. A child's `queue_key` is its
    place in the queue (None when not waiting)."""

    def __init__(self) -> None:
        self.queues: dict[str, list[tuple[tuple, Any]]] = {need: [] for need in NEEDS}
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
        bisect.insort(self.queues[child.need], (key, child), key=_item_key)

    def remove(self, child: Any) -> None:
        """Take a child out of the queue (no change if it is not waiting)."""
        if child.queue_key is None:
            return
        queue = self.queues[child.need]
        del queue[bisect.bisect_left(queue, child.queue_key, key=_item_key)]
        child.queue_key = None

    def waiting(self, needs: Iterable[str]) -> Iterator[Any]:
        """Children waiting with one of `needs`, in priority order."""
        queues = [self.queues[n] for n in needs if self.queues[n]]
        if len(queues) == 1:
            return (child for _, child in queues[0])
        return (child for _, child in heapq.merge(*queues, key=_item_key))
