"""Checkpointed batches: a batch killed part-way (SIGKILL, for real, in a subprocess) and then
resumed gives exactly the results of an uninterrupted batch, without rerunning finished
replications; resuming with another seed or other scenarios is refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment.batch import BatchStore, resume_or_start, scenario_hash, slug
from sufficiency_sim.experiment.executors import SerialExecutor
from sufficiency_sim.experiment.runner import ExperimentResult, ReplicationResult, run_experiment

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios/york_baseline.yaml"
OPTION = ROOT / "scenarios/options/b_recruitment_campaign.yaml"
SHORT = ["horizon_years=2", "warmup_years=3"]
SEED = 7031
REPLICATIONS = 6
TOTAL = 2 * REPLICATIONS

DRIVER = textwrap.dedent(
    """
    import sys
    import time

    from sufficiency_sim import scenario
    from sufficiency_sim.experiment.batch import resume_or_start
    from sufficiency_sim.experiment.runner import run_experiment

    out, baseline, option, seed, replications = sys.argv[1:]
    short = ["horizon_years=2", "warmup_years=3"]
    scenarios = {
        "baseline": scenario.load(baseline, short),
        "recruitment": scenario.load(option, short),
    }
    store, done = resume_or_start(out, scenarios, int(seed), int(replications), resume=False)


    def on_result(key, result):
        store.save(key, result)
        time.sleep(0.15)  # pace the batch so that the test's kill lands part-way through


    run_experiment(
        scenarios, int(replications), int(seed), jobs=1, done=done, on_result=on_result
    )
    print("finished")
    """
)


def short_scenarios(option_overrides: Iterable[str] = ()) -> dict[str, scenario.Scenario]:
    """York's baseline and the recruitment campaign option, both cut to a short run."""
    return {
        "baseline": scenario.load(BASELINE, SHORT),
        "recruitment": scenario.load(OPTION, [*SHORT, *option_overrides]),
    }


@pytest.fixture(scope="module")
def scenarios() -> dict[str, scenario.Scenario]:
    return short_scenarios()


@pytest.fixture(scope="module")
def uninterrupted(scenarios: dict[str, scenario.Scenario]) -> ExperimentResult:
    return run_experiment(scenarios, REPLICATIONS, SEED, executor=SerialExecutor())


class CountingExecutor(SerialExecutor):
    """A serial executor that records which tasks it was given."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, int]] = []

    def map_unordered(self, fn: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        tasks = list(tasks)
        self.tasks.extend((task.key, task.replication) for task in tasks)
        return super().map_unordered(fn, tasks)


def checkpoint_files(directory: Path) -> list[Path]:
    return sorted((directory / "checkpoints").rglob("[0-9]*.pkl"))


def assert_same(result: ExperimentResult, reference: ExperimentResult) -> None:
    pd.testing.assert_frame_equal(result.results, reference.results, check_exact=True)
    pd.testing.assert_frame_equal(result.summary, reference.summary, check_exact=True)
    assert result.results.to_csv(index=False) == reference.results.to_csv(index=False)


def run_batch(
    out: Path,
    scenarios: dict[str, scenario.Scenario],
    replications: int,
    resume: bool,
    seed: int = SEED,
) -> tuple[ExperimentResult, CountingExecutor, list[tuple[str, int]], BatchStore]:
    """Resume or start a checkpointed batch in this process; count what it computes."""
    store, done = resume_or_start(out, scenarios, seed, replications, resume=resume)
    executor = CountingExecutor()
    saved: list[tuple[str, int]] = []

    def on_result(key: str, result: ReplicationResult) -> None:
        saved.append((key, result.replication))
        store.save(key, result)

    result = run_experiment(
        scenarios, replications, seed, executor=executor, done=done, on_result=on_result
    )
    return result, executor, saved, store


# -- the real thing: SIGKILL part-way, then resume ----------------------------------------------


def test_killed_batch_resumes_to_identical_results(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario], uninterrupted: ExperimentResult
) -> None:
    out = tmp_path / "batch"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    log = (tmp_path / "driver.log").open("w+")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, str(driver), str(out), str(BASELINE), str(OPTION)]
    process = subprocess.Popen(
        [*command, str(SEED), str(REPLICATIONS)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        deadline = time.monotonic() + 120
        while len(checkpoint_files(out)) < 2:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"driver exited ({process.returncode}) early:\n{log.read()}")
            assert time.monotonic() < deadline, "driver wrote no checkpoints in 120 s"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        log.close()
    assert process.returncode == -signal.SIGKILL
    finished = len(checkpoint_files(out))
    assert 2 <= finished < TOTAL, f"{finished} of {TOTAL} checkpointed: kill was not part-way"

    manifest = json.loads((out / "checkpoints/manifest.json").read_text())
    assert manifest["seed"] == SEED
    assert manifest["replications"] == list(range(REPLICATIONS))
    assert [entry["key"] for entry in manifest["scenarios"]] == ["baseline", "recruitment"]
    assert manifest["scenarios"][1]["sha256"] == scenario_hash(scenarios["recruitment"])

    # a plain restart into the same folder is refused: it would throw the work away
    with pytest.raises(InputError, match="--resume"):
        resume_or_start(out, scenarios, SEED, REPLICATIONS, resume=False)

    before = set(BatchStore(out).load())
    assert len(before) == finished
    result, executor, saved, store = run_batch(out, scenarios, REPLICATIONS, resume=True)
    assert_same(result, uninterrupted)
    everything = {(key, rep) for key in scenarios for rep in range(REPLICATIONS)}
    assert set(executor.tasks) == everything - before  # finished replications not rerun
    assert len(executor.tasks) == len(saved) == TOTAL - finished
    assert set(store.load()) == everything

    # resuming the finished batch computes nothing and still gives the same results
    again, executor, saved, _ = run_batch(out, scenarios, REPLICATIONS, resume=True)
    assert executor.tasks == [] and saved == []
    assert_same(again, uninterrupted)


# -- in-process checks ---------------------------------------------------------------------


def test_checkpoints_round_trip_exactly(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    store, done = resume_or_start(tmp_path, scenarios, SEED, 2, resume=False)
    assert done == {}
    frames: dict[tuple[str, int], pd.DataFrame] = {}

    def keep(key: str, result: ReplicationResult) -> None:
        frames[(key, result.replication)] = result.results
        store.save(key, result)

    run_experiment(scenarios, 2, SEED, done=done, on_result=keep)
    loaded = BatchStore(tmp_path).load()
    assert set(loaded) == set(frames)
    for task, frame in frames.items():
        pd.testing.assert_frame_equal(loaded[task], frame, check_exact=True)
        assert loaded[task].dtypes.equals(frame.dtypes)
    folder = tmp_path / "checkpoints" / slug("recruitment")
    assert sorted(p.name for p in folder.iterdir()) == ["000.pkl", "001.pkl"]


def test_interrupted_in_process_then_resumed(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario], uninterrupted: ExperimentResult
) -> None:
    """An exception part-way (as Ctrl-C would be) keeps what finished; resume completes it."""
    store, done = resume_or_start(tmp_path, scenarios, SEED, REPLICATIONS, resume=False)
    calls = 0

    def stop_after_five(key: str, result: ReplicationResult) -> None:
        nonlocal calls
        store.save(key, result)
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(scenarios, REPLICATIONS, SEED, done=done, on_result=stop_after_five)
    assert len(checkpoint_files(tmp_path)) == 5
    result, executor, saved, _ = run_batch(tmp_path, scenarios, REPLICATIONS, resume=True)
    assert len(executor.tasks) == len(saved) == TOTAL - 5
    assert_same(result, uninterrupted)


def test_more_replications_reuse_finished_ones(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario], uninterrupted: ExperimentResult
) -> None:
    run_batch(tmp_path, scenarios, 3, resume=False)
    result, executor, _, _ = run_batch(tmp_path, scenarios, REPLICATIONS, resume=True)
    assert sorted(executor.tasks) == [(k, r) for k in sorted(scenarios) for r in range(3, 6)]
    assert_same(result, uninterrupted)
    manifest = json.loads((tmp_path / "checkpoints/manifest.json").read_text())
    assert manifest["replications"] == list(range(REPLICATIONS))
    # and fewer: only the ones asked for come back
    _, done = resume_or_start(tmp_path, scenarios, SEED, 2, resume=True)
    assert set(done) == {(k, r) for k in scenarios for r in range(2)}


def test_start_refused_where_a_batch_exists(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    resume_or_start(tmp_path, scenarios, SEED, REPLICATIONS, resume=False)
    with pytest.raises(InputError, match=r"use --resume to continue it, or another --out"):
        resume_or_start(tmp_path, scenarios, SEED, REPLICATIONS, resume=False)


def test_resume_of_nothing_starts_afresh(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    store, done = resume_or_start(tmp_path / "new", scenarios, SEED, 2, resume=True)
    assert done == {}
    assert store.manifest_path.is_file()


def test_resume_with_another_seed_is_refused(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    run_batch(tmp_path, scenarios, 1, resume=False)
    with pytest.raises(InputError, match=f"started with seed {SEED}, not 99"):
        resume_or_start(tmp_path, scenarios, 99, 1, resume=True)


def test_resume_with_a_changed_lever_is_refused(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    run_batch(tmp_path, scenarios, 1, resume=False)
    changed = short_scenarios(["carers.campaigns.0.extra_enquiries_per_year=80"])
    assert scenario_hash(changed["recruitment"]) != scenario_hash(scenarios["recruitment"])
    with pytest.raises(InputError, match="'recruitment' has different parameters"):
        resume_or_start(tmp_path, changed, SEED, 1, resume=True)


def test_resume_with_other_scenarios_is_refused(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    run_batch(tmp_path, scenarios, 1, resume=False)
    renamed = {"baseline": scenarios["baseline"], "option b": scenarios["recruitment"]}
    with pytest.raises(InputError, match=r"without 'recruitment' and with 'option b' added"):
        resume_or_start(tmp_path, renamed, SEED, 1, resume=True)
    with pytest.raises(InputError, match="without 'recruitment'"):
        resume_or_start(tmp_path, {"baseline": scenarios["baseline"]}, SEED, 1, resume=True)


def test_description_does_not_change_the_hash(scenarios: dict[str, scenario.Scenario]) -> None:
    base = scenarios["baseline"]
    reworded = base.model_copy(update={"description": "reworded"})
    assert scenario_hash(reworded) == scenario_hash(base)


def test_partial_and_corrupt_files_are_rerun(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario], uninterrupted: ExperimentResult
) -> None:
    run_batch(tmp_path, scenarios, REPLICATIONS, resume=False)
    folder = tmp_path / "checkpoints" / slug("baseline")
    (folder / "002.pkl").write_bytes(b"not a pickle")  # damaged
    partial = folder / ".004.pkl.abc123.part"  # a write cut short by a kill
    partial.write_bytes(b"\x80\x05half")
    (folder / "004.pkl").unlink()
    with pytest.warns(UserWarning, match="002.pkl: unreadable checkpoint"):
        result, executor, _, _ = run_batch(tmp_path, scenarios, REPLICATIONS, resume=True)
    assert sorted(executor.tasks) == [("baseline", 2), ("baseline", 4)]
    assert not partial.exists()
    assert_same(result, uninterrupted)


def test_missing_manifest_is_a_clear_error(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    run_batch(tmp_path, scenarios, 1, resume=False)
    (tmp_path / "checkpoints/manifest.json").unlink()
    with pytest.raises(InputError, match=r"manifest\.json: not found"):
        resume_or_start(tmp_path, scenarios, SEED, 1, resume=True)


def test_clear_removes_only_checkpoints(
    tmp_path: Path, scenarios: dict[str, scenario.Scenario]
) -> None:
    (tmp_path / "indicators.csv").write_text("kept\n")
    _, _, _, store = run_batch(tmp_path, scenarios, 1, resume=False)
    store.clear()
    assert not (tmp_path / "checkpoints").exists()
    assert (tmp_path / "indicators.csv").read_text() == "kept\n"
    resume_or_start(tmp_path, scenarios, SEED, 1, resume=False)  # the folder is free again
