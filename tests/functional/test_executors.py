"""Executors: the same experiment gives exactly the same results serially, on local processes
and on Dask (a LocalCluster started by the executor, or an existing scheduler by address)."""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment.executors import ProcessExecutor, SerialExecutor, make_executor
from sufficiency_sim.experiment.runner import ExperimentResult, Task, run_experiment

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["horizon_years=2", "warmup_years=3"]
SEED = 20240
REPLICATIONS = 4


def short_scenarios() -> dict[str, scenario.Scenario]:
    """York's baseline and the recruitment campaign option, both cut to a short run."""
    return {
        "baseline": scenario.load(ROOT / "scenarios/york_baseline.yaml", SHORT),
        "recruitment": scenario.load(ROOT / "scenarios/options/b_recruitment_campaign.yaml", SHORT),
    }


@pytest.fixture(scope="module")
def scenarios() -> dict[str, scenario.Scenario]:
    return short_scenarios()


@pytest.fixture(scope="module")
def serial(scenarios: dict[str, scenario.Scenario]) -> ExperimentResult:
    return run_experiment(scenarios, REPLICATIONS, SEED, executor=SerialExecutor())


def assert_same(result: ExperimentResult, reference: ExperimentResult) -> None:
    """Exactly equal results and summary frames, and byte-identical CSV text."""
    pd.testing.assert_frame_equal(result.results, reference.results, check_exact=True)
    pd.testing.assert_frame_equal(result.summary, reference.summary, check_exact=True)
    assert result.results.to_csv(index=False) == reference.results.to_csv(index=False)
    assert result.summary.to_csv(index=False) == reference.summary.to_csv(index=False)


def test_reference_is_a_real_comparison(serial: ExperimentResult) -> None:
    results = serial.results
    assert list(results["scenario"].unique()) == ["baseline", "recruitment"]
    assert sorted(results["replication"].unique()) == list(range(REPLICATIONS))
    assert len(results) == 2 * REPLICATIONS * 2  # two scenarios, two report years each
    base = results[results["scenario"] == "baseline"].drop(columns="scenario")
    option = results[results["scenario"] == "recruitment"].drop(columns="scenario")
    # the option's lever changes the outcome, so equality below is not trivially true
    assert not base.reset_index(drop=True).equals(option.reset_index(drop=True))


def test_tasks_sent_to_workers_are_small(scenarios: dict[str, scenario.Scenario]) -> None:
    task = Task("baseline", scenarios["baseline"], SEED, 3)
    assert len(pickle.dumps(task)) < 64_000


def test_processes_match_serial(
    scenarios: dict[str, scenario.Scenario], serial: ExperimentResult
) -> None:
    result = run_experiment(scenarios, REPLICATIONS, SEED, executor=ProcessExecutor(2))
    assert_same(result, serial)


def test_make_executor_choices() -> None:
    assert isinstance(make_executor(1), SerialExecutor)
    assert isinstance(make_executor(3), ProcessExecutor)
    executor = make_executor(2, dask="local")
    assert executor.name == "dask"
    assert executor.n_workers == 2


# -- Dask -----------------------------------------------------------------------------------


def test_dask_local_matches_serial(
    scenarios: dict[str, scenario.Scenario], serial: ExperimentResult
) -> None:
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    result = run_experiment(scenarios, REPLICATIONS, SEED, executor=DaskExecutor("local", 2))
    assert_same(result, serial)


def test_dask_scheduler_address_matches_serial(
    scenarios: dict[str, scenario.Scenario], serial: ExperimentResult
) -> None:
    """An existing cluster, reached by its tcp:// address; one connection for two batches."""
    distributed = pytest.importorskip("distributed")
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        with DaskExecutor(address, 99) as executor:
            first = run_experiment(scenarios, REPLICATIONS, SEED, executor=executor)
            again = run_experiment(scenarios, REPLICATIONS, SEED, executor=executor)
        assert executor._client is None  # disconnected; the cluster itself is not ours
        assert len(cluster.workers) == 2  # still up: only our connection was closed
    assert_same(first, serial)
    assert_same(again, serial)


def _fails(task: int) -> int:
    if task == 2:
        raise ValueError("replication 2 went wrong")
    return task


def test_dask_task_error_reaches_the_caller() -> None:
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    executor = DaskExecutor("local", 1)
    with pytest.raises(ValueError, match="replication 2 went wrong"):
        list(executor.map_unordered(_fails, range(4)))
    assert executor._client is None and executor._cluster is None  # closed after the map


def test_dask_no_tasks_starts_nothing() -> None:
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    executor = DaskExecutor("local", 2)
    assert list(executor.map_unordered(_fails, [])) == []
    assert executor._cluster is None


def test_dask_unreachable_scheduler_is_a_clear_error() -> None:
    import socket

    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executor = DaskExecutor(f"tcp://127.0.0.1:{port}", 2, connect_timeout=1)
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"cannot reach a Dask scheduler.*within 1 s"):
        list(executor.map_unordered(_fails, [1]))
    assert time.perf_counter() - started < 15


@pytest.mark.parametrize("address", ["", "nowhere", "http//x:1", "tcp://"])
def test_dask_bad_address(address: str) -> None:
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    with pytest.raises(InputError, match="expected 'local' or a scheduler address"):
        DaskExecutor(address, 2)


def test_dask_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from sufficiency_sim.experiment.dask_executor import DaskExecutor

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(InputError, match=r"pip install 'sufficiency-sim\[dask\]'"):
        DaskExecutor("local", 2)
    with pytest.raises(InputError, match=r"pip install 'sufficiency-sim\[dask\]'"):
        make_executor(2, dask="local")
