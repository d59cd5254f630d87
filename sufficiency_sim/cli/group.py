"""The `sufficiency-sim` command line. Thin: it parses arguments and calls the package API."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
from pathlib import Path

import click

from sufficiency_sim import __version__
from sufficiency_sim.cli.options import (
    dask_option,
    jobs_option,
    quiet_option,
    seed_option,
    set_option,
)
from sufficiency_sim.errors import InputError


class _Group(click.Group):
    """A click group that turns bad input into one clear message and exit status 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except click.UsageError as exc:  # a bad option value: the same one-line form
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"error: {exc.format_message()}", err=True)
            click.echo(f"(see {where} --help)", err=True)
            ctx.exit(2)
        except OSError as exc:  # a failed read or write the commands did not name themselves
            _report_os_error(exc)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: nothing half-written was left; with --out, the same command "
                "with --resume finishes the run",
                err=True,
            )
            ctx.exit(130)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _report_os_error(exc: OSError) -> None:
    """One `error:` line for an OSError; when standard output itself failed (a full disk,
    `> /dev/full`, a closed pipe), point it at /dev/null so the exit does not fail again."""
    where, action = f"{exc.filename}: ", "cannot read or write"
    if exc.filename is None:  # file writes name their file (atomic.cannot_write)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        where, action = "standard output: ", "cannot write"
    with contextlib.suppress(OSError):
        click.echo(f"error: {where}{action} ({exc.strerror or exc})", err=True)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="sufficiency-sim")
def cli() -> None:
    """Placement sufficiency simulation for an English local authority.

    \b
    First steps (from a clone of the repository):
      sufficiency-sim run scenarios/york_baseline.yaml --out results/york
      sufficiency-sim compare scenarios/york_baseline.yaml scenarios/options/*.yaml \\
          --out results/york_options
      sufficiency-sim report results/york_options
      sufficiency-sim app

    Every command takes -h for its options and an example."""


@cli.command("run")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-n", default=20, show_default=True, type=click.IntRange(1))
@seed_option
@jobs_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for indicators.csv, summary.csv and run.json.",
)
@click.option(
    "--histories",
    is_flag=True,
    help="Also write each replication's 903 episodes, header and audit tables.",
)
@set_option
@dask_option
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run in --out without recomputing finished replications.",
)
@quiet_option
def run_command(
    scenario_file: Path,
    replications: int,
    seed: int,
    jobs: int,
    out_dir: Path | None,
    histories: bool,
    overrides: tuple[str, ...],
    dask_address: str | None,
    resume: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO_FILE for N replications and show each indicator by financial year.

    With --out, each finished replication is checkpointed as it completes; after an interruption
    the same command with --resume finishes the rest, with identical results.

    \b
    Example:
      sufficiency-sim run scenarios/york_baseline.yaml -n 20 --jobs 2 --out results/york"""
    from tqdm import tqdm

    from sufficiency_sim import scenario
    from sufficiency_sim.experiment.executors import make_executor
    from sufficiency_sim.experiment.runner import run_experiment, summarise
    from sufficiency_sim.report.text import show_summary

    sc = scenario.load(scenario_file, overrides)
    jobs = jobs or os.cpu_count() or 1
    store, done, run_id, history_dir = _prepare_run(
        out_dir, histories, resume, sc, seed, replications
    )
    executor = make_executor(jobs, dask_address)
    click.echo(
        f"{sc.name}: {replications} replications x {sc.horizon_years} years "
        f"from {sc.start_date:%d %B %Y} (seed {seed}, {jobs} job(s))",
        err=True,
    )
    with tqdm(total=replications, unit="rep", disable=quiet or None, file=sys.stderr) as bar:
        result = run_experiment(
            sc,
            replications,
            seed,
            executor=executor,
            history_dir=history_dir,
            progress=bar.update,
            done=done,
            on_result=store.save if store is not None else None,
        )
    results = result.results.drop(columns="scenario")
    summary = summarise(results)
    show_summary(summary, sc, click.get_text_stream("stdout"))
    if out_dir is not None:
        settings = {"seed": seed, "replications": replications, "jobs": jobs}
        meta = _run_meta(scenario_file, overrides, sc, settings, executor.name, len(done), result)
        _write_run(out_dir, run_id, results, summary, meta)
        store.clear()  # the outputs are complete: checkpoints are no longer needed
    click.echo(f"{replications} replications in {result.wall_seconds:.1f} s", err=True)


def _prepare_run(out_dir: Path | None, histories: bool, resume: bool, sc, seed: int, reps: int):
    """Check the output options and prepare the folder: (checkpoint store, replications
    already done, run id, folder of the histories or None)."""
    from sufficiency_sim.experiment.batch import resume_or_start
    from sufficiency_sim.files import outputs

    if histories and out_dir is None:
        raise InputError("--histories needs --out DIR to say where to write the histories")
    history_dir = out_dir / "replications" if histories and out_dir else None
    if resume and out_dir is None:
        raise InputError("--resume needs --out DIR: the folder of the interrupted run")
    store, done, run_id = None, {}, ""
    if out_dir is not None:
        outputs.writable_folder(out_dir)  # before the checkpoints, so a bad --out is refused
        store, done = resume_or_start(out_dir, sc, seed, reps, resume)
        run_id = outputs.start_run(out_dir)
    if history_dir is not None and history_dir.exists() and not resume:
        shutil.rmtree(history_dir)  # our own output: stale replications must not linger
    return store, done, run_id, history_dir


def _run_meta(
    scenario_file: Path, overrides, sc, settings: dict, executor: str, resumed: int, result
) -> dict:
    """What run.json records of a run, besides its run id and file hashes."""
    from sufficiency_sim import scenario

    return {
        "scenario_file": str(scenario_file),
        "overrides": list(overrides),
        "scenario": scenario.to_jsonable(sc),
        **settings,
        "executor": executor,
        "resumed_replications": resumed,
        "package_version": __version__,
        "python": platform.python_version(),
        "wall_seconds": round(result.wall_seconds, 3),
    }


def _write_run(out_dir: Path, run_id: str, results, summary, meta: dict) -> None:
    """Write a run's indicators, summary and run.json (last, marking the run finished)."""
    from sufficiency_sim.files import atomic, outputs

    atomic.write_csv(out_dir / "indicators.csv", results)
    atomic.write_csv(out_dir / "summary.csv", summary)
    outputs.finish_run(out_dir, run_id, meta, ["indicators.csv", "summary.csv"])
    click.echo(f"wrote {out_dir}/indicators.csv, summary.csv and run.json", err=True)


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON schema of a scenario file.

    \b
    Example:
      sufficiency-sim schema > scenario.schema.json"""
    from sufficiency_sim import scenario

    click.echo(json.dumps(scenario.json_schema(), indent=2))


def _register() -> None:
    from sufficiency_sim.cli import app as cli_app
    from sufficiency_sim.cli import appraisal as cli_appraisal
    from sufficiency_sim.cli import calibrate as cli_calibrate
    from sufficiency_sim.cli import report as cli_report
    from sufficiency_sim.cli import ssda903 as cli_903

    if "indicators" not in cli.commands:
        cli.add_command(cli_903.indicators_command)
        cli.add_command(cli_903.validate_command)
    if "compare" not in cli.commands:
        cli.add_command(cli_appraisal.compare_command)
        cli.add_command(cli_appraisal.sweep_command)
    if "report" not in cli.commands:
        cli.add_command(cli_report.report_command)
    if "app" not in cli.commands:
        cli.add_command(cli_app.app_command)
    if "calibrate" not in cli.commands:
        cli.add_command(cli_calibrate.calibrate_command)
        cli.add_command(cli_calibrate.backtest_command)


def main() -> None:
    """Entry point of the `sufficiency-sim` console script."""
    _register()
    cli()
