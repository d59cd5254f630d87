"""Where replications run: in this process, on local worker processes, or on a Dask cluster.

Every executor maps a picklable function over small tasks (a scenario and a replication number,
never large objects) and yields results as they finish. Results carry their own keys, so the
order in which they finish never changes what is written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from sufficiency_sim.experiment.dask_executor import DaskExecutor


class Executor(Protocol):
    """Runs `fn` over `tasks`, yielding each result as it finishes."""

    name: str

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield fn(task) for every task, in any order."""
        ...


class SerialExecutor:
    """Runs tasks one after another in this process."""

    name = "serial"

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield fn(task) for every task, in order."""
        for task in tasks:
            yield fn(task)


def _end_with_parent(parent: int, every: float = 0.5) -> None:
    """Worker initializer: end this worker as soon as the process that started the pool
    (`parent`) is gone.

    A parent killed by SIGKILL cannot shut its pool down, and its workers would otherwise live
    on, computing for no one. On Linux the kernel sends SIGKILL when the worker's own parent
    dies (PR_SET_PDEATHSIG); everywhere, a daemon thread also checks every `every` seconds that
    `parent` still exists and that the worker has not been adopted by another process (its
    parent may be a fork server rather than `parent` itself, so it is compared with itself).
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    adopted_from = os.getppid()

    def gone() -> bool:
        if os.getppid() != adopted_from:
            return True
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False  # exists, but not ours to signal
        return False

    if gone():  # the parent died before the watch began
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(every)
            if gone():
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class ProcessExecutor:
    """Runs tasks on `jobs` local worker processes."""

    name = "processes"

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield fn(task) for every task as the workers finish them."""
        tasks = list(tasks)
        if not tasks:
            return
        with ProcessPoolExecutor(
            max_workers=min(self.jobs, len(tasks)),
            initializer=_end_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = [pool.submit(fn, task) for task in tasks]
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()


def make_executor(jobs: int = 1, dask: str | None = None) -> Executor:
    """The executor for `--jobs` (0 = one per core) and `--dask` ("local" or an address)."""
    if dask:
        return DaskExecutor(dask, jobs or os.cpu_count() or 1)
    jobs = jobs or os.cpu_count() or 1
    return SerialExecutor() if jobs <= 1 else ProcessExecutor(jobs)
