"""Run replications on a Dask cluster: one started on this machine, or an existing scheduler.

`DaskExecutor("local", n)` starts a `distributed.LocalCluster` of `n` single-threaded worker
processes for the duration of a map (or of a `with` block) and closes it afterwards.
`DaskExecutor("tcp://host:8786", n)` connects to a scheduler that is already running; its
workers must have this package installed (the same version: they import `sufficiency_sim` to
run a task) and `n` is ignored, since the cluster decides how many workers it has.

Workers receive only the small task (a scenario and a replication number) and send back that
replication's results, so a batch moves kilobytes, not histories. Dask is optional: install it
with ``pip install 'sufficiency-sim[dask]'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any

from sufficiency_sim.errors import InputError

INSTALL_HINT = "install with pip install 'sufficiency-sim[dask]'"
DEFAULT_CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a remote scheduler before giving up."""

_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$|^[^\s:/]+:\d+$")


def _distributed() -> Any:
    """The `distributed` module, or InputError saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise InputError(
            f"--dask needs the Dask distributed scheduler, which is not installed ({exc}); "
            f"{INSTALL_HINT}"
        ) from None
    return distributed


class DaskExecutor:
    """Runs tasks on a Dask cluster and yields results as they finish.

    `address` is "local" (start a LocalCluster of `n_workers` processes with one thread each)
    or the address of a running scheduler, e.g. "tcp://10.0.0.5:8786". Use it as a context
    manager to keep one cluster (or connection) for several maps; otherwise each map opens
    and closes its own.
    """

    name = "dask"

    def __init__(
        self,
        address: str,
        n_workers: int,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        address = address.strip()
        if address != "local" and not _ADDRESS.match(address):
            raise InputError(
                f"--dask {address!r}: expected 'local' or a scheduler address such as "
                "tcp://HOST:8786"
            )
        _distributed()  # fail now, with the install hint, rather than when the batch starts
        self.address = address
        self.n_workers = max(1, int(n_workers))
        self.connect_timeout = connect_timeout
        self._cluster: Any = None
        self._client: Any = None

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address!r}, n_workers={self.n_workers})"

    # -- connection ---------------------------------------------------------------------------

    def open(self) -> None:
        """Start the local cluster or connect to the scheduler (InputError if unreachable)."""
        if self._client is not None:
            return
        distributed = _distributed()
        if self.address == "local":
            self._cluster = distributed.LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard; the scheduler's bare HTTP endpoints (health, metrics) would
                # otherwise claim port 8787, or warn when another cluster has it
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
            try:
                self._client = distributed.Client(self._cluster)
            except BaseException:
                self._cluster.close()
                self._cluster = None
                raise
            return
        try:
            self._client = distributed.Client(self.address, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"--dask {self.address}: cannot reach a Dask scheduler there within "
                f"{self.connect_timeout:g} s ({exc}); start one with `dask scheduler` and "
                "workers with `dask worker ADDRESS`, or use --dask local"
            ) from None

    def close(self) -> None:
        """Disconnect, and shut down the local cluster if this executor started one."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def __enter__(self) -> DaskExecutor:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- work ---------------------------------------------------------------------------------

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield fn(task) for every task as the workers finish them.

        A task that raises re-raises here (after the others are cancelled). Tasks lost with a
        worker that dies are rerun by the scheduler.
        """
        tasks = list(tasks)
        if not tasks:
            return
        owned = self._client is None
        if owned:
            self.open()
        distributed = _distributed()
        futures: list[Any] = []
        try:
            futures = self._client.map(fn, tasks, pure=False)
            for future in distributed.as_completed(futures):
                yield future.result()
        finally:
            if futures:
                self._client.cancel(futures)
            if owned:
                self.close()
