"""Python's cyclic garbage collector paused while a replication runs.

The model allocates many small containers (placements, events, draws) while it keeps every
child's history alive, so each pass of the collector walks a heap that grows with the
population: at 125 times York (28,000 children in care) a replication took 86 s with the
collector and 48 s without (`benchmarks/README.md`, `bench_model.py --scaling 125
--collector-on`). The model makes almost no cyclic garbage (a whole run of that size leaves 20
objects for the collector), so reference counting frees what it drops and memory is the same.
Pausing changes no result."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block and restore its state after
    (nested use and a collector already disabled by the caller are left as they were)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
