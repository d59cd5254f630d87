"""`run --resume` finishes an interrupted run without recomputing, with identical outputs."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sufficiency_sim import scenario
from sufficiency_sim.cli.group import cli
from sufficiency_sim.experiment.batch import resume_or_start
from sufficiency_sim.experiment.runner import run_experiment

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"
SHORT = ["--set", "horizon_years=2", "--set", "warmup_years=3"]


def _run(out: Path, *extra: str):
    args = ["run", str(BASELINE), "-n", "4", "--seed", "7", "-q", "--out", str(out), *SHORT]
    return CliRunner().invoke(cli, [*args, *extra])


def test_resume_finishes_an_interrupted_run_identically(tmp_path: Path) -> None:
    fresh = _run(tmp_path / "fresh")
    assert fresh.exit_code == 0, fresh.output
    # An interrupted run: two of the four replications were checkpointed before it stopped.
    sc = scenario.load(BASELINE, ["horizon_years=2", "warmup_years=3"])
    store, done = resume_or_start(tmp_path / "resumed", sc, 7, 4, resume=False)
    assert done == {}
    run_experiment(sc, [0, 2], 7, on_result=store.save)
    refused = _run(tmp_path / "resumed")
    assert refused.exit_code == 2 and "--resume" in refused.output
    resumed = _run(tmp_path / "resumed", "--resume")
    assert resumed.exit_code == 0, resumed.output
    for name in ("indicators.csv", "summary.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == (
            tmp_path / "fresh" / name
        ).read_bytes()
    assert '"resumed_replications": 2' in (tmp_path / "resumed" / "run.json").read_text()
    # Finished and written: the checkpoints are gone and a plain rerun works again.
    assert not (tmp_path / "resumed" / "checkpoints").exists()
    assert _run(tmp_path / "resumed").exit_code == 0


def test_resume_without_out_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(BASELINE), "-n", "1", "--resume", *SHORT])
    assert result.exit_code == 2
    assert "--resume needs --out" in result.output
